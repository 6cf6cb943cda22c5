package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// estimated_cost_until_release: the instance's price_per_hour times the
// hours from when the schedule is set to the release. It is worked out when
// the schedule is created or changed, and otherwise kept as the state has
// it (a refresh never changes it).
//
// Terraform plans again at apply (the "final plan"), in a new provider
// process, and fails the apply when a value known at plan differs or is
// unknown then. What the plan knows must therefore come from what the final
// plan sees too: the configuration, and the schedule's own state and private
// state. Not the instance's plan: an instance with no change is not planned
// again at apply, so nothing of its price is in that process (a spot price
// cannot be read back from the service either: it moves). So the estimate is
// known at plan only when the schedule changes on the same instance, with
// release_after (the hours are the duration), priced at the price its last
// apply used (kept in private state), and only when the instance's plan in
// this process does not show another price (a type or disk change, a spot
// machine priced at apply). Anything else is known after apply: a create (a
// -replace too), release_time (the hours depend on when the apply runs), a
// schedule from before this rule or imported.
//
// At apply the price is the instance's as this process applied or planned
// it, else the one the last apply used, else read from the service (the
// instance, its disks and its price, through the same cache as the
// instances).

var pathEstimatedCost = path.Root("estimated_cost_until_release")

func estimatedCostAttribute() schema.Float64Attribute {
	return schema.Float64Attribute{
		Computed: true,
		MarkdownDescription: "An estimate of what the instance costs from when this schedule is set until it is " +
			"released: its `price_per_hour` times the hours until `effective_release_time` (with `release_after`, " +
			"its duration), in the instance's `price_currency`. Worked out when the schedule is created or changed, " +
			"never on refresh. Known at plan when `release_after` of an existing schedule changes (at the price its " +
			"last apply used, unless the instance's price changes in the same plan); known after apply otherwise (a " +
			"new or replaced schedule, a `release_time`, which depends on when the apply runs). An estimate only: " +
			"traffic, snapshots, taxes and price changes are not included. Null when the price could not be read, or " +
			"for an imported schedule.",
	}
}

// costHours is how long the instance runs from now until target; with
// release_after, the duration itself (at least the 31 minutes the schedule
// applies).
func costHours(m autoReleaseScheduleModel, now, target time.Time) (float64, bool) {
	if knownString(m.ReleaseAfter) {
		d, err := parseReleaseAfter(m.ReleaseAfter.ValueString())
		if err != nil {
			return 0, false
		}
		if least := releaseWindowMin + releaseAfterSkewMargin; d < least {
			d = least
		}
		return d.Hours(), true
	}
	if target.IsZero() || target.Before(now) {
		return 0, false
	}
	return target.Sub(now).Hours(), true
}

func estimate(price, hours float64) types.Float64 {
	return types.Float64Value(math.Round(price*hours*10000) / 10000)
}

// estimatePlan sets the planned estimate (see above).
func (r *autoReleaseScheduleResource) estimatePlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan autoReleaseScheduleModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	value := types.Float64Unknown()
	if !req.State.Raw.IsNull() {
		var state autoReleaseScheduleModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if state.InstanceReleased.ValueBool() || plan.InstanceID.Equal(state.InstanceID) && !scheduleChanged(plan, state) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEstimatedCost, state.EstimatedCost)...)
			return
		}
		if hours, ok := costHours(plan, time.Time{}, time.Time{}); ok && knownString(plan.InstanceID) {
			if p, ok := r.stablePrice(ctx, req.Private, plan.InstanceID.ValueString()); ok {
				value = estimate(p, hours)
			}
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEstimatedCost, value)...)
}

// stablePrice is the price the schedule's last apply used for instance id,
// when the final plan at apply finds the same: the instance's plan in this
// process, if any, shows that price too.
func (r *autoReleaseScheduleResource) stablePrice(ctx context.Context, private privateGetter, id string) (float64, bool) {
	used, ok := usedPrice(ctx, private, id)
	if !ok {
		return 0, false
	}
	if p, planned := r.data.rememberedPrice(id); planned &&
		(p.perHour.IsUnknown() || math.Abs(p.perHour.ValueFloat64()-used) > 1e-9) {
		return 0, false // priced again in this plan: known after apply
	}
	return used, true
}

