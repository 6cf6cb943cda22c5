package provider

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// snapshotModel is one element of the snapshots list.
type snapshotModel struct {
	SnapshotID types.String `tfsdk:"snapshot_id"`
	DiskID     types.String `tfsdk:"disk_id"`
	DiskType   types.String `tfsdk:"disk_type"`
	Size       types.Int64  `tfsdk:"size"`
}

// flattenSnapshot is one snapshot as aliecs_snapshot and aliecs_snapshots
// show it.
func flattenSnapshot(s ecsapi.Snapshot) snapshotModel {
	return snapshotModel{
		SnapshotID: types.StringValue(s.ID),
		DiskID:     types.StringValue(s.SourceDiskID),
		DiskType:   types.StringValue(strings.ToLower(s.SourceDiskType)),
		Size:       types.Int64Value(int64(s.SourceDiskSize)),
	}
}

// applySnapshotGroup copies what the service reports into the model. It
// leaves the arguments that only matter at creation (stop, release,
// disk_ids, timeouts) alone, and never looks at the instance: a released
// instance must not change anything here.
func applySnapshotGroup(ctx context.Context, m *snapshotResourceModel, g *ecsapi.SnapshotGroup) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(g.ID)
	if g.InstanceID != "" || m.InstanceID.IsNull() || m.InstanceID.IsUnknown() {
		// Keep the id in state even if the service stops reporting it
		// once the instance is gone.
		m.InstanceID = types.StringValue(g.InstanceID)
	}
	m.Name = optionalString(g.Name)
	m.Description = optionalString(g.Description)
	m.Status = types.StringValue(g.Status)
	m.Progress = types.Int64Value(snapshotGroupProgress(g))
	m.CreationTime = types.StringValue(apiTimeToRFC3339(g.CreationTime))
	if m.KeptGroupIDs.IsNull() || m.KeptGroupIDs.IsUnknown() {
		m.KeptGroupIDs = types.ListNull(types.StringType) // none kept (snapshot_resource.go)
	}

	switch own := userTags(g.Tags); {
	case len(own) > 0:
		tags, d := types.MapValueFrom(ctx, types.StringType, own)
		diags.Append(d...)
		m.Tags = tags
	case m.Tags.IsNull() || m.Tags.IsUnknown() || len(m.Tags.Elements()) > 0:
		m.Tags = types.MapNull(types.StringType)
	default:
		// No tags and the user wrote tags = {}: keep it as written.
	}

	snaps := make([]snapshotModel, 0, len(g.Snapshots))
	retention := int64(0)
	for i, s := range g.Snapshots {
		snaps = append(snaps, flattenSnapshot(s))
		if i == 0 || int64(s.RetentionDays) < retention {
			retention = int64(s.RetentionDays)
		}
	}
	list, d := types.ListValueFrom(ctx, snapshotObjectType, snaps)
	diags.Append(d...)
	m.Snapshots = list
	if retention > 0 {
		m.RetentionDays = types.Int64Value(retention)
	} else {
		m.RetentionDays = types.Int64Null()
	}
	return diags
}

// snapshotGroupProgress is the mean progress of the group's snapshots in
// percent; an accomplished group is 100.
func snapshotGroupProgress(g *ecsapi.SnapshotGroup) int64 {
	if g.Status == ecsapi.SnapshotAccomplished {
		return 100
	}
	if len(g.Snapshots) == 0 {
		return 0
	}
	var sum int64
	for _, s := range g.Snapshots {
		p, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Progress), "%")))
		if err == nil && p >= 0 && p <= 100 {
			sum += int64(p)
		}
	}
	return sum / int64(len(g.Snapshots))
}

// snapshotObjectType is the element type of the snapshots list.
var snapshotObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"snapshot_id": types.StringType,
	"disk_id":     types.StringType,
	"disk_type":   types.StringType,
	"size":        types.Int64Type,
}}
