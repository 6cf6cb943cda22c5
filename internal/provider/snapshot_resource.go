package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*snapshotResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*snapshotResource)(nil)
)

const (
	snapshotDefaultCreateTimeout = 60 * time.Minute
	snapshotDefaultUpdateTimeout = 10 * time.Minute
	snapshotDefaultDeleteTimeout = 20 * time.Minute
)

// snapshotResource manages one snapshot group: a snapshot of some or all of
// an instance's disks, taken at the same moment.
type snapshotResource struct {
	data *providerData
}

// NewSnapshotResource is the aliecs_snapshot constructor.
func NewSnapshotResource() resource.Resource { return &snapshotResource{} }

type snapshotResourceModel struct {
	ID                           types.String   `tfsdk:"id"`
	InstanceID                   types.String   `tfsdk:"instance_id"`
	Name                         types.String   `tfsdk:"name"`
	Description                  types.String   `tfsdk:"description"`
	DiskIDs                      types.Set      `tfsdk:"disk_ids"`
	RetentionDays                types.Int64    `tfsdk:"retention_days"`
	Tags                         types.Map      `tfsdk:"tags"`
	StopBeforeSnapshot           types.Bool     `tfsdk:"stop_before_snapshot"`
	ReleaseInstanceAfterSnapshot types.Bool     `tfsdk:"release_instance_after_snapshot"`
	Status                       types.String   `tfsdk:"status"`
	Progress                     types.Int64    `tfsdk:"progress"`
	Snapshots                    types.List     `tfsdk:"snapshots"`
	CreationTime                 types.String   `tfsdk:"creation_time"`
	InstanceReleased             types.Bool     `tfsdk:"instance_released"`
	KeepOnDestroy                types.Bool     `tfsdk:"keep_on_destroy"`
	KeptGroupIDs                 types.List     `tfsdk:"kept_group_ids"`
	Timeouts                     timeouts.Value `tfsdk:"timeouts"`
}

func (r *snapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot"
}

