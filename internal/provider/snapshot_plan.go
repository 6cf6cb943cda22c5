package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// diskIDsReplaceModifier forces a new snapshot only when the configured disks
// differ from the disks the snapshot group holds. Unset means "every disk at
// creation time", which an existing group already satisfies; writing down the
// disks it holds (after an import, say) is not a change either. Once the
// instance is gone the group is the only copy of it: the change is then
// recorded in the state only (ModifyPlan warns).
func (r *snapshotResource) diskIDsReplaceModifier() planmodifier.Set {
	return setplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
			var state snapshotResourceModel
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			var snapshots []snapshotModel
			if !state.Snapshots.IsNull() && !state.Snapshots.IsUnknown() {
				resp.Diagnostics.Append(state.Snapshots.ElementsAs(ctx, &snapshots, false)...)
			}
			resp.RequiresReplace = diskIDsForceReplacement(req.PlanValue, snapshots) &&
				!r.instanceGone(ctx, state, &resp.Diagnostics)
		},
		"Forces a new snapshot when the set of disks differs from the disks the snapshot group holds.",
		"Forces a new snapshot when the set of disks differs from the disks the snapshot group holds.",
	)
}

// diskIDsForceReplacement is the rule of diskIDsReplaceModifier.
func diskIDsForceReplacement(plan types.Set, snapshots []snapshotModel) bool {
	if plan.IsNull() {
		return false
	}
	if plan.IsUnknown() {
		return true
	}
	want := map[string]bool{}
	for _, v := range plan.Elements() {
		if s, ok := v.(types.String); ok {
			want[s.ValueString()] = true
		}
	}
	have := map[string]bool{}
	for _, s := range snapshots {
		have[s.DiskID.ValueString()] = true
	}
	if len(want) != len(have) {
		return true
	}
	for id := range want {
		if !have[id] {
			return true
		}
	}
	return false
}

// releaseAfterSnapshotReplaceModifier forces a new snapshot when the release is
// turned on and this resource has not released the instance: the machine must
// be released right after a fresh copy of its disks, never after an old one.
// Turning it off is a no-op: there is nothing to undo.
func releaseAfterSnapshotReplaceModifier() planmodifier.Bool {
	return boolplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
			var released types.Bool
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("instance_released"), &released)...)
			resp.RequiresReplace = releaseForcesReplacement(req.PlanValue, released)
		},
		"Turning it on for a snapshot whose instance was not released forces a new snapshot.",
		"Turning it on for a snapshot whose instance was not released forces a new snapshot.",
	)
}

func releaseForcesReplacement(plan, released types.Bool) bool {
	return plan.ValueBool() && !released.ValueBool()
}

// retentionDaysExtendOnly warns, at plan time, about a retention the
// service would refuse (it can only be extended); Update refuses it before
// any call. Not an error: a plan error would also block terraform destroy.
type retentionDaysExtendOnly struct{}

var _ planmodifier.Int64 = retentionDaysExtendOnly{}

func (retentionDaysExtendOnly) Description(context.Context) string {
	return "retention_days can only be extended once set."
}

func (m retentionDaysExtendOnly) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (retentionDaysExtendOnly) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if summary, detail := retentionShrink(req.StateValue, req.PlanValue); summary != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, summary, detail+" The apply refuses this change before any call.")
	}
}

// retentionShrink explains a retention change the service refuses: lowering
// it, or removing it (keeping the snapshots forever). "" when allowed.
func retentionShrink(state, plan types.Int64) (summary, detail string) {
	if state.IsNull() || plan.IsUnknown() {
		return "", ""
	}
	old := state.ValueInt64()
	way := fmt.Sprintf("Set retention_days back to %d or more, or replace the snapshot (terraform apply "+
		"-replace=ADDRESS), which deletes this snapshot and takes a new one.", old)
	switch {
	case plan.IsNull():
		return "retention_days cannot be removed", fmt.Sprintf("The snapshots are kept for %d days. The service "+
			"can only extend a snapshot's retention, so it cannot be removed (kept forever) in place. %s", old, way)
	case plan.ValueInt64() < old:
		return "retention_days can only be extended", fmt.Sprintf("retention_days is %d; the configuration asks "+
			"for %d. The service can only extend a snapshot's retention. %s", old, plan.ValueInt64(), way)
	}
	return "", ""
}

