package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The tests of this file pin the hardening of issue #17: the emulator is
// safe to run on a laptop where a browser visits arbitrary web pages.

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// A web page can send a cross-origin POST without a CORS preflight as long
// as its content type is text/plain, form-urlencoded or multipart: admin
// writes must therefore require application/json, which forces a preflight
// that the emulator never grants.
func TestSecurityAdminWritesRequireJSON(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.AutoReleaseTime = time.Now().UTC().Add(time.Hour).Format(timestampLayout)
	})[0]
	before := f.e.Now()
	for _, c := range []struct{ method, path, ct, body string }{
		{"POST", "clock", "text/plain", `{"advance":"2h"}`},
		{"POST", "clock", "text/plain;charset=UTF-8", `{"advance":"2h"}`},
		{"POST", "clock", "application/x-www-form-urlencoded", `{"advance":"2h"}`},
		{"POST", "clock", "", `{"advance":"2h"}`},
		{"POST", "reset", "text/plain", ""},
		{"POST", "reset", "", ""},
		{"POST", "faults", "text/plain", `{"action":"*","code":"InternalError"}`},
		{"POST", "faults", "multipart/form-data; boundary=x", `{"action":"*","code":"InternalError"}`},
		{"DELETE", "calls", "", ""},
		{"DELETE", "faults", "text/plain", ""},
	} {
		h := http.Header{}
		if c.ct != "" {
			h.Set("Content-Type", c.ct)
		}
		status, body := f.adminWith(c.method, c.path, c.body, h)
		if status != http.StatusUnsupportedMediaType || !strings.Contains(string(body), "application/json") {
			t.Errorf("%s %s with Content-Type %q: %d %s, want 415 naming application/json", c.method, c.path, c.ct, status, body)
		}
	}
	if d := f.e.Now().Sub(before); d > time.Hour {
		t.Errorf("the clock moved by %s", d)
	}
	if f.describe(id) == nil {
		t.Error("the instance was released or reset away")
	}
	if len(f.e.Faults()) != 0 {
		t.Errorf("faults were added: %+v", f.e.Faults())
	}
	if f.e.Calls()["RunInstances"] != 1 {
		t.Errorf("calls were reset: %v", f.e.Calls())
	}
	// Legitimate clients send application/json (any parameters).
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		if status, body := f.adminWith("POST", "clock", `{"advance":"1m"}`, hdr("Content-Type", ct)); status != 200 {
			t.Errorf("Content-Type %q refused: %d %s", ct, status, body)
		}
	}
	if status, _ := f.adminWith("GET", "state", "", nil); status != 200 {
		t.Errorf("a read without a content type was refused: %d", status)
	}
}

// Any Origin that is not a loopback or localhost origin is refused, on the
// admin API and on the ECS API: a page must not drive the emulator even with
// the public default key.
func TestSecurityForeignOriginRefused(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	for _, origin := range []string{"http://evil.example", "https://attacker.test:8443", "null", "",
		"http://127.0.0.1.evil.example", "http://localhost.evil.example:8085", "file://", "http://user@127.0.0.1"} {
		h := hdr("Origin", origin, "Content-Type", "application/json")
		if status, body := f.adminWith("POST", "clock", `{"advance":"2h"}`, h); status != http.StatusForbidden {
			t.Errorf("admin clock with Origin %q: %d %s", origin, status, body)
		}
		if status, body := f.adminWith("GET", "state", "", h); status != http.StatusForbidden || strings.Contains(string(body), id) {
			t.Errorf("admin state with Origin %q: %d %s", origin, status, body)
		}
		status, body := f.rawBytes(rawReq{method: "GET", header: hdr("Origin", origin),
			params: map[string]string{"Action": "DeleteInstance", "InstanceId": id, "Force": "true"}})
		if status != http.StatusForbidden {
			t.Errorf("DeleteInstance with Origin %q: %d %s", origin, status, body)
		}
	}
	if f.describe(id) == nil {
		t.Fatal("a foreign page deleted the instance")
	}
	if n := f.e.Calls()["DeleteInstance"]; n != 0 {
		t.Errorf("refused requests reached the API: %d DeleteInstance calls", n)
	}
	// A GET from an <img> or a no-cors fetch carries no Origin, but modern
	// browsers mark it Sec-Fetch-Site: cross-site.
	status, body := f.rawBytes(rawReq{method: "GET", header: hdr("Sec-Fetch-Site", "cross-site"),
		params: map[string]string{"Action": "DeleteInstance", "InstanceId": id, "Force": "true"}})
	if status != http.StatusForbidden || f.describe(id) == nil {
		t.Fatalf("cross-site GET: %d %s", status, body)
	}
	// Loopback origins (a local tool's page) and no Origin at all (SDKs, curl) are served.
	for _, origin := range []string{"http://localhost:3000", "http://127.0.0.1:8085", "http://[::1]:80", "https://localhost"} {
		if status, body := f.adminWith("GET", "state", "", hdr("Origin", origin)); status != 200 {
			t.Errorf("admin state with Origin %q: %d %s", origin, status, body)
		}
		if status, body := f.rawBytes(rawReq{header: hdr("Origin", origin), params: map[string]string{"Action": "DescribeRegions"}}); status != 200 {
			t.Errorf("DescribeRegions with Origin %q: %d %s", origin, status, body)
		}
	}
	for _, site := range []string{"same-origin", "none", "same-site"} {
		if status, body := f.rawBytes(rawReq{header: hdr("Sec-Fetch-Site", site), params: map[string]string{"Action": "DescribeRegions"}}); status != 200 {
			t.Errorf("Sec-Fetch-Site %q: %d %s", site, status, body)
		}
	}
}

