package ecsapi

import (
	"context"
	"testing"
)

// A new instance missing from DescribeInstances is "not visible yet".
func TestWaitInstanceCreatedToleratesInvisibility(t *testing.T) {
	f := newFakeECS(t, statusSequence("", "", StatusPending, StatusRunning))
	c, _ := waiterClient(t, f)
	inst, err := c.WaitInstanceCreated(context.Background(), "i-1", StatusRunning)
	if err != nil || inst.Status != StatusRunning {
		t.Fatalf("got %+v, %v", inst, err)
	}
}

// One that never shows up is reported NotFound once the grace is over.
func TestWaitInstanceCreatedGivesUpAfterGrace(t *testing.T) {
	f := newFakeECS(t, statusSequence(""))
	c, fc := waiterClient(t, f)
	_, err := c.WaitInstanceCreated(context.Background(), "i-1", StatusRunning)
	if !IsNotFound(err) {
		t.Fatalf("want NotFound, got %v", err)
	}
	var slept int64
	for _, d := range fc.Slept() {
		slept += int64(d)
	}
	if slept < int64(NewInstanceVisibilityGrace) {
		t.Errorf("gave up after %v, before the grace of %v", slept, NewInstanceVisibilityGrace)
	}
}

// WaitInstanceVisible has no grace of its own: an instance unseen for longer
// than NewInstanceVisibilityGrace is still waited for, in any status.
func TestWaitInstanceVisibleOutlastsTheGrace(t *testing.T) {
	statuses := make([]string, 0, 80)
	for range 75 { // 75 polls at most 2 s apart: past the 2-minute grace
		statuses = append(statuses, "")
	}
	statuses = append(statuses, StatusStopped)
	f := newFakeECS(t, statusSequence(statuses...))
	c, fc := waiterClient(t, f)
	inst, err := c.WaitInstanceVisible(context.Background(), "i-1")
	if err != nil || inst.Status != StatusStopped {
		t.Fatalf("got %+v, %v", inst, err)
	}
	var slept int64
	for _, d := range fc.Slept() {
		slept += int64(d)
	}
	if slept <= int64(NewInstanceVisibilityGrace) {
		t.Errorf("the instance showed up after %v: the test must wait past the grace of %v", slept, NewInstanceVisibilityGrace)
	}
}
