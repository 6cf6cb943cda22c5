package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ datasource.DataSource              = (*instanceTypesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*instanceTypesDataSource)(nil)
)

// instanceTypesDataSource is aliecs_instance_types: which machine can I
// get, where, and for how much. One DescribeInstanceTypes listing (the
// hardware filters go to the service), one DescribeAvailableResource for
// the stock of every type in every zone, and, only with with_prices, one
// DescribePrice per type (and for spot one DescribeSpotPriceHistory per
// type), at most max_results of each, four at a time, through the
// provider's price cache.
type instanceTypesDataSource struct {
	data *providerData
}

// NewInstanceTypesDataSource is the aliecs_instance_types constructor the provider registers.
func NewInstanceTypesDataSource() datasource.DataSource { return &instanceTypesDataSource{} }

const (
	defaultTypesMaxResults = 20
	maxTypesMaxResults     = 100
)

type instanceTypesModel struct {
	MinCPU        types.Int64        `tfsdk:"min_cpu"`
	MinMemory     types.Int64        `tfsdk:"min_memory"`
	MinGPUAmount  types.Int64        `tfsdk:"min_gpu_amount"`
	GPUSpecRegex  types.String       `tfsdk:"gpu_spec_regex"`
	Architecture  types.String       `tfsdk:"architecture"`
	Family        types.String       `tfsdk:"family"`
	ZoneID        types.String       `tfsdk:"zone_id"`
	SpotStrategy  types.String       `tfsdk:"spot_strategy"`
	OnlyWithStock types.Bool         `tfsdk:"only_with_stock"`
	WithPrices    types.Bool         `tfsdk:"with_prices"`
	MaxResults    types.Int64        `tfsdk:"max_results"`
	InstanceTypes []instanceTypeItem `tfsdk:"instance_types"`
}

type instanceTypeItem struct {
	ID            types.String    `tfsdk:"id"`
	Family        types.String    `tfsdk:"family"`
	Architecture  types.String    `tfsdk:"architecture"`
	CPU           types.Int64     `tfsdk:"cpu"`
	Memory        types.Int64     `tfsdk:"memory"`
	GPUAmount     types.Int64     `tfsdk:"gpu_amount"`
	GPUSpec       types.String    `tfsdk:"gpu_spec"`
	GPUMemory     types.Float64   `tfsdk:"gpu_memory"`
	PricePerHour  types.Float64   `tfsdk:"price_per_hour"`
	PriceCurrency types.String    `tfsdk:"price_currency"`
	Zones         []typeZoneModel `tfsdk:"zones"`
}

type typeZoneModel struct {
	ZoneID    types.String  `tfsdk:"zone_id"`
	Stock     types.String  `tfsdk:"stock"`
	SpotPrice types.Float64 `tfsdk:"spot_price"`
}

func (d *instanceTypesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance_types"
}

