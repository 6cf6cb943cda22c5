package ecsapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// fakeECS is a small test double that speaks just enough of the ECS RPC
// wire format (query parameters in, JSON out) for one test at a time. It
// is not an emulator: each test scripts the answers it needs.
type fakeECS struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []fakeCall
	handle func(c fakeCall) (status int, body any)
}

type fakeCall struct {
	Action string
	Params url.Values
}

func newFakeECS(t testing.TB, handle func(c fakeCall) (int, any)) *fakeECS {
	f := &fakeECS{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeECS) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := fakeCall{Action: r.Form.Get("Action"), Params: r.Form}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	handle := f.handle
	f.mu.Unlock()
	status, body := handle(c)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeECS) setHandler(h func(c fakeCall) (int, any)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handle = h
}

// callsOf returns the recorded calls of action ("" = all).
func (f *fakeECS) callsOf(action string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if action == "" || c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeECS) endpoint() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// testClock starts the fake clock at: the real time, so that
// context deadlines (wall-clock) and the fake clock can be compared.
func testClock() *clock.Fake { return clock.NewFake(time.Now()) }

// newTestClient returns a Client for the fake: plain HTTP, a fake clock,
// no jitter (the backoff is its upper bound) and small retry delays.
func (f *fakeECS) newTestClient(t testing.TB, mods ...func(*Config)) (*Client, *clock.Fake) {
	fc := testClock()
	cfg := Config{
		RegionID:        "cn-hangzhou",
		AccessKeyID:     "test-access-key-id",
		AccessKeySecret: "test-access-key-secret",
		Endpoint:        f.endpoint(),
		Scheme:          "http",
		MaxRetries:      3,
		Clock:           fc,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.jitter = func(d time.Duration) time.Duration { return d }
	return c, fc
}

// ok is a success body with a request id plus fields.
func ok(fields map[string]any) (int, any) {
	body := map[string]any{"RequestId": "REQ-OK"}
	for k, v := range fields {
		body[k] = v
	}
	return http.StatusOK, body
}

// apiError is an ECS error body.
func apiError(status int, code, message string) (int, any) {
	return status, map[string]any{
		"RequestId": "REQ-ERR",
		"HostId":    "ecs.aliyuncs.com",
		"Code":      code,
		"Message":   message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
	}
}

// instanceJSON is a DescribeInstances entry.
func instanceJSON(id, status string) map[string]any {
	return map[string]any{
		"InstanceId":   id,
		"InstanceName": "name-" + id,
		"Status":       status,
		"VpcAttributes": map[string]any{
			"VpcId": "vpc-1", "VSwitchId": "vsw-1",
			"PrivateIpAddress": map[string]any{"IpAddress": []string{"10.0.0.5"}},
		},
		"PublicIpAddress":  map[string]any{"IpAddress": []string{}},
		"InnerIpAddress":   map[string]any{"IpAddress": []string{}},
		"EipAddress":       map[string]any{"IpAddress": "47.1.2.3"},
		"SecurityGroupIds": map[string]any{"SecurityGroupId": []string{"sg-1"}},
		"Tags":             map[string]any{"Tag": []map[string]string{{"TagKey": "env", "TagValue": "dev"}}},
		"Cpu":              4,
		"Memory":           8192,
	}
}

// describeInstancesFrom answers DescribeInstances from a set of instances,
// honouring the InstanceIds filter.
func describeInstancesFrom(instances map[string]string) func(c fakeCall) (int, any) {
	return func(c fakeCall) (int, any) {
		var ids []string
		_ = json.Unmarshal([]byte(c.Params.Get("InstanceIds")), &ids)
		list := []map[string]any{}
		for _, id := range ids {
			if status, ok := instances[id]; ok {
				list = append(list, instanceJSON(id, status))
			}
		}
		return ok(map[string]any{"Instances": map[string]any{"Instance": list}, "NextToken": ""})
	}
}

// httpHandlerFunc answers every request with success and reports whether it came over TLS.
func httpHandlerFunc(seen func(tls bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen(r.TLS != nil)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"REQ-TLS"}`))
	})
}

// httpHandlerFuncCtx signals entered when a request arrives and aborted
// when the client gives the request up.
func httpHandlerFuncCtx(entered, aborted chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done()
		close(aborted)
	})
}
