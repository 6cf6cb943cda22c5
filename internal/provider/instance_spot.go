package provider

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Spot instances: aliecs_instance's spot_* arguments, their checks, and what
// a reclaim by the service looks like to the provider. A reclaim with
// Terminate makes the instance a tombstone (instance_tombstone.go), whose
// warning says "reclaimed" when the interruption event shows it; a reclaim
// with Stop leaves it Stopped, and the configured status starts it again.

// maxSpotPriceLimit refuses absurd limits (per hour): the most expensive
// machines cost a few hundred an hour, so a larger number is a typo.
const maxSpotPriceLimit = 1000.0

// A spot setting that changes replaces the instance, except when the state
// holds none: a state written before the spot arguments existed (plan with
// -refresh=false, or a tombstone, which is never read again) must not
// replace its machine for the defaults. spot_duration and
// spot_interruption_behavior of a machine that is on-demand before and
// after have no effect: their change is recorded in the state only.
var (
	spotReplace = []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull()
		}, spotReplaceDescription, spotReplaceDescription)}
	spotSettingReplace = []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() && !onDemandThroughout(ctx, req.State, req.Plan)
		}, spotReplaceDescription, spotReplaceDescription)}
	spotSettingReplaceInt = []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !req.StateValue.IsNull() && !onDemandThroughout(ctx, req.State, req.Plan)
		}, spotReplaceDescription, spotReplaceDescription)}
)

const spotReplaceDescription = "A change of the spot settings replaces the instance."

// onDemandThroughout reports whether the instance is on-demand in the state
// and stays on-demand in the plan.
func onDemandThroughout(ctx context.Context, state tfsdk.State, plan tfsdk.Plan) bool {
	var before, after types.String
	if state.GetAttribute(ctx, pathSpotStrategy, &before).HasError() || plan.GetAttribute(ctx, pathSpotStrategy, &after).HasError() {
		return false
	}
	onDemand := func(v types.String) bool {
		return !v.IsUnknown() && !(ecsapi.SpotSpec{Strategy: v.ValueString()}).IsSpot()
	}
	return !before.IsNull() && onDemand(before) && onDemand(after)
}

var pathSpotStrategy = path.Root("spot_strategy")

// spotSettingAbsent reports whether a spot argument is missing from a state
// written before it existed (its change is then no replacement).
func spotSettingAbsent(state instanceModel, attr string) bool {
	switch attr {
	case "spot_strategy":
		return state.SpotStrategy.IsNull()
	case "spot_duration":
		return state.SpotDuration.IsNull()
	case "spot_interruption_behavior":
		return state.SpotInterruptionBehavior.IsNull()
	}
	return false
}

// spotSpec is the RunInstances view of the spot arguments.
func (m *instanceModel) spotSpec() ecsapi.SpotSpec {
	return ecsapi.SpotSpec{
		Strategy:     m.SpotStrategy.ValueString(),
		PriceLimit:   m.SpotPriceLimit.ValueFloat64(),
		Duration:     int(m.SpotDuration.ValueInt64()),
		Interruption: m.SpotInterruptionBehavior.ValueString(),
	}
}

// applySpot records the spot settings the service reports. The service
// reports no duration or interruption behaviour for an on-demand instance:
// it keeps what the configuration said (they have no effect on it), and an
// import reads the defaults, so that it plans no change.
func (m *instanceModel) applySpot(s ecsapi.SpotSpec) {
	if !s.IsSpot() {
		m.SpotStrategy = types.StringValue(ecsapi.SpotNone)
		if m.SpotDuration.IsNull() || m.SpotDuration.IsUnknown() {
			m.SpotDuration = types.Int64Value(1)
		}
		if m.SpotInterruptionBehavior.IsNull() || m.SpotInterruptionBehavior.IsUnknown() {
			m.SpotInterruptionBehavior = types.StringValue(ecsapi.SpotTerminate)
		}
		m.SpotPriceLimit = types.Float64Null()
		return
	}
	m.SpotStrategy = types.StringValue(s.Strategy)
	m.SpotDuration = types.Int64Value(int64(s.Duration))
	behavior := s.Interruption
	if behavior == "" {
		behavior = ecsapi.SpotTerminate
	}
	m.SpotInterruptionBehavior = types.StringValue(behavior)
	switch {
	case s.Strategy != ecsapi.SpotWithLimit:
		m.SpotPriceLimit = types.Float64Null()
	case !m.SpotPriceLimit.IsNull() && !m.SpotPriceLimit.IsUnknown() &&
		math.Abs(m.SpotPriceLimit.ValueFloat64()-s.PriceLimit) < 1e-9:
		// The same number through the wire's decimal form: keep the user's.
	default:
		m.SpotPriceLimit = types.Float64Value(s.PriceLimit)
	}
}

