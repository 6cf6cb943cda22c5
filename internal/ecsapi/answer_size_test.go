package ecsapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// bigAnswerServer answers every request with status and a body of size
// bytes (size < 0: an endless chunked body), counting the requests.
func bigAnswerServer(t testing.TB, status int, size int64) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		for sent := int64(0); size < 0 || sent < size; sent += int64(len(chunk)) {
			part := chunk
			if size >= 0 && size-sent < int64(len(part)) {
				part = part[:size-sent]
			}
			if _, err := w.Write(part); err != nil || r.Context().Err() != nil {
				return
			}
			if size < 0 { // endless: about 100 MiB/s, so a client without a cap keeps reading
				w.(http.Flusher).Flush()
				time.Sleep(10 * time.Millisecond)
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// Every answer body is capped at MaxAnswerBytes (issue #24, item 4: a 100 MB
// answer took the provider to 385 MiB, an endless one to 1.1 GiB, and a 500
// with a 100 MB body was retried for 14.5 minutes). Over the cap is a
// permanent error that names the endpoint, tried once.
func TestAnswerOverCapIsPermanent(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		size   int64
	}{
		{"200 over the cap", http.StatusOK, MaxAnswerBytes + 1<<20},
		{"500 over the cap", http.StatusInternalServerError, MaxAnswerBytes + 1<<20},
		{"endless chunked 200", http.StatusOK, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, n := bigAnswerServer(t, c.status, c.size)
			host := strings.TrimPrefix(srv.URL, "http://")
			cl := transportClient(t, "http", host, func(cfg *Config) {
				cfg.ReadTimeout, cfg.NoAnswerFor = 2*time.Second, 4*time.Second
			})
			e, _ := failOnce(t, cl)
			if IsTransient(e) || e.Transport {
				t.Errorf("an over-size answer is transient (transport %v): %v", e.Transport, e)
			}
			if got := n.Load(); got != 1 {
				t.Errorf("%d requests; an over-size answer must not be retried", got)
			}
			wantIn(t, e.Error(), "http://"+host, "16 MiB")
		})
	}
}

// Answers under the cap still work (the cap is far above any real answer).
func TestAnswerUnderCapIsRead(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		return ok(map[string]any{"Instances": map[string]any{"Instance": []any{}}, "TotalCount": 0,
			"Padding": strings.Repeat("p", 2<<20)})
	})
	cl, _ := f.newTestClient(t)
	if _, err := cl.ListInstances(context.Background(), InstanceFilter{}); err != nil {
		t.Fatalf("a 2 MiB answer: %v", err)
	}
}

// A 5xx that comes slowly counts toward the no-answer budget like a
// timeout: retrying it MaxRetries times would take minutes.
func TestSlowServerErrorsStayWithinNoAnswerBudget(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		time.Sleep(1200 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"Code":"ServiceUnavailable","Message":"busy","RequestId":"r"}`))
	}))
	t.Cleanup(srv.Close)
	cl := transportClient(t, "http", strings.TrimPrefix(srv.URL, "http://"), func(cfg *Config) {
		cfg.ReadTimeout, cfg.NoAnswerFor = 2*time.Second, 3*time.Second
	})
	e, _ := failOnce(t, cl)
	if e.HTTPStatus != http.StatusServiceUnavailable {
		t.Errorf("status %d: %v", e.HTTPStatus, e)
	}
	// 1.2 s per attempt, 3 s of budget with 2 s kept for the next attempt:
	// one attempt, not MaxRetries+1 = 9.
	if got := n.Load(); got > 1 {
		t.Errorf("%d attempts of a slow 503; the no-answer budget allows 1", got)
	}
}

// BenchmarkHugeAnswer is the measurement: one call answered with
// 100 MB (run with -benchtime=1x, alone in its process). It reports the
// process's peak RSS.
func BenchmarkHugeAnswer(b *testing.B) {
	srv, _ := bigAnswerServer(b, http.StatusOK, 100_000_000)
	c, err := New(Config{RegionID: "cn-hangzhou", AccessKeyID: "AKID", AccessKeySecret: "secret",
		Endpoint: strings.TrimPrefix(srv.URL, "http://"), Scheme: "http", MaxRetries: 8, DisableBatching: true})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		_, _ = c.ListInstances(context.Background(), InstanceFilter{})
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
}
