package ecsapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
)

// scripted answers the calls in order with the given responses, then repeats the last.
func scripted(answers ...func() (int, any)) func(c fakeCall) (int, any) {
	var n atomic.Int32
	return func(c fakeCall) (int, any) {
		i := int(n.Add(1)) - 1
		if i >= len(answers) {
			i = len(answers) - 1
		}
		return answers[i]()
	}
}

func throttled() (int, any) {
	return apiError(http.StatusBadRequest, "Throttling", "Request was denied due to request throttling.")
}
func unavailable() (int, any) {
	return apiError(http.StatusServiceUnavailable, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
}
func success() (int, any) { return ok(nil) }

func TestRetriesThrottlingThenSucceeds(t *testing.T) {
	f := newFakeECS(t, scripted(throttled, throttled, success))
	c, fc := f.newTestClient(t)
	if err := c.StartInstance(context.Background(), "i-1"); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	if n := len(f.callsOf("StartInstance")); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
	// Exponential backoff from 200 ms (jitter disabled in tests).
	if got, want := fc.Slept(), []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}; !reflect.DeepEqual(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
}

func TestMaxRetriesBound(t *testing.T) {
	f := newFakeECS(t, scripted(unavailable))
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.MaxRetries = 4 })
	_, err := c.GetInstance(context.Background(), "i-1")
	if !IsTransient(err) {
		t.Fatalf("want the last transient error, got %v", err)
	}
	if n := len(f.callsOf("DescribeInstances")); n != 5 {
		t.Errorf("attempts = %d, want 1 + 4 retries", n)
	}
	if len(fc.Slept()) != 4 {
		t.Errorf("sleeps = %v", fc.Slept())
	}
}

func TestNoRetriesWhenMaxRetriesZero(t *testing.T) {
	f := newFakeECS(t, scripted(throttled, success))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.MaxRetries = 0 })
	if err := c.ModifyInstanceAutoReleaseTime(context.Background(), "i-1", ""); !IsThrottling(err) {
		t.Fatalf("want throttling, got %v", err)
	}
	if n := len(f.callsOf("")); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	c, err := New(Config{RegionID: "r", AccessKeyID: "a", AccessKeySecret: "s", RetryBaseDelay: time.Second, RetryMaxDelay: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.jitter = func(d time.Duration) time.Duration { return d }
	var got []time.Duration
	for try := 1; try <= 6; try++ {
		got = append(got, c.backoff(try))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
	// The STS retries share the arithmetic: capped however many tries.
	if d := exponentialDelay(DefaultRetryBaseDelay, DefaultRetryMaxDelay, 200); d != DefaultRetryMaxDelay {
		t.Errorf("exponentialDelay after 200 tries = %v, want the cap %v", d, DefaultRetryMaxDelay)
	}
	for i := 0; i < 1000; i++ {
		if d := fullJitter(time.Second); d < 0 || d > time.Second {
			t.Fatalf("jitter out of range: %v", d)
		}
	}
}

func TestDeadlineStopsRetrying(t *testing.T) {
	f := newFakeECS(t, scripted(throttled))
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.MaxRetries = 10; cfg.RetryBaseDelay = 2 * time.Second })
	ctx, cancel := context.WithDeadline(context.Background(), fc.Now().Add(5*time.Second))
	defer cancel()
	err := c.StopInstance(ctx, "i-1", StopInput{})
	if !IsThrottling(err) {
		t.Fatalf("want the throttling error, got %v", err)
	}
	// 2 s, then 4 s would end after the deadline: two attempts, one sleep.
	if n := len(f.callsOf("StopInstance")); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
	if got := fc.Slept(); !reflect.DeepEqual(got, []time.Duration{2 * time.Second}) {
		t.Errorf("sleeps = %v", got)
	}
}

func TestCancelledContextMakesNoCall(t *testing.T) {
	f := newFakeECS(t, scripted(success))
	c, _ := f.newTestClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.StartInstance(ctx, "i-1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if n := len(f.callsOf("")); n != 0 {
		t.Errorf("calls = %d", n)
	}
}

