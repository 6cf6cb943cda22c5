package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ datasource.DataSource              = (*instancesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*instancesDataSource)(nil)
)

// instancesDataSource is aliecs_instances.
type instancesDataSource struct {
	data *providerData
}

// NewInstancesDataSource is the aliecs_instances constructor the provider registers.
func NewInstancesDataSource() datasource.DataSource { return &instancesDataSource{} }

type instancesDataSourceModel struct {
	IDs       types.List          `tfsdk:"ids"`
	NameRegex types.String        `tfsdk:"name_regex"`
	Status    types.String        `tfsdk:"status"`
	Tags      types.Map           `tfsdk:"tags"`
	VSwitchID types.String        `tfsdk:"vswitch_id"`
	Instances []instanceItemModel `tfsdk:"instances"`
}

type instanceItemModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Status          types.String `tfsdk:"status"`
	InstanceType    types.String `tfsdk:"instance_type"`
	ZoneID          types.String `tfsdk:"zone_id"`
	VSwitchID       types.String `tfsdk:"vswitch_id"`
	PrivateIP       types.String `tfsdk:"private_ip"`
	PublicIP        types.String `tfsdk:"public_ip"`
	CPU             types.Int64  `tfsdk:"cpu"`
	Memory          types.Int64  `tfsdk:"memory"`
	GPUAmount       types.Int64  `tfsdk:"gpu_amount"`
	GPUSpec         types.String `tfsdk:"gpu_spec"`
	AutoReleaseTime types.String `tfsdk:"auto_release_time"`
	Tags            types.Map    `tfsdk:"tags"`
	CreationTime    types.String `tfsdk:"creation_time"`

	PricePerHour       types.Float64 `tfsdk:"price_per_hour"` // instances_data_source_prices.go
	EstimatedCostSoFar types.Float64 `tfsdk:"estimated_cost_so_far"`
}

func (d *instancesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instances"
}

func (d *instancesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *instancesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the ECS instances of the provider's region that match every filter given " +
			"(all instances when none is given), with their hardware and any scheduled auto-release.",
		Attributes: map[string]schema.Attribute{
			"ids": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only these instance ids (ids that do not exist are skipped). When set, it keeps the " +
					"ids given, and `instances` lists those that exist; when not set, the ids of the instances found, in " +
					"the order of `instances`.",
				Validators: []validator.List{listvalidator.ValueStringsAre(instanceIDValidator)},
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only instances whose name matches this regular expression (RE2 syntax).",
				Validators:          []validator.String{regexpValidator},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only instances in this status: `Pending`, `Starting`, `Running`, `Stopping` or `Stopped`.",
				Validators: []validator.String{stringvalidator.OneOf(ecsapi.StatusPending, ecsapi.StatusStarting,
					ecsapi.StatusRunning, ecsapi.StatusStopping, ecsapi.StatusStopped)},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only instances that carry all these tags (key and value). The provider's own tags " +
					"may be given: `{ \"aliecs:managed-by\" = \"terraform-provider-aliecs\" }` lists every instance the " +
					"provider created (see the guide Finding orphaned instances).",
				Validators: []validator.Map{mapvalidator.SizeAtMost(maxTags), tagsValidator{}},
			},
			"vswitch_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only instances in this vSwitch.",
				Validators:          []validator.String{vswitchIDValidator},
			},
			"instances": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The instances found, sorted by id.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                str("Instance id."),
						"name":              str("Instance name."),
						"status":            str("Status as the API reports it: `Pending`, `Starting`, `Running`, `Stopping` or `Stopped`."),
						"instance_type":     str("Instance type."),
						"zone_id":           str("Zone."),
						"vswitch_id":        str("vSwitch."),
						"private_ip":        str("Private IP address."),
						"public_ip":         str("Public IP address, empty when none."),
						"cpu":               num("Number of vCPUs."),
						"memory":            num("Memory in MiB."),
						"gpu_amount":        num("Number of GPUs."),
						"gpu_spec":          str("GPU model, empty when none."),
						"auto_release_time": str("Scheduled automatic release, RFC 3339 UTC; empty when none."),
						"tags": schema.MapAttribute{Computed: true, ElementType: types.StringType,
							MarkdownDescription: "Tags, the provider's own `aliecs:` tags included (such as the ownership tag " +
								"`aliecs:managed-by` on every instance the provider created)."},
						"creation_time": str("Creation time, RFC 3339 UTC."),
						"price_per_hour": schema.Float64Attribute{Computed: true, MarkdownDescription: "What the " +
							"instance costs per hour now, pay-as-you-go: DescribePrice's trade price for its type, " +
							"disks and public bandwidth (a spot machine: its zone's current spot price). Null when " +
							"the price could not be read (a warning says why)."},
						"estimated_cost_so_far": schema.Float64Attribute{Computed: true, MarkdownDescription: "An " +
							"estimate, like the console's cost column: `price_per_hour` times the hours since " +
							"`creation_time`. It counts stopped time at the full price and leaves out traffic, " +
							"snapshots, taxes and earlier prices."},
					},
				},
			},
		},
	}
}

