package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*autoReleaseScheduleResource)(nil)
	_ resource.ResourceWithConfigure   = (*autoReleaseScheduleResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*autoReleaseScheduleResource)(nil)
	_ resource.ResourceWithImportState = (*autoReleaseScheduleResource)(nil)

	_ resource.ResourceWithConfigValidators = (*autoReleaseScheduleResource)(nil)
)

const (
	scheduleDefaultTimeout = 5 * time.Minute
)

// autoReleaseScheduleResource owns an instance's AutoReleaseTime. It never
// releases anything itself: create and update schedule the release, destroy
// cancels it.
type autoReleaseScheduleResource struct {
	data  *providerData
	clock clock.Clock
}

type autoReleaseScheduleModel struct {
	ID                   types.String   `tfsdk:"id"`
	InstanceID           types.String   `tfsdk:"instance_id"`
	ReleaseTime          types.String   `tfsdk:"release_time"`
	ReleaseAfter         types.String   `tfsdk:"release_after"`
	EffectiveReleaseTime types.String   `tfsdk:"effective_release_time"`
	InstanceReleased     types.Bool     `tfsdk:"instance_released"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
	EstimatedCost        types.Float64  `tfsdk:"estimated_cost_until_release"` // auto_release_schedule_cost.go
}

// NewAutoReleaseScheduleResource is registered in the provider's Resources().
func NewAutoReleaseScheduleResource() resource.Resource {
	return &autoReleaseScheduleResource{clock: clock.Real{}}
}

func (r *autoReleaseScheduleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_auto_release_schedule"
}

func (r *autoReleaseScheduleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Schedules the automatic release of an ECS instance (its `AutoReleaseTime`). ECS accepts a " +
			"release time from 30 minutes to 3 years ahead; this resource checks that window when `terraform plan` runs, " +
			"so a bad time is caught before apply. It never releases anything itself: destroying it cancels the schedule " +
			"and the instance stays. When the instance is destroyed in the same run and its destroy fails (deletion " +
			"protection, a failed final snapshot), the release time is set again, so the machine is never left " +
			"running with no release time.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The instance id (a schedule belongs to exactly one instance).",
			},
			"instance_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the pay-as-you-go instance to release automatically. Changing it moves the schedule to another instance (the old schedule is cancelled).",
				Validators:          []validator.String{instanceIDValidator},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"release_time": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "When ECS releases the instance: a UTC time in RFC 3339 with `Z`, such as " +
					"`2027-01-30T00:00:00Z`, from 30 minutes to 3 years ahead when it is set or changed. Seconds are " +
					"truncated to the minute by ECS (`effective_release_time` shows the result). Exactly one of " +
					"`release_time` and `release_after` is required.",
				Validators: []validator.String{releaseTimeValidator{}},
			},
			"release_after": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long after the schedule is applied ECS releases the instance, from `30m` to " +
					"`1095d`: a Go duration (`90m`, `36h`, `1h30m`) with `d` for 24-hour days (`14d`). The release time " +
					"is computed when the schedule is created or when this value changes, not on every plan: now plus " +
					"this duration, rounded up to the minute, and never less than 31 minutes ahead (a minute of margin " +
					"over the 30-minute minimum, for the second-level rounding of the service's clock as the provider " +
					"learns it; so " +
					"`30m` is applied as about 31 minutes).",
				Validators: []validator.String{releaseAfterValidator{}},
			},
			"effective_release_time": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The release time as ECS applies it (`yyyy-MM-ddTHH:mm:00Z`, seconds truncated), " +
					"read from the instance on every refresh. When the schedule is changed or cancelled outside Terraform, the " +
					"plan shows an update that applies it again.",
			},
			"instance_released": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "`true` once the instance no longer exists (released as scheduled, or by anything " +
					"else): the schedule stays in state as fired, the plan schedules nothing, and destroying it makes " +
					"no call. A new machine (`terraform apply -replace` on its `aliecs_instance`) gets a new schedule.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),

			"estimated_cost_until_release": estimatedCostAttribute(),
		},
	}
}

// ConfigValidators requires exactly one of release_time and release_after,
// with one error when both or neither are set (an attribute validator on
// each reported it twice).
func (r *autoReleaseScheduleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("release_time"), path.MatchRoot("release_after")),
	}
}

func (r *autoReleaseScheduleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data := providerDataFrom(req.ProviderData, &resp.Diagnostics)
	if data == nil {
		return
	}
	r.data = data
	if data.clock != nil {
		r.clock = data.clock
	}
}

func (r *autoReleaseScheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan autoReleaseScheduleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_auto_release_schedule", plan.Timeouts.Create, scheduleDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client

	id := plan.InstanceID.ValueString()
	plan.ID = types.StringValue(id)
	if plan.InstanceReleased.ValueBool() {
		// Its plan found the machine gone: recorded as fired, no call, and
		// before the window (a passed time is no error for it).
		if plan.EstimatedCost.IsUnknown() {
			plan.EstimatedCost = types.Float64Null()
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("instance_id"), "The instance no longer exists",
			goneInstanceScheduleDetail(id))
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	target, ok := r.lateTargetForNewMachine(plan, &resp.Diagnostics)
	if !ok {
		target, ok = r.applyTarget(plan, nil, "", &resp.Diagnostics)
	}
	if !ok {
		return
	}
	plan.ID = types.StringValue(id)
	plan.InstanceReleased = types.BoolValue(false)
	if ok, maybeApplied := r.schedule(ctx, client, id, target, &resp.Diagnostics); !ok {
		if maybeApplied {
			// It may be scheduled: saved (tainted), so that the next apply
			// sets it again and a destroy cancels it, instead of a release
			// time that no state knows of.
			plan.EffectiveReleaseTime = types.StringNull()
			if plan.EstimatedCost.IsUnknown() {
				plan.EstimatedCost = types.Float64Null()
			}
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}
	plan.EffectiveReleaseTime = types.StringValue(appliedReleaseTime(target))
	r.settleEstimate(ctx, &plan, target, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setResolvedReleaseTime(ctx, resp.Private, target)...)
}

func (r *autoReleaseScheduleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_auto_release_schedule", state.Timeouts.Read, scheduleDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client

	id := state.InstanceID.ValueString()
	inst, err := client.RefreshInstance(ctx, id)
	if ecsapi.IsNotFound(err) {
		// The instance is a tombstone, and its schedule stays with it,
		// fired: the plan schedules nothing and destroy makes no call.
		if !state.InstanceReleased.ValueBool() {
			resp.Diagnostics.AddWarning(fmt.Sprintf("Instance %s was released", id), scheduleGoneDetail(id, state, r.clock.Now()))
			state.InstanceReleased = types.BoolValue(true)
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the auto-release schedule",
			fmt.Sprintf("Reading instance %s failed: %s", id, err))
		return
	}
	effective, ok := effectiveFromAPI(inst.AutoReleaseTime, &resp.Diagnostics)
	if !ok {
		return
	}
	state.ID = types.StringValue(id)
	state.EffectiveReleaseTime = effective
	state.InstanceReleased = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *autoReleaseScheduleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_auto_release_schedule", plan.Timeouts.Update, scheduleDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	resolved, d := resolvedReleaseTime(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client

	id := plan.InstanceID.ValueString()
	plan.ID = types.StringValue(id)
	// ModifyPlan leaves effective_release_time known unless the schedule is
	// changed or must be applied again after drift: anything else (timeouts,
	// the schedule of a released instance, release_after written over an
	// imported time) needs no API call and no window check.
	if !plan.EffectiveReleaseTime.IsUnknown() {
		adoptedAt, _ := parseReleaseTime(plan.EffectiveReleaseTime.ValueString())
		r.settleEstimate(ctx, &plan, adoptedAt, resp.Private, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		if adopted := plan.EffectiveReleaseTime.ValueString(); adopted != "" && scheduleChanged(plan, state) {
			if t, err := parseReleaseTime(adopted); err == nil {
				resp.Diagnostics.Append(setResolvedReleaseTime(ctx, resp.Private, t)...)
			}
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
		return
	}
	target, ok := r.applyTarget(plan, &state, resolved, &resp.Diagnostics)
	if !ok {
		return
	}
	if formatReleaseTime(target) == state.EffectiveReleaseTime.ValueString() {
		plan.EffectiveReleaseTime = state.EffectiveReleaseTime
	} else {
		if ok, _ := r.schedule(ctx, client, id, target, &resp.Diagnostics); !ok {
			return // the state keeps the old schedule; a refresh shows any drift
		}
		plan.EffectiveReleaseTime = types.StringValue(appliedReleaseTime(target))
	}
	r.settleEstimate(ctx, &plan, target, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setResolvedReleaseTime(ctx, resp.Private, target)...)
}

func (r *autoReleaseScheduleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_auto_release_schedule", state.Timeouts.Delete, scheduleDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client

	// Destroying the schedule cancels it; the instance stays. No window
	// check here: a release that has come near must not block destroy.
	id := state.InstanceID.ValueString()
	if state.InstanceReleased.ValueBool() {
		return // the instance was released: there is no schedule left to cancel
	}
	if replacedOn(ctx, req.Private) == id {
		// Replaced by a schedule of the same instance in this apply (a
		// -replace, a tainted schedule): its Create sets the new time over
		// this one. Cancelling first would leave the machine without a
		// release time until then, and for good if that Create failed.
		return
	}
	// Recorded first: should the instance's destroy that usually follows
	// fail, it sets this time again (instance_release_kept.go).
	r.data.recordCancelledRelease(id, state.EffectiveReleaseTime.ValueString())
	err := client.ModifyInstanceAutoReleaseTime(ctx, id, "")
	if err != nil && !ecsapi.IsNotFound(err) {
		r.data.cancelledReleases.Delete(id) // still scheduled: nothing to set again
		resp.Diagnostics.AddError("Cannot cancel the auto-release schedule",
			fmt.Sprintf("Cancelling the automatic release of instance %s failed, so it is still scheduled: %s. The "+
				"schedule is still in the state: run the command again (terraform destroy, or apply) to cancel it.", id, err))
		return
	}
	if err == nil && errors.Is(ctx.Err(), context.Canceled) {
		r.undoInterruptedCancel(ctx, id, state, &resp.Diagnostics)
	}
}

// undoInterruptedCancel: the run was interrupted (Ctrl-C) while the release
// was being cancelled. Terraform starts no further destroy after an
// interrupt, so the instance's destroy that usually follows (and would set
// the time again should it fail) will not run: the machine would stay with
// no release time. The time is set again here, and the schedule stays in the
// state (an error), so that the next destroy goes on from where this one was.
func (r *autoReleaseScheduleResource) undoInterruptedCancel(ctx context.Context, id string, state autoReleaseScheduleModel, diags *diag.Diagnostics) {
	r.data.cancelledReleases.Delete(id)
	at := state.EffectiveReleaseTime.ValueString()
	t, perr := parseReleaseTime(at)
	if perr != nil {
		return
	}
	t, err := r.data.setReleaseAgain(ctx, id, t) // instance_release_kept.go
	if err != nil {
		diags.AddWarning("Automatic release time lost",
			fmt.Sprintf("The run was interrupted while the automatic release of instance %s was being cancelled, "+
				"and setting it again (%s) failed: %s. Run terraform apply to schedule it again, or release the "+
				"machine yourself.", id, formatReleaseTime(t), err))
		return
	}
	diags.AddError("Interrupted; the release time was kept",
		fmt.Sprintf("The run was interrupted while the automatic release of instance %s was being cancelled. The "+
			"destroy of the instance will not run in this run, so the release time was set again (%s) and the "+
			"schedule stays in the state. Run terraform destroy again to finish.", id, formatReleaseTime(t)))
}

// ModifyPlan applies the window rules at plan time. Errors only when the
// schedule is being set or changed; never on an unchanged schedule (time
// passing must not break plans) and never on destroy.
func (r *autoReleaseScheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.modifyPlanWithPrivate(ctx, req, resp, req.Private)
	markReplacement(ctx, req, resp)
	r.estimatePlan(ctx, req, resp) // estimated_cost_until_release (auto_release_schedule_cost.go)
}

// modifyPlanWithPrivate is ModifyPlan with the private state as an interface,
// so unit tests can pass their own.
func (r *autoReleaseScheduleResource) modifyPlanWithPrivate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, private privateGetter) {
	if req.Plan.Raw.IsNull() {
		return // destroy: cancelling a schedule is always allowed
	}
	var plan autoReleaseScheduleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.InstanceID)...)
	r.data.learnServiceTime(ctx, plan.InstanceID.ValueString())
	w := releaseWindowAt(r.clock.Now())

	if req.State.Raw.IsNull() {
		diags := planReleaseTimeDiagnostics(plan, w)
		if diags.HasError() && r.tooSoonForNewMachine(plan, w) {
			// A saved plan applied late, re-planned at apply: Create
			// schedules the earliest allowed time and says so.
			return
		}
		if diags.HasError() && tooSoonForComingMachine(plan, w) && r.data.replacingSchedule(plan.ReleaseTime.ValueString()) {
			resp.Diagnostics.Append(tooSoonForComingMachineWarning(plan, w)...) // auto_release_schedule_rules.go
			return
		}
		if diags.HasError() && r.instanceGoneAtPlan(ctx, plan) {
			// A schedule for a machine that no longer exists (the tombstone
			// of a released aliecs_instance, whose schedule a failed destroy
			// removed): nothing to schedule, and no window to check, so no
			// error that would block terraform destroy.
			resp.Diagnostics.AddAttributeWarning(path.Root("instance_id"), "The instance no longer exists",
				goneInstanceScheduleDetail(plan.InstanceID.ValueString()))
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("instance_released"), true)...)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("effective_release_time"), types.StringNull())...)
			return
		}
		resp.Diagnostics.Append(diags...)
		return
	}
	var state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.InstanceID.IsUnknown() && !state.ReleaseTime.IsNull() {
		// Its instance is replaced: Terraform plans this schedule's
		// replacement next, with no prior state (see tooSoonForComingMachine).
		r.data.noteReplacingSchedule(state.ReleaseTime.ValueString())
	}
	gone := state.InstanceReleased.ValueBool()
	imported, diags := importedMark(ctx, private)
	resp.Diagnostics.Append(diags...)
	sameInstance := plan.InstanceID.Equal(state.InstanceID)
	switch {
	case scheduleChanged(plan, state) && gone && sameInstance:
		resp.Diagnostics.Append(planReleaseTimeDiagnostics(plan, w)...)
		resp.Diagnostics.AddWarning("Change recorded in the state only",
			fmt.Sprintf("Instance %s was released, so the new schedule is recorded in the state only: there is no "+
				"machine left to release.", plan.InstanceID.ValueString()))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEffective, state.EffectiveReleaseTime)...)
		return
	case scheduleChanged(plan, state) && imported && sameInstance && state.ReleaseAfter.IsNull() &&
		!plan.ReleaseAfter.IsNull() && !plan.ReleaseAfter.IsUnknown() && !state.EffectiveReleaseTime.IsNull():
		resp.Diagnostics.AddAttributeWarning(path.Root("release_after"), "The imported release time is kept",
			fmt.Sprintf("The schedule of instance %s was imported with its release time, %s. release_after = %q is "+
				"recorded without moving it (resolving it from now would extend the machine's life by the time "+
				"already run). To schedule the release %s from now, change release_after again after this apply.",
				plan.InstanceID.ValueString(), state.EffectiveReleaseTime.ValueString(),
				plan.ReleaseAfter.ValueString(), plan.ReleaseAfter.ValueString()))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEffective, state.EffectiveReleaseTime)...)
		return
	case gone:
		// Fired with its instance: nothing to restore, nothing to check.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEffective, state.EffectiveReleaseTime)...)
		return
	}
	if scheduleChanged(plan, state) {
		resp.Diagnostics.Append(planReleaseTimeDiagnostics(plan, w)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEffective, types.StringUnknown())...)
		return
	}

	resolved, diags := resolvedReleaseTime(ctx, private)
	resp.Diagnostics.Append(diags...)
	desired := desiredReleaseTime(state, resolved)
	effective := state.EffectiveReleaseTime.ValueString()
	planned := state.EffectiveReleaseTime
	switch judgeDrift(desired, effective, w) {
	case driftReapply:
		what := fmt.Sprintf("was changed outside Terraform to %s", effective)
		if effective == "" {
			what = "was cancelled outside Terraform"
		}
		resp.Diagnostics.AddWarning("Auto-release schedule changed outside Terraform",
			fmt.Sprintf("The automatic release of instance %s %s. This plan schedules it again for %s.",
				plan.InstanceID.ValueString(), what, desired))
		planned = types.StringUnknown()
	case driftExpired:
		what := fmt.Sprintf("is now %s", effective)
		if effective == "" {
			what = "is now cancelled"
		}
		resp.Diagnostics.AddWarning("Auto-release schedule changed outside Terraform and cannot be restored",
			fmt.Sprintf("The automatic release of instance %s was changed outside Terraform and %s. The configured "+
				"time, %s, can no longer be scheduled: %s Set a new release_time or release_after to schedule the "+
				"release again.", plan.InstanceID.ValueString(), what, desired, w.describe()))
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathEffective, planned)...)
}

func (r *autoReleaseScheduleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !instanceIDValidator.pattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an instance id. Import an auto-release schedule by the id of its instance, such as %q.",
				id, "i-bp67acfmxazb4ph1234"))
		return
	}
	if !requireConfigured(r.data, "aliecs_auto_release_schedule", &resp.Diagnostics) {
		return
	}
	inst, err := r.data.client.GetInstance(ctx, id)
	if ecsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Instance not found", fmt.Sprintf("Instance %s does not exist, so there is no auto-release schedule to import.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the auto-release schedule", fmt.Sprintf("Reading instance %s failed: %s", id, err))
		return
	}
	if inst.AutoReleaseTime == "" {
		resp.Diagnostics.AddError("No auto-release schedule to import",
			fmt.Sprintf("Instance %s has no automatic release scheduled, so there is nothing to import. Declare an "+
				"aliecs_auto_release_schedule for it and apply: creating the schedule needs no import.", id))
		return
	}
	effective, ok := effectiveFromAPI(inst.AutoReleaseTime, &resp.Diagnostics)
	if !ok {
		return
	}
	for name, v := range map[string]types.String{
		"id": types.StringValue(id), "instance_id": types.StringValue(id),
		"release_time": effective, "effective_release_time": effective,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("instance_released"), false)...)
	// A configuration that says release_after keeps this time (see ModifyPlan).
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, []byte(`true`))...)
}

// A replacement of a schedule is planned as a create from a null state, and
// Terraform hands that plan's private state to the Delete of the old
// schedule. privateKeyReplacedOn records there which instance the new
// schedule is for, so that Delete keeps the release time of an instance
// that gets a new one in the same apply. A created schedule never carries
// it (Create starts from empty private state), so a plain destroy cancels.
const privateKeyReplacedOn = "replaced_on"

// markReplacement records the instance of a planned create.
func markReplacement(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var id types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("instance_id"), &id)...)
	if !knownString(id) {
		return // a new instance: the old schedule's instance is not it
	}
	raw, _ := json.Marshal(id.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyReplacedOn, raw)...)
}

// replacedOn is the instance of the schedule that replaces this one in the
// apply under way, "" for a destroy.
func replacedOn(ctx context.Context, private privateGetter) string {
	raw, diags := private.GetKey(ctx, privateKeyReplacedOn)
	var id string
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &id) != nil {
		return ""
	}
	return id
}