func TestTransientNotRetriedWithoutClientToken(t *testing.T) {
	f := newFakeECS(t, scripted(unavailable, func() (int, any) { return ok(map[string]any{"SnapshotGroupId": "ssg-1"}) }))
	c, _ := f.newTestClient(t)
	if _, err := c.CreateSnapshotGroup(context.Background(), SnapshotGroupInput{InstanceID: "i-1"}); !IsTransient(err) {
		t.Fatalf("want the 503, got %v", err)
	}
	if n := len(f.callsOf("CreateSnapshotGroup")); n != 1 {
		t.Errorf("a write without ClientToken was repeated: %d calls", n)
	}
	// Throttling is still retried: the request was refused before acting.
	f.setHandler(scripted(throttled, func() (int, any) { return ok(map[string]any{"SnapshotGroupId": "ssg-2"}) }))
	id, err := c.CreateSnapshotGroup(context.Background(), SnapshotGroupInput{InstanceID: "i-1"})
	if err != nil || id != "ssg-2" {
		t.Fatalf("got %q, %v", id, err)
	}
}

func TestClientTokenReusedOnRetry(t *testing.T) {
	f := newFakeECS(t, scripted(unavailable, unavailable, func() (int, any) {
		return ok(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-new"}}})
	}))
	c, _ := f.newTestClient(t)
	id, err := c.RunInstance(context.Background(), RunInstanceInput{ClientToken: "token-42", ImageID: "m-1", InstanceType: "ecs.t6"})
	if err != nil || id != "i-new" {
		t.Fatalf("got %q, %v", id, err)
	}
	calls := f.callsOf("RunInstances")
	if len(calls) != 3 {
		t.Fatalf("attempts = %d", len(calls))
	}
	nonces := map[string]bool{}
	for _, call := range calls {
		if call.Params.Get("ClientToken") != "token-42" || call.Params.Get("Amount") != "1" {
			t.Errorf("attempt params: %v", call.Params)
		}
		nonces[call.Params.Get("SignatureNonce")] = true
	}
	if len(nonces) != 3 {
		t.Errorf("each attempt must be signed afresh: nonces %v", nonces)
	}
}

func TestAmbiguousWritesSettleOnRetry(t *testing.T) {
	wrongState := func() (int, any) {
		return apiError(403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
	}
	notFound := func() (int, any) {
		return apiError(404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
	}
	ctx := context.Background()

	// A 503 whose effect happened, then a retry refused because of it: success.
	f := newFakeECS(t, scripted(unavailable, wrongState))
	c, _ := f.newTestClient(t)
	if err := c.StopInstance(ctx, "i-1", StopInput{}); err != nil {
		t.Errorf("StopInstance after 503 + IncorrectInstanceStatus: %v", err)
	}
	f.setHandler(scripted(unavailable, wrongState))
	if err := c.StartInstance(ctx, "i-1"); err != nil {
		t.Errorf("StartInstance after 503 + IncorrectInstanceStatus: %v", err)
	}
	f.setHandler(scripted(unavailable, notFound))
	if err := c.DeleteInstance(ctx, "i-1", false); err != nil {
		t.Errorf("DeleteInstance after 503 + NotFound: %v", err)
	}
	f.setHandler(scripted(unavailable, notFound))
	if _, err := c.DeleteSnapshotGroup(ctx, "ssg-1"); err != nil {
		t.Errorf("DeleteSnapshotGroup after 503 + NotFound: %v", err)
	}

	// Without an earlier lost answer the same errors are real.
	f.setHandler(scripted(wrongState))
	if err := c.StartInstance(ctx, "i-1"); !IsWrongState(err) {
		t.Errorf("StartInstance: want IncorrectInstanceStatus, got %v", err)
	}
	f.setHandler(scripted(notFound))
	if err := c.DeleteInstance(ctx, "i-1", true); !IsNotFound(err) {
		t.Errorf("DeleteInstance: want NotFound, got %v", err)
	}
	// Throttling says nothing happened: a later NotFound is still an error.
	f.setHandler(scripted(throttled, notFound))
	if err := c.DeleteInstance(ctx, "i-1", true); !IsNotFound(err) {
		t.Errorf("DeleteInstance after throttling: want NotFound, got %v", err)
	}
}
