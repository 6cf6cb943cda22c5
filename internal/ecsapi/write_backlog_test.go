package ecsapi

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The backlog is how long a token asked for now would wait: none while the
// burst lasts, then the queued reservations at the bucket's rate.
func TestTokenBucketBacklog(t *testing.T) {
	fc := testClock()
	b := newTokenBucket(fc, 10, 2) // 10/s, burst 2
	if got := b.backlog(); got != 0 {
		t.Fatalf("a full bucket: backlog %v, want 0", got)
	}
	for i := 0; i < 2; i++ {
		b.lim.ReserveN(fc.Now(), 1)
	}
	if got := b.backlog(); got != 100*time.Millisecond {
		t.Fatalf("an empty bucket: backlog %v, want 100ms (the next token)", got)
	}
	for i := 0; i < 3; i++ {
		b.lim.ReserveN(fc.Now(), 1) // three writes queued
	}
	if got := b.backlog(); got != 400*time.Millisecond {
		t.Fatalf("three queued: backlog %v, want 400ms", got)
	}
	fc.Advance(time.Second)
	if got := b.backlog(); got != 0 {
		t.Fatalf("served and refilled: backlog %v, want 0", got)
	}
	var none *tokenBucket
	if got := none.backlog(); got != 0 {
		t.Fatalf("no limit: backlog %v, want 0", got)
	}
}

// queueWrites reserves write tokens until a write asked for now would wait
// at least d.
func queueWrites(c *Client, now time.Time, d time.Duration) {
	for c.writeLimiter.backlog() < d {
		c.writeLimiter.lim.ReserveN(now, 1)
	}
}

// getInstancesAt starts GetInstance for each id after its delay and
// waits for all of them.
func getInstancesAt(t *testing.T, c *Client, delays map[string]time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	for id, d := range delays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(d)
			if _, err := c.GetInstance(context.Background(), id); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}()
	}
	wg.Wait()
}

// With writes queued behind the rate limit, reads wait for each other as
// long as a write would wait anyway: three reads spread over 500 ms (the
// first reads and polls of releases that Terraform starts one by one)
// share one DescribeInstances. Without a queue the last one, which comes
// after the short window, is a call of its own.
func TestGetInstanceWaitsAsLongAsTheWrites(t *testing.T) {
	delays := map[string]time.Duration{"i-1": 0, "i-2": 10 * time.Millisecond, "i-3": 500 * time.Millisecond}
	instances := map[string]string{"i-1": StatusRunning, "i-2": StatusRunning, "i-3": StatusRunning}

	f := newFakeECS(t, describeInstancesFrom(instances))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.RequestsPerSecond = 10 })
	getInstancesAt(t, c, delays)
	if n := len(f.callsOf("DescribeInstances")); n < 2 {
		t.Fatalf("no writes queued: %d calls, want i-3 in a call of its own (it comes after the window)", n)
	}

	f = newFakeECS(t, describeInstancesFrom(instances))
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.RequestsPerSecond = 10 })
	queueWrites(c, fc.Now(), time.Second) // the fake clock stands still: they stay queued
	if got := c.writeBacklog(); got < 900*time.Millisecond {
		t.Fatalf("write backlog %v, want about 1s", got)
	}
	getInstancesAt(t, c, delays)
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 1 {
		t.Fatalf("writes queued for 1s: %d calls, want 1 (every read within the backlog)", len(calls))
	}
	if got := idsOf(calls[0]); len(got) != 3 {
		t.Fatalf("the call read %v, want all three", got)
	}
}

// Disk reads wait the same way: two releases 250 ms apart share one
// listing of the region while writes are queued.
func TestListDisksWaitsAsLongAsTheWrites(t *testing.T) {
	f := newFakeECS(t, disksFake(map[string][]string{"i-1": {"d-1"}, "i-2": {"d-2"}}, 1))
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.RequestsPerSecond = 10 })
	queueWrites(c, fc.Now(), time.Second)
	var wg sync.WaitGroup
	for i, id := range []string{"i-1", "i-2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 250 * time.Millisecond)
			disks, err := c.ListDisks(context.Background(), id)
			if err != nil || len(disks) != 1 {
				t.Errorf("%s: %v, %v", id, disks, err)
			}
		}()
	}
	wg.Wait()
	if n := len(f.callsOf("DescribeDisks")); n != 1 {
		t.Fatalf("DescribeDisks calls = %d, want 1 listing", n)
	}
}

// A batch opened with patience keeps its due time when callers join: the
// sliding window (which moves the send to shortly after the last join)
// must not send it earlier than its patience allows.
func TestPatientBatchIsNotShortenedBySlide(t *testing.T) {
	var mu sync.Mutex
	var calls [][]string
	b := newBatcher(20*time.Millisecond, 100, func(_ context.Context, ids []string) (map[string]int, string, error) {
		mu.Lock()
		calls = append(calls, ids)
		mu.Unlock()
		found := map[string]int{}
		for _, id := range ids {
			found[id] = 1
		}
		return found, "", nil
	})
	b.slideFor = 100 * time.Millisecond
	b.patience = func() time.Duration { return 600 * time.Millisecond }
	var wg sync.WaitGroup
	for _, at := range []time.Duration{0, 10 * time.Millisecond, 300 * time.Millisecond} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(at)
			if _, ok, _, err := b.get(context.Background(), at.String()); !ok || err != nil {
				t.Errorf("%v: ok %v, %v", at, ok, err)
			}
		}()
	}
	wg.Wait()
	if len(calls) != 1 {
		t.Fatalf("calls %v, want one batch of three", calls)
	}
}
