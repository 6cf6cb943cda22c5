package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
			var planInstance types.String
			resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("instance_id"), &planInstance)...)
			// A new instance_id is a retake, or is kept: neither replaces.
			resp.RequiresReplace = diskIDsForceReplacement(req.PlanValue, snapshots) &&
				!instanceIDChanges(planInstance, state.InstanceID) && !r.instanceGone(ctx, state, &resp.Diagnostics)
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

// releaseForcesReplacement: turning the release on for a snapshot whose
// instance it has not released needs a fresh copy of the disks (a retake,
// or, once the instance is gone, nothing: the copy is kept as it is).
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

func (retentionDaysExtendOnly) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	var planInstance, stateInstance types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("instance_id"), &planInstance)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("instance_id"), &stateInstance)...)
	if instanceIDChanges(planInstance, stateInstance) {
		return // a new group may take any retention (snapshot_retake.go)
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
