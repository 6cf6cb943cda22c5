package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The automatic snapshots of aliecs_snapshots (policy_id): each disk's
// snapshot as the policy took it. A resume needs the system disk's one:
// latest_system_snapshot_id is the newest accomplished one, ready for
// aliecs_instance.source_snapshot_id (a data disk's goes to
// data_disks[*].snapshot_id).

type autoSnapshotDataModel struct {
	SnapshotID    types.String `tfsdk:"snapshot_id"`
	DiskID        types.String `tfsdk:"disk_id"`
	DiskType      types.String `tfsdk:"disk_type"`
	Size          types.Int64  `tfsdk:"size"`
	Status        types.String `tfsdk:"status"`
	CreationTime  types.String `tfsdk:"creation_time"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
}

var autoSnapshotDataObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"snapshot_id":    types.StringType,
	"disk_id":        types.StringType,
	"disk_type":      types.StringType,
	"size":           types.Int64Type,
	"status":         types.StringType,
	"creation_time":  types.StringType,
	"retention_days": types.Int64Type,
}}

func autoSnapshotAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"policy_id": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "An `aliecs_snapshot_policy` id (`sp-…`): list its automatic snapshots in " +
				"`auto_snapshots`, those of machines released since included (while their retention lasts). A policy " +
				"takes no snapshot group, so `groups` and `ids` are then empty.",
			Validators: []validator.String{snapshotPolicyIDValidator},
		},
		"auto_snapshots": schema.ListNestedAttribute{
			Computed: true,
			MarkdownDescription: "With `policy_id`: the policy's automatic snapshots, one per disk and time point, " +
				"oldest first (empty without `policy_id`).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"snapshot_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "Snapshot id (`s-…`)."},
				"disk_id":        schema.StringAttribute{Computed: true, MarkdownDescription: "The source disk (it may be gone)."},
				"disk_type":      schema.StringAttribute{Computed: true, MarkdownDescription: "`system` or `data`."},
				"size":           schema.Int64Attribute{Computed: true, MarkdownDescription: "Source disk size in GiB."},
				"status":         schema.StringAttribute{Computed: true, MarkdownDescription: "`progressing`, `accomplished` or `failed`."},
				"creation_time":  schema.StringAttribute{Computed: true, MarkdownDescription: "When it was taken (RFC 3339, UTC)."},
				"retention_days": schema.Int64Attribute{Computed: true, MarkdownDescription: "Days it is kept from its creation; `0` means until it is deleted."},
			}},
		},
		"latest_system_snapshot_id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "With `policy_id`: the newest accomplished automatic snapshot of a system disk (empty " +
				"when there is none). `aliecs_instance.source_snapshot_id` makes a machine from it; when the policy " +
				"covers several machines, pick by `disk_id` in `auto_snapshots` instead.",
		},
	}
}

// readAutoSnapshots fills auto_snapshots and latest_system_snapshot_id.
func readAutoSnapshots(ctx context.Context, client *ecsapi.Client, m *snapshotsDataSourceModel) (diag.Diagnostics, error) {
	var list []ecsapi.AutoSnapshot
	if knownString(m.PolicyID) {
		var err error
		if list, err = client.ListAutoSnapshots(ctx, m.PolicyID.ValueString()); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].CreationTime != list[j].CreationTime {
			return list[i].CreationTime < list[j].CreationTime
		}
		return list[i].ID < list[j].ID
	})
	out := make([]autoSnapshotDataModel, 0, len(list))
	latest := ""
	for _, s := range list {
		out = append(out, autoSnapshotDataModel{
			SnapshotID: types.StringValue(s.ID), DiskID: types.StringValue(s.SourceDiskID),
			DiskType: types.StringValue(s.SourceDiskType), Size: types.Int64Value(int64(s.SourceDiskSize)),
			Status: types.StringValue(s.Status), CreationTime: types.StringValue(apiTimeToRFC3339(s.CreationTime)),
			RetentionDays: types.Int64Value(int64(s.RetentionDays)),
		})
		if s.SourceDiskType == "system" && s.Status == ecsapi.SnapshotAccomplished {
			latest = s.ID
		}
	}
	value, diags := types.ListValueFrom(ctx, autoSnapshotDataObjectType, out)
	m.AutoSnapshots = value
	m.LatestSystemSnapshotID = types.StringValue(latest)
	return diags, nil
}
