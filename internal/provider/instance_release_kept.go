package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// A configured release time is never lost on the way. Terraform destroys an
// aliecs_auto_release_schedule before the instance it references (a plain
// destroy, a replacement, both removed from the configuration), and the
// schedule's destroy cancels the release. When the instance's destroy then
// fails (deletion protection, a failed final snapshot, a timeout, Ctrl-C),
// the machine would run on with no release time and no schedule in state.
// So the schedule's destroy records what it cancelled, and a destroy of the
// instance that leaves it in place sets that time again. When only the
// schedule is removed, no instance destroy follows and the cancel stands.
// Not covered: an instance destroy that never starts (another resource's
// destroy failed first, or the run stopped between the two). The schedule
// cannot tell that case from a schedule removed alone: Terraform plans a
// destroy dependents first, so the schedule's destroy is planned before its
// instance's and cannot be told that the instance goes too.

// releaseRestoreLead is how far ahead a restored release time is put when the
// cancelled one is nearer than the service allows (30 minutes), with a
// minute of margin: the machine is released as near to the configured time
// as the service lets it be.
const releaseRestoreLead = releaseWindowMin + time.Minute

// recordCancelledRelease remembers a release time cancelled by a schedule's
// destroy (its effective_release_time, "" or unparsable: nothing to keep).
func (d *providerData) recordCancelledRelease(instanceID, effective string) {
	if d == nil || effective == "" {
		return
	}
	if t, err := parseReleaseTime(effective); err == nil {
		d.cancelledReleases.Store(instanceID, t)
	}
}

// keepCancelledRelease runs when an instance's Delete returns: when the
// destroy failed and a schedule's destroy cancelled the instance's release
// time in this run, it sets that time again (with its own deadline: the
// delete's may have run out, or the run been interrupted), and says so. A
// cancelled time that is now too near becomes the earliest the service
// accepts.
func (r *instanceResource) keepCancelledRelease(ctx context.Context, id string, diags *diag.Diagnostics) {
	v, ok := r.data.cancelledReleases.LoadAndDelete(id)
	at, isTime := v.(time.Time)
	if !ok || !isTime || !diags.HasError() {
		return
	}
	at, err := r.data.setReleaseAgain(ctx, id, at)
	switch {
	case ecsapi.IsNotFound(err):
		return // released after all
	case err != nil:
		diags.AddWarning("Automatic release time lost",
			fmt.Sprintf("The destroy of the aliecs_auto_release_schedule of instance %s cancelled its automatic "+
				"release, and the instance was not released. Setting the release time again (%s) failed: %s. Run "+
				"terraform apply to schedule it again, or release the machine yourself.", id, formatReleaseTime(at), err))
	default:
		diags.AddWarning("Automatic release time kept",
			fmt.Sprintf("The destroy of the aliecs_auto_release_schedule of instance %s cancelled its automatic "+
				"release before the instance's destroy failed, so the release time was set again: ECS releases the "+
				"machine at %s. Its schedule is no longer in the state: terraform apply with the schedule in the "+
				"configuration brings it back. To keep the machine with no release time instead, apply with the "+
				"schedule and then remove it (that cancels the release).",
				id, formatReleaseTime(at)))
	}
}

// setReleaseAgain sets a cancelled release time again, with its own
// deadline (the caller's may have run out, or the run been interrupted). A
// time now too near becomes the earliest the service accepts; it returns
// the time sent.
func (d *providerData) setReleaseAgain(ctx context.Context, id string, at time.Time) (time.Time, error) {
	if earliest := d.clock.Now().Add(releaseRestoreLead); at.Before(earliest) {
		at = earliest.Truncate(time.Minute).Add(time.Minute)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	return at, d.client.ModifyInstanceAutoReleaseTime(rctx, id, formatReleaseTime(at))
}

// protectedDestroyPlanDiagnostics warns in the plan of a destroy of an
// instance with deletion protection on: its release will
// be refused. Only a warning: the state may be stale (the protection turned
// off outside Terraform), and an error would block every other destroy.
func protectedDestroyPlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest) diag.Diagnostics {
	if req.State.Raw.IsNull() || !req.Plan.Raw.IsNull() {
		return nil // only a destroy
	}
	var state instanceModel
	if diags := req.State.Get(ctx, &state); diags.HasError() {
		return diags
	}
	if !state.DeletionProtection.ValueBool() || isTombstone(state) {
		return nil
	}
	id := state.ID.ValueString()
	var diags diag.Diagnostics
	diags.AddAttributeWarning(path.Root("deletion_protection"), "Instance is protected from deletion",
		fmt.Sprintf("Instance %s has deletion protection on, so the service refuses to release it: this plan's "+
			"destroy of it will fail, and the machine stays as it is (a schedule's automatic release time is kept). "+
			"To release it, set deletion_protection = false and apply first.", id))
	return diags
}
