package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// A new instance from a snapshot group (source_snapshot_id). ECS boots a
// machine only from an image, so the create makes an intermediate image of
// the group's system-disk snapshot (CreateImage), waits until it is
// Available, runs the instance from it with each data disk made from its
// snapshot (DataDisk.N.SnapshotId), and deletes the image (Force) once the
// machine runs. The image is tagged with the create's client token, so that
// a create that fails part-way finds and deletes it: none is left behind.

var (
	pathSourceSnapshot = path.Root("source_snapshot_id")
	pathSystemDiskSize = path.Root("system_disk").AtName("size")
)

// Tags of the intermediate image: which create made it, from which group.
const (
	restoreTokenTag  = providerTagPrefix + "restore-token"
	restoreSourceTag = providerTagPrefix + "restore-source"
)

// privateKeyRestoreImage holds an intermediate image that could not be
// deleted after the create; the destroy deletes it.
const privateKeyRestoreImage = "restore_image"

// restoreSource is a snapshot group read for a restore: its system-disk
// snapshot, its data-disk snapshots in the group's order, and its facts.
type restoreSource struct {
	group  *ecsapi.SnapshotGroup
	system ecsapi.Snapshot
	data   []ecsapi.Snapshot
	facts  restoreFacts
}

func newRestoreSource(g *ecsapi.SnapshotGroup) (*restoreSource, error) {
	src := &restoreSource{group: g, facts: restoreFactsOf(g)}
	found := false
	for _, s := range g.Snapshots {
		if strings.EqualFold(s.SourceDiskType, "system") && !found {
			src.system, found = s, true
			continue
		}
		src.data = append(src.data, s)
	}
	if !found {
		return src, fmt.Errorf("snapshot group %s has no snapshot of a system disk (it was taken of data disks "+
			"only), and a new machine needs one", g.ID)
	}
	return src, nil
}

// category is the category of the disk a snapshot was taken of, as the
// group's facts record it; cloud_essd when they do not.
func (s *restoreSource) category(snapshotID string) string {
	if c := s.facts.Categories[snapshotID]; c != "" {
		return c
	}
	return defaultDiskCategory
}

// restorePlanDiagnostics checks source_snapshot_id and data_disks[*].
// snapshot_id at plan time, when the instance is being created or they
// change (an error there on an existing instance would block a destroy):
// the group exists in the provider's region, has a system disk and has not
// failed (a group still progressing is a warning: the create waits), and
// every disk is at least its snapshot's size. For a new instance it plans
// the disks the group brings: the system disk and, unless the
// configuration lists them, the group's data disks.
func (r *instanceResource) restorePlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.client == nil {
		return
	}
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	var state instanceModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var configDisks types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("data_disks"), &configDisks)...)
	if creating || !plan.DataDisks.Equal(state.DataDisks) {
		r.checkDiskSnapshots(ctx, plan, state, configDisks, &resp.Diagnostics)
	}
	if !knownString(plan.SourceSnapshotID) || !creating && plan.SourceSnapshotID.Equal(state.SourceSnapshotID) {
		return
	}
	groupID := plan.SourceSnapshotID.ValueString()
	g, err := r.data.client.GetSnapshotGroup(ctx, groupID)
	if ecsapi.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(pathSourceSnapshot, "Cannot find the snapshot group",
			fmt.Sprintf("Snapshot group %s does not exist in region %s, the provider's region. A snapshot group can "+
				"only be restored in the region where it was taken: check the id (aliecs_snapshots lists the groups "+
				"of the region) and the provider's region."+destroyHint, groupID, r.data.region))
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(pathSourceSnapshot, "Cannot read the snapshot group",
			fmt.Sprintf("Reading snapshot group %s failed: %s", groupID, err))
		return
	}
	src, err := newRestoreSource(g)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(pathSourceSnapshot, "The snapshot group has no system disk",
			err.Error()+". Use a group taken of the whole instance (an aliecs_snapshot without disk_ids, or a final_snapshot)."+destroyHint)
		return
	case g.Status == ecsapi.SnapshotFailed:
		resp.Diagnostics.AddAttributeError(pathSourceSnapshot, "The snapshot group failed",
			fmt.Sprintf("Snapshot group %s ended in status failed, so nothing can be restored from it. Use another "+
				"group, or take a new snapshot."+destroyHint, groupID))
		return
	case g.Status == ecsapi.SnapshotProgressing:
		resp.Diagnostics.AddAttributeWarning(pathSourceSnapshot, "The snapshot group is still in progress",
			fmt.Sprintf("Snapshot group %s is still being taken (status progressing). The create waits until it is "+
				"accomplished (within timeouts.create), and fails at once if it fails.", groupID))
	}
	r.checkRestoreSizes(ctx, plan, configDisks, src, &resp.Diagnostics)
	r.checkRestoredHostName(ctx, plan, src.facts.ImageID, &resp.Diagnostics) // the group's source image (instance_references.go)
	if tags, _ := tagsFromMap(ctx, plan.Tags); len(tags) > maxUserInstanceTags-1 {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Too many tags for a restored instance",
			fmt.Sprintf("%d tags were given; an instance made from a snapshot group takes at most %d, since the "+
				"provider adds its own tags %q (which group it was made from) and %q.", len(tags),
				maxUserInstanceTags-1, sourceSnapshotGroupTag, ownershipTagKey))
	}
	if resp.Diagnostics.HasError() || !creating {
		return // a change of source_snapshot_id replaces: Terraform plans the new instance again, as a create
	}
	resp.Diagnostics.Append(planRestoredDisks(ctx, plan, src, resp)...)
}