// spotPriceLimitValidator: above 0, at most maxSpotPriceLimit, 3 decimals.
type spotPriceLimitValidator struct{}

func (spotPriceLimitValidator) Description(context.Context) string {
	return "a price per hour above 0 and at most 1000, with at most 3 decimals"
}

func (v spotPriceLimitValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (spotPriceLimitValidator) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueFloat64()
	why := ""
	switch {
	case math.IsNaN(f) || f <= 0:
		why = "a price limit must be above 0"
	case f > maxSpotPriceLimit:
		why = "that is more than any machine costs per hour (a typo?)"
	case math.Abs(f*1000-math.Round(f*1000)) > 1e-6:
		why = "the service takes at most 3 decimals"
	default:
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid spot_price_limit",
		fmt.Sprintf("spot_price_limit = %v is not allowed: %s. Allowed: the highest price per hour you accept for "+
			"the spot machine, above 0 and at most %g, with at most 3 decimals (for example 0.35).", f, why, maxSpotPriceLimit))
}

// spotDurationValidator: 0 or 1 protected hour.
type spotDurationValidator struct{}

func (spotDurationValidator) Description(context.Context) string {
	return "0 or 1 (hours of protection from reclaim)"
}

func (v spotDurationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (spotDurationValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d := req.ConfigValue.ValueInt64()
	if d == 0 || d == 1 {
		return
	}
	detail := fmt.Sprintf("spot_duration = %d is not allowed: 0 (no protection) or 1 (the spot machine is not "+
		"reclaimed in its first hour).", d)
	if d >= 2 && d <= 6 {
		detail += " A protection of 2 to 6 hours exists, but only for accounts the service has approved for it " +
			"(ask Alibaba Cloud support); this provider offers 0 or 1."
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid spot_duration", detail)
}

// spotConfigValidator checks the spot arguments against each other:
// spot_price_limit goes with SpotWithPriceLimit and only with it. The
// duration and interruption behaviour only mean something for a spot
// machine, but an on-demand one accepts them, with no effect: a
// configuration that switches spot_strategy with a variable keeps working,
// and -generate-config-out writes them for every instance. A value other
// than the default gets a warning, since it suggests a spot machine was meant.
type spotConfigValidator struct{}

func (spotConfigValidator) Description(context.Context) string {
	return "spot_price_limit is required with spot_strategy SpotWithPriceLimit and refused otherwise; " +
		"spot_duration and spot_interruption_behavior have no effect without a spot strategy"
}

func (v spotConfigValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (spotConfigValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var strategy, behavior types.String
	var limit types.Float64
	var duration types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("spot_strategy"), &strategy)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("spot_price_limit"), &limit)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("spot_duration"), &duration)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("spot_interruption_behavior"), &behavior)...)
	if resp.Diagnostics.HasError() || strategy.IsUnknown() {
		return
	}
	s := strategy.ValueString()
	if strategy.IsNull() {
		s = ecsapi.SpotNone
	}
	switch {
	case s == ecsapi.SpotWithLimit && limit.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("spot_price_limit"), "Missing spot_price_limit",
			"spot_strategy = \"SpotWithPriceLimit\" needs spot_price_limit: the highest price per hour you accept "+
				"for the spot machine (above 0, at most 3 decimals). Or use spot_strategy = \"SpotAsPriceGo\" to pay "+
				"the current spot price, at most the on-demand price.")
	case s != ecsapi.SpotWithLimit && !limit.IsNull() && !limit.IsUnknown():
		resp.Diagnostics.AddAttributeError(path.Root("spot_price_limit"), "spot_price_limit without its strategy",
			fmt.Sprintf("spot_price_limit = %v is given with spot_strategy = %q: a price limit applies only with "+
				"spot_strategy = \"SpotWithPriceLimit\". Set that strategy, or remove spot_price_limit.", limit.ValueFloat64(), s))
	}
	if s != ecsapi.SpotNone {
		return
	}
	if !duration.IsNull() && !duration.IsUnknown() && duration.ValueInt64() != 1 {
		resp.Diagnostics.AddAttributeWarning(path.Root("spot_duration"), "spot_duration has no effect without a spot strategy",
			fmt.Sprintf("spot_duration = %d protects a spot machine from reclaim; this instance is on-demand "+
				"(spot_strategy = \"NoSpot\"), which is never reclaimed, so it has no effect (it is recorded in the "+
				"state only, and changing it replaces nothing). For a spot machine, set spot_strategy to "+
				"\"SpotAsPriceGo\" or \"SpotWithPriceLimit\"; otherwise remove spot_duration, or set it to null when "+
				"spot_strategy comes from a variable.", duration.ValueInt64()))
	}
	if knownString(behavior) && behavior.ValueString() != ecsapi.SpotTerminate {
		resp.Diagnostics.AddAttributeWarning(path.Root("spot_interruption_behavior"),
			"spot_interruption_behavior has no effect without a spot strategy",
			fmt.Sprintf("spot_interruption_behavior = %q says what a reclaim does to a spot machine; this instance is "+
				"on-demand (spot_strategy = \"NoSpot\"), which is never reclaimed, so it has no effect (it is recorded "+
				"in the state only, and changing it replaces nothing). For a spot machine, set spot_strategy to "+
				"\"SpotAsPriceGo\" or \"SpotWithPriceLimit\"; otherwise remove spot_interruption_behavior, or set it "+
				"to null when spot_strategy comes from a variable.", behavior.ValueString()))
	}
}

