package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
		"policy_name": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Like `policy_id`, by the policy's `name`: the automatic snapshots of every existing " +
				"policy of that name. It lets a configuration read the snapshots of a policy it also defines " +
				"without a dependency cycle (the policy lists the machine, the machine is made from the snapshot). " +
				"A deleted policy has no name any more: its snapshots are found by `policy_id` only.",
			Validators: []validator.String{stringvalidator.LengthBetween(1, 128)},
		},
		"auto_snapshots": schema.ListNestedAttribute{
			Computed: true,
			MarkdownDescription: "With `policy_id` or `policy_name`: the policy's automatic snapshots, one per disk " +
				"and time point, oldest first (empty without either).",
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
			MarkdownDescription: "With `policy_id` or `policy_name`: the newest accomplished automatic snapshot of a system disk (empty " +
				"when there is none). `aliecs_instance.source_snapshot_id` makes a machine from it; when the policy " +
				"covers several machines, pick by `disk_id` in `auto_snapshots` instead.",
		},
	}
}

// policyFiltered reports whether the data source lists automatic snapshots.
func policyFiltered(m *snapshotsDataSourceModel) bool {
	return knownString(m.PolicyID) || knownString(m.PolicyName)
}

// autoSnapshotsOf lists the automatic snapshots of the policy named by
// policy_id and/or policy_name (both: the policy must match both).
func autoSnapshotsOf(ctx context.Context, client *ecsapi.Client, m *snapshotsDataSourceModel) ([]ecsapi.AutoSnapshot, error) {
	if !policyFiltered(m) {
		return nil, nil
	}
	ids := map[string]bool{}
	if knownString(m.PolicyName) {
		found, err := client.FindSnapshotPolicies(ctx, m.PolicyName.ValueString())
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			if !knownString(m.PolicyID) || p.ID == m.PolicyID.ValueString() {
				ids[p.ID] = true
			}
		}
		if len(ids) == 0 {
			return nil, nil
		}
	} else {
		ids[m.PolicyID.ValueString()] = true
	}
	policy := ""
	if len(ids) == 1 {
		for id := range ids {
			policy = id
		}
	}
	all, err := client.ListAutoSnapshots(ctx, policy)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, s := range all {
		if ids[s.PolicyID] {
			out = append(out, s)
		}
	}
	return out, nil
}

// readAutoSnapshots fills auto_snapshots and latest_system_snapshot_id.
func readAutoSnapshots(ctx context.Context, client *ecsapi.Client, m *snapshotsDataSourceModel) (diag.Diagnostics, error) {
	list, err := autoSnapshotsOf(ctx, client, m)
	if err != nil {
		return nil, err
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
