package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// An instance released by an aliecs_snapshot of the same configuration stays
// in state with status "Released": the release was asked for, so the plan
// must neither create a new machine nor (through the snapshot's instance_id)
// replace the snapshot that holds its disks.

var _ resource.ResourceWithModifyPlan = (*instanceResource)(nil)

// readGone decides what a refresh does with an instance that was not found:
// keep it as Released when a snapshot released it, otherwise drop it.
func (r *instanceResource) readGone(ctx context.Context, state *instanceModel, resp *resource.ReadResponse) {
	id := state.ID.ValueString()
	// An import has no status yet: importing a released id is not supported.
	if !state.Status.IsNull() && !state.Status.IsUnknown() {
		_, released, err := releasedBySnapshot(ctx, r.data.client, id)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the instance",
				fmt.Sprintf("Instance %s was not found, and checking whether an aliecs_snapshot released it "+
					"failed: %v", id, err))
			return
		}
		if released {
			// No warning: it would repeat on every plan, and status says it.
			state.Status = types.StringValue(statusReleased)
			resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
			return
		}
	}
	resp.Diagnostics.AddWarning("Instance no longer exists",
		fmt.Sprintf("Instance %s was not found: it was released outside Terraform or by its auto-release "+
			"schedule. It is removed from the state; the next apply creates a new instance.", id))
	resp.State.RemoveResource(ctx)
}

// ModifyPlan keeps a Released instance as it is: a configured status does
// not diff against "Released", computed values stay known, and an in-place
// change is refused, since there is no machine left to change. A change that
// replaces the instance plans a new one as usual.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	resp.Diagnostics.Append(finalSnapshotPlanDiagnostics(ctx, req)...) // final_snapshot's disk categories (instance_final_snapshot_plan.go)
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var state, plan instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.Status.ValueString() != statusReleased {
		return
	}
	var config instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || releasedReplaced(config, plan, state) {
		// A new instance: the attribute plan modifiers asked for the
		// replacement, and Terraform plans it from a null prior state.
		return
	}
	if changed := releasedInPlaceChanges(plan, state); len(changed) > 0 {
		id := state.ID.ValueString()
		groupID := ""
		if r.data != nil {
			// Only to name the group in the message: a failed look-up is fine.
			groupID, _, _ = releasedBySnapshot(ctx, r.data.client, id)
		}
		for _, c := range changed {
			resp.Diagnostics.AddAttributeError(path.Root(c), "The instance was released by a snapshot",
				releasedChangeDetail(id, groupID, c))
		}
		return
	}
	// Everything the service reported stays as it was; only the settings
	// that live in Terraform alone (timeouts, force_delete, stopped_mode,
	// final_snapshot) follow the configuration.
	next := state
	next.Timeouts = plan.Timeouts
	next.ForceDelete = plan.ForceDelete
	next.StoppedMode = plan.StoppedMode
	next.FinalSnapshot = plan.FinalSnapshot
	next.PasswordWO = plan.PasswordWO
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
}

// releasedReplaced reports whether an argument that replaces the instance
// changes. (resp.RequiresReplace of ModifyPlan does not carry what the
// attribute plan modifiers decided, so the rule is written out here.)
func releasedReplaced(config, plan, state instanceModel) bool {
	for _, p := range [][3]attr.Value{
		{config.ImageID, plan.ImageID, state.ImageID},
		{config.InstanceType, plan.InstanceType, state.InstanceType},
		{config.VSwitchID, plan.VSwitchID, state.VSwitchID},
		{config.SecurityGroupIDs, plan.SecurityGroupIDs, state.SecurityGroupIDs},
		{config.ZoneID, plan.ZoneID, state.ZoneID},
		{config.SystemDisk, plan.SystemDisk, state.SystemDisk},
		{config.DataDisks, plan.DataDisks, state.DataDisks},
		{config.InternetMaxBandwidthOut, plan.InternetMaxBandwidthOut, state.InternetMaxBandwidthOut},
		{config.KeyPairName, plan.KeyPairName, state.KeyPairName},
		{config.UserData, plan.UserData, state.UserData},
	} {
		cfg, planned, prior := p[0], p[1], p[2]
		if planned.IsUnknown() {
			// Unknown because a configured value is not known yet, or only
			// because a computed value left out of the configuration is
			// "known after apply" once anything differs: not a change.
			if !cfg.IsNull() {
				return true
			}
			continue
		}
		if !planned.Equal(prior) {
			return true
		}
	}
	return false
}

// releasedInPlaceChanges lists the in-place attributes whose planned value
// differs from the state (unknown counts as a change).
func releasedInPlaceChanges(plan, state instanceModel) []string {
	pairs := []struct {
		name        string
		plan, state attr.Value
	}{
		{"instance_name", plan.InstanceName, state.InstanceName},
		{"description", plan.Description, state.Description},
		{"host_name", plan.HostName, state.HostName},
		{"tags", plan.Tags, state.Tags},
		{"deletion_protection", plan.DeletionProtection, state.DeletionProtection},
		{"password_wo_version", plan.PasswordWOVersion, state.PasswordWOVersion},
	}
	var changed []string
	for _, p := range pairs {
		if p.plan.IsUnknown() || !p.plan.Equal(p.state) {
			changed = append(changed, p.name)
		}
	}
	return changed
}

func releasedChangeDetail(id, groupID, attribute string) string {
	by := "an aliecs_snapshot with release_instance_after_snapshot = true"
	if groupID != "" {
		by = fmt.Sprintf("an aliecs_snapshot (snapshot group %s) with release_instance_after_snapshot = true", groupID)
	}
	return fmt.Sprintf("Instance %s was released by %s, so %s cannot be changed in place: there is no machine "+
		"left to change. Revert the change. Then either remove the aliecs_instance block from the configuration "+
		"(nothing is released: the machine is gone), or create a new machine with terraform apply "+
		"-replace=<address of this aliecs_instance>. If an aliecs_snapshot takes its instance_id from this "+
		"aliecs_instance, first write the released id there as a literal (instance_id = %q), so that the "+
		"snapshot holding the released machine's disks is kept.", id, by, attribute, id)
}

// releasedNoop reports whether the instance in state was released by a
// snapshot, in which case there is nothing to read, change or release.
func releasedNoop(state instanceModel) bool {
	return state.Status.ValueString() == statusReleased
}
