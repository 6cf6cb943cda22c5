package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ datasource.DataSource              = (*snapshotsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*snapshotsDataSource)(nil)
)

// snapshotsDataSource lists snapshot groups, for instance to find the final
// snapshot of an instance that is gone.
type snapshotsDataSource struct {
	data *providerData
}

// NewSnapshotsDataSource is the aliecs_snapshots constructor.
func NewSnapshotsDataSource() datasource.DataSource { return &snapshotsDataSource{} }

type snapshotsDataSourceModel struct {
	InstanceID types.String `tfsdk:"instance_id"`
	IDs        types.List   `tfsdk:"ids"`
	NameRegex  types.String `tfsdk:"name_regex"`
	Status     types.String `tfsdk:"status"`
	Groups     types.List   `tfsdk:"groups"`

	// snapshots_data_source_auto.go
	PolicyID               types.String `tfsdk:"policy_id"`
	PolicyName             types.String `tfsdk:"policy_name"`
	AutoSnapshots          types.List   `tfsdk:"auto_snapshots"`
	LatestSystemSnapshotID types.String `tfsdk:"latest_system_snapshot_id"`
}

type snapshotGroupDataModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Description  types.String `tfsdk:"description"`
	InstanceID   types.String `tfsdk:"instance_id"`
	Status       types.String `tfsdk:"status"`
	Progress     types.Int64  `tfsdk:"progress"`
	CreationTime types.String `tfsdk:"creation_time"`
	Tags         types.Map    `tfsdk:"tags"`
	Snapshots    types.List   `tfsdk:"snapshots"`

	SourceInstanceType types.String `tfsdk:"source_instance_type"`
	SourceImageID      types.String `tfsdk:"source_image_id"`
}

