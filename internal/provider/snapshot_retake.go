package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// A change of instance_id never replaces the snapshot: a replacement would
// delete the old group before Terraform releases the old machine (it
// destroys dependents first), when that group is about to become the only
// copy of the machine. Instead the resource is updated in place ("a
// retake"): Update runs after the new instance exists (it depends on it),
// takes a new group of it, and leaves the old group as it is, listed in
// kept_group_ids.

// instanceIDChanges reports whether the planned instance_id differs from
// the state's (unknown counts: the instance behind it is being replaced).
func instanceIDChanges(plan, state types.String) bool {
	return plan.IsUnknown() || !plan.Equal(state)
}

// retakes reports whether a plan that changes instance_id takes a new group
// of the new instance. Not when this resource released its instance (the
// group is the saved copy of that machine, as in the pause-and-resume
// pattern), nor when the old instance is gone and the new id names no
// machine (nothing to snapshot: the old id is kept, ModifyPlan warns). The
// answer must be the same at plan time and when Terraform plans again
// during the apply, after the old machine is released: so it never rests
// on the old instance alone once the new one exists.
func (r *snapshotResource) retakes(ctx context.Context, state, plan snapshotResourceModel, diags *diag.Diagnostics) bool {
	if state.InstanceReleased.ValueBool() {
		return false
	}
	if !instanceIDChanges(plan.InstanceID, state.InstanceID) {
		// The same instance: retaken only to release it after a fresh copy,
		// and only while it exists (else the copy is kept as it is).
		return releaseTurnedOn(state, plan) && !r.instanceGone(ctx, state, diags)
	}
	if plan.InstanceID.IsUnknown() || r.data == nil || r.data.createdByThisApply(plan.InstanceID.ValueString()) {
		return true
	}
	if _, err := r.data.client.GetInstance(ctx, plan.InstanceID.ValueString()); !ecsapi.IsNotFound(err) {
		return true // it exists (or a look-up failed: the apply says why)
	}
	return !r.instanceGone(ctx, state, diags)
}

// releaseTurnedOn: release_instance_after_snapshot turned on for a snapshot
// whose instance this resource has not released. The machine must be
// released right after a fresh copy of its disks, so a new group is taken
// (a retake of the same instance) and the old one is kept: replacing the
// resource would delete it first, leaving the machine with no copy at all
// should the new snapshot fail.
func releaseTurnedOn(state, plan snapshotResourceModel) bool {
	return releaseForcesReplacement(plan.ReleaseInstanceAfterSnapshot, state.InstanceReleased) &&
		!state.ReleaseInstanceAfterSnapshot.ValueBool()
}

// keptWith is the state's kept_group_ids followed by the state's group.
func keptWith(state snapshotResourceModel) types.List {
	var ids []attr.Value
	if !state.KeptGroupIDs.IsNull() && !state.KeptGroupIDs.IsUnknown() {
		ids = append(ids, state.KeptGroupIDs.Elements()...)
	}
	ids = append(ids, types.StringValue(state.ID.ValueString()))
	return types.ListValueMust(types.StringType, ids)
}

// planRetake plans a retake: the group's computed values are those of a new
// group, the old one joins kept_group_ids, and a warning names it.
func planRetake(ctx context.Context, state, plan snapshotResourceModel, resp *resource.ModifyPlanResponse) {
	plan.ID = types.StringUnknown()
	plan.Status = types.StringUnknown()
	plan.Progress = types.Int64Unknown()
	plan.Snapshots = types.ListUnknown(snapshotObjectType)
	plan.CreationTime = types.StringUnknown()
	plan.InstanceReleased = types.BoolUnknown()
	plan.KeptGroupIDs = keptWith(state)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)

	old, group := state.InstanceID.ValueString(), state.ID.ValueString()
	if !instanceIDChanges(plan.InstanceID, state.InstanceID) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("Snapshot group %s of instance %s is kept, not replaced", group, old),
			fmt.Sprintf("release_instance_after_snapshot is turned on: this resource is updated in place, a new "+
				"snapshot group of instance %s is taken, and %s is released once it is accomplished. Snapshot group %s "+
				"is not deleted: it is listed in kept_group_ids and billed until you delete it (console or API).",
				old, old, group))
		return
	}
	next := "known after apply: its aliecs_instance is replaced or created"
	if !plan.InstanceID.IsUnknown() {
		next = plan.InstanceID.ValueString()
	}
	resp.Diagnostics.AddWarning(fmt.Sprintf("Snapshot group %s of instance %s is kept, not replaced", group, old),
		fmt.Sprintf("instance_id changes from %s to %s. This resource is updated in place: once that instance "+
			"exists, a new snapshot group of it is taken. Snapshot group %s of instance %s is not deleted: if this "+
			"apply releases %s (a replacement, or a count decrease), that group is the only copy of its disks. It "+
			"is no longer managed by this resource and is listed in kept_group_ids; it is billed until you delete "+
			"it (console or API), or import it into its own aliecs_snapshot to manage it.",
			old, next, group, old, old))
}

// keptGroupsNote names the groups a destroy leaves in place, "" when none.
func keptGroupsNote(state snapshotResourceModel) string {
	if state.KeptGroupIDs.IsNull() || state.KeptGroupIDs.IsUnknown() || len(state.KeptGroupIDs.Elements()) == 0 {
		return ""
	}
	var ids []string
	for _, v := range state.KeptGroupIDs.Elements() {
		if s, ok := v.(types.String); ok {
			ids = append(ids, s.ValueString())
		}
	}
	return fmt.Sprintf("Destroying this resource deletes snapshot group %s only. The groups it kept from earlier "+
		"instances (kept_group_ids: %s) are not deleted: each may be the only copy of a released machine. Delete "+
		"them in the console or with the API when you no longer need them.", state.ID.ValueString(), strings.Join(ids, ", "))
}
