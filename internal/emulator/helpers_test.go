package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

const testRegion = "cn-hangzhou"

// fixture is an emulator behind a real HTTP server.
type fixture struct {
	t   *testing.T
	e   *Emulator
	srv *httptest.Server
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fixture{t: t, e: e, srv: srv}
}

func (f *fixture) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// client returns a real alibaba-cloud-sdk-go ECS client (signature v1).
func (f *fixture) client() *ecs.Client {
	f.t.Helper()
	c, err := ecs.NewClientWithAccessKey(testRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
	if err != nil {
		f.t.Fatal(err)
	}
	c.Domain = f.host()
	return c
}

func (f *fixture) catalog() *regionCatalog { return buildRegion(testRegion) }

// run launches n instances through the SDK and returns their ids.
func (f *fixture) run(n int, mutate ...func(*ecs.RunInstancesRequest)) []string {
	f.t.Helper()
	req := f.runRequest()
	req.Amount = requests.NewInteger(n)
	for _, m := range mutate {
		m(req)
	}
	resp, err := f.client().RunInstances(req)
	if err != nil {
		f.t.Fatalf("RunInstances: %v", err)
	}
	return resp.InstanceIdSets.InstanceIdSet
}

func (f *fixture) runRequest() *ecs.RunInstancesRequest {
	rc := f.catalog()
	req := ecs.CreateRunInstancesRequest()
	req.RegionId = testRegion
	req.ImageId = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
	req.InstanceType = "ecs.g7.large"
	req.VSwitchId = rc.VSwitches[0].ID
	req.SecurityGroupId = rc.SecurityGroups[0].ID
	return req
}

func (f *fixture) describe(id string) *ecs.Instance {
	f.t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.RegionId = testRegion
	req.InstanceIds = `["` + id + `"]`
	resp, err := f.client().DescribeInstances(req)
	if err != nil {
		f.t.Fatalf("DescribeInstances: %v", err)
	}
	if len(resp.Instances.Instance) != 1 {
		return nil
	}
	return &resp.Instances.Instance[0]
}

// wantCode asserts err is a ServerError with this status and code.
func wantCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
	if se.HttpStatus() != status || se.ErrorCode() != code {
		t.Fatalf("want %d %s, got %d %s: %s", status, code, se.HttpStatus(), se.ErrorCode(), se.Message())
	}
	if se.RequestId() == "" {
		t.Fatalf("error without RequestId")
	}
}

// raw sends a v1-signed request built by hand (for nonce, timestamp and
// parameter shapes the SDK does not let us choose).
type rawReq struct {
	method    string
	params    map[string]string
	ak        string
	secret    string
	nonce     string
	timestamp time.Time
	token     string
	badSig    bool
	host      string      // Host header; "" = the server's address
	header    http.Header // extra headers (Origin, Sec-Fetch-Site, …)
}

func (f *fixture) raw(r rawReq) (int, map[string]any) {
	f.t.Helper()
	status, body := f.rawBytes(r)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		f.t.Fatalf("response is not JSON (%d): %s", status, body)
	}
	return status, m
}

var nonceSeq int

func (f *fixture) rawBytes(r rawReq) (int, []byte) {
	f.t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.ak == "" {
		r.ak, r.secret = DefaultAccessKeyID, DefaultAccessKeySecret
	}
	if r.nonce == "" {
		nonceSeq++
		r.nonce = "nonce-" + time.Now().Format("150405.000000") + "-" + itoa(nonceSeq)
	}
	if r.timestamp.IsZero() {
		r.timestamp = time.Now().UTC()
	}
	q := url.Values{}
	for k, v := range map[string]string{"Version": apiVersion, "Format": "JSON", "AccessKeyId": r.ak,
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": r.nonce,
		"Timestamp": r.timestamp.Format(timestampLayout), "SignatureType": "", "RegionId": testRegion} {
		q.Set(k, v)
	}
	if r.token != "" {
		q.Set("SecurityToken", r.token)
	}
	for k, v := range r.params {
		if v == "\x00" {
			q.Del(k)
			continue
		}
		q.Set(k, v)
	}
	sig := v1Sign(r.secret, v1StringToSign(r.method, q, nil))
	if r.badSig {
		sig = "AAAA" + sig
	}
	q.Set("Signature", sig)
	req, err := http.NewRequest(r.method, f.srv.URL+"/?"+q.Encode(), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.host != "" {
		req.Host = r.host
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// admin calls the admin API as a legitimate client does: writes carry
// Content-Type: application/json.
func (f *fixture) admin(method, path, body string) (int, []byte) {
	f.t.Helper()
	h := http.Header{}
	if method != http.MethodGet {
		h.Set("Content-Type", "application/json")
	}
	return f.adminWith(method, path, body, h)
}

// adminWith calls the admin API with exactly these headers (req.Host from
// the "Host" entry when present).
func (f *fixture) adminWith(method, path, body string, h http.Header) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+"/_emulator/"+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	for k, vs := range h {
		if k == "Host" {
			req.Host = vs[0]
			continue
		}
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