type snapshotDataModel struct {
	snapshotModel
	Status        types.String `tfsdk:"status"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	Category      types.String `tfsdk:"category"`
}

var snapshotDataObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"snapshot_id":    types.StringType,
	"disk_id":        types.StringType,
	"disk_type":      types.StringType,
	"size":           types.Int64Type,
	"status":         types.StringType,
	"retention_days": types.Int64Type,
	"category":       types.StringType,
}}

var snapshotGroupDataObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":            types.StringType,
	"name":          types.StringType,
	"description":   types.StringType,
	"instance_id":   types.StringType,
	"status":        types.StringType,
	"progress":      types.Int64Type,
	"creation_time": types.StringType,
	"tags":          types.MapType{ElemType: types.StringType},
	"snapshots":     types.ListType{ElemType: snapshotDataObjectType},

	"source_instance_type": types.StringType,
	"source_image_id":      types.StringType,
}}

func (d *snapshotsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshots"
}

func (d *snapshotsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	defer func() {
		for k, v := range autoSnapshotAttributes() {
			resp.Schema.Attributes[k] = v
		}
	}()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists snapshot groups (`aliecs_snapshot`, and the final snapshots of released " +
			"instances) with their snapshots, and the per-disk snapshot sets (`sset-…`) the provider takes of " +
			"disks a group cannot hold (`cloud_efficiency`, `cloud_ssd`, `cloud`), each listed as one group. Every " +
			"filter is optional; filters combine with AND. With `policy_id` or `policy_name` it lists the automatic snapshots of an " +
			"`aliecs_snapshot_policy` instead (`auto_snapshots`, `latest_system_snapshot_id`).",
		Attributes: map[string]schema.Attribute{
			"instance_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only groups taken from this instance (it may have been released since).",
				Validators:          []validator.String{instanceIDValidator},
			},
			"ids": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only groups with these ids (`ssg-…`, or `sset-…` for a per-disk set). When not set, the ids of the groups " +
					"found, oldest first; when set, it keeps the ids given, and `groups` lists those that exist.",
				Validators: []validator.List{listvalidator.ValueStringsAre(snapshotGroupIDValidator)},
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only groups whose name matches this regular expression (Go `regexp` syntax, RE2).",
				Validators:          []validator.String{regexpValidator},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only groups in this status: `progressing`, `accomplished` or `failed`.",
				Validators: []validator.String{stringvalidator.OneOf(
					ecsapi.SnapshotProgressing, ecsapi.SnapshotAccomplished, ecsapi.SnapshotFailed)},
			},
			"groups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The snapshot groups found, oldest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            schema.StringAttribute{Computed: true, MarkdownDescription: "Snapshot group id."},
					"name":          schema.StringAttribute{Computed: true, MarkdownDescription: "Name (empty when none)."},
					"description":   schema.StringAttribute{Computed: true, MarkdownDescription: "Description (empty when none)."},
					"instance_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The instance the disks belonged to."},
					"status":        schema.StringAttribute{Computed: true, MarkdownDescription: "`progressing`, `accomplished` or `failed`."},
					"progress":      schema.Int64Attribute{Computed: true, MarkdownDescription: "Progress in percent."},
					"creation_time": schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time (RFC 3339, UTC)."},
					"tags": schema.MapAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Tags of the group (the provider's own `aliecs:` tags are left out)."},
					"snapshots": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The snapshots of the group, one per disk.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"snapshot_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Snapshot id (`s-…`)."},
							"disk_id":     schema.StringAttribute{Computed: true, MarkdownDescription: "The source disk."},
							"disk_type":   schema.StringAttribute{Computed: true, MarkdownDescription: "`system` or `data`."},
							"size":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Source disk size in GiB."},
							"status":      schema.StringAttribute{Computed: true, MarkdownDescription: "Status of the snapshot."},
							"retention_days": schema.Int64Attribute{Computed: true,
								MarkdownDescription: "Days the snapshot is kept; `0` means until it is deleted."},
							"category": schema.StringAttribute{Computed: true,
								MarkdownDescription: "Category of the source disk (`cloud_essd`, …), recorded by the provider " +
									"when it took the group; empty for groups made elsewhere (a restore then uses `cloud_essd`)."},
						}},
					},
					"source_instance_type": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Type of the instance the group was taken of, recorded by the provider when it " +
							"took the group (`aliecs_snapshot`, `final_snapshot`); empty for groups made elsewhere. A " +
							"restore (`source_snapshot_id`) can reuse it as `instance_type`."},
					"source_image_id": schema.StringAttribute{Computed: true,
						MarkdownDescription: "Image the instance was running, recorded as `source_instance_type` is; empty " +
							"for groups made elsewhere."},
				}},
			},
		},
	}
}

func (d *snapshotsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *snapshotsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m snapshotsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireConfigured(d.data, "aliecs_snapshots", &resp.Diagnostics) {
		return
	}
	filter := ecsapi.SnapshotGroupFilter{InstanceID: m.InstanceID.ValueString()}
	if !m.Status.IsNull() {
		filter.Statuses = []string{m.Status.ValueString()}
	}
	idsFiltered := !m.IDs.IsNull() && !m.IDs.IsUnknown()
	if idsFiltered {
		resp.Diagnostics.Append(m.IDs.ElementsAs(ctx, &filter.IDs, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var nameRE *regexp.Regexp
	if !m.NameRegex.IsNull() {
		re, err := regexp.Compile(m.NameRegex.ValueString())
		if err != nil { // caught by the validator; kept for values unknown at validation
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", err.Error())
			return
		}
		nameRE = re
	}

	diags, err := readAutoSnapshots(ctx, d.data.client, &m)
	resp.Diagnostics.Append(diags...)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list automatic snapshots", fmt.Sprintf("Listing the automatic snapshots of the policy failed: %s", err))
		return
	}
	var groups []ecsapi.SnapshotGroup
	// A policy takes no group: with policy_id no group matches, and none is read.
	if !policyFiltered(&m) && (!idsFiltered || len(filter.IDs) > 0) {
		var err error
		groups, err = d.data.client.ListSnapshotGroups(ctx, filter)
		if err != nil {
			resp.Diagnostics.AddError("Cannot list snapshot groups", fmt.Sprintf("Listing snapshot groups failed: %s", err))
			return
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].CreationTime != groups[j].CreationTime {
			return groups[i].CreationTime < groups[j].CreationTime
		}
		return groups[i].ID < groups[j].ID
	})

	ids := []string{}
	out := []snapshotGroupDataModel{}
	seen := map[string]bool{}
	for i := range groups {
		g := &groups[i]
		if seen[g.ID] || (nameRE != nil && !nameRE.MatchString(g.Name)) {
			continue
		}
		seen[g.ID] = true
		ids = append(ids, g.ID)
		item, diags := snapshotGroupData(ctx, g)
		resp.Diagnostics.Append(diags...)
		out = append(out, item)
	}
	if !idsFiltered {
		list, diags := types.ListValueFrom(ctx, types.StringType, ids)
		resp.Diagnostics.Append(diags...)
		m.IDs = list
	}
	list, diags := types.ListValueFrom(ctx, snapshotGroupDataObjectType, out)
	resp.Diagnostics.Append(diags...)
	m.Groups = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func snapshotGroupData(ctx context.Context, g *ecsapi.SnapshotGroup) (snapshotGroupDataModel, diag.Diagnostics) {
	var all diag.Diagnostics
	facts := restoreFactsOf(g)
	snaps := make([]snapshotDataModel, 0, len(g.Snapshots))
	for _, s := range g.Snapshots {
		snaps = append(snaps, snapshotDataModel{
			snapshotModel: flattenSnapshot(s),
			Status:        types.StringValue(s.Status),
			RetentionDays: types.Int64Value(int64(s.RetentionDays)),
			Category:      types.StringValue(facts.Categories[s.ID]),
		})
	}
	snapList, d := types.ListValueFrom(ctx, snapshotDataObjectType, snaps)
	all.Append(d...)
	tags := userTags(g.Tags)
	tagMap, d := types.MapValueFrom(ctx, types.StringType, tags)
	all.Append(d...)
	return snapshotGroupDataModel{
		ID:           types.StringValue(g.ID),
		Name:         types.StringValue(g.Name),
		Description:  types.StringValue(g.Description),
		InstanceID:   types.StringValue(g.InstanceID),
		Status:       types.StringValue(g.Status),
		Progress:     types.Int64Value(snapshotGroupProgress(g)),
		CreationTime: types.StringValue(apiTimeToRFC3339(g.CreationTime)),
		Tags:         tagMap,
		Snapshots:    snapList,

		SourceInstanceType: types.StringValue(facts.InstanceType),
		SourceImageID:      types.StringValue(facts.ImageID),
	}, all
}