// DNS rebinding: a page of evil.example re-resolves its own name to
// 127.0.0.1 and then reads the answers, which carry Host: evil.example. Only
// loopback and localhost Host values are served.
func TestSecurityForeignHostRefused(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	_, port, _ := strings.Cut(f.host(), ":")
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.nip.io:" + port,
		"localhost.evil.example:" + port, "10.0.0.1:" + port, "0.0.0.0:" + port} {
		status, body := f.adminWith("GET", "state", "", hdr("Host", host))
		if status != http.StatusForbidden || strings.Contains(string(body), id) {
			t.Errorf("admin state with Host %q: %d %s", host, status, body)
		}
		if status, body := f.rawBytes(rawReq{host: host, params: map[string]string{"Action": "DescribeInstances"}}); status != http.StatusForbidden ||
			strings.Contains(string(body), id) {
			t.Errorf("DescribeInstances with Host %q: %d %s", host, status, body)
		}
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port, "127.0.0.2", "localhost"} {
		if status, body := f.adminWith("GET", "state", "", hdr("Host", host)); status != 200 {
			t.Errorf("admin state with Host %q: %d %s", host, status, body)
		}
	}
}

// The same rules hold on every path the emulator serves (it serves no STS or
// metadata paths: those are unknown paths, refused the same way first).
func TestSecurityRulesOnEveryPath(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/_emulator/state", "/latest/meta-data/ram/security-credentials/", "/sts", "/nowhere"} {
		req := httptest.NewRequest("GET", p, nil)
		req.Host = "evil.example"
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s with a foreign Host: %d", p, w.Code)
		}
		req = httptest.NewRequest("GET", p, nil)
		req.Host = "127.0.0.1:8085"
		req.Header.Set("Origin", "https://evil.example")
		w = httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s with a foreign Origin: %d", p, w.Code)
		}
	}
}