func (d *instancesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg instancesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireConfigured(d.data, "aliecs_instances", &resp.Diagnostics) {
		return
	}
	var filter ecsapi.InstanceFilter
	idsGiven := !cfg.IDs.IsNull() && !cfg.IDs.IsUnknown()
	if idsGiven {
		resp.Diagnostics.Append(cfg.IDs.ElementsAs(ctx, &filter.IDs, false)...)
	}
	filter.Status = cfg.Status.ValueString()
	filter.VSwitchID = cfg.VSwitchID.ValueString()
	tags, diags := tagsFromMap(ctx, cfg.Tags)
	resp.Diagnostics.Append(diags...)
	filter.Tags = tags
	var nameRe *regexp.Regexp
	if !cfg.NameRegex.IsNull() {
		re, err := regexp.Compile(cfg.NameRegex.ValueString())
		if err != nil { // caught by the validator; kept for values unknown at validation
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", err.Error())
			return
		}
		nameRe = re
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// An explicit empty id list selects nothing (not everything).
	var found []ecsapi.Instance
	if !idsGiven || len(filter.IDs) > 0 {
		insts, err := d.data.client.ListInstances(ctx, filter)
		if err != nil {
			resp.Diagnostics.AddError("Cannot list instances", fmt.Sprintf("Listing instances failed: %s", err))
			return
		}
		found = insts
	}
	sort.Slice(found, func(i, j int) bool { return found[i].ID < found[j].ID })

	if nameRe != nil {
		kept := found[:0]
		for _, inst := range found {
			if nameRe.MatchString(inst.Name) {
				kept = append(kept, inst)
			}
		}
		found = kept
	}
	costs := d.priceInstances(ctx, found, &resp.Diagnostics)

	cfg.Instances = []instanceItemModel{}
	ids := []string{}
	for _, inst := range found {
		cfg.Instances = append(cfg.Instances, instanceItemModel{
			ID:              types.StringValue(inst.ID),
			Name:            types.StringValue(inst.Name),
			Status:          types.StringValue(inst.Status),
			InstanceType:    types.StringValue(inst.InstanceType),
			ZoneID:          types.StringValue(inst.ZoneID),
			VSwitchID:       types.StringValue(inst.VSwitchID),
			PrivateIP:       types.StringValue(inst.PrivateIP),
			PublicIP:        types.StringValue(inst.PublicIP),
			CPU:             types.Int64Value(int64(inst.CPU)),
			Memory:          types.Int64Value(int64(inst.MemoryMiB)),
			GPUAmount:       types.Int64Value(int64(inst.GPUAmount)),
			GPUSpec:         types.StringValue(inst.GPUSpec),
			AutoReleaseTime: types.StringValue(apiTimeToRFC3339(inst.AutoReleaseTime)),
			Tags:            tagsValue(inst.Tags, types.MapValueMust(types.StringType, nil)),
			CreationTime:    types.StringValue(apiTimeToRFC3339(inst.CreationTime)),

			PricePerHour:       costs[inst.ID].perHour,
			EstimatedCostSoFar: costs[inst.ID].soFar,
		})
		ids = append(ids, inst.ID)
	}
	if !idsGiven {
		// ids given are kept as given (as in aliecs_snapshots): the ones
		// found are in instances.
		l, diags := types.ListValueFrom(ctx, types.StringType, ids)
		resp.Diagnostics.Append(diags...)
		cfg.IDs = l
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
