package ecsapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// transportClient is a client of endpoint with the provider's retry budget.
func transportClient(t *testing.T, scheme, endpoint string, tweak func(*Config)) *Client {
	t.Helper()
	cfg := Config{RegionID: "cn-hangzhou", AccessKeyID: "AKID", AccessKeySecret: "secret",
		Endpoint: endpoint, Scheme: scheme, EndpointSource: "environment variable ALIBABA_CLOUD_ENDPOINT_ECS",
		MaxRetries: 8, DisableBatching: true}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// failOnce makes one read and returns its error and how long it took.
func failOnce(t *testing.T, c *Client) (*APIError, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	_, err := c.ListInstances(ctx, InstanceFilter{})
	took := time.Since(start)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an *APIError, got %v", err)
	}
	t.Logf("failed after %s: %v", took.Round(time.Millisecond), err)
	return apiErr, took
}

func wantIn(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("message lacks %q:\n%s", p, msg)
		}
	}
}

// A port nothing listens on is retried for about RefusedRetryFor, then
// the error names the endpoint and where it came from.
func TestTransportRefusedFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := transportClient(t, "http", addr, nil)
	e, took := failOnce(t, c)
	if e.Failure != TransportRefused {
		t.Errorf("Failure = %v, want TransportRefused", e.Failure)
	}
	if took > 6*time.Second {
		t.Errorf("took %s; a refused connection should fail within a few seconds", took)
	}
	wantIn(t, e.Error(), "http://"+addr, "environment variable ALIBABA_CLOUD_ENDPOINT_ECS", "refused", "nothing listens")
}

// HTTPS to a plain-HTTP server is permanent at once, with the hint.
func TestTransportTLSToHTTPServerIsPermanent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := transportClient(t, "https", host, nil)
	e, took := failOnce(t, c)
	if e.Failure != TransportTLS || IsTransient(e) || !IsUnreachable(e) {
		t.Errorf("Failure = %v, transient = %v; want a permanent TransportTLS", e.Failure, IsTransient(e))
	}
	if took > 3*time.Second {
		t.Errorf("took %s; a TLS mismatch must not be retried", took)
	}
	wantIn(t, e.Error(), "Did you mean http://"+host+"?", "https://"+host)
}

// A host name that does not resolve is permanent at once.
func TestTransportDNSFailureIsPermanent(t *testing.T) {
	c := transportClient(t, "https", "ecs.no-such-host.invalid", nil)
	e, took := failOnce(t, c)
	if e.Failure != TransportDNS || IsTransient(e) || !IsUnreachable(e) {
		t.Errorf("Failure = %v, transient = %v; want a permanent TransportDNS", e.Failure, IsTransient(e))
	}
	if took > 15*time.Second { // one resolver round, however slow the machine's resolver
		t.Errorf("took %s; a DNS failure must not be retried", took)
	}
	wantIn(t, e.Error(), "https://ecs.no-such-host.invalid", "does not resolve")
}

// An endpoint that accepts connections and never answers costs at most
// NoAnswerFor (here two read timeouts), with a message that says so.
func TestTransportNoAnswerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; _ = conn.Close() }() // accept, read nothing, answer nothing
		}
	}()
	c := transportClient(t, "http", l.Addr().String(), func(cfg *Config) {
		cfg.ReadTimeout, cfg.NoAnswerFor = 300*time.Millisecond, 700*time.Millisecond
	})
	e, took := failOnce(t, c)
	if e.Failure != TransportNoAnswer {
		t.Errorf("Failure = %v, want TransportNoAnswer", e.Failure)
	}
	if took < 600*time.Millisecond || took > 5*time.Second {
		t.Errorf("took %s; want about two read timeouts of 300ms", took)
	}
	wantIn(t, e.Error(), "accepted the connection but did not answer within 300ms", "2 attempts", "ALIECS_READ_TIMEOUT")
}

// The defaults bound a call that never gets an answer well under the
// 1 min 53 s the SDK's defaults allowed.
func TestTransportDefaultsAreBounded(t *testing.T) {
	cfg, err := Config{RegionID: "r", AccessKeyID: "a", AccessKeySecret: "s"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	worst := cfg.NoAnswerFor + cfg.RetryMaxDelay
	if worst > time.Minute {
		t.Errorf("a call without answers may take %s", worst)
	}
	if cfg.RefusedRetryFor > 2*time.Second {
		t.Errorf("refused connections retried for %s", cfg.RefusedRetryFor)
	}
}