func (d *instanceTypesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *instanceTypesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Which instance types the region offers, where they are in stock, and (with " +
			"`with_prices`) what they cost: the hardware of each type that passes every filter, its stock in each " +
			"zone, its on-demand price per hour and, for spot, each zone's current spot price. Stock and prices change " +
			"by themselves: this is read on every plan, so use its answer to create a machine and keep the machine " +
			"from following later answers (see the guide \"A GPU machine by the hour\"). Calls: one " +
			"DescribeInstanceTypes, one DescribeAvailableResource and, with `with_prices`, one DescribePrice per " +
			"type listed (and one DescribeSpotPriceHistory per type for spot), so at most `max_results` of each.",
		Attributes: map[string]schema.Attribute{
			"min_cpu": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Only types with at least this many vCPUs.",
				Validators: []validator.Int64{int64validator.Between(1, 1024)},
			},
			"min_memory": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Only types with at least this much memory, in MiB (as `aliecs_instance.memory`).",
				Validators: []validator.Int64{int64validator.Between(1, 64*1024*1024)},
			},
			"min_gpu_amount": schema.Int64Attribute{
				Optional: true, MarkdownDescription: "Only types with at least this many GPUs; `1` lists the GPU types.",
				Validators: []validator.Int64{int64validator.Between(0, 64)},
			},
			"gpu_spec_regex": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only types whose GPU model matches this regular expression (RE2), e.g. " +
					"`A10$` (the A10, not the A100) or `V100|A100`. Types without a GPU have an empty model.",
				Validators: []validator.String{regexpValidator},
			},
			"architecture": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only types of this CPU architecture: `X86` or `ARM`.",
				Validators: []validator.String{stringvalidator.OneOf("X86", "ARM")},
			},
			"family": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only types of this family, e.g. `ecs.gn7i`.",
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^ecs\.[a-z0-9-]+$`),
					"must be an instance type family such as ecs.gn7i")},
			},
			"zone_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only this zone's stock (and spot price).",
				Validators: []validator.String{stringvalidator.RegexMatches(zoneIDPattern, "must be a zone id such as cn-hangzhou-h")},
			},
			"spot_strategy": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "`NoSpot` (default: the stock of on-demand machines), `SpotAsPriceGo` or " +
					"`SpotWithPriceLimit` (the stock of spot machines; with `with_prices`, each zone's current spot price).",
				Validators: []validator.String{stringvalidator.OneOf(ecsapi.SpotNone, ecsapi.SpotAsPriceGo, ecsapi.SpotWithLimit)},
			},
			"only_with_stock": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Only zones that have stock (`WithStock` or `ClosedWithStock`), and only types " +
					"with such a zone. No match is an empty list, not an error. Default `false`.",
			},
			"with_prices": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Read prices: `price_per_hour` and, for spot, `zones[*].spot_price`; the list is " +
					"then sorted by price. Prices cost a call per type (two for spot), so they are off by default. " +
					"When more types pass the filters than `max_results`, the smallest (fewest GPUs, vCPUs, then " +
					"memory) are the ones priced: narrow the filters to compare others.",
			},
			"max_results": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("At most this many types, 1 to %d. Default %d.", maxTypesMaxResults, defaultTypesMaxResults),
				Validators:          []validator.Int64{int64validator.Between(1, maxTypesMaxResults)},
			},
			"instance_types": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The types found: with `with_prices`, cheapest first (for spot, by the cheapest " +
					"zone's spot price; types whose price could not be read last), then by id; otherwise by id.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":           computed("Instance type, e.g. `ecs.gn7i-c8g1.2xlarge`."),
						"family":       computed("Family, e.g. `ecs.gn7i`."),
						"architecture": computed("CPU architecture: `X86` or `ARM`."),
						"cpu":          num("Number of vCPUs."),
						"memory":       num("Memory in MiB."),
						"gpu_amount":   num("Number of GPUs, 0 for none."),
						"gpu_spec":     computed("GPU model, e.g. `NVIDIA A10`; empty for none."),
						"gpu_memory": schema.Float64Attribute{Computed: true,
							MarkdownDescription: "Memory of each GPU in GiB, 0 for none."},
						"price_per_hour": schema.Float64Attribute{Computed: true,
							MarkdownDescription: "With `with_prices`: the on-demand price per hour (DescribePrice's trade " +
								"price) of the type with the default system disk (40 GiB `cloud_essd`), no data disk and no " +
								"public bandwidth, what an `aliecs_instance` of this type with those defaults reports. " +
								"Null without `with_prices` or when the price could not be read."},
						"price_currency": computed("Currency of the prices, e.g. `CNY`; null without prices."),
						"zones": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "The zones that sell the type, by zone id.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"zone_id": computed("Zone."),
									"stock": computed("`WithStock`, `ClosedWithStock` (in stock, running low), " +
										"`WithoutStock` (sold out, refilled later) or `ClosedWithoutStock` (sold out for good)."),
									"spot_price": schema.Float64Attribute{Computed: true,
										MarkdownDescription: "With a spot `spot_strategy` and `with_prices`: the zone's " +
											"current spot price per hour of the type alone (no disks). Null otherwise."},
								},
							},
						},
					},
				},
			},
		},
	}
}

func inStock(category string) bool {
	return category == ecsapi.StockWith || category == ecsapi.StockClosedWith
}

func (d *instanceTypesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg instanceTypesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !requireConfigured(d.data, "aliecs_instance_types", &resp.Diagnostics) {
		return
	}
	var gpuRe *regexp.Regexp
	if !cfg.GPUSpecRegex.IsNull() {
		re, err := regexp.Compile(cfg.GPUSpecRegex.ValueString())
		if err != nil { // caught by the validator; kept for values unknown at validation
			resp.Diagnostics.AddAttributeError(path.Root("gpu_spec_regex"), "Invalid regular expression",
				fmt.Sprintf("gpu_spec_regex %q is not a valid RE2 regular expression: %s", cfg.GPUSpecRegex.ValueString(), err))
			return
		}
		gpuRe = re
	}
	maxResults := defaultTypesMaxResults
	if !cfg.MaxResults.IsNull() {
		maxResults = int(cfg.MaxResults.ValueInt64())
	}
	spot := cfg.SpotStrategy.ValueString()
	isSpot := spot != "" && spot != ecsapi.SpotNone

	all, err := d.data.client.DescribeInstanceTypes(ctx, ecsapi.InstanceTypeFilter{
		Family: cfg.Family.ValueString(), Architecture: cfg.Architecture.ValueString(),
		MinCPU: cfg.MinCPU.ValueInt64(), MinMemoryMiB: cfg.MinMemory.ValueInt64(), MinGPUAmount: cfg.MinGPUAmount.ValueInt64(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot list instance types", fmt.Sprintf("Listing the instance types failed: %s", err))
		return
	}
	stock, err := d.data.client.InstanceTypesInStock(ctx, cfg.ZoneID.ValueString(), spot)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the stock", fmt.Sprintf("Reading the stock of the instance types failed: %s", err))
		return
	}
	zonesOf := map[string][]ecsapi.TypeStock{}
	for _, s := range stock {
		if cfg.OnlyWithStock.ValueBool() && !inStock(s.Category) {
			continue
		}
		zonesOf[s.InstanceType] = append(zonesOf[s.InstanceType], s)
	}

	// The service's filters, checked again (an answer is not trusted to
	// have applied them), and the ones it does not have.
	var found []ecsapi.InstanceTypeInfo
	for _, t := range all {
		switch {
		case t.CPU < cfg.MinCPU.ValueInt64(), t.MemoryMiB < cfg.MinMemory.ValueInt64(),
			t.GPUAmount < cfg.MinGPUAmount.ValueInt64(),
			gpuRe != nil && !gpuRe.MatchString(t.GPUSpec),
			!cfg.Family.IsNull() && t.Family != cfg.Family.ValueString(),
			!cfg.Architecture.IsNull() && !strings.EqualFold(t.Architecture, cfg.Architecture.ValueString()),
			cfg.OnlyWithStock.ValueBool() && len(zonesOf[t.ID]) == 0:
			continue
		}
		found = append(found, t)
	}
	withPrices := cfg.WithPrices.ValueBool()
	if withPrices {
		// Priced: at most max_results, the smallest first (see with_prices).
		sort.SliceStable(found, func(i, j int) bool {
			a, b := found[i], found[j]
			if a.GPUAmount != b.GPUAmount {
				return a.GPUAmount < b.GPUAmount
			}
			if a.CPU != b.CPU {
				return a.CPU < b.CPU
			}
			if a.MemoryMiB != b.MemoryMiB {
				return a.MemoryMiB < b.MemoryMiB
			}
			return a.ID < b.ID
		})
	} else {
		sort.SliceStable(found, func(i, j int) bool { return found[i].ID < found[j].ID })
	}
	if len(found) > maxResults {
		found = found[:maxResults]
	}

	items := make([]instanceTypeItem, len(found))
	for i, t := range found {
		items[i] = instanceTypeItem{
			ID: types.StringValue(t.ID), Family: types.StringValue(t.Family), Architecture: types.StringValue(t.Architecture),
			CPU: types.Int64Value(t.CPU), Memory: types.Int64Value(t.MemoryMiB), GPUAmount: types.Int64Value(t.GPUAmount),
			GPUSpec: types.StringValue(t.GPUSpec), GPUMemory: types.Float64Value(t.GPUMemoryGiB),
			PricePerHour: types.Float64Null(), PriceCurrency: types.StringNull(), Zones: []typeZoneModel{},
		}
		for _, z := range zonesOf[t.ID] {
			items[i].Zones = append(items[i].Zones, typeZoneModel{ZoneID: types.StringValue(z.ZoneID),
				Stock: types.StringValue(z.Category), SpotPrice: types.Float64Null()})
		}
	}
	if withPrices {
		d.priceTypes(ctx, items, isSpot, &resp.Diagnostics)
		sort.SliceStable(items, func(i, j int) bool {
			pi, oki := sortPrice(items[i], isSpot)
			pj, okj := sortPrice(items[j], isSpot)
			if oki != okj {
				return oki // priced first
			}
			if oki && pi != pj {
				return pi < pj
			}
			return items[i].ID.ValueString() < items[j].ID.ValueString()
		})
	}
	cfg.InstanceTypes = items
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// sortPrice is what a type is sorted by: its on-demand price, or for spot
// the cheapest zone's spot price.
func sortPrice(it instanceTypeItem, spot bool) (float64, bool) {
	if !spot {
		return it.PricePerHour.ValueFloat64(), !it.PricePerHour.IsNull()
	}
	best, ok := math.Inf(1), false
	for _, z := range it.Zones {
		if !z.SpotPrice.IsNull() && z.SpotPrice.ValueFloat64() < best {
			best, ok = z.SpotPrice.ValueFloat64(), true
		}
	}
	return best, ok
}

// priceTypes reads the on-demand price of each type and, for spot, its
// zones' spot prices: four types at a time; a failure is one warning and
// null prices.
func (d *instanceTypesDataSource) priceTypes(ctx context.Context, items []instanceTypeItem, spot bool, diags *diag.Diagnostics) {
	failed := readPrices(len(items), func(i int, fail func(string, error)) {
		it := &items[i]
		id := it.ID.ValueString()
		q := ecsapi.PriceQuery{InstanceType: id,
			SystemDisk: ecsapi.PriceDisk{Category: defaultDiskCategory, Size: defaultSystemDiskMinGiB}}
		if p, err := lookupPrice(ctx, d.data, q); err != nil {
			fail(id, err)
		} else {
			it.PricePerHour, it.PriceCurrency = types.Float64Value(p.TradePrice), types.StringValue(p.Currency)
		}
		if !spot || len(it.Zones) == 0 {
			return
		}
		sp, err := cached(ctx, d.data, "spot/"+id, func(ctx context.Context) (ecsapi.SpotPrices, error) {
			return d.data.client.CurrentSpotPrices(ctx, id)
		})
		if err != nil {
			fail(id+" (spot)", err)
			return
		}
		for j := range it.Zones {
			if p, ok := sp.ByZone[it.Zones[j].ZoneID.ValueString()]; ok {
				it.Zones[j].SpotPrice = types.Float64Value(p)
			}
		}
	})
	if len(failed) > 0 {
		diags.AddAttributeWarning(path.Root("instance_types"), "Cannot read some prices",
			"Their prices are left empty (null) and they are listed after the priced types. "+strings.Join(failed, "; ")+".")
	}
}
