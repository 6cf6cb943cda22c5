package provider

import (
	"context"
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
// Terraform plans again at apply and fails the apply when a known planned
// value differs, so the plan knows the estimate only when it cannot move
// between plan and apply: with release_after (the hours are the duration)
// on an instance whose on-demand price is known. With release_time the
// hours depend on when the apply runs, and an instance created in the same
// plan has no price yet: then it is known after apply.
//
// The price comes from the instance's own plan in this provider process
// (Terraform plans an instance before the schedule that references it), so
// the estimate costs no call; only a schedule of an instance that this
// configuration does not manage reads the instance, its disks and its price
// (through the same cache as the instances).

var pathEstimatedCost = path.Root("estimated_cost_until_release")

func estimatedCostAttribute() schema.Float64Attribute {
	return schema.Float64Attribute{
		Computed: true,
		MarkdownDescription: "An estimate of what the instance costs from when this schedule is set until it is " +
			"released: its `price_per_hour` times the hours until `effective_release_time` (with `release_after`, " +
			"its duration), in the instance's `price_currency`. Worked out when the schedule is created or changed, " +
			"never on refresh. Known at plan with `release_after` on an existing on-demand instance, known after " +
			"apply otherwise (a `release_time` depends on when the apply runs; a new or spot instance is priced at " +
			"apply). An estimate only: traffic, snapshots, taxes and price changes are not included. Null when the " +
			"price could not be read, or for an imported schedule.",
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
	}
	value := types.Float64Unknown()
	if hours, ok := costHours(plan, time.Time{}, time.Time{}); ok && knownString(plan.InstanceID) && r.data != nil {
		if p, ok := r.planPrice(ctx, plan.InstanceID.ValueString()); ok {
			value = estimate(p, hours)
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEstimatedCost, value)...)
}

// planPrice is the instance's on-demand price as this process planned it,
// or read when this configuration does not manage the instance. ok is false
// when it is not known yet (a new or spot instance, a failed read).
func (r *autoReleaseScheduleResource) planPrice(ctx context.Context, id string) (float64, bool) {
	if p, ok := r.data.rememberedPrice(id); ok {
		return p.perHour.ValueFloat64(), !p.perHour.IsUnknown()
	}
	inst, q, err := r.readPriceQuery(ctx, id)
	if err != nil || inst == nil || q.IsSpot() {
		return 0, false // tried again at apply, which warns
	}
	p, err := lookupPrice(ctx, r.data, q)
	if err != nil {
		return 0, false
	}
	return p.TradePrice, true
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
// with a warning when the price cannot be read.
func (r *autoReleaseScheduleResource) settleEstimate(ctx context.Context, m *autoReleaseScheduleModel, target time.Time, diags *diag.Diagnostics) {
	if !m.EstimatedCost.IsUnknown() {
		return
	}
	m.EstimatedCost = types.Float64Null()
	id := m.InstanceID.ValueString()
	hours, ok := costHours(*m, r.clock.Now(), target)
	if !ok {
		return
	}
	if p, ok := r.data.rememberedPrice(id); ok && !p.perHour.IsUnknown() {
		m.EstimatedCost = estimate(p.perHour.ValueFloat64(), hours)
		return
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
		return
	}
	m.EstimatedCost = estimate(price.TradePrice, hours)
}
