package ecsapi

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestTokenBucketAccounting(t *testing.T) {
	fc := testClock()
	b := newTokenBucket(fc, 10, 2) // 10/s, burst 2
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := b.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Two from the burst, then one every 100 ms.
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if got := fc.Slept(); !reflect.DeepEqual(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	// A quiet second refills the bucket, but never above the burst.
	fc.Advance(time.Second)
	for i := 0; i < 2; i++ {
		if err := b.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(fc.Slept()); got != 3 {
		t.Errorf("refilled tokens should not wait: %d sleeps", got)
	}
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(fc.Slept()); got != 4 {
		t.Errorf("the burst must cap the refill: %d sleeps", got)
	}
}

func TestTokenBucketRespectsDeadline(t *testing.T) {
	fc := testClock()
	b := newTokenBucket(fc, 0.1, 1) // one token every 10 s
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), fc.Now().Add(time.Second))
	defer cancel()
	if err := b.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if len(fc.Slept()) != 0 {
		t.Error("must not sleep when the token comes after the deadline")
	}
	// The refused reservation was returned: the next wait is 10 s, not 20 s.
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fc.Slept(); !reflect.DeepEqual(got, []time.Duration{10 * time.Second}) {
		t.Errorf("sleeps = %v", got)
	}
}

func TestUnlimitedBucketIsNil(t *testing.T) {
	if b := newTokenBucket(testClock(), 0, 1); b != nil {
		t.Fatal("rate 0 means no limiter")
	}
	var b *tokenBucket
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Every attempt, retries included, takes a token from the client's bucket.
func TestClientCallsShareTheLimiter(t *testing.T) {
	f := newFakeECS(t, scripted(throttled, success))
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.RequestsPerSecond = 2 })
	if err := c.StartInstance(context.Background(), "i-1"); err != nil { // 2 attempts
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.StartInstance(context.Background(), "i-1"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// 5 attempts at 2/s with a burst of 1: 4 waits for tokens, plus the
	// 200 ms backoff. Each limiter wait covers what the bucket still owed.
	var total time.Duration
	for _, d := range fc.Slept() {
		total += d
	}
	if len(fc.Slept()) != 5 {
		t.Errorf("sleeps = %v, want 1 backoff + 4 token waits", fc.Slept())
	}
	if total < 2*time.Second-200*time.Millisecond {
		t.Errorf("total wait %v is too short for 5 requests at 2/s", total)
	}
}

// Reads and writes have a rate limit each: a read never waits for a token
// that writes used up, and writes still wait for each other.
func TestReadsAndWritesHaveTheirOwnLimit(t *testing.T) {
	read := describeInstancesFrom(map[string]string{"i-1": StatusRunning})
	f := newFakeECS(t, func(call fakeCall) (int, any) {
		if call.Action == "DescribeInstances" {
			return read(call)
		}
		return success()
	})
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.RequestsPerSecond = 1 })
	ctx := context.Background()
	if err := c.StartInstance(ctx, "i-1"); err != nil { // the write bucket's token
		t.Fatal(err)
	}
	if _, err := c.GetInstance(ctx, "i-1"); err != nil { // the read bucket's token: no wait
		t.Fatal(err)
	}
	if got := fc.Slept(); len(got) != 0 {
		t.Fatalf("a read waited for the writes' limit: sleeps %v", got)
	}
	if err := c.StartInstance(ctx, "i-1"); err != nil {
		t.Fatal(err)
	}
	if got := fc.Slept(); !reflect.DeepEqual(got, []time.Duration{time.Second}) {
		t.Fatalf("the second write at 1/s: sleeps %v, want [1s]", got)
	}
}
