package ecsapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// refusingTransport refuses every request as a port nothing listens on
// does, counting the attempts.
type refusingTransport struct{ n atomic.Int64 }

func (r *refusingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	r.n.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// Once the endpoint refused connections past the retry window, the next
// calls of this client fail at once with the same message, for a short
// while (RefusedRetryFor), then try again (issue #24, item 6).
func TestEndpointKnownDownFailsAtOnce(t *testing.T) {
	rt := &refusingTransport{}
	c := transportClient(t, "http", "127.0.0.1:1", func(cfg *Config) {
		cfg.Transport = rt
		cfg.RefusedRetryFor = 300 * time.Millisecond
	})
	ctx := context.Background()
	_, err1 := c.ListInstances(ctx, InstanceFilter{})
	first := rt.n.Load()
	if first < 1 || !IsEndpointDown(err1) {
		t.Fatalf("first call: %d attempts, %v", first, err1)
	}
	_, err2 := c.ListInstances(ctx, InstanceFilter{})
	if got := rt.n.Load(); got != first {
		t.Errorf("the second call made %d more attempts against an endpoint known to be down", got-first)
	}
	var e1, e2 *APIError
	if !errors.As(err1, &e1) || !errors.As(err2, &e2) || e2.Message != e1.Message || !IsEndpointDown(err2) {
		t.Errorf("the second call's error differs:\n%v\n%v", err1, err2)
	}
	time.Sleep(400 * time.Millisecond) // past the window: the endpoint is tried again
	_, _ = c.ListInstances(ctx, InstanceFilter{})
	if got := rt.n.Load(); got == first {
		t.Error("the endpoint is never tried again")
	}
}