func (r *snapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot of an ECS instance's disks, taken together as one snapshot group " +
			"(`CreateSnapshotGroup`) when every disk is ESSD-family (`cloud_essd`, `cloud_auto`, `cloud_essd_entry`), " +
			"and otherwise (`cloud_efficiency`, `cloud_ssd`, `cloud`) as a per-disk snapshot set: one `CreateSnapshot` " +
			"per disk, held as one snapshot with one id (`sset-…`), status, progress and tags. Creation waits until " +
			"every snapshot is `accomplished`. The instance can be stopped first for a consistent copy, and released " +
			"once, and only once, the snapshot is saved (`release_instance_after_snapshot`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The snapshot group id (`ssg-…`), or for a per-disk snapshot set, `sset-` and 20 " +
					"hex digits: an id made by the provider (ECS has no such object), which every snapshot of the set " +
					"carries in its tag `aliecs:snapshot-set` (the instance in `aliecs:snapshot-set-instance`). It " +
					"imports, restores (`source_snapshot_id`) and is listed by `aliecs_snapshots` like a group id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The instance whose disks are snapshotted. A change never deletes the " +
					"snapshot group already taken: when the instance is replaced (`instance_id` becomes `known after " +
					"apply`) or another instance is named, the resource is updated in place: after the new instance " +
					"exists, a new group of it is taken, and the old group is left as it is (it is then the only copy " +
					"of a machine the same apply may release), no longer managed, and listed in `kept_group_ids`; the " +
					"plan warns and names it. When this resource released its instance " +
					"(`release_instance_after_snapshot`), or the instance is gone and the new id names no machine, the " +
					"change keeps the old id and the snapshot, with a warning: to snapshot another machine, declare " +
					"another `aliecs_snapshot`.",
				Validators: []validator.String{instanceIDValidator},
			},
			"name": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "Name of the snapshot group: 2 to 128 characters, starting with a letter; " +
					"letters, digits, `.`, `_`, `-` and `:`; not starting with `auto`, `http://` or `https://`. Updated in place; removing it from the configuration keeps the current value.",
				Validators: snapshotNameValidators,
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "Description of the snapshot group: 2 to 256 characters, not starting with `http://` or `https://`. Updated in place; removing it from the configuration keeps the current value.",
				Validators:          descriptionValidators,
			},
			"disk_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The disks to snapshot (`d-…`), a subset of the instance's disks (at most 16). " +
					"Unset means every disk of the instance at creation time. Changing the set of disks forces a " +
					"new snapshot; writing down the disks the snapshot already holds does not.",
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 16),
					setvalidator.ValueStringsAre(diskIDValidator),
				},
				PlanModifiers: []planmodifier.Set{r.diskIDsReplaceModifier()},
			},
			"retention_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many days each snapshot is kept before the service deletes it (1 to 65536); " +
					"unset keeps them until the resource is destroyed. Set once the snapshot is accomplished. The " +
					"service only allows extending it, so a larger value is applied in place and a smaller value " +
					"(or removing it) is refused at plan time.",
				Validators:    []validator.Int64{int64validator.Between(1, 65536)},
				PlanModifiers: []planmodifier.Int64{retentionDaysExtendOnly{}},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Tags of the snapshot group: at most 20 (19 with " +
					"`release_instance_after_snapshot`); keys starting with `aliecs:` are reserved for the provider, which " +
					"tags a group that releases its instance with `aliecs:release-after-snapshot = \"true\"` (not shown " +
					"here, and never removed by a tag change). Updated in place (`TagResources` / `UntagResources`).",
				Validators: []validator.Map{snapshotTagsValidator{}},
			},
			"stop_before_snapshot": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Stop the instance before the snapshot for a consistent copy, and start it " +
					"again afterwards (unless it is being released). Default `false`, except for a per-disk snapshot " +
					"set of several disks (disks that are not ESSD-family): per-disk snapshots are not crash-consistent " +
					"across disks, so when this argument is not set the instance is stopped first; set it to `false` " +
					"to snapshot the running machine anyway. Only used when the snapshot " +
					"is created: changing it later changes nothing.",
			},
			"release_instance_after_snapshot": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Release the instance once, and only once, the snapshot is `accomplished` " +
					"(stop it, release it, wait until it is gone; the stop is graceful when a data disk outlives the " +
					"instance). A failed snapshot never releases anything. A deletion-protected instance is refused " +
					"before anything is done (no stop, no snapshot). " +
					"Default `false`. Turning it on for an existing snapshot whose instance was not released takes " +
					"a new snapshot in place (the machine is released only right after a fresh copy of its disks), " +
					"and the earlier group is kept, listed in `kept_group_ids`, never deleted on the way; turning it " +
					"off changes nothing.",
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Status of the snapshot group: `progressing`, `accomplished` or `failed`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"progress": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Progress of the snapshot group in percent (the mean over its snapshots).",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"snapshots": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The snapshots in the group, one per disk.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"snapshot_id": schema.StringAttribute{Computed: true, MarkdownDescription: "The snapshot id (`s-…`)."},
						"disk_id":     schema.StringAttribute{Computed: true, MarkdownDescription: "The disk it was taken from."},
						"disk_type":   schema.StringAttribute{Computed: true, MarkdownDescription: "`system` or `data`."},
						"size":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the source disk in GiB."},
					},
				},
			},
			"creation_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the snapshot group was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_released": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether this resource released the instance after the snapshot. Once `true`, " +
					"the snapshot is the saved copy of a machine that no longer exists, and the provider refuses " +
					"any change that would replace (delete) it.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"keep_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroying this resource only removes it from the state: the snapshot " +
					"group is kept (and billed) until deleted elsewhere. Default `false`: destroy deletes the group, " +
					"and when its instance was released the plan warns that this deletes the only copy of the machine.",
			},
			"kept_group_ids": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Snapshot groups this resource took of earlier instances and left in place when " +
					"`instance_id` changed (a replaced machine, or another one), oldest first; null when there are none. " +
					"Each may be the only copy of a released machine: this resource never deletes them, not even on " +
					"destroy. Delete one in the console or with the API when it is no longer needed, or import it into " +
					"its own `aliecs_snapshot` to manage it.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *snapshotResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot", plan.Timeouts.Create, snapshotDefaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	r.take(ctx, plan, stopUnset(ctx, req.Config), &resp.Diagnostics, &resp.State)
}

