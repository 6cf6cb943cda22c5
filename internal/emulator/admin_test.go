package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestAdminStateCallsClockReset(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	f.describe(id)
	f.describe(id)
	status, body := f.admin("GET", "state", "")
	if status != 200 {
		t.Fatalf("state: %d %s", status, body)
	}
	var st State
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Instances) != 1 || st.Instances[0].InstanceId != id || len(st.Disks) != 1 {
		t.Fatalf("state = %+v", st)
	}
	if len(st.Catalog.Regions) < 4 || len(st.Catalog.VSwitches) < 10 || len(st.Catalog.SecurityGroups) < 8 ||
		len(st.Catalog.Images) < 4 || len(st.Catalog.InstanceTypes) < 8 {
		t.Fatalf("catalog = %+v", st.Catalog)
	}
	for _, v := range st.Catalog.VSwitches {
		if !strings.HasPrefix(v.ID, "vsw-") || len(v.ID) != 24 || v.ZoneID == "" || v.VpcID == "" {
			t.Fatalf("vswitch %+v", v)
		}
	}
	status, body = f.admin("GET", "calls", "")
	var calls map[string]int
	_ = json.Unmarshal(body, &calls)
	if status != 200 || calls["RunInstances"] != 1 || calls["DescribeInstances"] != 2 {
		t.Fatalf("calls: %d %s", status, body)
	}
	f.admin("DELETE", "calls", "")
	if len(f.e.Calls()) != 0 {
		t.Fatal("calls not reset")
	}
	before := f.e.Now()
	status, body = f.admin("POST", "clock", `{"advance":"45m"}`)
	if status != 200 || f.e.Now().Sub(before) < 45*time.Minute {
		t.Fatalf("clock: %d %s", status, body)
	}
	if status, _ := f.admin("POST", "clock", `{"advance":"soon"}`); status != 400 {
		t.Fatalf("bad clock accepted: %d", status)
	}
	if status, _ := f.admin("POST", "clock", `{"advance":"-5m"}`); status != 400 {
		t.Fatalf("negative clock accepted: %d", status)
	}
	if status, _ := f.admin("GET", "nowhere", ""); status != 404 {
		t.Fatalf("unknown endpoint: %d", status)
	}
	f.admin("POST", "faults", `{"action":"*","code":"Throttling"}`)
	status, _ = f.admin("POST", "reset", "")
	if status != 200 || len(f.e.State().Instances) != 0 || len(f.e.Faults()) != 0 {
		t.Fatalf("reset: %d", status)
	}
	if f.e.Now().Sub(before) < 45*time.Minute {
		t.Fatal("reset moved the clock back")
	}
}

func TestAdminRefusesRemoteClients(t *testing.T) {
	e, _ := New(Options{})
	req := httptest.NewRequest("GET", "/_emulator/state", nil)
	req.RemoteAddr = "10.1.2.3:4567"
	req.Host = "127.0.0.1:8085"
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Fatalf("status %d", w.Code)
	}
}

func TestFaults(t *testing.T) {
	f := newFixture(t, Options{})
	status, body := f.admin("POST", "faults", `{"action":"DescribeRegions","code":"Throttling.User","http_status":400,"count":2}`)
	if status != 200 {
		t.Fatalf("add: %d %s", status, body)
	}
	c := f.client()
	for i := 0; i < 2; i++ {
		_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		wantCode(t, err, 400, "Throttling.User")
	}
	if _, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatalf("count exhausted, still failing: %v", err)
	}
	f.e.AddFault(Fault{Action: "*", Code: "ServiceUnavailable"})
	_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	wantCode(t, err, 503, "ServiceUnavailable")
	f.admin("DELETE", "faults", "")
	if _, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatal(err)
	}
	// Probability uses the seeded RNG: about half of 200 calls fail.
	f.e.AddFault(Fault{Action: "DescribeZones", Code: "InternalError", Probability: 0.5})
	failed := 0
	for i := 0; i < 200; i++ {
		r := ecs.CreateDescribeZonesRequest()
		r.RegionId = testRegion
		if _, err := c.DescribeZones(r); err != nil {
			wantCode(t, err, 500, "InternalError")
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Fatalf("%d of 200 failed", failed)
	}
	f.e.ClearFaults()
	// Bad fault JSON is refused.
	for _, bad := range []string{`{"action":`, `{"bogus":1}`, `{"http_status":200}`, `{"probability":2}`, `[{"count":-1}]`} {
		if status, _ := f.admin("POST", "faults", bad); status != 400 {
			t.Errorf("fault %s accepted: %d", bad, status)
		}
	}
}