// AllowRemote serves foreign Host values, but only with an admin token
// (required on every admin call, from any address) and a key of one's own.
func TestSecurityAllowRemoteNeedsTokenAndOwnKey(t *testing.T) {
	if _, err := New(Options{AllowRemote: true, AdminToken: "adm-7f3a9c"}); err == nil ||
		!strings.Contains(err.Error(), "default key") {
		t.Fatalf("AllowRemote with the public default key: %v", err)
	}
	own := []Credential{{AccessKeyID: "remote", AccessKeySecret: "remote-secret-4b1e"}}
	if _, err := New(Options{AllowRemote: true, Credentials: own}); err == nil || !strings.Contains(err.Error(), "AdminToken") {
		t.Fatalf("AllowRemote without an admin token: %v", err)
	}
	e, err := New(Options{AllowRemote: true, AdminToken: "adm-7f3a9c", Credentials: own})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(remote, host, auth string) int {
		req := httptest.NewRequest("GET", "/_emulator/state", nil)
		req.RemoteAddr, req.Host = remote, host
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w.Code
	}
	for _, c := range []struct {
		remote, host, auth string
		want               int
	}{
		{"10.1.2.3:4567", "emu.lan:8085", "Bearer adm-7f3a9c", 200},
		{"127.0.0.1:4567", "127.0.0.1:8085", "Bearer adm-7f3a9c", 200},
		{"127.0.0.1:4567", "127.0.0.1:8085", "", 401},
		{"10.1.2.3:4567", "emu.lan:8085", "", 401},
		{"10.1.2.3:4567", "emu.lan:8085", "Bearer wrong", 401},
		{"10.1.2.3:4567", "emu.lan:8085", "Basic adm-7f3a9c", 401},
	} {
		if got := serve(c.remote, c.host, c.auth); got != c.want {
			t.Errorf("remote %s host %s auth %q: %d, want %d", c.remote, c.host, c.auth, got, c.want)
		}
	}
	// A token also works without AllowRemote (the Host rule then still holds).
	f := newFixture(t, Options{AdminToken: "local-adm"})
	if status, _ := f.adminWith("GET", "state", "", nil); status != 401 {
		t.Errorf("admin state without the token: %d", status)
	}
	if status, body := f.adminWith("POST", "clock", `{"advance":"1m"}`,
		hdr("Authorization", "Bearer local-adm", "Content-Type", "application/json")); status != 200 {
		t.Errorf("admin clock with the token: %d %s", status, body)
	}
}

// The state file must hold no secret, not even a fingerprint that a guess
// can be checked against: the ClientToken record of a RunInstances with a
// Password is the same whatever the password was. Within one run a changed
// password with the same token is still a mismatch.
func TestSecurityStateFileHoldsNoPasswordFingerprint(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, pw := range []string{"Passw0rd-One!", "Other-Secr3t#"} {
		path := filepath.Join(dir, fmt.Sprintf("state-%d.json", i))
		f := newFixture(t, Options{StateFile: path})
		f.run(1, func(r *ecs.RunInstancesRequest) {
			r.ClientToken, r.Password, r.UserData = "same-token", pw, "IyEvYmluL3NoCmVjaG8gaGk="
		})
		// Within the run, the same token with another password is a different request.
		_, err := f.client().RunInstances(func() *ecs.RunInstancesRequest {
			r := f.runRequest()
			r.ClientToken, r.Password, r.UserData = "same-token", pw+"x", "IyEvYmluL3NoCmVjaG8gaGk="
			return r
		}())
		wantCode(t, err, 403, "IdempotentParameterMismatch")
		if err := f.e.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), pw) {
			t.Fatalf("the state file holds the password")
		}
		files = append(files, string(b))
	}
	fp := func(s string) string {
		var sf struct {
			Store struct {
				Tokens map[string]struct {
					Fingerprint string `json:"fingerprint"`
				} `json:"tokens"`
			} `json:"store"`
		}
		if err := json.Unmarshal([]byte(s), &sf); err != nil {
			t.Fatal(err)
		}
		for _, te := range sf.Store.Tokens {
			return te.Fingerprint
		}
		t.Fatal("no token record in the state file")
		return ""
	}
	if a, b := fp(files[0]), fp(files[1]); a != b {
		t.Fatalf("the stored fingerprint depends on the password (%s vs %s): a guess can be checked offline", a, b)
	}
	// After a restart the token still returns what it created.
	g := newFixture(t, Options{StateFile: filepath.Join(dir, "state-0.json")})
	ids := g.run(1, func(r *ecs.RunInstancesRequest) {
		r.ClientToken, r.Password, r.UserData = "same-token", "Passw0rd-One!", "IyEvYmluL3NoCmVjaG8gaGk="
	})
	if len(ids) != 1 || len(g.e.State().Instances) != 1 {
		t.Fatalf("token replay after restart: %v", ids)
	}
}