// stopUnset reports whether the configuration leaves stop_before_snapshot
// out: then a per-disk set of several disks stops the instance first.
func stopUnset(ctx context.Context, config tfsdk.Config) bool {
	var v types.Bool
	config.GetAttribute(ctx, path.Root("stop_before_snapshot"), &v)
	return v.IsNull()
}

// take runs the whole creation of a snapshot group for a plan (Create, and
// Update when instance_id changes): under the instance's lock, stop it if
// asked, create the group, wait until it is accomplished, set the retention,
// and release the instance if asked. It writes the state once a group
// exists; before that, it only adds errors.
func (r *snapshotResource) take(ctx context.Context, plan snapshotResourceModel, stopUnset bool, diags *diag.Diagnostics, state *tfsdk.State) {
	in := plan.groupInput(ctx, diags)
	if diags.HasError() {
		return
	}
	client := r.data.client
	unlock, err := r.data.lockInstance(ctx, in.InstanceID)
	if err != nil {
		diags.AddError("The snapshot did not start", err.Error()+notReleasedNote(plan))
		return
	}
	defer unlock() // after restoreRunning (deferred below)
	inst := r.instanceToSnapshot(ctx, plan, in.DiskIDs, diags)
	if inst == nil {
		return
	}

	// Once the instance may have been stopped (for the snapshot, or by a
	// release that failed), it is put back running as it was found, unless
	// it was released. After a saved snapshot a failed restart is only a
	// warning, so the snapshot is not tainted.
	run := &snapshotRun{instance: inst}
	defer r.restoreRunning(ctx, run, diags)

	setDisks, err := setDisksFor(ctx, client, inst.ID, in.DiskIDs)
	if err != nil {
		diags.AddError("The snapshot did not start", err.Error()+notReleasedNote(plan))
		return
	}
	// Per-disk snapshots are not crash-consistent across disks: a set of
	// several disks stops the instance first unless told not to.
	if plan.StopBeforeSnapshot.ValueBool() || stopUnset && len(setDisks) > 1 {
		run.stopped = true
		if err := stopInstance(ctx, client, inst, ecsapi.StopInput{}); err != nil {
			diags.AddError("Cannot stop the instance before the snapshot",
				fmt.Sprintf("stop_before_snapshot is set, but stopping instance %s failed, so no snapshot was "+
					"taken: %s", inst.ID, err))
			return
		}
	}
	// An interrupted or unanswered call may have made the group: its id is
	// learnt (same ClientToken), so it is recorded, not leaked.
	groupID, err := createSnapshots(ctx, client, in, setDisks)
	if err != nil {
		summary, detail := snapshotCreateError(err, inst.ID, in.DiskIDs)
		diags.AddError(summary, detail+notReleasedNote(plan))
		return
	}
	group, err := client.WaitSnapshotGroupDone(ctx, groupID)
	if err != nil {
		r.createWaitFailed(ctx, &plan, groupID, err, diags, state)
		return
	}
	if !plan.RetentionDays.IsNull() {
		if err := setRetention(ctx, client, group.Snapshots, int(plan.RetentionDays.ValueInt64())); err != nil {
			r.saveCreated(ctx, &plan, group, false, diags, state)
			diags.AddAttributeError(pathRetentionDays, "Cannot set the snapshots' retention",
				fmt.Sprintf("Snapshot group %s was saved, but %s%s", groupID, err, notReleasedNote(plan)))
			return
		}
	}
	if err := tagRestoreFacts(ctx, client, inst, group); err != nil {
		diags.AddWarning("Restore facts not recorded",
			fmt.Sprintf("Snapshot group %s is accomplished, but tagging it with the source instance's type, image "+
				"and disk categories failed: %s. A restore from it (source_snapshot_id) still works, with "+
				"cloud_essd disks.", groupID, err))
	}
	if g, err := client.GetSnapshotGroup(ctx, groupID); err == nil {
		group = g
	}
	if !plan.ReleaseInstanceAfterSnapshot.ValueBool() {
		run.saved = true
		r.saveCreated(ctx, &plan, group, false, diags, state)
		return
	}

	// The snapshot is accomplished: only now may the instance go.
	run.stopped = true
	tflog.Info(ctx, fmt.Sprintf("Snapshot %s accomplished; releasing %s", groupID, inst.ID),
		map[string]any{"snapshot_group_id": groupID, "instance_id": inst.ID})
	if err := releaseInstance(ctx, client, inst.ID, false); err != nil {
		r.saveCreated(ctx, &plan, group, false, diags, state)
		detail := fmt.Sprintf("Snapshot group %s is accomplished and kept, but releasing instance %s failed; "+
			"the instance still exists. %s", groupID, inst.ID, err)
		if errors.Is(err, errDeletionProtected) {
			detail = fmt.Sprintf("Snapshot group %s is accomplished and kept. %s", groupID, deletionProtectedDetail(inst.ID))
		}
		diags.AddAttributeError(pathRelease, "Snapshot saved, instance not released",
			detail+"\n\n"+releaseRetryNote)
		return
	}
	run.released = true
	r.saveCreated(ctx, &plan, group, true, diags, state)
}