// checkRestoreSizes: every disk is at least the size of its snapshot, and
// the configured data disks name the group's data disks first.
func (r *instanceResource) checkRestoreSizes(ctx context.Context, plan instanceModel, configDisks types.List, src *restoreSource, diags *diag.Diagnostics) {
	if knownObject(plan.SystemDisk) {
		var sd systemDiskModel
		if !plan.SystemDisk.As(ctx, &sd, objectAsOptions).HasError() && !sd.Size.IsNull() && !sd.Size.IsUnknown() &&
			sd.Size.ValueInt64() < int64(src.system.SourceDiskSize) {
			diags.AddAttributeError(pathSystemDiskSize, "The system disk is smaller than its snapshot",
				fmt.Sprintf("system_disk.size is %d GiB, but the system disk of snapshot group %s (snapshot %s) is %d GiB. "+
					"Set system_disk.size to %d or more, or leave it out to use the snapshot's size.",
					sd.Size.ValueInt64(), src.group.ID, src.system.ID, src.system.SourceDiskSize, src.system.SourceDiskSize))
		}
	}
	if configDisks.IsNull() || configDisks.IsUnknown() || !knownList(plan.DataDisks) {
		return
	}
	var dds []dataDiskModel
	if plan.DataDisks.ElementsAs(ctx, &dds, false).HasError() {
		return
	}
	if len(dds) < len(src.data) {
		diags.AddAttributeError(path.Root("data_disks"), "Fewer data disks than the snapshot group has",
			fmt.Sprintf("Snapshot group %s has %d data disks, and every one of them is restored, but data_disks lists %d. "+
				"Leave data_disks out to restore them as they were, or list all %d first (in the group's order, as "+
				"aliecs_snapshots shows them), then any new disk.", src.group.ID, len(src.data), len(dds), len(src.data)))
		return
	}
	for i, snap := range src.data {
		dd := dds[i]
		p := path.Root("data_disks").AtListIndex(i)
		if knownString(dd.SnapshotID) && dd.SnapshotID.ValueString() != "" && dd.SnapshotID.ValueString() != snap.ID {
			diags.AddAttributeError(p.AtName("snapshot_id"), "The data disk does not match the snapshot group",
				fmt.Sprintf("data_disks[%d] is the group's data disk from snapshot %s, but its snapshot_id is %s. "+
					"Leave snapshot_id out for the group's disks (the first %d entries).", i, snap.ID, dd.SnapshotID.ValueString(), len(src.data)))
		}
		if !dd.Size.IsUnknown() && dd.Size.ValueInt64() < int64(snap.SourceDiskSize) {
			diags.AddAttributeError(p.AtName("size"), "The data disk is smaller than its snapshot",
				fmt.Sprintf("data_disks[%d].size is %d GiB, but the data disk of snapshot group %s it restores (snapshot %s) "+
					"is %d GiB. Set it to %d or more.", i, dd.Size.ValueInt64(), src.group.ID, snap.ID, snap.SourceDiskSize,
					snap.SourceDiskSize))
		}
	}
}