// POST /_emulator/clock with a huge advance overflowed the clock into 1734.
func TestSecurityClockAdvanceBounded(t *testing.T) {
	f := newFixture(t, Options{})
	before := f.e.Now()
	for _, adv := range []string{"2562047h", "2562047h47m16s", "100000h", "87601h"} {
		status, body := f.admin("POST", "clock", `{"advance":"`+adv+`"}`)
		if status != 400 || !strings.Contains(string(body), "87600h") {
			t.Errorf("advance %s: %d %s, want 400 naming the bound", adv, status, body)
		}
	}
	if now := f.e.Now(); now.Before(before) || now.Sub(before) > time.Hour {
		t.Fatalf("the clock moved to %s", now)
	}
	// Repeated advances within the bound stop at the total bound instead of overflowing.
	var last int
	for i := 0; i < 40; i++ {
		status, _ := f.admin("POST", "clock", `{"advance":"87600h"}`)
		last = status
		if status != 200 {
			break
		}
	}
	if last != 400 {
		t.Fatalf("40 advances of 10 years were all accepted")
	}
	if now := f.e.Now(); now.Before(before) || now.Year() > before.Year()+101 {
		t.Fatalf("the clock is at %s", now)
	}
	// The Go API refuses the same (and says so), without moving the clock.
	g := newFixture(t, Options{})
	if err := g.e.AdvanceClockBy(200 * 365 * 24 * time.Hour); err == nil {
		t.Fatal("AdvanceClockBy accepted 200 years")
	}
	g.e.AdvanceClock(time.Duration(1<<63 - 1))
	if now := g.e.Now(); now.Before(before) || now.Sub(before) > time.Hour {
		t.Fatalf("AdvanceClock(max) moved the clock to %s", now)
	}
	if _, err := New(Options{ClockOffset: time.Duration(1<<63 - 1)}); err == nil {
		t.Fatal("a clock offset of 292 years was accepted")
	}
}

// A state file that parses but holds a null entry panicked at start-up (or
// on every request touching it): it is refused on load, naming the entry.
func TestSecurityStateFileNullEntryRefused(t *testing.T) {
	for _, c := range []struct{ store, want string }{
		{`{"instances":{"i-bp1null":null}}`, `instances["i-bp1null"]`},
		{`{"disks":{"d-bp1null":null}}`, `disks["d-bp1null"]`},
		{`{"snapshots":{"s-bp1null":null}}`, `snapshots["s-bp1null"]`},
		{`{"snapshot_groups":{"ssg-bp1null":null}}`, `snapshot_groups["ssg-bp1null"]`},
		{`{"tokens":{"RunInstances\u0000t":null}}`, `tokens["RunInstances\x00t"]`},
		{`{"instances":{"i-a":{"id":"i-b"}}}`, `instances["i-a"]`},
		{`{"advanced":9223372036854775807}`, `advanced`},
	} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, []byte(`{"version":1,"store":`+c.store+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			var e *Emulator
			e, err = New(Options{StateFile: path})
			if err == nil {
				e.Tick()
				_ = e.State()
			}
		}()
		if err == nil || strings.HasPrefix(err.Error(), "panic") || !strings.Contains(err.Error(), c.want) ||
			!strings.Contains(err.Error(), path) {
			t.Errorf("store %s: %v, want an error naming %s and the file", c.store, err, c.want)
		}
	}
}

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// vmRSS is the process's resident set in bytes (0 where /proc is absent).
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb uint64
			_, _ = fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}