func (r *snapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireConfigured(r.data, "aliecs_snapshot", &resp.Diagnostics) {
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
		resp.Diagnostics.AddError("Cannot read the snapshot",
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
	if !resp.Diagnostics.HasError() && (instanceIDChanges(plan.InstanceID, state.InstanceID) || releaseTurnedOn(state, plan)) {
		// A retake (snapshot_retake.go): a new group of the new instance
		// (or of the same one, released after it), the old group kept. The state stays as it is until a group exists.
		ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot", plan.Timeouts.Create, snapshotDefaultCreateTimeout, &resp.Diagnostics)
		defer cancel()
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		if !resp.Diagnostics.HasError() {
			plan.KeptGroupIDs = keptWith(state)
			r.take(ctx, plan, stopUnset(ctx, req.Config), &resp.Diagnostics, &resp.State)
		}
		return
	}
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot", plan.Timeouts.Update, snapshotDefaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if summary, detail := retentionShrink(state.RetentionDays, plan.RetentionDays); summary != "" {
		resp.Diagnostics.AddAttributeError(pathRetentionDays, summary, detail+" Nothing was changed.")
		return
	}
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
			resp.Diagnostics.AddError("Cannot update the snapshot",
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
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Cannot change the snapshot's tags",
				fmt.Sprintf("Changing the tags of snapshot group %s failed: %s", id, err))
			return
		}
	}

	g, err := client.GetSnapshotGroup(ctx, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the snapshot", fmt.Sprintf("Reading snapshot group %s failed: %s", id, err))
		return
	}
	if !plan.RetentionDays.IsNull() && !plan.RetentionDays.Equal(state.RetentionDays) {
		if err := setRetention(ctx, client, g.Snapshots, int(plan.RetentionDays.ValueInt64())); err != nil {
			resp.Diagnostics.AddAttributeError(pathRetentionDays, "Cannot change the snapshots' retention",
				fmt.Sprintf("Changing the retention of snapshot group %s failed: %s", id, err))
			return
		}
		if g, err = client.GetSnapshotGroup(ctx, id); err != nil {
			resp.Diagnostics.AddError("Cannot read the snapshot", fmt.Sprintf("Reading snapshot group %s failed: %s", id, err))
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
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot", state.Timeouts.Delete, snapshotDefaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
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
	kept, err := deleteSnapshotGroup(ctx, r.data.client, state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the snapshot",
			fmt.Sprintf("Deleting snapshot group %s failed: %s", state.ID.ValueString(), err))
		return
	}
	if len(kept) > 0 {
		resp.Diagnostics.AddWarning("Snapshots kept", keptSnapshotsDetail(state.ID.ValueString(), kept))
	}
}

