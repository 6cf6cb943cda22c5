package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

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
// disks it holds (after an import, say) is not a change either.
func diskIDsReplaceModifier() planmodifier.Set {
	return setplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
			var snapshots []snapshotModel
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("snapshots"), &snapshots)...)
			resp.RequiresReplace = diskIDsForceReplacement(req.PlanValue, snapshots)
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

// retentionDaysExtendOnly refuses, at plan time, a retention that the service
// would refuse at apply time: it can only be extended.
type retentionDaysExtendOnly struct{}

var _ planmodifier.Int64 = retentionDaysExtendOnly{}

func (retentionDaysExtendOnly) Description(context.Context) string {
	return "retention_days can only be extended once set."
}

func (m retentionDaysExtendOnly) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (retentionDaysExtendOnly) PlanModifyInt64(_ context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.StateValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	old := req.StateValue.ValueInt64()
	switch {
	case req.PlanValue.IsNull():
		resp.Diagnostics.AddAttributeError(req.Path, "retention_days cannot be removed",
			fmt.Sprintf("The snapshots are kept for %d days. The service can only extend a snapshot's retention, "+
				"so it cannot be removed (kept forever) in place. Set a value of at least %d, or replace the "+
				"snapshot (terraform apply -replace=<address>), which deletes this snapshot and takes a new one.", old, old))
	case req.PlanValue.ValueInt64() < old:
		resp.Diagnostics.AddAttributeError(req.Path, "retention_days can only be extended",
			fmt.Sprintf("retention_days is %d; the configuration asks for %d. The service can only extend a "+
				"snapshot's retention. Set a value of at least %d, or replace the snapshot "+
				"(terraform apply -replace=<address>), which deletes this snapshot and takes a new one.",
				old, req.PlanValue.ValueInt64(), old))
	}
}

// ModifyPlan refuses a replacement that could only lose data: deleting the
// saved copy of an instance this resource released, or of an instance that
// no longer exists, since the new snapshot could not be taken.
func (r *snapshotResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if req.State.Raw.IsNull() {
		return // create
	}
	var state, plan snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	reasons := snapshotReplaceReasons(ctx, state, plan)
	if len(reasons) == 0 {
		return
	}
	id := state.ID.ValueString()
	instanceID := state.InstanceID.ValueString()
	why := strings.Join(reasons, ", ")
	if state.InstanceReleased.ValueBool() {
		resp.Diagnostics.AddError("Refusing to replace the snapshot of a released instance",
			fmt.Sprintf("Snapshot group %s is the saved copy of instance %s, which this resource released after the "+
				"snapshot. The plan would replace it (%s): Terraform would delete it first, and the new snapshot "+
				"could not be taken from the released instance. Revert the change. If the instance_id comes from an "+
				"aliecs_instance in the same configuration that is being replaced, write the released id there as a "+
				"literal first (instance_id = %q); see the aliecs_snapshot documentation. To delete the snapshot on "+
				"purpose, remove the resource from the configuration.", id, instanceID, why, instanceID))
		return
	}
	// Replacing the snapshot of the same instance: check that it still exists.
	if plan.InstanceID.IsUnknown() || plan.InstanceID.ValueString() != instanceID || r.data == nil {
		return
	}
	_, err := r.data.client.GetInstance(ctx, instanceID)
	switch {
	case ecsapi.IsNotFound(err):
		resp.Diagnostics.AddError("Refusing to replace the snapshot of an instance that no longer exists",
			fmt.Sprintf("The plan would replace snapshot group %s (%s), but instance %s no longer exists: "+
				"Terraform would delete the snapshot and then fail to take a new one. Revert the change, or remove "+
				"the resource from the configuration to delete the snapshot on purpose.", id, why, instanceID))
	case err != nil:
		resp.Diagnostics.AddWarning("Could not check the instance before replacing its snapshot",
			fmt.Sprintf("The plan replaces snapshot group %s (%s). Looking up instance %s failed: %s",
				id, why, instanceID, err))
	}
}

// snapshotReplaceReasons lists the attributes whose change replaces the
// snapshot, by the same rules as their plan modifiers.
func snapshotReplaceReasons(ctx context.Context, state, plan snapshotResourceModel) []string {
	var reasons []string
	if plan.InstanceID.IsUnknown() || !plan.InstanceID.Equal(state.InstanceID) {
		reasons = append(reasons, "instance_id changes")
	}
	if !plan.Tags.Equal(state.Tags) {
		reasons = append(reasons, "tags change")
	}
	var snapshots []snapshotModel
	if !state.Snapshots.IsNull() && !state.Snapshots.IsUnknown() {
		_ = state.Snapshots.ElementsAs(ctx, &snapshots, false)
	}
	if diskIDsForceReplacement(plan.DiskIDs, snapshots) {
		reasons = append(reasons, "disk_ids change")
	}
	if releaseForcesReplacement(plan.ReleaseInstanceAfterSnapshot, state.InstanceReleased) &&
		!state.ReleaseInstanceAfterSnapshot.ValueBool() {
		reasons = append(reasons, "release_instance_after_snapshot is turned on")
	}
	sort.Strings(reasons)
	return reasons
}