// isSpotState reports whether the instance in state is a spot machine.
func isSpotState(m instanceModel) bool {
	return ecsapi.SpotSpec{Strategy: m.SpotStrategy.ValueString()}.IsSpot()
}

// spotReleaseCause names a spot reclaim as the cause of a release when the
// interruption event shows it: one call, made only for a spot instance that
// is gone. "" when it is not a spot instance or there is no such event.
func (r *instanceResource) spotReleaseCause(ctx context.Context, id string, state instanceModel) string {
	if !isSpotState(state) {
		return ""
	}
	ev, err := r.data.client.FindSpotInterruption(ctx, id)
	if err != nil || ev == nil {
		if err != nil {
			tflog.Debug(ctx, "reading the spot interruption events failed", map[string]any{"instance_id": id, "error": err.Error()})
		}
		return ""
	}
	return fmt.Sprintf("the service reclaimed it (spot instance interruption, event %s, announced at %s): a spot "+
		"machine with spot_interruption_behavior = \"Terminate\" is released at the end of the notice, at %s.",
		ev.EventID, ev.PublishTime, ev.NotBefore)
}

// spotPlanDiagnostics warns when the plan starts a spot machine that the
// service reclaimed and stopped (spot_interruption_behavior = "Stop"). One
// call, made only for a stopped spot machine whose configuration wants it
// running.
func (r *instanceResource) spotPlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() || resp.Diagnostics.HasError() || r.data == nil || r.data.client == nil {
		return
	}
	var state, plan instanceModel
	if req.State.Get(ctx, &state).HasError() || req.Plan.Get(ctx, &plan).HasError() {
		return
	}
	if !isSpotState(state) || state.SpotInterruptionBehavior.ValueString() != ecsapi.SpotStop ||
		state.Status.ValueString() != ecsapi.StatusStopped || plan.Status.ValueString() != ecsapi.StatusRunning {
		return
	}
	id := state.ID.ValueString()
	ev, err := r.data.client.FindSpotInterruption(ctx, id)
	if err != nil || ev == nil {
		return // stopped outside Terraform: the plan to start it says enough
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("status"), "Spot machine reclaimed and stopped",
		fmt.Sprintf("The service reclaimed spot instance %s (event %s, at %s) and, as spot_interruption_behavior = "+
			"\"Stop\" asks, stopped it in economical mode: its disks are kept, its vCPU and memory were given back. "+
			"This apply starts it again (status = \"Running\"); that needs stock of %s in %s, and fails with a clear "+
			"error when the zone has none right now.", id, ev.EventID, ev.NotBefore,
			state.InstanceType.ValueString(), state.ZoneID.ValueString()))
}