// snapshotReplacingAttributes are the arguments whose change can replace
// the snapshot (their schema has RequiresReplace or RequiresReplaceIf);
// TestSnapshotReplaceRules checks this list against the schema.
// instance_id is not one: its change is made in place (snapshot_retake.go).
// Nor is release_instance_after_snapshot: turning it on is a retake of the
// same instance.
var snapshotReplacingAttributes = []string{"disk_ids"}

// ModifyPlan keeps the only copy of a released machine: when the snapshot's
// instance no longer exists, no change replaces the snapshot (the replacing
// arguments keep their state values, with a warning), and a plan that
// deletes it says so.
func (r *snapshotResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		if !req.Plan.Raw.IsNull() { // create
			var id types.String
			resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("instance_id"), &id)...)
			r.checkInstanceAtPlan(ctx, id, &resp.Diagnostics) // snapshot_references.go
		}
		return
	}
	var state snapshotResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, instanceID := state.ID.ValueString(), state.InstanceID.ValueString()
	if req.Plan.Raw.IsNull() {
		if note := keptGroupsNote(state); note != "" {
			resp.Diagnostics.AddWarning("Kept snapshot groups are not deleted", note)
		}
		if state.KeepOnDestroy.ValueBool() {
			return
		}
		if r.instanceGone(ctx, state, &resp.Diagnostics) {
			resp.Diagnostics.AddWarning("Deleting the only copy of a released machine",
				fmt.Sprintf("Snapshot group %s holds the disks of instance %s, which no longer exists: this plan "+
					"deletes the only copy of that machine. To keep it, set keep_on_destroy = true and apply before "+
					"destroying, or remove the resource from the state (terraform state rm).", id, instanceID))
			return
		}
		// Terraform deletes a snapshot before the instance it depends on,
		// and tells no resource what happens to the others: say it here.
		resp.Diagnostics.AddWarning("Deleting a snapshot of "+instanceID,
			fmt.Sprintf("This plan deletes snapshot group %s of instance %s. If the same apply also releases %s "+
				"(a count decrease, or both resources removed), no copy of its disks remains: the snapshot is deleted "+
				"first. To keep it, set keep_on_destroy = true and apply before removing it, or remove it from the "+
				"state (terraform state rm).", id, instanceID, instanceID))
		return
	}
	var plan snapshotResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.retakes(ctx, state, plan, &resp.Diagnostics) { // snapshot_retake.go
		if instanceIDChanges(plan.InstanceID, state.InstanceID) {
			r.checkInstanceAtPlan(ctx, plan.InstanceID, &resp.Diagnostics)
		}
		planRetake(ctx, state, plan, resp)
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
		diags.AddWarning("Cannot check the snapshot's instance",
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

func (r *snapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !snapshotGroupIDValidator.pattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a snapshot group id. Import an aliecs_snapshot by its snapshot group id, "+
				"%q followed by lowercase letters and digits, such as %q, or by the id of a per-disk snapshot set "+
				"(%q and 20 hex digits).", req.ID, "ssg-", "ssg-bp67acfmxazb4ph1234", "sset-"))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	// Only used at creation: an imported snapshot was neither stopped for
	// nor followed by a release done by this resource.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stop_before_snapshot"), false)...)
	released := r.importedReleased(ctx, req.ID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("release_instance_after_snapshot"), released)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("instance_released"), released)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("keep_on_destroy"), false)...)
}

// importedReleased reports whether the group being imported released its
// instance: it carries the provider's marker tag and the instance is gone.
// Any doubt (a failed call) means false, as for any other import.
func (r *snapshotResource) importedReleased(ctx context.Context, id string) bool {
	if r.data == nil {
		return false
	}
	g, err := r.data.client.GetSnapshotGroup(ctx, id)
	if err != nil || g.Tags[releaseAfterSnapshotTag] != "true" || g.InstanceID == "" {
		return false
	}
	_, err = r.data.client.GetInstance(ctx, g.InstanceID)
	return ecsapi.IsNotFound(err)
}
