package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// An instance's price_per_hour and price_currency. They are priced in the
// instance's own plan when it is created or when something that decides
// the price changes (type, disks, bandwidth, spot settings, the zone of a
// spot machine), so the plan shows them; otherwise they stay as the state
// has them and a refresh never reads them again (no "changed outside
// Terraform" noise as prices move). Create and Update keep the planned
// value, so the result always matches the plan. Terraform plans again at
// apply and fails the apply when a known planned value differs, so only
// what is stable is priced at plan: on-demand prices. A spot machine's
// price moves by itself and is read at apply (known after apply).
//
// A price read that fails (after the client's retries) is a warning, never
// an error: the plan shows the price as known after apply, Create or Update
// tries once more, and if that fails too the price is null with a warning.
//
// Prices are cached per provider process, keyed by everything the price
// depends on (ecsapi.PriceQuery.Key), with concurrent callers sharing one
// call: a plan of 100 identical instances makes one DescribePrice call.

// defaultSystemDiskMinGiB is RunInstances' smallest default system disk.
const defaultSystemDiskMinGiB = 40

var (
	pathPricePerHour  = path.Root("price_per_hour")
	pathPriceCurrency = path.Root("price_currency")
)

// addPriceAttributes adds the price attributes to the instance's schema.
func addPriceAttributes(attrs map[string]schema.Attribute) {
	attrs["price_per_hour"] = schema.Float64Attribute{
		Computed: true,
		MarkdownDescription: "What the instance costs per hour, pay-as-you-go: DescribePrice's trade price (after " +
			"the account's discounts) for its type, disks and public bandwidth; for a spot machine the spot price " +
			"of its zone when it was priced. Priced in the plan when the instance is created or its type, disks, " +
			"bandwidth or spot settings change, and not read again on refresh, so it is the price when it was " +
			"last priced. A spot machine's price moves by itself, so it is read at apply instead (known after " +
			"apply: a value read at plan could differ when Terraform plans again at apply). An estimate: traffic, snapshots and taxes are not included. Null when the price could " +
			"not be read (a warning says why).",
	}
	attrs["price_currency"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Currency of `price_per_hour`, e.g. `CNY` (China site) or `USD`.",
	}
}

// instancePrice is a price as it goes into state: known, or unknown.
type instancePrice struct {
	perHour  types.Float64
	currency types.String
}

func unknownPrice() instancePrice {
	return instancePrice{perHour: types.Float64Unknown(), currency: types.StringUnknown()}
}

func nullPrice() instancePrice {
	return instancePrice{perHour: types.Float64Null(), currency: types.StringNull()}
}

// lookupPrice prices q through the provider's cache.
func lookupPrice(ctx context.Context, d *providerData, q ecsapi.PriceQuery) (ecsapi.Price, error) {
	return cached(ctx, d, "price/"+q.Key(), func(ctx context.Context) (ecsapi.Price, error) {
		return d.client.DescribePrice(ctx, q)
	})
}

// priceInputsChanged reports whether the plan changes what decides the price.
func priceInputsChanged(plan, state instanceModel) bool {
	changed := func(a, b attr.Value) bool { return !a.Equal(b) }
	spot := plan.SpotStrategy.ValueString() != "" && plan.SpotStrategy.ValueString() != ecsapi.SpotNone
	return changed(plan.InstanceType, state.InstanceType) || changed(plan.SystemDisk, state.SystemDisk) ||
		changed(plan.DataDisks, state.DataDisks) || changed(plan.InternetMaxBandwidthOut, state.InternetMaxBandwidthOut) ||
		changed(plan.SpotStrategy, state.SpotStrategy) || spot && changed(plan.ZoneID, state.ZoneID)
}

