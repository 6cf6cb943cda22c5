package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// restoreTimeout bounds the work that puts an instance back as it was after a
// failed step, which runs even when the create timeout has run out.
const restoreTimeout = 10 * time.Minute

func (r *snapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, snapshotDefaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	client := r.data.client
	instanceID := plan.InstanceID.ValueString()
	var diskIDs []string
	if !plan.DiskIDs.IsNull() {
		resp.Diagnostics.Append(plan.DiskIDs.ElementsAs(ctx, &diskIDs, false)...)
	}
	var tags map[string]string
	if !plan.Tags.IsNull() {
		resp.Diagnostics.Append(plan.Tags.ElementsAs(ctx, &tags, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// restore puts the instance back in the state this resource found it in.
	inst, err := client.GetInstance(ctx, instanceID)
	if err != nil {
		summary, detail := snapshotCreateError(err, instanceID, diskIDs)
		resp.Diagnostics.AddAttributeError(pathInstanceID, summary, detail)
		return
	}
	// Before any stop or snapshot: an instance that cannot be released is
	// left exactly as it is.
	if plan.ReleaseInstanceAfterSnapshot.ValueBool() && inst.DeletionProtection {
		resp.Diagnostics.AddAttributeError(pathRelease, "Instance is protected from deletion",
			releaseProtectedDetail(instanceID))
		return
	}
	wasRunning := inst.Status == ecsapi.StatusRunning || inst.Status == ecsapi.StatusStarting ||
		inst.Status == ecsapi.StatusPending
	restore := func(diags *diag.Diagnostics) {
		r.restoreRunning(ctx, instanceID, wasRunning, diags)
	}

	if plan.StopBeforeSnapshot.ValueBool() {
		if err := stopInstance(ctx, client, inst, ecsapi.StopInput{}); err != nil {
			resp.Diagnostics.AddError("Could not stop the instance before the snapshot",
				fmt.Sprintf("stop_before_snapshot is set, but stopping instance %s failed, so no snapshot was "+
					"taken: %s", instanceID, err))
			restore(&resp.Diagnostics)
			return
		}
	}

	if plan.ReleaseInstanceAfterSnapshot.ValueBool() {
		// Marks the intent, so that aliecs_instance and
		// aliecs_auto_release_schedule keep the released instance in state.
		withMarker := make(map[string]string, len(tags)+1)
		for k, v := range tags {
			withMarker[k] = v
		}
		withMarker[releaseAfterSnapshotTag] = "true"
		tags = withMarker
	}
	groupID, err := client.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{
		ClientToken: newClientToken(),
		InstanceID:  instanceID,
		DiskIDs:     diskIDs,
		Name:        plan.Name.ValueString(),
		Description: plan.Description.ValueString(),
		Tags:        tags,
	})
	if err != nil {
		summary, detail := snapshotCreateError(err, instanceID, diskIDs)
		resp.Diagnostics.AddError(summary, detail+notReleasedNote(plan))
		restore(&resp.Diagnostics)
		return
	}

	group, err := client.WaitSnapshotGroupDone(ctx, groupID)
	if err != nil {
		r.createWaitFailed(ctx, &plan, groupID, err, resp)
		restore(&resp.Diagnostics)
		return
	}

	if !plan.RetentionDays.IsNull() {
		days := int(plan.RetentionDays.ValueInt64())
		for _, s := range group.Snapshots {
			if err := client.ModifySnapshotAttribute(ctx, s.ID, ecsapi.ModifySnapshotInput{RetentionDays: &days}); err != nil {
				r.saveCreated(ctx, &plan, group, false, &resp.Diagnostics, &resp.State)
				resp.Diagnostics.AddAttributeError(pathRetentionDays, "Could not set the snapshots' retention",
					fmt.Sprintf("Snapshot group %s was saved, but setting retention_days = %d on snapshot %s "+
						"failed: %s%s", groupID, days, s.ID, err, notReleasedNote(plan)))
				restore(&resp.Diagnostics)
				return
			}
		}
	}
	if g, err := client.GetSnapshotGroup(ctx, groupID); err == nil {
		group = g
	}

	if !plan.ReleaseInstanceAfterSnapshot.ValueBool() {
		r.saveCreated(ctx, &plan, group, false, &resp.Diagnostics, &resp.State)
		if plan.StopBeforeSnapshot.ValueBool() && wasRunning {
			var diags diag.Diagnostics
			restore(&diags)
			for _, e := range diags.Errors() {
				// The snapshot is fine: a warning, so it is not tainted.
				resp.Diagnostics.AddWarning(e.Summary(), e.Detail())
			}
		}
		return
	}

	// The snapshot is accomplished: only now may the instance go.
	if err := releaseInstance(ctx, client, instanceID, false); err != nil {
		r.saveCreated(ctx, &plan, group, false, &resp.Diagnostics, &resp.State)
		if errors.Is(err, errDeletionProtected) {
			resp.Diagnostics.AddAttributeError(pathRelease, "Snapshot saved, instance not released",
				fmt.Sprintf("Snapshot group %s is accomplished and kept. %s\n\n%s", groupID,
					deletionProtectedDetail(instanceID), releaseRetryNote))
		} else {
			resp.Diagnostics.AddAttributeError(pathRelease, "Snapshot saved, instance not released",
				fmt.Sprintf("Snapshot group %s is accomplished and kept, but releasing instance %s failed; "+
					"the instance still exists. %s\n\n%s", groupID, instanceID, err, releaseRetryNote))
		}
		restore(&resp.Diagnostics)
		return
	}
	r.saveCreated(ctx, &plan, group, true, &resp.Diagnostics, &resp.State)
}

// releaseProtectedDetail explains why release_instance_after_snapshot was
// refused up front on a deletion-protected instance.
func releaseProtectedDetail(id string) string {
	return fmt.Sprintf("release_instance_after_snapshot = true, but instance %s has deletion protection on, so it "+
		"cannot be released after the snapshot. Nothing was done: the instance was neither stopped nor snapshotted. "+
		"To release it, turn its deletion protection off (deletion_protection = false on its aliecs_instance, or "+
		"in the console) and apply again; to keep it, set release_instance_after_snapshot = false, and the "+
		"snapshot is taken without releasing anything.", id)
}

// releaseRetryNote says what happens next after a failed release step.
const releaseRetryNote = "Terraform marks the snapshot as tainted, so the next apply takes a fresh snapshot and " +
	"then releases the instance. To keep the instance instead, set release_instance_after_snapshot = false; " +
	"to keep this snapshot, run terraform untaint on it."

// notReleasedNote reassures, on a failed snapshot, that nothing was released.
func notReleasedNote(plan snapshotResourceModel) string {
	if plan.ReleaseInstanceAfterSnapshot.ValueBool() {
		return "\n\nThe instance was not released: it is released only after a complete snapshot."
	}
	return ""
}

// createWaitFailed handles a snapshot group that failed or did not finish in
// time. A failed group is deleted so it does not leak; if that is not
// possible, or the group is still in progress, it is saved in state (tainted)
// so that the next apply or destroy deletes it.
func (r *snapshotResource) createWaitFailed(ctx context.Context, plan *snapshotResourceModel, groupID string, err error, resp *resource.CreateResponse) {
	client := r.data.client
	var failed *ecsapi.SnapshotFailedError
	if errors.As(err, &failed) {
		cleanup := "It was deleted."
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
		defer cancel()
		if derr := deleteSnapshotGroup(dctx, client, groupID); derr != nil {
			cleanup = fmt.Sprintf("Deleting it failed (%s), so it is kept in state as tainted: the next apply or "+
				"destroy deletes it.", derr)
			r.saveFailed(ctx, plan, groupID, &resp.Diagnostics, &resp.State)
		}
		resp.Diagnostics.AddError("The snapshot failed",
			fmt.Sprintf("Snapshot group %s of instance %s ended in status failed: %s. %s%s",
				groupID, plan.InstanceID.ValueString(), err, cleanup, notReleasedNote(*plan)))
		return
	}
	r.saveFailed(ctx, plan, groupID, &resp.Diagnostics, &resp.State)
	resp.Diagnostics.AddError("The snapshot did not finish",
		fmt.Sprintf("Waiting for snapshot group %s of instance %s to be accomplished failed: %s. It is kept in "+
			"state as tainted, so the next apply deletes it and takes a new one (raise timeouts.create if the "+
			"disks are large).%s", groupID, plan.InstanceID.ValueString(), err, notReleasedNote(*plan)))
}

// saveCreated writes the new snapshot group into state.
func (r *snapshotResource) saveCreated(ctx context.Context, plan *snapshotResourceModel, g *ecsapi.SnapshotGroup, released bool, diags *diag.Diagnostics, state *tfsdk.State) {
	m := *plan
	diags.Append(applySnapshotGroup(ctx, &m, g)...)
	m.InstanceReleased = types.BoolValue(released)
	diags.Append(state.Set(ctx, &m)...)
}

// saveFailed writes a group that is not accomplished into state, with the
// computed values it has, so it is tracked (and deleted) rather than leaked.
func (r *snapshotResource) saveFailed(ctx context.Context, plan *snapshotResourceModel, groupID string, diags *diag.Diagnostics, state *tfsdk.State) {
	m := *plan
	m.ID = types.StringValue(groupID)
	if g, err := r.data.client.GetSnapshotGroup(context.WithoutCancel(ctx), groupID); err == nil {
		diags.Append(applySnapshotGroup(ctx, &m, g)...)
	} else {
		m.Status = types.StringValue(ecsapi.SnapshotFailed)
		m.Progress = types.Int64Value(0)
		m.CreationTime = types.StringValue("")
		m.Snapshots = types.ListValueMust(snapshotObjectType, nil)
		m.Name = types.StringValue(plan.Name.ValueString())
		m.Description = types.StringValue(plan.Description.ValueString())
	}
	m.InstanceReleased = types.BoolValue(false)
	diags.Append(state.Set(ctx, &m)...)
}

// restoreRunning starts the instance again if it was running when this
// resource found it and is not now. It has its own deadline, so it runs even
// after the create timeout has run out.
func (r *snapshotResource) restoreRunning(ctx context.Context, instanceID string, wasRunning bool, diags *diag.Diagnostics) {
	if !wasRunning {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	inst, err := r.data.client.GetInstance(rctx, instanceID)
	if ecsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		if inst.Status == ecsapi.StatusRunning {
			return
		}
		err = startInstance(rctx, r.data.client, inst)
	}
	if err != nil {
		diags.AddError("Could not start the instance again",
			fmt.Sprintf("Instance %s was running before the snapshot and was stopped for it; starting it again "+
				"failed: %s. Start it yourself (or set status = \"Running\" on its aliecs_instance and apply).",
				instanceID, err))
	}
}

func (r *snapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	g, err := r.data.client.GetSnapshotGroup(ctx, state.ID.ValueString())
	if ecsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Snapshot removed from state",
			fmt.Sprintf("Snapshot group %s no longer exists (deleted outside Terraform, or by its retention "+
				"period), so it was removed from state. The next apply takes a new snapshot if the instance "+
				"still exists.", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Could not read the snapshot",
			fmt.Sprintf("Reading snapshot group %s failed: %s", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(applySnapshotGroup(ctx, &state, g)...)
	if state.StopBeforeSnapshot.IsNull() {
		state.StopBeforeSnapshot = types.BoolValue(false)
	}
	if state.ReleaseInstanceAfterSnapshot.IsNull() {
		state.ReleaseInstanceAfterSnapshot = types.BoolValue(false)
	}
	if state.InstanceReleased.IsNull() {
		state.InstanceReleased = types.BoolValue(false)
	}
	if state.KeepOnDestroy.IsNull() {
		state.KeepOnDestroy = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *snapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state snapshotResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, snapshotDefaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if summary, detail := retentionShrink(state.RetentionDays, plan.RetentionDays); summary != "" {
		resp.Diagnostics.AddAttributeError(pathRetentionDays, summary, detail+" Nothing was changed.")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := r.data.client

	var name, description *string
	if !plan.Name.IsUnknown() && !plan.Name.Equal(state.Name) {
		v := plan.Name.ValueString()
		name = &v
	}
	if !plan.Description.IsUnknown() && !plan.Description.Equal(state.Description) {
		v := plan.Description.ValueString()
		description = &v
	}
	if name != nil || description != nil {
		if err := client.ModifySnapshotGroup(ctx, id, name, description); err != nil {
			resp.Diagnostics.AddError("Could not update the snapshot",
				fmt.Sprintf("Changing the name or description of snapshot group %s failed: %s", id, err))
			return
		}
	}

	if !plan.Tags.Equal(state.Tags) {
		want, d := tagsFromMap(ctx, plan.Tags)
		resp.Diagnostics.Append(d...)
		have, d := tagsFromMap(ctx, state.Tags)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		set, remove := tagChanges(have, want)
		if err := client.UpdateSnapshotGroupTags(ctx, id, set, remove); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Could not change the snapshot's tags",
				fmt.Sprintf("Changing the tags of snapshot group %s failed: %s", id, err))
			return
		}
	}

	g, err := client.GetSnapshotGroup(ctx, id)
	if err != nil {
		resp.Diagnostics.AddError("Could not read the snapshot", fmt.Sprintf("Reading snapshot group %s failed: %s", id, err))
		return
	}
	if !plan.RetentionDays.IsNull() && !plan.RetentionDays.Equal(state.RetentionDays) {
		days := int(plan.RetentionDays.ValueInt64())
		for _, s := range g.Snapshots {
			if err := client.ModifySnapshotAttribute(ctx, s.ID, ecsapi.ModifySnapshotInput{RetentionDays: &days}); err != nil {
				resp.Diagnostics.AddAttributeError(pathRetentionDays, "Could not change the snapshots' retention",
					fmt.Sprintf("Setting retention_days = %d on snapshot %s of group %s failed: %s", days, s.ID, id, err))
				return
			}
		}
		if g, err = client.GetSnapshotGroup(ctx, id); err != nil {
			resp.Diagnostics.AddError("Could not read the snapshot", fmt.Sprintf("Reading snapshot group %s failed: %s", id, err))
			return
		}
	}

	// disk_ids, stop_before_snapshot and release_instance_after_snapshot only
	// act at creation; their new values are recorded as planned.
	m := plan
	m.InstanceReleased = state.InstanceReleased
	resp.Diagnostics.Append(applySnapshotGroup(ctx, &m, g)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *snapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, snapshotDefaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.KeepOnDestroy.ValueBool() {
		resp.Diagnostics.AddWarning("Snapshot kept",
			fmt.Sprintf("keep_on_destroy is true, so snapshot group %s was removed from the state and kept: it is "+
				"billed until you delete it (the console, the API, or an import into a configuration).",
				state.ID.ValueString()))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := deleteSnapshotGroup(ctx, r.data.client, state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Could not delete the snapshot",
			fmt.Sprintf("Deleting snapshot group %s failed: %s", state.ID.ValueString(), err))
	}
}

// deleteSnapshotGroup deletes a group and its snapshots and waits until it is
// gone; a group already gone counts as deleted.
func deleteSnapshotGroup(ctx context.Context, client *ecsapi.Client, id string) error {
	if err := client.DeleteSnapshotGroup(ctx, id); err != nil && !ecsapi.IsNotFound(err) {
		return err
	}
	return client.WaitSnapshotGroupGone(ctx, id)
}

// configured reports an error when the provider was not configured.
func (r *snapshotResource) configured(diags *diag.Diagnostics) bool {
	return requireConfigured(r.data, "aliecs_snapshot", diags)
}