func TestFaultDelayAndReset(t *testing.T) {
	f := newFixture(t, Options{})
	f.e.AddFault(Fault{Action: "DescribeRegions", DelayMS: 300, Count: 1})
	c := f.client()
	c.SetReadTimeout(100 * time.Millisecond)
	_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	var se *sdkerrors.ServerError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a timeout, got %v", err)
	}
	f.e.AddFault(Fault{Action: "DescribeRegions", ResetConnection: true, Count: 1})
	_, err = f.client().DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a transport error, got %v", err)
	}
	if _, err := f.client().DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatal(err)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f := newFixture(t, Options{StateFile: path})
	id := f.run(1, func(r *ecs.RunInstancesRequest) { r.ClientToken = "persist-1" })[0]
	gid, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = id })
	if err != nil {
		t.Fatal(err)
	}
	f.e.AdvanceClock(2 * time.Hour)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if err := f.e.Close(); err != nil {
		t.Fatal(err)
	}
	g := newFixture(t, Options{StateFile: path})
	if g.describe(id) == nil || g.group(gid) == nil {
		t.Fatal("state lost across restart")
	}
	if time.Until(g.e.Now()) < 119*time.Minute {
		t.Fatal("clock advance lost across restart")
	}
	// The idempotency record survives too.
	if again := g.run(1, func(r *ecs.RunInstancesRequest) { r.ClientToken = "persist-1" }); again[0] != id {
		t.Fatalf("token replay after restart gave %v", again)
	}
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: path}); err == nil {
		t.Fatal("corrupt state file accepted")
	}
}

func TestXMLFormat(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	status, body := f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeInstances", "Format": "XML"}})
	s := string(body)
	if status != 200 || !strings.Contains(s, "<DescribeInstancesResponse>") ||
		!strings.Contains(s, "<Instances><Instance>") || !strings.Contains(s, "<InstanceId>"+id+"</InstanceId>") ||
		!strings.Contains(s, "<RequestId>") {
		t.Fatalf("xml: %d %s", status, s)
	}
	status, body = f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeInstances", "Format": "XML", "Status": "Nope"}})
	if status != 404 || !strings.Contains(string(body), "<Error>") || !strings.Contains(string(body), "<Code>InvalidStatus.NotFound</Code>") {
		t.Fatalf("xml error: %d %s", status, body)
	}
	// No Format at all: XML, as the docs say.
	status, body = f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeRegions", "Format": "\x00"}})
	if status != 200 || !strings.HasPrefix(string(body), "<?xml") {
		t.Fatalf("default format: %s", body)
	}
}

// Empty lists are [] (never null), as the service sends them.
func TestEmptyListsAreArrays(t *testing.T) {
	f := newFixture(t, Options{})
	f.run(1)
	status, body := f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeInstances"}})
	s := string(body)
	if status != 200 || strings.Contains(s, "null") || !strings.Contains(s, `"LockReason":[]`) ||
		!strings.Contains(s, `"PublicIpAddress":{"IpAddress":[]}`) || !strings.Contains(s, `"Tags":{"Tag":[]}`) {
		t.Fatalf("body: %s", s)
	}
	_, body = f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeSnapshotGroups"}})
	if !strings.Contains(string(body), `"SnapshotGroup":[]`) {
		t.Fatalf("groups: %s", body)
	}
}