// snapshotReplacingAttributes are the arguments whose change can replace
// the snapshot (their schema has RequiresReplace or RequiresReplaceIf);
// TestSnapshotReplaceRules checks this list against the schema.
var snapshotReplacingAttributes = []string{"disk_ids", "instance_id", "release_instance_after_snapshot"}

// ModifyPlan keeps the only copy of a released machine: when the snapshot's
// instance no longer exists, no change replaces the snapshot (the replacing
// arguments keep their state values, with a warning), and a plan that
// deletes it says so.
func (r *snapshotResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return // create
	}
	var state snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, instanceID := state.ID.ValueString(), state.InstanceID.ValueString()
	if req.Plan.Raw.IsNull() {
		if !state.KeepOnDestroy.ValueBool() && r.instanceGone(ctx, state, &resp.Diagnostics) {
			resp.Diagnostics.AddWarning("Deleting the only copy of a released machine",
				fmt.Sprintf("Snapshot group %s holds the disks of instance %s, which no longer exists: this plan "+
					"deletes the only copy of that machine. To keep it, set keep_on_destroy = true and apply before "+
					"destroying, or remove the resource from the state (terraform state rm).", id, instanceID))
		}
		return
	}
	var plan snapshotResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	changed := snapshotReplaceReasons(ctx, state, plan)
	if len(changed) == 0 || !r.instanceGone(ctx, state, &resp.Diagnostics) {
		return
	}
	// Terraform replaces only for values that change: the state values keep
	// the group.
	for _, name := range changed {
		switch name {
		case "instance_id":
			plan.InstanceID = state.InstanceID
		case "disk_ids":
			// Kept as planned: its modifier did not replace, Update records it.
		case "release_instance_after_snapshot":
			plan.ReleaseInstanceAfterSnapshot = state.ReleaseInstanceAfterSnapshot
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	resp.Diagnostics.AddWarning("Snapshot of a released machine kept",
		fmt.Sprintf("Snapshot group %s is the only copy of instance %s, which no longer exists, so the change to %s "+
			"does not replace it (that would delete the copy): instance_id stays %q, and other changes are "+
			"recorded in the state only. To snapshot another machine, declare another aliecs_snapshot; to delete "+
			"this copy, remove this resource from the configuration.", id, instanceID, strings.Join(changed, ", "), instanceID))
}

// instanceGone reports whether the snapshot's instance no longer exists:
// this resource released it, or the service no longer has it. Asked only
// when a plan would replace or delete the snapshot. A failed look-up is
// taken as "still there", with a warning.
func (r *snapshotResource) instanceGone(ctx context.Context, state snapshotResourceModel, diags *diag.Diagnostics) bool {
	if state.InstanceReleased.ValueBool() {
		return true
	}
	if r.data == nil {
		return false
	}
	instanceID := state.InstanceID.ValueString()
	_, err := r.data.client.GetInstance(ctx, instanceID)
	if err != nil && !ecsapi.IsNotFound(err) {
		diags.AddWarning("Could not check the snapshot's instance",
			fmt.Sprintf("Looking up instance %s of snapshot group %s failed: %s. The plan assumes it still exists.",
				instanceID, state.ID.ValueString(), err))
	}
	return ecsapi.IsNotFound(err)
}

// snapshotReplaceReasons lists the attributes of snapshotReplacingAttributes
// whose planned change replaces the snapshot, by their modifiers' rules.
func snapshotReplaceReasons(ctx context.Context, state, plan snapshotResourceModel) []string {
	var reasons []string
	if plan.InstanceID.IsUnknown() || !plan.InstanceID.Equal(state.InstanceID) {
		reasons = append(reasons, "instance_id")
	}
	var snapshots []snapshotModel
	if !state.Snapshots.IsNull() && !state.Snapshots.IsUnknown() {
		_ = state.Snapshots.ElementsAs(ctx, &snapshots, false)
	}
	if diskIDsForceReplacement(plan.DiskIDs, snapshots) {
		reasons = append(reasons, "disk_ids")
	}
	if releaseForcesReplacement(plan.ReleaseInstanceAfterSnapshot, state.InstanceReleased) &&
		!state.ReleaseInstanceAfterSnapshot.ValueBool() {
		reasons = append(reasons, "release_instance_after_snapshot")
	}
	return reasons
}
