package emulator

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// putMetadataToken asks the emulator for an IMDSv2 session token without a
// network (a flood of them is the point).
func putMetadataToken(e *Emulator, ttl int) (int, string) {
	req := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:8085"+metadataTokenPath, nil)
	req.Header.Set(metadataTTLHeader, strconv.Itoa(ttl))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// The IMDSv2 token store is unauthenticated on loopback, so it is bounded:
// a flood of PUTs (issue #24, item 3: 80,000 of them took 22 MiB) keeps at
// most maxMetadataTokens, the tokens that expire first go first, and a
// token issued late still works.
func TestSecurityMetadataTokenStoreBounded(t *testing.T) {
	e, err := New(Options{STS: STSOptions{InstanceRole: "R", RequireIMDSv2: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, first := putMetadataToken(e, 60) // expires first: dropped by the flood
	for i := 0; i < maxMetadataTokens+500; i++ {
		if code, body := putMetadataToken(e, 21600); code != http.StatusOK {
			t.Fatalf("PUT %d: %d %s", i, code, body)
		}
	}
	if n := e.metadataTokenCount(); n > maxMetadataTokens {
		t.Fatalf("the token store holds %d tokens after the flood, more than %d", n, maxMetadataTokens)
	}
	_, last := putMetadataToken(e, 21600)
	get := func(tok string) int {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8085"+metadataRolesPath+"R", nil)
		req.Header.Set(metadataTokenHeader, tok)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := get(last); code != http.StatusOK {
		t.Fatalf("a token issued after the flood: %d", code)
	}
	if code := get(first); code != http.StatusUnauthorized {
		t.Fatalf("the token that expires first survived the flood: %d", code)
	}
}

// Expired tokens leave the store without a scan, in the order they expire.
func TestMetadataTokensExpireInOrder(t *testing.T) {
	var s metadataTokens
	now := time.Unix(1_800_000_000, 0)
	s.add("a", now.Add(3*time.Second), now)
	s.add("b", now.Add(1*time.Second), now)
	s.add("c", now.Add(2*time.Second), now)
	if !s.valid("b", now) || s.len() != 3 {
		t.Fatalf("b not valid, or %d tokens", s.len())
	}
	later := now.Add(2 * time.Second)
	s.add("d", later.Add(time.Hour), later) // prunes b and c (expired at or before later)
	if s.len() != 2 || s.valid("b", later) || s.valid("c", later) || !s.valid("a", later) || !s.valid("d", later) {
		t.Fatalf("after expiry: %d tokens, a %v d %v", s.len(), s.valid("a", later), s.valid("d", later))
	}
}

// BenchmarkMetadataTokenFlood is the flood: run it with
// -benchtime=80000x. It reports PUTs per second and the heap after the flood.
func BenchmarkMetadataTokenFlood(b *testing.B) {
	e, err := New(Options{STS: STSOptions{InstanceRole: "R"}})
	if err != nil {
		b.Fatal(err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if code, _ := putMetadataToken(e, 21600); code != http.StatusOK {
			b.Fatalf("PUT: %d", code)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "PUT/s")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-growth-MiB")
	b.ReportMetric(float64(e.metadataTokenCount()), "tokens")
	runtime.KeepAlive(e)
}

// The heap gives entries back in expiry order.
func TestIMDSHeapOrder(t *testing.T) {
	var h imdsHeap
	base := time.Unix(1_800_000_000, 0)
	for i := 0; i < 500; i++ {
		h.push(imdsEntry{token: strconv.Itoa(i), exp: base.Add(time.Duration((i*7919)%500) * time.Second)})
	}
	prev := time.Time{}
	for len(h) > 0 {
		e := h.pop()
		if e.exp.Before(prev) {
			t.Fatalf("%s popped after a later expiry", e.exp)
		}
		prev = e.exp
	}
}