func knownList(l types.List) bool { return !l.IsNull() && !l.IsUnknown() }

// checkDiskSnapshots checks the data disks made from a single snapshot
// (data_disks[*].snapshot_id) whose snapshot is being set (a new instance,
// or a new snapshot_id, which replaces it): the snapshot exists, is of a
// data disk, and the disk is at least its size. A disk whose snapshot_id
// stays is not checked: its snapshot may be long gone.
func (r *instanceResource) checkDiskSnapshots(ctx context.Context, plan, state instanceModel, configDisks types.List, diags *diag.Diagnostics) {
	if !knownList(configDisks) || !knownList(plan.DataDisks) {
		return
	}
	var cfg, prior []dataDiskModel
	if configDisks.ElementsAs(ctx, &cfg, false).HasError() {
		return
	}
	if knownList(state.DataDisks) {
		_ = state.DataDisks.ElementsAs(ctx, &prior, false)
	}
	for i, dd := range cfg {
		if !knownString(dd.SnapshotID) || dd.SnapshotID.ValueString() == "" {
			continue
		}
		if i < len(prior) && prior[i].SnapshotID.Equal(dd.SnapshotID) {
			continue
		}
		p := path.Root("data_disks").AtListIndex(i)
		id := dd.SnapshotID.ValueString()
		snap, err := r.data.client.GetSnapshot(ctx, id)
		switch {
		case ecsapi.IsNotFound(err):
			diags.AddAttributeError(p.AtName("snapshot_id"), "Cannot find the snapshot",
				fmt.Sprintf("Snapshot %s does not exist in region %s, the provider's region. Check the id.", id, r.data.region))
			continue
		case err != nil:
			diags.AddAttributeError(p.AtName("snapshot_id"), "Cannot read the snapshot", fmt.Sprintf("Reading snapshot %s failed: %s", id, err))
			continue
		case snap.Status == ecsapi.SnapshotFailed:
			diags.AddAttributeError(p.AtName("snapshot_id"), "The snapshot failed",
				fmt.Sprintf("Snapshot %s ended in status failed: no disk can be made from it.", id))
			continue
		case snap.SourceDiskType == "system":
			diags.AddAttributeError(p.AtName("snapshot_id"), "The snapshot is of a system disk",
				fmt.Sprintf("Snapshot %s was taken of a system disk, and ECS makes data disks only from data-disk "+
					"snapshots. To make a machine from it, use source_snapshot_id with its snapshot group.", id))
			continue
		}
		if !dd.Size.IsNull() && !dd.Size.IsUnknown() && dd.Size.ValueInt64() < int64(snap.SourceDiskSize) {
			diags.AddAttributeError(p.AtName("size"), "The data disk is smaller than its snapshot",
				fmt.Sprintf("data_disks[%d].size is %d GiB, but snapshot %s is of a %d GiB disk. Set it to %d or more.",
					i, dd.Size.ValueInt64(), id, snap.SourceDiskSize, snap.SourceDiskSize))
		}
	}
}

