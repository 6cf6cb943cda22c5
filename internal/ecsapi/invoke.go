package ecsapi

import (
	"context"
	"reflect"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// invoke makes one typed ECS call through c.do (rate limit, retries,
// logging, and for an instance write the refresh listing). Every attempt
// builds a fresh request with newReq, prepares it (scheme, endpoint), lets
// fill set the action's parameters and sends it with send, e.g.
//
//	invoke(ctx, c, call{action: "StartInstance", ...},
//		ecs.CreateStartInstanceRequest, (*ecs.Client).StartInstance,
//		func(req *ecs.StartInstanceRequest) { req.InstanceId = id })
//
// It returns the response of the attempt that succeeded. When a
// kindAmbiguous call is settled (a retry found the first attempt's effect),
// the error is nil and so is the response.
func invoke[Req requests.AcsRequest, Resp responses.AcsResponse](ctx context.Context, c *Client, spec call,
	newReq func() Req, send func(*ecs.Client, Req) (Resp, error), fill func(Req)) (Resp, error) {
	var out Resp
	err := c.do(ctx, spec, func(cl *ecs.Client) (string, error) {
		req := newReq()
		c.prepare(req)
		fill(req)
		resp, err := send(cl, req)
		if err != nil {
			return "", err
		}
		out = resp
		return requestIDOf(resp), nil
	})
	return out, err
}

// pageSize is the page size of every listing (the API's maximum).
const pageSize = 100

// maxPages guards against a service that keeps returning a NextToken.
const maxPages = 10000

// listAll reads a listing action page by page (NextToken/MaxResults,
// pageSize items a page) until the service returns no new token or
// pageLimit pages were read. fill sets the filters; split takes a page's
// items and next token out of its response. It returns the request id of
// the first page.
func listAll[Req requests.AcsRequest, Resp responses.AcsResponse, T any](ctx context.Context, c *Client, pageLimit int,
	action string, newReq func() Req, send func(*ecs.Client, Req) (Resp, error), fill func(Req),
	split func(Resp) (items []T, next string)) ([]T, string, error) {
	all, requestID, _, err := listPages(ctx, c, pageLimit, action, newReq, send, fill, split)
	return all, requestID, err
}

// listPages is listAll that also says whether the listing is complete: false
// when pageLimit pages were read and the service still had a next page.
func listPages[Req requests.AcsRequest, Resp responses.AcsResponse, T any](ctx context.Context, c *Client, pageLimit int,
	action string, newReq func() Req, send func(*ecs.Client, Req) (Resp, error), fill func(Req),
	split func(Resp) (items []T, next string)) ([]T, string, bool, error) {
	var (
		all       []T
		nextToken string
		requestID string
	)
	for page := 0; page < pageLimit; page++ {
		resp, err := invoke(ctx, c, call{action: action, kind: kindRead}, newReq, send, func(req Req) {
			fill(req)
			// Every listing action names these two the same way; the SDK
			// sends what the query map holds (empty fields add nothing).
			q := req.GetQueryParams()
			q["MaxResults"] = strconv.Itoa(pageSize)
			if nextToken != "" {
				q["NextToken"] = nextToken
			}
		})
		if err != nil {
			return nil, "", false, err
		}
		if requestID == "" {
			requestID = requestIDOf(resp)
		}
		items, next := split(resp)
		all = append(all, items...)
		if next == "" || next == nextToken {
			return all, requestID, true, nil
		}
		nextToken = next
	}
	return all, requestID, false, nil
}

// requestIDOf returns the RequestId field that every SDK response struct
// has ("" for a nil response).
func requestIDOf(resp responses.AcsResponse) string {
	v := reflect.ValueOf(resp)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return ""
	}
	if f := v.Elem().FieldByName("RequestId"); f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}