// explainNoStock turns the service's "no stock" refusal of a start into an
// error that says what it means and what to do.
func explainNoStock(err error, inst *ecsapi.Instance) error {
	code := ecsapi.ErrorCode(err)
	if code != "OperationDenied.NoStock" && code != "Zone.NotOnSale" {
		return err
	}
	return fmt.Errorf("zone %s has no stock of instance type %s right now (%s), so instance %s cannot start. A machine "+
		"stopped in economical mode (StopCharging, which is how a spot reclaim with spot_interruption_behavior = "+
		"\"Stop\" leaves it) gave its vCPU and memory back and needs stock again to start. Apply again later; or set "+
		"instance_type to a type the zone has in stock (it changes in place while the machine is stopped); or save its "+
		"disks with an aliecs_snapshot and create a machine in another zone with source_snapshot_id. Service error: %w",
		inst.ZoneID, inst.InstanceType, code, inst.ID, err)
}

// spotLimitRefused explains the service's refusal of a price limit below the
// current spot price, on spot_price_limit.
func spotLimitRefused(plan instanceModel, err error) (summary, detail string, refused bool) {
	if ecsapi.ErrorCode(err) != "InvalidSpotPriceLimit.LowerThanPublicPrice" {
		return "", "", false
	}
	return "spot_price_limit below the current spot price",
		fmt.Sprintf("spot_price_limit = %v is below the current spot price of %s in zone %s, so the service refused to "+
			"create the machine (spot prices move by the hour). Raise spot_price_limit, use spot_strategy = "+
			"\"SpotAsPriceGo\" (the current spot price, at most the on-demand price), or try another zone or type. "+
			"Service error: %s", plan.SpotPriceLimit.ValueFloat64(), plan.InstanceType.ValueString(),
			zoneOrVSwitch(plan), err), true
}

// zoneOrVSwitch names where a planned machine goes: its zone, or its vSwitch's.
func zoneOrVSwitch(plan instanceModel) string {
	if z := plan.ZoneID.ValueString(); z != "" {
		return z
	}
	return "of vSwitch " + plan.VSwitchID.ValueString()
}

// spotReclaimWarning warns, from what a refresh read anyway (no extra call),
// that the service is reclaiming a spot machine: its Recycling lock lasts the
// 5-minute notice.
func spotReclaimWarning(inst *ecsapi.Instance, diags *diag.Diagnostics) {
	if !inst.Spot.IsSpot() || !slices.Contains(inst.LockReasons, ecsapi.SpotReclaimLock) {
		return
	}
	what := "released: it will stay in the state as a tombstone, and terraform apply -replace=ADDRESS brings a new one"
	if inst.Spot.Interruption == ecsapi.SpotStop {
		what = "stopped in economical mode: the next apply starts it again when the zone has stock"
	}
	diags.AddWarning(fmt.Sprintf("Spot instance %s is being reclaimed", inst.ID),
		fmt.Sprintf("The service is reclaiming spot instance %s (OperationLocks: %s): within about 5 minutes it is %s. "+
			"Save what you need from it now.", inst.ID, ecsapi.SpotReclaimLock, what))
}

// reclaimedDuringFinalSnapshot reports a destroy whose instance was gone
// once its final snapshot was accomplished: something else released it
// meanwhile (for a spot machine, usually a reclaim), so the destroy did not,
// and the warning says what did, as far as there is evidence.
func (r *instanceResource) reclaimedDuringFinalSnapshot(ctx context.Context, state instanceModel, groupID, kept string, diags *diag.Diagnostics) {
	id := state.ID.ValueString()
	summary := "Spot instance reclaimed during its final snapshot"
	cause := r.spotReleaseCause(ctx, id, state)
	if cause == "" {
		summary, cause = "Instance released during its final snapshot", r.releaseCause(ctx, id, state, nil)
	}
	diags.AddWarning(summary,
		fmt.Sprintf("Instance %s was gone by the time its final snapshot group %s was accomplished, so this destroy "+
			"did not release it: %s The snapshot group is kept, not managed by Terraform, and billed until you "+
			"delete it; check that it holds what you need, since the machine may have gone during the snapshot.%s",
			id, groupID, cause, kept))
}
