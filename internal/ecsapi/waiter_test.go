package ecsapi

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// statusSequence answers DescribeInstances for instance "i-1" with the statuses in
// order (the last repeats); "" means the instance is gone.
func statusSequence(statuses ...string) func(c fakeCall) (int, any) {
	var n atomic.Int32
	return func(c fakeCall) (int, any) {
		i := int(n.Add(1)) - 1
		if i >= len(statuses) {
			i = len(statuses) - 1
		}
		if statuses[i] == "" {
			return describeInstancesFrom(map[string]string{})(c)
		}
		return describeInstancesFrom(map[string]string{"i-1": statuses[i]})(c)
	}
}

func waiterClient(t *testing.T, f *fakeECS) (*Client, interface{ Slept() []time.Duration }) {
	c, fc := f.newTestClient(t, func(cfg *Config) { cfg.InstanceBatchSize = 1; cfg.SnapshotGroupBatchSize = 1 })
	return c, fc
}

func TestWaitInstanceStatusReachesTarget(t *testing.T) {
	f := newFakeECS(t, statusSequence(StatusPending, StatusStarting, StatusRunning))
	c, fc := waiterClient(t, f)
	inst, err := c.WaitInstanceStatus(context.Background(), "i-1", StatusRunning)
	if err != nil || inst.Status != StatusRunning {
		t.Fatalf("got %+v, %v", inst, err)
	}
	if n := len(f.callsOf("DescribeInstances")); n != 3 {
		t.Errorf("polls = %d, want 3", n)
	}
	// First poll early, then growing intervals.
	want := []time.Duration{500 * time.Millisecond, 750 * time.Millisecond, 1125 * time.Millisecond}
	if got := fc.Slept(); !reflect.DeepEqual(got, want) {
		t.Errorf("poll delays = %v, want %v", got, want)
	}
}

func TestPollDelayIsCapped(t *testing.T) {
	d := DefaultWaitMinDelay
	var got []time.Duration
	for i := 0; i < 6; i++ {
		got = append(got, d)
		d = nextPollDelay(d, DefaultWaitGrowth, DefaultWaitMaxDelay)
	}
	want := []time.Duration{500 * time.Millisecond, 750 * time.Millisecond, 1125 * time.Millisecond, 1687500 * time.Microsecond, 2 * time.Second, 2 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delays = %v, want %v", got, want)
	}
}

func TestWaitInstanceStatusFailsWhenGone(t *testing.T) {
	f := newFakeECS(t, statusSequence(StatusStarting, ""))
	c, _ := waiterClient(t, f)
	_, err := c.WaitInstanceStatus(context.Background(), "i-1", StatusRunning)
	if !IsNotFound(err) {
		t.Fatalf("want NotFound, got %v", err)
	}
}

func TestWaitInstanceGone(t *testing.T) {
	f := newFakeECS(t, statusSequence(StatusStopped, StatusStopped, ""))
	c, _ := waiterClient(t, f)
	if err := c.WaitInstanceGone(context.Background(), "i-1"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsOf("DescribeInstances")); n != 3 {
		t.Errorf("polls = %d", n)
	}
}

func TestWaiterDeadlineSaysWhatItWaitedFor(t *testing.T) {
	f := newFakeECS(t, statusSequence(StatusStarting))
	c, fc := waiterClient(t, f)
	ctx, cancel := context.WithDeadline(context.Background(), fc.(interface{ Now() time.Time }).Now().Add(10*time.Second))
	defer cancel()
	_, err := c.WaitInstanceStatus(ctx, "i-1", StatusRunning)
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("want *WaitTimeoutError, got %T %v", err, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the timeout should unwrap to context.DeadlineExceeded")
	}
	msg := err.Error()
	if timeout.Waited < 9*time.Second || timeout.Waited > 10*time.Second || timeout.LastStatus != StatusStarting {
		t.Errorf("timeout = %+v", timeout)
	}
	for _, want := range []string{"i-1", "Running", "last status: Starting", "timed out after 9."} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// The poll count stays small: a growing interval, plus one last look.
	if n := len(f.callsOf("DescribeInstances")); n < 5 || n > 10 {
		t.Errorf("polls = %d", n)
	}
}

