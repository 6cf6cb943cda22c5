package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// batchedClient flushes a batch when size ids are queued; the long window
// makes the size, not timing, decide what goes into a batch.
func batchedClient(t testing.TB, f *fakeECS, size int) *Client {
	c, _ := f.newTestClient(t, func(cfg *Config) {
		cfg.InstanceBatchSize = size
		cfg.SnapshotGroupBatchSize = size
		cfg.BatchWindow = time.Minute
	})
	return c
}

func idsOf(c fakeCall) []string {
	var ids []string
	_ = json.Unmarshal([]byte(c.Params.Get("InstanceIds")), &ids)
	sort.Strings(ids)
	return ids
}

func TestConcurrentGetInstanceIsOneCall(t *testing.T) {
	const n = 20
	instances := map[string]string{}
	for i := 0; i < n; i++ {
		instances[fmt.Sprintf("i-%02d", i)] = StatusRunning
	}
	f := newFakeECS(t, describeInstancesFrom(instances))
	c := batchedClient(t, f, n)

	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]*Instance, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i], errs[i] = c.GetInstance(context.Background(), fmt.Sprintf("i-%02d", i))
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || got[i].ID != fmt.Sprintf("i-%02d", i) {
			t.Errorf("caller %d: %+v, %v", i, got[i], errs[i])
		}
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 1 {
		t.Fatalf("DescribeInstances calls = %d, want 1", len(calls))
	}
	if ids := idsOf(calls[0]); len(ids) != n {
		t.Errorf("batched ids = %v", ids)
	}
}

func TestBatchPartialResults(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-a": StatusRunning, "i-b": StatusStopped}))
	c := batchedClient(t, f, 3)
	ids := []string{"i-a", "i-b", "i-missing"}
	var wg sync.WaitGroup
	results := make([]*Instance, len(ids))
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func(i int, id string) {
			defer wg.Done()
			results[i], errs[i] = c.GetInstance(context.Background(), id)
		}(i, id)
	}
	wg.Wait()
	if len(f.callsOf("DescribeInstances")) != 1 {
		t.Fatalf("calls = %d, want 1", len(f.callsOf("DescribeInstances")))
	}
	for i, id := range ids {
		switch id {
		case "i-missing":
			if !IsNotFound(errs[i]) {
				t.Errorf("%s: want NotFound, got %v", id, errs[i])
			}
		default:
			if errs[i] != nil || results[i].ID != id {
				t.Errorf("%s: got %+v, %v", id, results[i], errs[i])
			}
		}
	}
}

func TestFailingBatchDoesNotPoisonTheNext(t *testing.T) {
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if len(idsOf(c)) == 2 && idsOf(c)[0] == "i-bad" {
			return apiError(400, "InvalidParameter", "The specified parameter InstanceIds is not valid.")
		}
		return describeInstancesFrom(map[string]string{"i-good": StatusRunning, "i-ok": StatusRunning})(c)
	})
	c := batchedClient(t, f, 2)
	get := func(ids ...string) []error {
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func(i int, id string) {
				defer wg.Done()
				_, errs[i] = c.GetInstance(context.Background(), id)
			}(i, id)
		}
		wg.Wait()
		return errs
	}
	for _, err := range get("i-bad", "i-ok") {
		if ErrorCode(err) != "InvalidParameter" {
			t.Errorf("first batch: every caller gets the batch error, got %v", err)
		}
	}
	for _, err := range get("i-good", "i-ok") {
		if err != nil {
			t.Errorf("second batch: %v", err)
		}
	}
}

func TestOneCallerCancellingDoesNotKillTheBatch(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		entered <- struct{}{}
		<-release
		return describeInstancesFrom(map[string]string{"i-a": StatusRunning, "i-b": StatusRunning})(c)
	})
	c := batchedClient(t, f, 2)

	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := c.GetInstance(ctxA, "i-a"); errA <- err }()
	resB := make(chan error, 1)
	go func() {
		inst, err := c.GetInstance(context.Background(), "i-b")
		if err == nil && inst.ID != "i-b" {
			err = fmt.Errorf("wrong instance %s", inst.ID)
		}
		resB <- err
	}()
	<-entered // the batch call is in flight
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	close(release)
	if err := <-resB; err != nil {
		t.Errorf("the other caller must still get its instance: %v", err)
	}
}

func TestBatchCancelledWhenEveryCallerLeaves(t *testing.T) {
	aborted := make(chan struct{})
	entered := make(chan struct{}, 1)
	f := newFakeECS(t, nil)
	f.srv.Config.Handler = httpHandlerFuncCtx(entered, aborted)
	c := batchedClient(t, f, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.GetInstance(ctx, "i-a"); done <- err }()
	<-entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("caller: %v", err)
	}
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Error("the batch request was not cancelled after its only caller left")
	}
}

func TestDisableBatchingMakesOneCallPerGet(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-a": StatusRunning}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetInstance(context.Background(), "i-a"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(f.callsOf("DescribeInstances")); n != 5 {
		t.Errorf("calls = %d, want 5", n)
	}
}

func TestBatchWindowFlushes(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-a": StatusRunning}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = time.Millisecond })
	if _, err := c.GetInstance(context.Background(), "i-a"); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentGetSnapshotGroupIsOneCall(t *testing.T) {
	groups := map[string]string{}
	for i := 0; i < 10; i++ {
		groups[fmt.Sprintf("ssg-%d", i)] = SnapshotProgressing
	}
	f := newFakeECS(t, snapshotGroupFake(groups))
	c := batchedClient(t, f, 10)
	var wg sync.WaitGroup
	for id := range groups {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			g, err := c.GetSnapshotGroup(context.Background(), id)
			if err != nil || g.ID != id || len(g.Snapshots) != 2 || g.Snapshots[0].SourceDiskSize != 40 {
				t.Errorf("%s: %+v, %v", id, g, err)
			}
		}(id)
	}
	wg.Wait()
	if n := len(f.callsOf("DescribeSnapshotGroups")); n != 1 {
		t.Errorf("DescribeSnapshotGroups calls = %d, want 1", n)
	}
	if n := len(f.callsOf("DescribeSnapshots")); n != 1 {
		t.Errorf("DescribeSnapshots calls = %d, want 1 (20 snapshots ≤ 100)", n)
	}
}

func TestBatchDeduplicatesIDs(t *testing.T) {
	f := newFakeECS(t, describeInstancesFrom(map[string]string{"i-a": StatusRunning, "i-b": StatusRunning}))
	c := batchedClient(t, f, 2)
	var wg sync.WaitGroup
	get := func(id string) {
		defer wg.Done()
		if inst, err := c.GetInstance(context.Background(), id); err != nil || inst.ID != id {
			t.Errorf("%s: %+v, %v", id, inst, err)
		}
	}
	wg.Add(3)
	go get("i-a")
	go get("i-a")
	// Wait until both i-a callers joined the open batch; i-b then fills it.
	for deadline := time.Now().Add(5 * time.Second); ; {
		c.instanceBatcher.mu.Lock()
		joined := c.instanceBatcher.pending != nil && c.instanceBatcher.pending.waiters == 2
		c.instanceBatcher.mu.Unlock()
		if joined {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("callers did not join")
		}
		time.Sleep(time.Millisecond)
	}
	go get("i-b")
	wg.Wait()
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 1 {
		t.Fatalf("calls = %d, want 1", len(calls))
	}
	if ids := idsOf(calls[0]); len(ids) != 2 {
		t.Errorf("ids = %v, want i-a once and i-b", ids)
	}
}