// An unsigned request must leave nothing behind: it used to be counted and
// logged (its raw InstanceId included, which kept the whole query alive)
// before its signature was checked.
func TestSecurityUnsignedFloodBounded(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		n     = 1500
		value = 60 << 10 // under the 64 KiB value limit: the signature check is what refuses it
	)
	filler := strings.Repeat("a", value)
	serve := func(i int) int {
		// A fresh query per request, as a network read would give.
		target := fmt.Sprintf("/?Action=DeleteInstance&Version=2014-05-26&RegionId=cn-hangzhou&ForceStop=%d&InstanceId=i-%d%s",
			i, i, filler)
		req := httptest.NewRequest("POST", target, nil)
		req.Host = "127.0.0.1:8085"
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w.Code
	}
	serve(0) // warm up
	heapBefore, rssBefore := heapAlloc(), vmRSS()
	for i := 1; i <= n; i++ {
		if code := serve(i); code != http.StatusBadRequest {
			t.Fatalf("unsigned request %d answered %d", i, code)
		}
	}
	heapAfter, rssAfter := heapAlloc(), vmRSS()
	growth := int64(heapAfter) - int64(heapBefore)
	t.Logf("SECURITY unsigned flood: %d requests of %d KiB; live heap %.1f → %.1f MiB (%+.1f MiB); RSS %.1f → %.1f MiB",
		n, (value+100)>>10, mib(heapBefore), mib(heapAfter), float64(growth)/(1<<20), mib(rssBefore), mib(rssAfter))
	if growth > 16<<20 {
		t.Errorf("the live heap grew by %.1f MiB after %d unsigned requests (%.0f MiB sent): something keeps them",
			float64(growth)/(1<<20), n, float64(n*value)/(1<<20))
	}
	if calls, log := e.Calls(), e.CallLog(); len(calls) != 0 || len(log) != 0 {
		t.Errorf("unsigned requests were counted or logged: %v, %d records", calls, len(log))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// The call log is a ring of the last CallLogSize records; the counts stay exact.
func TestSecurityCallLogIsARing(t *testing.T) {
	f := newFixture(t, Options{CallLogSize: 16})
	for i := 0; i < 40; i++ {
		if status, body := f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeRegions"}}); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
	}
	log := f.e.CallLog()
	if len(log) != 16 || log[0].Seq != 25 || log[15].Seq != 40 {
		t.Fatalf("call log: %d records, seq %d…%d", len(log), log[0].Seq, log[len(log)-1].Seq)
	}
	if n := f.e.Calls()["DescribeRegions"]; n != 40 {
		t.Fatalf("count %d, want 40", n)
	}
	// A long InstanceId is kept short in the record.
	f.rawBytes(rawReq{params: map[string]string{"Action": "DescribeInstanceAttribute", "InstanceId": "i-" + strings.Repeat("x", 4000)}})
	log = f.e.CallLog()
	if rec := log[len(log)-1]; rec.Action != "DescribeInstanceAttribute" || len(rec.InstanceID) > 128 {
		t.Fatalf("record %q… (%d bytes)", rec.InstanceID[:min(len(rec.InstanceID), 20)], len(rec.InstanceID))
	}
	f.e.ResetCalls()
	if len(f.e.CallLog()) != 0 || len(f.e.Calls()) != 0 {
		t.Fatal("ResetCalls left records")
	}
}

// Parameter, name, count and nonce limits (README, "Limits").
func TestSecurityParameterAndNonceLimits(t *testing.T) {
	f := newFixture(t, Options{})
	for name, r := range map[string]rawReq{
		"value":  {params: map[string]string{"Action": "DescribeRegions", "Description": strings.Repeat("d", MaxParamValueBytes+1)}},
		"name":   {params: map[string]string{"Action": "DescribeRegions", strings.Repeat("N", MaxParamNameBytes+1): "x"}},
		"nonce":  {nonce: strings.Repeat("n", MaxNonceBytes+1), params: map[string]string{"Action": "DescribeRegions"}},
		"params": {params: manyParams(MaxParams + 1)},
	} {
		r.method = "POST"
		status, m := f.raw(r)
		if status != 400 || m["Code"] != "InvalidParameter" {
			t.Errorf("%s over the limit: %d %v", name, status, m)
		}
	}
	if status, m := f.raw(rawReq{nonce: strings.Repeat("n", MaxNonceBytes), params: map[string]string{"Action": "DescribeRegions"}}); status != 200 {
		t.Errorf("a nonce at the limit: %d %v", status, m)
	}
	// The nonce cache is bounded in bytes as well as in entries.
	c := newNonceCache(1<<20, 64<<10)
	now := time.Now()
	for i := 0; i < 5000; i++ {
		c.use(fmt.Sprintf("emulator\n%d-%s", i, strings.Repeat("k", 100)), now)
	}
	if c.size() > 64<<10 || c.len() == 0 || c.len() > 64<<10/100 {
		t.Fatalf("nonce cache: %d entries, %d bytes accounted", c.len(), c.size())
	}
	if c.use(fmt.Sprintf("emulator\n%d-%s", 4999, strings.Repeat("k", 100)), now) {
		t.Fatal("the newest nonce was forgotten")
	}
}

func manyParams(n int) map[string]string {
	m := map[string]string{"Action": "DescribeRegions"}
	for i := 0; len(m) < n; i++ {
		m[fmt.Sprintf("Tag.%d.Key", i)] = "k"
	}
	return m
}