func TestWaiterKeepsPollingThroughTransientErrors(t *testing.T) {
	f := newFakeECS(t, scripted(unavailable, func() (int, any) {
		return describeInstancesFrom(map[string]string{"i-1": StatusRunning})(fakeCall{Params: map[string][]string{"InstanceIds": {`["i-1"]`}}})
	}))
	c, _ := waiterClient(t, f)
	c.cfg.MaxRetries = 0 // the poll itself gives up at once; the waiter goes on
	if _, err := c.WaitInstanceStatus(context.Background(), "i-1", StatusRunning); err != nil {
		t.Fatal(err)
	}
}

func TestWaiterStopsOnPermanentError(t *testing.T) {
	f := newFakeECS(t, scripted(func() (int, any) { return apiError(403, "Forbidden.RAM", "denied") }))
	c, _ := waiterClient(t, f)
	if _, err := c.WaitInstanceStatus(context.Background(), "i-1", StatusRunning); ErrorCode(err) != "Forbidden.RAM" {
		t.Fatalf("want the permanent error, got %v", err)
	}
}

func TestWaitSnapshotGroupDone(t *testing.T) {
	groups := map[string]string{"ssg-1": SnapshotProgressing}
	var polls atomic.Int32
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if c.Action == "DescribeSnapshotGroups" && polls.Add(1) == 3 {
			groups["ssg-1"] = SnapshotAccomplished
		}
		return snapshotGroupFake(groups)(c)
	})
	c, _ := waiterClient(t, f)
	g, err := c.WaitSnapshotGroupDone(context.Background(), "ssg-1")
	if err != nil || g.Status != SnapshotAccomplished {
		t.Fatalf("got %+v, %v", g, err)
	}
}

func TestWaitSnapshotGroupFailedReturnsAtOnce(t *testing.T) {
	f := newFakeECS(t, snapshotGroupFake(map[string]string{"ssg-1": SnapshotFailed}))
	c, _ := waiterClient(t, f)
	_, err := c.WaitSnapshotGroupDone(context.Background(), "ssg-1")
	var failed *SnapshotFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("want *SnapshotFailedError, got %T %v", err, err)
	}
	if failed.SnapshotGroupID != "ssg-1" || len(failed.FailedSnapshotIDs) != 2 {
		t.Errorf("failed = %+v", failed)
	}
	if n := len(f.callsOf("DescribeSnapshotGroups")); n != 1 {
		t.Errorf("polls = %d, want 1", n)
	}
}

func TestWaitSnapshotGroupGone(t *testing.T) {
	groups := map[string]string{"ssg-1": SnapshotAccomplished}
	var polls atomic.Int32
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if c.Action == "DescribeSnapshotGroups" && polls.Add(1) == 2 {
			delete(groups, "ssg-1")
		}
		return snapshotGroupFake(groups)(c)
	})
	c, _ := waiterClient(t, f)
	if err := c.WaitSnapshotGroupGone(context.Background(), "ssg-1"); err != nil {
		t.Fatal(err)
	}
	// A group that vanishes while awaited as "done" is an error.
	f2 := newFakeECS(t, snapshotGroupFake(map[string]string{}))
	c2, _ := waiterClient(t, f2)
	if _, err := c2.WaitSnapshotGroupDone(context.Background(), "ssg-1"); !IsNotFound(err) {
		t.Errorf("want NotFound, got %v", err)
	}
}

// A wait cut short by a cancelled context (Terraform's Ctrl-C) says
// "interrupted", never "timed out".
func TestWaiterCancelSaysInterrupted(t *testing.T) {
	f := newFakeECS(t, statusSequence(StatusStarting))
	c, _ := waiterClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.WaitInstanceStatus(ctx, "i-1", StatusRunning)
	var wait *WaitTimeoutError
	if !errors.As(err, &wait) || !wait.Interrupted() || !errors.Is(err, context.Canceled) {
		t.Fatalf("want an interrupted *WaitTimeoutError, got %T %v", err, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "interrupted after") || strings.Contains(msg, "timed out") {
		t.Errorf("message %q", msg)
	}
}