// planRestoredDisks plans what a new instance gets from the group: the
// system disk (its size and category, unless configured) and, when
// data_disks is not configured, one entry per data disk of the group; the
// snapshot_id of the configured entries that restore the group's disks.
func planRestoredDisks(ctx context.Context, plan instanceModel, src *restoreSource, resp *resource.ModifyPlanResponse) diag.Diagnostics {
	var diags diag.Diagnostics
	sd := systemDiskModel{Category: types.StringUnknown(), Size: types.Int64Unknown(), Name: types.StringUnknown(),
		Description: types.StringUnknown(), PerformanceLevel: types.StringUnknown()}
	if knownObject(plan.SystemDisk) {
		diags.Append(plan.SystemDisk.As(ctx, &sd, objectAsOptions)...)
	}
	if sd.Category.IsUnknown() || sd.Category.IsNull() {
		sd.Category = types.StringValue(src.category(src.system.ID))
	}
	if sd.Size.IsUnknown() || sd.Size.IsNull() {
		sd.Size = types.Int64Value(int64(src.system.SourceDiskSize))
	}
	diags.Append(resp.Plan.SetAttribute(ctx, path.Root("system_disk"), types.ObjectValueMust(systemDiskAttrTypes,
		map[string]attr.Value{"category": sd.Category, "size": sd.Size, "name": sd.Name, "description": sd.Description,
			"performance_level": sd.PerformanceLevel}))...)
	var elems []attr.Value
	if knownList(plan.DataDisks) {
		var dds []dataDiskModel
		diags.Append(plan.DataDisks.ElementsAs(ctx, &dds, false)...)
		for i, dd := range dds {
			if i < len(src.data) && (dd.SnapshotID.IsUnknown() || dd.SnapshotID.IsNull()) {
				dd.SnapshotID = types.StringValue(src.data[i].ID)
			}
			elems = append(elems, dd.object())
		}
	} else if plan.DataDisks.IsUnknown() {
		for _, s := range src.data {
			elems = append(elems, dataDiskModel{Size: types.Int64Value(int64(s.SourceDiskSize)),
				Category: types.StringValue(src.category(s.ID)), DeleteWithInstance: types.BoolValue(true),
				SnapshotID: types.StringValue(s.ID), Name: types.StringUnknown(), Description: types.StringUnknown(),
				PerformanceLevel: types.StringUnknown(), Encrypted: types.BoolUnknown(), KMSKeyID: types.StringUnknown(),
				Device: types.StringUnknown()}.object())
		}
		if len(elems) == 0 {
			return append(diags, resp.Plan.SetAttribute(ctx, path.Root("data_disks"), types.ListNull(dataDiskObjectType))...)
		}
	} else {
		return diags
	}
	return append(diags, resp.Plan.SetAttribute(ctx, path.Root("data_disks"), types.ListValueMust(dataDiskObjectType, elems))...)
}

func (dd dataDiskModel) object() types.Object {
	return types.ObjectValueMust(dataDiskAttrTypes, map[string]attr.Value{
		"size": dd.Size, "category": dd.Category, "delete_with_instance": dd.DeleteWithInstance, "snapshot_id": dd.SnapshotID,
		"name": dd.Name, "description": dd.Description, "performance_level": dd.PerformanceLevel,
		"encrypted": dd.Encrypted, "kms_key_id": dd.KMSKeyID, "device": dd.Device,
	})
}

// restoreRun is a restore under way: the group and the intermediate image.
type restoreRun struct {
	client  *ecsapi.Client
	src     *restoreSource
	token   string
	imageID string
}

// prepareRestore waits for the group, makes the intermediate image and
// waits until it is Available, and points the RunInstances request at it.
// On error nothing is left behind (the image is deleted).
func (r *instanceResource) prepareRestore(ctx context.Context, plan instanceModel, in *ecsapi.RunInstanceInput, token string) (*restoreRun, error) {
	client := r.data.client
	groupID := plan.SourceSnapshotID.ValueString()
	g, err := client.WaitSnapshotGroupDone(ctx, groupID)
	if err != nil {
		var failed *ecsapi.SnapshotFailedError
		if errors.As(err, &failed) {
			return nil, fmt.Errorf("snapshot group %s failed, so nothing can be restored from it: %w", groupID, err)
		}
		return nil, fmt.Errorf("waiting for snapshot group %s to be accomplished: %w", groupID, err)
	}
	src, err := newRestoreSource(g)
	if err != nil {
		return nil, err
	}
	run := &restoreRun{client: client, src: src, token: token}
	tflog.Info(ctx, fmt.Sprintf("Restore: making an image of snapshot %s (the system disk of group %s) to boot the instance from",
		src.system.ID, groupID), map[string]any{"snapshot_group_id": groupID})
	run.imageID, err = client.CreateImage(ctx, ecsapi.ImageInput{
		ClientToken: "img-" + token,
		SnapshotID:  src.system.ID,
		Name:        "aliecs-restore-" + strings.ReplaceAll(token, "-", "")[:12],
		Description: fmt.Sprintf("Intermediate image of a restore of snapshot group %s; deleted once the instance runs.", groupID),
		Tags:        map[string]string{restoreTokenTag: token, restoreSourceTag: groupID},
	})
	if err == nil {
		_, err = client.WaitImageAvailable(ctx, run.imageID)
	}
	if err != nil {
		cleanup := run.cleanup(ctx)
		return nil, fmt.Errorf("making the intermediate image of snapshot %s (the group's system disk) failed: %w%s",
			src.system.ID, err, cleanup)
	}
	in.ImageID = run.imageID
	if in.SystemDisk.Size < src.system.SourceDiskSize {
		in.SystemDisk.Size = src.system.SourceDiskSize
	}
	for i := range in.DataDisks {
		if i < len(src.data) && in.DataDisks[i].SnapshotID == "" {
			in.DataDisks[i].SnapshotID = src.data[i].ID
		}
	}
	if in.Tags == nil {
		in.Tags = map[string]string{}
	}
	in.Tags[sourceSnapshotGroupTag] = groupID
	return run, nil
}