// privateKeyEstimatePrice holds the price per hour the last estimate used.
const privateKeyEstimatePrice = "estimate_price"

type estimatePriceMark struct {
	InstanceID string  `json:"instance_id"`
	PerHour    float64 `json:"per_hour"`
}

// usedPrice is the price the last estimate of the schedule of instance id used.
func usedPrice(ctx context.Context, private privateGetter, id string) (float64, bool) {
	if private == nil {
		return 0, false
	}
	raw, diags := private.GetKey(ctx, privateKeyEstimatePrice)
	if diags.HasError() || len(raw) == 0 {
		return 0, false
	}
	var m estimatePriceMark
	if err := json.Unmarshal(raw, &m); err != nil || m.InstanceID != id {
		return 0, false
	}
	return m.PerHour, true
}

// setUsedPrice records the price an estimate used (nothing when none was).
func setUsedPrice(ctx context.Context, private privateSetter, id string, perHour float64, ok bool) diag.Diagnostics {
	if !ok {
		return private.SetKey(ctx, privateKeyEstimatePrice, nil)
	}
	raw, _ := json.Marshal(estimatePriceMark{InstanceID: id, PerHour: perHour})
	return private.SetKey(ctx, privateKeyEstimatePrice, raw)
}

// readPriceQuery reads an instance and its disks into a price request.
func (r *autoReleaseScheduleResource) readPriceQuery(ctx context.Context, id string) (*ecsapi.Instance, ecsapi.PriceQuery, error) {
	inst, err := r.data.client.GetInstance(ctx, id)
	if err != nil {
		return nil, ecsapi.PriceQuery{}, err
	}
	disks, err := r.data.client.ListDisks(ctx, id)
	if err != nil {
		return nil, ecsapi.PriceQuery{}, err
	}
	return inst, ecsapi.PriceQueryOf(*inst, disks), nil
}

// settleEstimate runs at apply, once the release time (target) is set: a
// planned estimate stays; one unknown at plan is worked out now, and is null
// with a warning when the price cannot be read. It records the price used
// in private state for the next change's plan.
func (r *autoReleaseScheduleResource) settleEstimate(ctx context.Context, m *autoReleaseScheduleModel, target time.Time,
	private privateState, diags *diag.Diagnostics) {
	id := m.InstanceID.ValueString()
	if !m.EstimatedCost.IsUnknown() {
		return // planned from the price in private state, which stays
	}
	m.EstimatedCost = types.Float64Null()
	price, ok := r.applyPrice(ctx, private, id, diags)
	diags.Append(setUsedPrice(ctx, private, id, price, ok)...)
	if hours, known := costHours(*m, r.clock.Now(), target); ok && known {
		m.EstimatedCost = estimate(price, hours)
	}
}

// privateState is a resource's private state in Create and Update.
type privateState interface {
	privateGetter
	privateSetter
}

// applyPrice is the instance's price at apply (see above).
func (r *autoReleaseScheduleResource) applyPrice(ctx context.Context, private privateGetter, id string, diags *diag.Diagnostics) (float64, bool) {
	if p, ok := r.data.rememberedPrice(id); ok && !p.perHour.IsUnknown() {
		return p.perHour.ValueFloat64(), true
	}
	if p, ok := usedPrice(ctx, private, id); ok {
		return p, true
	}
	_, q, err := r.readPriceQuery(ctx, id)
	var price ecsapi.Price
	if err == nil {
		price, err = lookupPrice(ctx, r.data, q)
	}
	if err != nil {
		diags.AddAttributeWarning(pathEstimatedCost, "Cannot estimate the cost until the release",
			fmt.Sprintf("Reading the price of instance %s failed: %s. The schedule is set; its estimate is left empty (null).",
				id, strings.TrimSuffix(err.Error(), ".")))
		return 0, false
	}
	return price.TradePrice, true
}