// priceQuery builds the price request of m; ok is false while something it
// needs is unknown (priced at apply then).
func (r *instanceResource) priceQuery(ctx context.Context, m instanceModel) (q ecsapi.PriceQuery, ok bool, diags diag.Diagnostics) {
	// Data disks not configured are none, unless they come from a snapshot
	// group (source_snapshot_id): known once created.
	noDataDisks := m.DataDisks.IsUnknown() && m.SourceSnapshotID.IsNull()
	if !knownString(m.InstanceType) || m.DataDisks.IsUnknown() && !noDataDisks || m.InternetMaxBandwidthOut.IsUnknown() ||
		m.SpotStrategy.IsUnknown() {
		return q, false, diags
	}
	q.InstanceType = m.InstanceType.ValueString()
	q.InternetMaxBandwidthOut = m.InternetMaxBandwidthOut.ValueInt64()
	q.SystemDisk.Category = defaultDiskCategory
	if !m.SystemDisk.IsNull() && !m.SystemDisk.IsUnknown() {
		var sd systemDiskModel
		diags.Append(m.SystemDisk.As(ctx, &sd, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
		if c := sd.Category.ValueString(); c != "" { // unknown: the default, as RunInstances sends
			q.SystemDisk.Category = c
		}
		q.SystemDisk.Size = sd.Size.ValueInt64()
	}
	if q.SystemDisk.Size == 0 {
		// Not set: RunInstances makes it max(40 GiB, the image's size) (the
		// image is read once per process for the reference checks too).
		if !knownString(m.ImageID) {
			return q, false, diags
		}
		im, err := lookupImage(ctx, r.data, m.ImageID.ValueString())
		if err != nil || im == nil || im.Size == 0 {
			return q, false, diags
		}
		q.SystemDisk.Size = int64(max(im.Size, defaultSystemDiskMinGiB))
	}
	if !m.DataDisks.IsNull() && !noDataDisks {
		var dds []dataDiskModel
		diags.Append(m.DataDisks.ElementsAs(ctx, &dds, false)...)
		for _, dd := range dds {
			if dd.Size.IsUnknown() || dd.Category.IsUnknown() {
				return q, false, diags
			}
			c := dd.Category.ValueString()
			if c == "" {
				c = defaultDiskCategory
			}
			q.DataDisks = append(q.DataDisks, ecsapi.PriceDisk{Category: c, Size: dd.Size.ValueInt64()})
		}
	}
	if s := m.SpotStrategy.ValueString(); s != "" && s != ecsapi.SpotNone {
		q.SpotStrategy = s
		zone, known := r.instanceZone(ctx, m)
		if !known {
			return q, false, diags
		}
		q.ZoneID = zone
	}
	return q, !diags.HasError(), diags
}

// instanceZone is the zone of m: zone_id, or its vSwitch's zone from the
// listing the reference checks read (cached: no extra call).
func (r *instanceResource) instanceZone(ctx context.Context, m instanceModel) (string, bool) {
	if knownString(m.ZoneID) && m.ZoneID.ValueString() != "" {
		return m.ZoneID.ValueString(), true
	}
	if !knownString(m.VSwitchID) {
		return "", false
	}
	list, err := cached(ctx, r.data, "vswitches", r.data.client.ListVSwitches)
	if err != nil {
		return "", false
	}
	for _, v := range list {
		if v.ID == m.VSwitchID.ValueString() {
			return v.ZoneID, true
		}
	}
	return "", false
}

// price prices m; a failure is a warning (with what is done about it).
func (r *instanceResource) price(ctx context.Context, m instanceModel, next string, diags *diag.Diagnostics) (instancePrice, bool) {
	q, ok, d := r.priceQuery(ctx, m)
	diags.Append(d...)
	if !ok {
		return unknownPrice(), false
	}
	p, err := lookupPrice(ctx, r.data, q)
	if err != nil {
		diags.AddAttributeWarning(pathPricePerHour, "Cannot read the instance's price",
			fmt.Sprintf("Reading the price of %s failed: %s. %s", describeQuery(q), strings.TrimSuffix(err.Error(), "."), next))
		return unknownPrice(), false
	}
	return instancePrice{perHour: types.Float64Value(p.TradePrice), currency: types.StringValue(p.Currency)}, true
}

func describeQuery(q ecsapi.PriceQuery) string {
	s := q.InstanceType
	if q.IsSpot() {
		s += " (" + q.SpotStrategy + " in " + q.ZoneID + ")"
	}
	return s
}

// pricePlan sets the planned price: priced when created or changed, the
// state's otherwise. A tombstone keeps its state (instance_tombstone.go).
func (r *instanceResource) pricePlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() || r.data == nil {
		return
	}
	var plan instanceModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var next instancePrice
	if !req.State.Raw.IsNull() {
		var state instanceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() || isTombstone(state) {
			return
		}
		if !priceInputsChanged(plan, state) {
			next = instancePrice{perHour: state.PricePerHour, currency: state.PriceCurrency}
			r.data.rememberPrice(state.ID, next)
			resp.Diagnostics.Append(next.setPlan(ctx, resp)...)
			return
		}
	}
	if s := plan.SpotStrategy.ValueString(); s != "" && s != ecsapi.SpotNone {
		// A spot price moves on its own: one read at plan could differ from
		// Terraform's plan again at apply, which fails the apply. Priced at
		// apply instead (remembered as unknown: the schedule's estimate of
		// a machine priced again waits for the apply too).
		if !req.State.Raw.IsNull() {
			r.data.rememberPrice(plan.ID, unknownPrice())
		}
		resp.Diagnostics.Append(unknownPrice().setPlan(ctx, resp)...)
		return
	}
	next, _ = r.price(ctx, plan, "The plan shows it as known after apply; the apply tries again, and a price it "+
		"cannot read either is left empty (null). It never fails the apply.", &resp.Diagnostics)
	if !req.State.Raw.IsNull() {
		r.data.rememberPrice(plan.ID, next)
	}
	resp.Diagnostics.Append(next.setPlan(ctx, resp)...)
}

func (p instancePrice) setPlan(ctx context.Context, resp *resource.ModifyPlanResponse) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(resp.Plan.SetAttribute(ctx, pathPricePerHour, p.perHour)...)
	diags.Append(resp.Plan.SetAttribute(ctx, pathPriceCurrency, p.currency)...)
	return diags
}

