package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxBodyBytes bounds a form body; real requests carry at most a few KiB.
const maxBodyBytes = 1 << 20

// Limits on the parameters of one request (README, "Limits"). The largest
// documented value is UserData: 32 KiB before Base64, 43,692 characters
// after; the longest names (DataDisk.16.PerformanceLevel) are under 40
// bytes; the most parameters an ECS action takes is a few hundred (16 data
// disks, 20 tags, 100 ids).
const (
	MaxParamValueBytes = 64 << 10
	MaxParamNameBytes  = 128
	MaxParams          = 1000
)

// paramLimitError checks the limits over the query and the form body.
func paramLimitError(sets ...url.Values) *apiError {
	n := 0
	for _, vals := range sets {
		for k, vs := range vals {
			if len(k) > MaxParamNameBytes {
				return newErr(http.StatusBadRequest, "InvalidParameter",
					"A parameter name is longer than %d bytes.", MaxParamNameBytes)
			}
			for _, v := range vs {
				n++
				if len(v) > MaxParamValueBytes {
					return newErr(http.StatusBadRequest, "InvalidParameter",
						"The value of the parameter %q is longer than %d bytes.", k, MaxParamValueBytes)
				}
			}
		}
	}
	if n > MaxParams {
		return newErr(http.StatusBadRequest, "InvalidParameter", "The request has more than %d parameters.", MaxParams)
	}
	return nil
}

const apiVersion = "2014-05-26"

// request is one parsed API call: the merged parameters plus what the
// signature checks need.
type request struct {
	method string
	host   string
	header http.Header
	query  url.Values // query string only (v3 signs it alone)
	form   url.Values // form body only
	params map[string]string
	body   []byte

	v3      bool
	action  string
	version string
	format  string // "JSON" or "XML"
}

// parseWire turns the raw pieces of an HTTP request into a request. It never
// panics and reports malformed input as a 400.
func parseWire(method, host, rawQuery string, header http.Header, body []byte) (*request, *apiError) {
	if method != http.MethodGet && method != http.MethodPost {
		return nil, newErr(http.StatusBadRequest, "UnsupportedHTTPMethod", "The HTTP method %q is not supported.", method)
	}
	if header == nil {
		header = http.Header{}
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, newErr(http.StatusBadRequest, "InvalidParameter", "The query string is malformed.")
	}
	req := &request{method: method, host: host, header: header, query: q, body: body}
	if len(body) > 0 && isForm(header.Get("Content-Type")) {
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter", "The form body is malformed.")
		}
		req.form = f
	}
	if ae := paramLimitError(q, req.form); ae != nil {
		return nil, ae
	}
	req.params = make(map[string]string, len(q)+len(req.form))
	for k, vs := range q {
		if len(vs) > 0 {
			req.params[k] = vs[0]
		}
	}
	for k, vs := range req.form {
		if _, dup := req.params[k]; !dup && len(vs) > 0 {
			req.params[k] = vs[0]
		}
	}
	req.v3 = strings.HasPrefix(header.Get("Authorization"), "ACS3-")
	if req.v3 {
		req.action = header.Get("x-acs-action")
		req.version = header.Get("x-acs-version")
	} else {
		req.action = req.params["Action"]
		req.version = req.params["Version"]
	}
	req.format = responseFormat(req.params["Format"], req.v3, header.Get("Accept"))
	return req, nil
}

func isForm(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// responseFormat follows the docs: XML when Format is absent, except for v3
// clients and clients that ask for JSON in Accept.
func responseFormat(f string, v3 bool, accept string) string {
	switch strings.ToUpper(f) {
	case "JSON":
		return "JSON"
	case "XML":
		return "XML"
	}
	if v3 || strings.Contains(accept, "json") {
		return "JSON"
	}
	if f == "" && strings.Contains(accept, "xml") {
		return "XML"
	}
	if f == "" {
		return "XML"
	}
	return "JSON"
}

// readRequest reads the body (bounded) and parses the request.
func readRequest(r *http.Request) (*request, *apiError) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter", "The request body could not be read.")
		}
		if len(b) > maxBodyBytes {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter", "The request body is too large.")
		}
		body = b
	}
	return parseWire(r.Method, r.Host, r.URL.RawQuery, r.Header, body)
}

// writeBody encodes v as JSON, or as XML under root, with the real content types.
func writeBody(w http.ResponseWriter, format, root string, status int, v any) {
	js, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		js = []byte(`{"Code":"InternalError","Message":"encoding failed"}`)
	}
	if format == "XML" {
		var buf bytes.Buffer
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
		if err := jsonToXML(&buf, root, js); err == nil {
			w.Header().Set("Content-Type", "text/xml;charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write(buf.Bytes())
			return
		}
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(js)
}

// errorBody is the gateway's error document.
type errorBody struct {
	RequestId string
	HostId    string
	Code      string
	Message   string
	Recommend string
}

func newErrorBody(reqID, host string, e *apiError) errorBody {
	if host == "" {
		host = "ecs.aliyuncs.com"
	}
	return errorBody{
		RequestId: reqID,
		HostId:    host,
		Code:      e.Code,
		Message:   e.Message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.Code) + "&product=Ecs&requestId=" + reqID,
	}
}
