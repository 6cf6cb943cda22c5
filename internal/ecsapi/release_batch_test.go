package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// stoppedInstances runs n instances on the emulator and stops them.
func stoppedInstances(t *testing.T, c *Client, e *emulator.Emulator, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := e.State()
	vsw, sg := st.Catalog.VSwitches[0].ID, st.Catalog.SecurityGroups[0].ID
	var ids []string
	for i := 0; i < n; i++ {
		id, err := c.RunInstance(ctx, RunInstanceInput{ClientToken: fmt.Sprintf("%s-%d", t.Name(), i),
			ImageID: "ubuntu_22_04_x64_20G_alibase_20240101.vhd", InstanceType: "ecs.g7.large", VSwitchID: vsw,
			SecurityGroupIDs: []string{sg}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitInstanceCreated(ctx, id, StatusRunning); err != nil {
			t.Fatal(err)
		}
		if err := c.StopInstance(ctx, id, StopInput{ForceStop: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitInstanceStatus(ctx, id, StatusStopped); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	e.ResetCalls()
	return ids
}

// releaseConcurrently calls DeleteInstance for every id at once and returns
// each one's error.
func releaseConcurrently(c *Client, ids []string) map[string]error {
	var mu sync.Mutex
	errs := map[string]error{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.DeleteInstance(context.Background(), id, false)
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	return errs
}

func assertGone(t *testing.T, c *Client, id string, gone bool) {
	t.Helper()
	_, err := c.GetInstance(context.Background(), id)
	if IsNotFound(err) != gone {
		t.Errorf("%s: gone = %v, want %v (%v)", id, IsNotFound(err), gone, err)
	}
}

// Releases that come together are one DeleteInstances; one alone is its own
// DeleteInstance, as without batching.
func TestConcurrentReleasesAreOneDeleteInstances(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	c.releases.window = 200 * time.Millisecond // "together" even on a loaded machine
	ids := stoppedInstances(t, c, e, 6)
	for id, err := range releaseConcurrently(c, ids[:5]) {
		if err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	calls := e.Calls()
	if calls["DeleteInstances"] != 1 || calls["DeleteInstance"] != 0 {
		t.Fatalf("5 releases together: %v, want 1 DeleteInstances and no DeleteInstance", calls)
	}
	for _, id := range ids[:5] {
		assertGone(t, c, id, true)
	}

	e.ResetCalls()
	if err := c.DeleteInstance(context.Background(), ids[5], false); err != nil {
		t.Fatal(err)
	}
	if calls := e.Calls(); calls["DeleteInstances"] != 0 || calls["DeleteInstance"] != 1 {
		t.Fatalf("a release alone: %v, want its own DeleteInstance", calls)
	}
	assertGone(t, c, ids[5], true)
}

// A refused batch is nobody's error: each release makes its own call, so
// the protected machine gets its own refusal and the others are released.
func TestRefusedDeleteInstancesFallsBackToEachRelease(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	c.releases.window = 200 * time.Millisecond
	ids := stoppedInstances(t, c, e, 4)
	protect := true
	if err := c.ModifyInstanceAttribute(context.Background(), ids[2], ModifyInstanceInput{DeletionProtection: &protect}); err != nil {
		t.Fatal(err)
	}
	e.ResetCalls()
	errs := releaseConcurrently(c, ids)
	for i, id := range ids {
		if i == 2 {
			var apiErr *APIError
			if !errors.As(errs[id], &apiErr) || apiErr.Action != "DeleteInstance" {
				t.Errorf("the protected machine: %v, want its own DeleteInstance's refusal", errs[id])
			}
			assertGone(t, c, id, false)
			continue
		}
		if errs[id] != nil {
			t.Errorf("%s: %v", id, errs[id])
		}
		assertGone(t, c, id, true)
	}
	if calls := e.Calls(); calls["DeleteInstances"] != 1 || calls["DeleteInstance"] != 4 {
		t.Fatalf("calls %v, want the refused DeleteInstances and 4 DeleteInstance", calls)
	}
}

// A release whose context ends while its batch waits takes its machine out
// of the batch: an interrupted destroy releases nothing.
func TestReleaseLeavingItsBatchIsNotReleased(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	c.releases.window = 300 * time.Millisecond
	c.releases.slideFor = 300 * time.Millisecond
	ids := stoppedInstances(t, c, e, 3)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			callCtx := context.Background()
			if i == 0 {
				callCtx = ctx
			}
			errs[i] = c.DeleteInstance(callCtx, id, false)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	wg.Wait()
	if !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("the interrupted release: %v, want context.Canceled", errs[0])
	}
	assertGone(t, c, ids[0], false)
	for i := 1; i < len(ids); i++ {
		if errs[i] != nil {
			t.Errorf("%s: %v", ids[i], errs[i])
		}
		assertGone(t, c, ids[i], true)
	}
	if calls := e.Calls(); calls["DeleteInstances"] != 1 {
		t.Fatalf("calls %v, want one DeleteInstances of the two that stayed", calls)
	}
}

// A RAM policy without ecs:DeleteInstances: the first batch is refused, its
// releases go one by one, and later releases do not ask again.
func TestDeniedDeleteInstancesStopsBatching(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	c.releases.window = 200 * time.Millisecond
	ids := stoppedInstances(t, c, e, 4)
	e.AddFault(emulator.Fault{Action: "DeleteInstances", Code: "Forbidden.RAM", HTTPStatus: 403,
		Message: "User not authorized to operate on the specified resource."})
	for _, batch := range [][]string{ids[:2], ids[2:]} {
		for id, err := range releaseConcurrently(c, batch) {
			if err != nil {
				t.Errorf("%s: %v", id, err)
			}
			assertGone(t, c, id, true)
		}
	}
	if calls := e.Calls(); calls["DeleteInstances"] != 1 || calls["DeleteInstance"] != 4 {
		t.Fatalf("calls %v, want one refused DeleteInstances, then DeleteInstance for each", calls)
	}
}

// A shared call whose answer was lost: with a retry left it is repeated
// with its ClientToken and acts once; with none, each release's own
// DeleteInstance finds its machine gone, which counts as released. Either
// way no release reports an error.
func TestDeleteInstancesAnswerLost(t *testing.T) {
	for _, tc := range []struct {
		name        string
		retries     int
		shared, own int
	}{
		{"retried", 2, 2, 0},
		{"not_retried", 0, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, e := emulatorClient(t, emulator.Options{})
			c.cfg.MaxRetries = tc.retries
			c.releases.window = 200 * time.Millisecond
			ids := stoppedInstances(t, c, e, 3)
			e.AddFault(emulator.Fault{Action: "DeleteInstances", LoseResponse: true, Count: 1})
			for id, err := range releaseConcurrently(c, ids) {
				if err != nil {
					t.Errorf("%s: %v, want released", id, err)
				}
				assertGone(t, c, id, true)
			}
			if calls := e.Calls(); calls["DeleteInstances"] != tc.shared || calls["DeleteInstance"] != tc.own {
				t.Fatalf("calls %v, want %d DeleteInstances and %d DeleteInstance", calls, tc.shared, tc.own)
			}
		})
	}
}
