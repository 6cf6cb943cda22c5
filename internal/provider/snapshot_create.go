package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// restoreTimeout bounds the work that puts an instance back as it was after a
// failed step, which runs even when the create timeout has run out.
const restoreTimeout = 10 * time.Minute

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
func (r *snapshotResource) createWaitFailed(ctx context.Context, plan *snapshotResourceModel, groupID string, err error, diags *diag.Diagnostics, state *tfsdk.State) {
	client := r.data.client
	var failed *ecsapi.SnapshotFailedError
	if errors.As(err, &failed) {
		cleanup := "It was deleted; run terraform apply again to take a new snapshot."
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
		defer cancel()
		if _, derr := deleteSnapshotGroup(dctx, client, groupID); derr != nil {
			cleanup = fmt.Sprintf("Deleting it failed (%s), so it is kept in state as tainted: the next apply or "+
				"destroy deletes it.", derr)
			r.saveFailed(ctx, plan, groupID, diags, state)
		}
		diags.AddError("The snapshot failed",
			fmt.Sprintf("Snapshot group %s of instance %s ended in status failed: %s. %s%s",
				groupID, plan.InstanceID.ValueString(), err, cleanup, notReleasedNote(*plan)))
		return
	}
	r.saveFailed(ctx, plan, groupID, diags, state)
	diags.AddError("The snapshot did not finish",
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
		if m.KeptGroupIDs.IsUnknown() {
			m.KeptGroupIDs = types.ListNull(types.StringType)
		}
	}
	m.InstanceReleased = types.BoolValue(false)
	diags.Append(state.Set(ctx, &m)...)
}

// snapshotRun is what Create did to the instance, for restoreRunning.
type snapshotRun struct {
	instance *ecsapi.Instance // as Create found it
	stopped  bool             // a stop (for the snapshot, or for the release) was attempted
	saved    bool             // the snapshot is saved: a failed restart is only a warning
	released bool             // released on purpose: nothing to restore
}

// restoreRunning starts the instance again if Create stopped it (or tried
// to) and it was running when found. It has its own deadline, so it runs
// even after the create timeout has run out.
func (r *snapshotResource) restoreRunning(ctx context.Context, run *snapshotRun, diags *diag.Diagnostics) {
	st := run.instance.Status
	wasRunning := st == ecsapi.StatusRunning || st == ecsapi.StatusStarting || st == ecsapi.StatusPending
	if !run.stopped || run.released || !wasRunning {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	inst, err := r.data.client.GetInstance(rctx, run.instance.ID)
	if ecsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		if inst.Status == ecsapi.StatusRunning {
			return
		}
		err = startInstance(rctx, r.data.client, inst)
	}
	if err == nil {
		return
	}
	summary := "Cannot start the instance again"
	detail := fmt.Sprintf("Instance %s was running before the snapshot and was stopped for it; starting it again "+
		"failed: %s. Start it yourself (or set status = \"Running\" on its aliecs_instance and apply).", run.instance.ID, err)
	if run.saved {
		diags.AddWarning(summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

// groupInput is the CreateSnapshotGroup request of a plan. A group that
// will release its instance carries the provider's marker tag, so that the
// instance's tombstone can name it as the cause.
func (m snapshotResourceModel) groupInput(ctx context.Context, diags *diag.Diagnostics) ecsapi.SnapshotGroupInput {
	in := ecsapi.SnapshotGroupInput{
		ClientToken: newClientToken(),
		InstanceID:  m.InstanceID.ValueString(),
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
	}
	if !m.DiskIDs.IsNull() {
		diags.Append(m.DiskIDs.ElementsAs(ctx, &in.DiskIDs, false)...)
	}
	tags, d := tagsFromMap(ctx, m.Tags)
	diags.Append(d...)
	if m.ReleaseInstanceAfterSnapshot.ValueBool() {
		if tags == nil {
			tags = map[string]string{}
		}
		tags[releaseAfterSnapshotTag] = "true"
	}
	in.Tags = tags
	return in
}

// instanceToSnapshot reads the instance to snapshot. Before any stop or
// snapshot, an instance that is to be released but cannot be (deletion
// protection) is refused and left exactly as it is. It returns nil after
// adding an error.
func (r *snapshotResource) instanceToSnapshot(ctx context.Context, plan snapshotResourceModel, diskIDs []string, diags *diag.Diagnostics) *ecsapi.Instance {
	instanceID := plan.InstanceID.ValueString()
	inst, err := r.data.client.GetInstance(ctx, instanceID)
	if err != nil {
		summary, detail := snapshotCreateError(err, instanceID, diskIDs)
		diags.AddAttributeError(pathInstanceID, summary, detail)
		return nil
	}
	if plan.ReleaseInstanceAfterSnapshot.ValueBool() && inst.DeletionProtection {
		diags.AddAttributeError(pathRelease, "Instance is protected from deletion", releaseProtectedDetail(instanceID))
		return nil
	}
	return inst
}