// cleanup deletes the intermediate image, and any other image this create
// made (an answer to CreateImage that was lost), with its own deadline. It
// returns a note for the error or warning that reports it.
func (run *restoreRun) cleanup(ctx context.Context) string {
	if run == nil {
		return ""
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	client := run.client
	ids := map[string]bool{}
	if run.imageID != "" {
		ids[run.imageID] = true
	}
	if images, err := client.ListImages(rctx, ecsapi.ImageFilter{Tags: map[string]string{restoreTokenTag: run.token}}); err == nil {
		for _, im := range images {
			ids[im.ID] = true
		}
	}
	var failed []string
	for id := range ids {
		if err := client.DeleteImage(rctx, id, true); err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s)", id, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Sprintf(". Deleting the intermediate image failed: delete %s yourself (DeleteImage with Force)",
			strings.Join(failed, ", "))
	}
	return ""
}

// finishRestore runs once the instance exists: the intermediate image is
// deleted (Force: the instance uses it), and a disk smaller than planned
// (a service that ignores DataDisk.N.Size with a snapshot) is grown. An
// image that cannot be deleted is remembered, so the destroy deletes it.
func (r *instanceResource) finishRestore(ctx context.Context, run *restoreRun, id string, plan instanceModel, private privateSetter, diags *diag.Diagnostics) {
	if run == nil {
		return
	}
	if note := run.cleanup(ctx); note != "" {
		diags.AddWarning("Intermediate image kept",
			fmt.Sprintf("Instance %s was made from snapshot group %s through image %s%s. The destroy of the instance "+
				"tries again.", id, run.src.group.ID, run.imageID, note))
		diags.Append(private.SetKey(ctx, privateKeyRestoreImage, []byte(`"`+run.imageID+`"`))...)
	}
	inst, err := r.data.client.GetInstance(ctx, id)
	if err != nil {
		return
	}
	var grows []diskGrowth
	if knownObject(plan.SystemDisk) {
		var sd systemDiskModel
		if !plan.SystemDisk.As(ctx, &sd, objectAsOptions).HasError() && !sd.Size.IsUnknown() && !sd.Size.IsNull() {
			grows = append(grows, diskGrowth{label: "system_disk", index: -1, to: sd.Size.ValueInt64()})
		}
	}
	if knownList(plan.DataDisks) {
		var dds []dataDiskModel
		if !plan.DataDisks.ElementsAs(ctx, &dds, false).HasError() {
			for i, dd := range dds {
				if !dd.Size.IsUnknown() {
					grows = append(grows, diskGrowth{label: fmt.Sprintf("data_disks[%d]", i), index: i, to: dd.Size.ValueInt64()})
				}
			}
		}
	}
	if _, err := growDisks(ctx, r.data.client, inst, "", grows); err != nil {
		diags.AddWarning("Cannot grow the restored disks",
			fmt.Sprintf("Instance %s was made from snapshot group %s, but growing its disks to the planned sizes "+
				"failed: %s. Apply again to grow them.", id, run.src.group.ID, err))
	}
}

// deleteRestoreImage deletes an intermediate image the create could not
// delete (remembered in private state), before the instance is released.
func deleteRestoreImage(ctx context.Context, client *ecsapi.Client, private privateGetter, diags *diag.Diagnostics) {
	raw, d := private.GetKey(ctx, privateKeyRestoreImage)
	if d.HasError() || len(raw) < 3 {
		return
	}
	id := strings.Trim(string(raw), `"`)
	if err := client.DeleteImage(ctx, id, true); err != nil {
		diags.AddWarning("Intermediate image kept",
			fmt.Sprintf("Deleting image %s, the intermediate image this instance was made from, failed: %s. Delete it "+
				"yourself (DeleteImage with Force).", id, err))
	}
}
