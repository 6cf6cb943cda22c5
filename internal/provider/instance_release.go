package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// errDeletionProtected is returned when an instance cannot be released
// because its deletion protection is on; the instance is left untouched.
var errDeletionProtected = errors.New("deletion protection is on")

// releaseInstance releases an instance and waits until ECS no longer returns
// it. Without force it stops the instance first, because DeleteInstance
// refuses a running instance: with a power-off (ForceStop) when all its disks
// are released with it, since their data goes anyway; gracefully first (see
// stopGracefully) when a data disk outlives it, since a power-off can
// corrupt what is kept. It checks deletion protection before stopping
// anything, so a protected instance is neither stopped nor released. An
// instance that is already gone counts as released.
func releaseInstance(ctx context.Context, client *ecsapi.Client, id string, force bool) error {
	return releaseInstanceWithDisks(ctx, client, id, force, nil)
}

// releaseInstanceWithDisks is releaseInstance for a caller that has already
// read the disks the release leaves behind (ListKeptDisks); nil kept are
// read when the instance has to be stopped.
func releaseInstanceWithDisks(ctx context.Context, client *ecsapi.Client, id string, force bool, kept []ecsapi.Disk) error {
	inst, err := client.GetInstance(ctx, id)
	if ecsapi.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return releaseReadInstance(ctx, client, inst, force, kept)
}

// releaseReadInstance is releaseInstanceWithDisks for a caller that has just
// read the instance too. A status that changed since is safe: a stop of a
// stopped instance is refused as a wrong state and ignored, and a release
// refused because the instance runs again stops it first (deleteWhenSettled).
func releaseReadInstance(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, force bool, kept []ecsapi.Disk) error {
	id := inst.ID
	if inst.DeletionProtection {
		return fmt.Errorf("instance %s: %w", id, errDeletionProtected)
	}
	stop := releaseStopper{client: client, id: id, kept: kept}
	tflog.Info(ctx, "Releasing instance "+id, map[string]any{"instance_id": id})
	if !force {
		if err := stop.stop(ctx, inst); err != nil {
			if ecsapi.IsNotFound(err) {
				return nil
			}
			return err
		}
	}
	if err := deleteWhenSettled(ctx, client, id, force, stop.stop); err != nil {
		return err
	}
	if err := client.WaitInstanceGone(ctx, id); err != nil {
		return fmt.Errorf("instance %s was asked to be released but is still there: %w", id, err)
	}
	return nil
}

// releaseStopper stops an instance that is about to be released, choosing
// a power-off or a graceful stop by what outlives it.
type releaseStopper struct {
	client *ecsapi.Client
	id     string
	kept   []ecsapi.Disk // the disks the release leaves behind; nil until read
}

func (s *releaseStopper) stop(ctx context.Context, inst *ecsapi.Instance) error {
	if inst.Status == ecsapi.StatusStopped {
		return nil // nothing to decide: no DescribeDisks
	}
	if s.kept == nil {
		kept, err := s.client.ListKeptDisks(ctx, s.id)
		if err != nil {
			// Not knowing what is kept, stop as if something were: slower,
			// never harmful.
			return stopGracefully(ctx, s.client, inst)
		}
		s.kept = kept
	}
	if len(outlivingDisks(s.kept)) > 0 {
		return stopGracefully(ctx, s.client, inst)
	}
	return stopInstance(ctx, s.client, inst, ecsapi.StopInput{ForceStop: true})
}

// outlivingDisks are the disks that a release of their instance leaves
// behind: data disks with DeleteWithInstance off. They are kept, and billed.
func outlivingDisks(disks []ecsapi.Disk) []ecsapi.Disk {
	var out []ecsapi.Disk
	for _, d := range disks {
		if d.Type == "data" && !d.DeleteWithInstance {
			out = append(out, d)
		}
	}
	return out
}

// gracefulStopWait bounds a graceful stop (the guest shuts down and flushes
// its disks): when it has not finished by then, the instance is powered off.
const gracefulStopWait = 5 * time.Minute

// gracefulStopBudget is how long a graceful stop may take when remaining is
// left before the operation's deadline (hasDeadline false: none):
// gracefulStopWait, but never more than half of what remains, so that the
// forced stop and what follows (the final snapshot, the release) keep the
// other half.
func gracefulStopBudget(remaining time.Duration, hasDeadline bool) time.Duration {
	if hasDeadline && remaining/2 < gracefulStopWait {
		if remaining <= 0 {
			return 0
		}
		return remaining / 2
	}
	return gracefulStopWait
}

// stopGracefully brings an instance to Stopped with a graceful stop
// (StopInstance without ForceStop), and powers it off (ForceStop) only when
// the graceful stop has not finished within gracefulStopBudget.
func stopGracefully(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance) error {
	return stopGracefullyWith(ctx, client, inst, "")
}

// stopGracefullyWith is stopGracefully with a stopped mode ("" = the
// account's default, KeepCharging or StopCharging).
func stopGracefullyWith(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, stoppedMode string) error {
	var remaining time.Duration
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		remaining = time.Until(deadline)
	}
	budget := gracefulStopBudget(remaining, hasDeadline)
	gctx, cancel := context.WithTimeout(ctx, budget)
	err := stopInstance(gctx, client, inst, ecsapi.StopInput{StoppedMode: stoppedMode})
	cancel()
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// The guest did not shut down in time: power it off. A forced stop is
	// also accepted while the graceful one is still under way.
	if err := client.StopInstance(ctx, inst.ID, ecsapi.StopInput{ForceStop: true, StoppedMode: stoppedMode}); err != nil && !ecsapi.IsWrongState(err) {
		return fmt.Errorf("the graceful stop did not finish within %s, and the forced stop failed: %w", budget, err)
	}
	if _, err := client.WaitInstanceStatus(ctx, inst.ID, ecsapi.StatusStopped); err != nil {
		return fmt.Errorf("the graceful stop did not finish within %s, so it was forced: %w", budget, err)
	}
	return nil
}

// wrongStateRetryDelay spaces DeleteInstance attempts that the service
// refused because the instance was in a transition.
const wrongStateRetryDelay = 2 * time.Second

// deleteWhenSettled sends DeleteInstance, and while the service answers
// IncorrectInstanceStatus* (the instance is still initializing, starting or
// stopping) waits for it to settle, stops it again with stop when it came
// back to Running and force is off, and retries until ctx's deadline.
func deleteWhenSettled(ctx context.Context, client *ecsapi.Client, id string, force bool,
	stop func(context.Context, *ecsapi.Instance) error) error {
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
			if serr := stop(ctx, inst); serr != nil {
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

// retryDestroyAdvice says what to do after a release that did not finish:
// the instance is still in the state, and a new destroy goes on from there.
func retryDestroyAdvice(ctx context.Context) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return " The destroy was interrupted; the instance is still in the state. Run terraform destroy again to finish it."
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return " timeouts.delete ran out; the instance is still in the state. Run terraform destroy again, or raise timeouts.delete."
	default:
		return " The instance is still in the state: run terraform destroy again once the cause is fixed."
	}
}
