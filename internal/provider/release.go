package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// errDeletionProtected is returned when an instance cannot be released
// because its deletion protection is on; the instance is left untouched.
var errDeletionProtected = errors.New("deletion protection is on")

// releaseInstance releases an instance and waits until ECS no longer returns
// it. Without force it stops the instance first (ForceStop: its data is being
// released anyway) and waits for Stopped, because DeleteInstance refuses a
// running instance. It checks deletion protection before stopping anything,
// so a protected instance is neither stopped nor released. An instance that
// is already gone counts as released.
func releaseInstance(ctx context.Context, client *ecsapi.Client, id string, force bool) error {
	inst, err := client.GetInstance(ctx, id)
	if ecsapi.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if inst.DeletionProtection {
		return fmt.Errorf("instance %s: %w", id, errDeletionProtected)
	}
	if !force {
		if err := stopInstance(ctx, client, inst, ecsapi.StopInput{ForceStop: true}); err != nil {
			if ecsapi.IsNotFound(err) {
				return nil
			}
			return err
		}
	}
	if err := deleteWhenSettled(ctx, client, id, force); err != nil {
		return err
	}
	if err := client.WaitInstanceGone(ctx, id); err != nil {
		return fmt.Errorf("instance %s was asked to be released but is still there: %w", id, err)
	}
	return nil
}

// wrongStateRetryDelay spaces DeleteInstance attempts that the service
// refused because the instance was in a transition.
const wrongStateRetryDelay = 2 * time.Second

// deleteWhenSettled sends DeleteInstance, and while the service answers
// IncorrectInstanceStatus* (the instance is still initializing, starting or
// stopping) waits for it to settle, stops it again when it came back to
// Running and force is off, and retries until ctx's deadline.
func deleteWhenSettled(ctx context.Context, client *ecsapi.Client, id string, force bool) error {
	for {
		err := client.DeleteInstance(ctx, id, force)
		if err == nil || ecsapi.IsNotFound(err) {
			return nil
		}
		if !ecsapi.IsWrongState(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("instance %s stayed in a state that does not allow its release: %w", id, err)
		case <-time.After(wrongStateRetryDelay):
		}
		inst, gerr := client.GetInstance(ctx, id)
		if ecsapi.IsNotFound(gerr) {
			return nil
		}
		if gerr != nil {
			return gerr
		}
		switch inst.Status {
		case ecsapi.StatusPending, ecsapi.StatusStarting:
			if inst, gerr = client.WaitInstanceStatus(ctx, id, ecsapi.StatusRunning); gerr != nil {
				return gerr
			}
		case ecsapi.StatusStopping:
			if inst, gerr = client.WaitInstanceStatus(ctx, id, ecsapi.StatusStopped); gerr != nil {
				return gerr
			}
		}
		if !force && inst.Status == ecsapi.StatusRunning {
			if serr := stopInstance(ctx, client, inst, ecsapi.StopInput{ForceStop: true}); serr != nil {
				return serr
			}
		}
	}
}

// stopInstance brings an instance to Stopped from whatever state it is in:
// it waits out a start in progress, sends StopInstance when running, and
// waits for Stopped.
func stopInstance(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, in ecsapi.StopInput) error {
	switch inst.Status {
	case ecsapi.StatusStopped:
		return nil
	case ecsapi.StatusPending, ecsapi.StatusStarting:
		if _, err := client.WaitInstanceStatus(ctx, inst.ID, ecsapi.StatusRunning); err != nil {
			return err
		}
	}
	if inst.Status != ecsapi.StatusStopping {
		if err := client.StopInstance(ctx, inst.ID, in); err != nil && !ecsapi.IsWrongState(err) {
			return err
		}
	}
	_, err := client.WaitInstanceStatus(ctx, inst.ID, ecsapi.StatusStopped)
	return err
}

// startInstance brings an instance to Running from whatever state it is in.
func startInstance(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance) error {
	switch inst.Status {
	case ecsapi.StatusRunning:
		return nil
	case ecsapi.StatusStopping:
		if _, err := client.WaitInstanceStatus(ctx, inst.ID, ecsapi.StatusStopped); err != nil {
			return err
		}
	}
	if inst.Status != ecsapi.StatusPending && inst.Status != ecsapi.StatusStarting {
		if err := client.StartInstance(ctx, inst.ID); err != nil && !ecsapi.IsWrongState(err) {
			return err
		}
	}
	_, err := client.WaitInstanceStatus(ctx, inst.ID, ecsapi.StatusRunning)
	return err
}

// deletionProtectedDetail is the diagnostic text for errDeletionProtected.
func deletionProtectedDetail(id string) string {
	return fmt.Sprintf("Instance %s has deletion protection on, so it was not stopped or released. "+
		"Set deletion_protection = false on the instance and apply, then try again.", id)
}