// settlePrice runs at the end of Create and Update: a planned price stays
// as planned; one still unknown is read once more, and null (with a
// warning) when that fails too, since a value unknown at plan must be known
// after apply.
func (r *instanceResource) settlePrice(ctx context.Context, m *instanceModel, diags *diag.Diagnostics) {
	if m.PricePerHour.IsUnknown() || m.PriceCurrency.IsUnknown() {
		p, ok := r.price(ctx, *m, "The price is left empty (null); it is read again when the instance's type, "+
			"disks, bandwidth or spot settings change.", diags)
		if !ok {
			p = nullPrice()
		}
		m.PricePerHour, m.PriceCurrency = p.perHour, p.currency
	}
	r.data.rememberPrice(m.ID, instancePrice{perHour: m.PricePerHour, currency: m.PriceCurrency})
}

// rememberPrice records an instance's price for this provider process, so
// that its auto-release schedule's estimate needs no call of its own.
func (d *providerData) rememberPrice(id types.String, p instancePrice) {
	// Unknown is kept too: the schedule's estimate is then unknown as well.
	if d == nil || !knownString(id) || p.perHour.IsNull() {
		return
	}
	d.instancePrices.Store(id.ValueString(), p)
}

// rememberedPrice is the price this process last planned or applied for an
// instance.
func (d *providerData) rememberedPrice(id string) (instancePrice, bool) {
	if d == nil {
		return instancePrice{}, false
	}
	v, ok := d.instancePrices.Load(id)
	if !ok {
		return instancePrice{}, false
	}
	p, ok := v.(instancePrice)
	return p, ok
}
