package provider

import (
	"context"
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
			"and the instance stays.",
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
					"over the 30-minute minimum, for a difference between this machine's clock and the service's; so " +
					"`30m` is applied as about 31 minutes).",
				Validators: []validator.String{releaseAfterValidator{}},
			},
			"effective_release_time": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The release time as ECS applies it (`yyyy-MM-ddTHH:mm:00Z`, seconds truncated), " +
					"read back from the instance. When the schedule is changed or cancelled outside Terraform, the " +
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
		},
	}
}

var _ resource.ResourceWithConfigValidators = (*autoReleaseScheduleResource)(nil)

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

// client returns the ECS client, or adds an error while the provider is not configured.
func (r *autoReleaseScheduleResource) client(diags *diag.Diagnostics) *ecsapi.Client {
	if !requireConfigured(r.data, "aliecs_auto_release_schedule", diags) {
		return nil
	}
	return r.data.client
}

func (r *autoReleaseScheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan autoReleaseScheduleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	client := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, scheduleDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := plan.InstanceID.ValueString()
	target, ok := r.lateTargetForNewMachine(plan, &resp.Diagnostics)
	if !ok {
		target, ok = r.applyTarget(plan, nil, "", &resp.Diagnostics)
	}
	if !ok {
		return
	}
	if !r.schedule(ctx, client, id, target, &resp.Diagnostics) {
		return
	}
	plan.ID = types.StringValue(id)
	plan.EffectiveReleaseTime = types.StringValue(r.readBack(ctx, client, id, target))
	plan.InstanceReleased = types.BoolValue(false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setResolvedReleaseTime(ctx, resp.Private, target)...)
}

func (r *autoReleaseScheduleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, scheduleDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

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
	client := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, scheduleDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	resolved, d := resolvedReleaseTime(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := plan.InstanceID.ValueString()
	plan.ID = types.StringValue(id)
	// ModifyPlan leaves effective_release_time known unless the schedule is
	// changed or must be applied again after drift: anything else (timeouts,
	// the schedule of a released instance, release_after written over an
	// imported time) needs no API call and no window check.
	if !plan.EffectiveReleaseTime.IsUnknown() {
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
		if !r.schedule(ctx, client, id, target, &resp.Diagnostics) {
			return
		}
		plan.EffectiveReleaseTime = types.StringValue(r.readBack(ctx, client, id, target))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setResolvedReleaseTime(ctx, resp.Private, target)...)
}

func (r *autoReleaseScheduleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state autoReleaseScheduleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	client := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, scheduleDefaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// Destroying the schedule cancels it; the instance stays. No window
	// check here: a release that has come near must not block destroy.
	id := state.InstanceID.ValueString()
	if state.InstanceReleased.ValueBool() {
		return // the instance was released: there is no schedule left to cancel
	}
	err := client.ModifyInstanceAutoReleaseTime(ctx, id, "")
	if err != nil && !ecsapi.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot cancel the auto-release schedule",
			fmt.Sprintf("Cancelling the automatic release of instance %s failed, so it is still scheduled: %s", id, err))
	}
}

func (r *autoReleaseScheduleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if !instanceIDValidator.pattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an instance id. Import an auto-release schedule by the id of its instance, such as %q.",
				id, "i-bp67acfmxazb4ph1234"))
		return
	}
	client := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, err := client.GetInstance(ctx, id)
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

// scheduleGoneDetail explains a schedule whose instance no longer exists.
func scheduleGoneDetail(id string, state autoReleaseScheduleModel, now time.Time) string {
	cause := "It was released before its scheduled time: by an aliecs_snapshot with " +
		"release_instance_after_snapshot = true, outside Terraform (the console, the API), or reclaimed by the service."
	if at := state.EffectiveReleaseTime.ValueString(); at != "" {
		if t, err := parseReleaseTime(at); err == nil && !t.After(now) {
			cause = fmt.Sprintf("It was released as scheduled, at %s.", at)
		} else {
			cause = fmt.Sprintf("It was released before its scheduled time, %s: by an aliecs_snapshot with "+
				"release_instance_after_snapshot = true, outside Terraform (the console, the API), or reclaimed by "+
				"the service.", at)
		}
	}
	return fmt.Sprintf("Instance %s no longer exists. %s Its auto-release schedule stays in the state as fired, "+
		"like the instance's tombstone: the plan schedules nothing, and destroying it makes no call. A new machine "+
		"(terraform apply -replace on its aliecs_instance) gets a new schedule.", id, cause)
}

// lateTargetForNewMachine handles a release_time that has come too near (a
// saved plan applied late) for an instance created by the same apply: a
// machine released a minute later than asked is better than one never
// released, so it is scheduled at the earliest allowed time plus a minute,
// with a warning. It reports false when the rule does not apply.
func (r *autoReleaseScheduleResource) lateTargetForNewMachine(plan autoReleaseScheduleModel, diags *diag.Diagnostics) (time.Time, bool) {
	if plan.ReleaseTime.IsNull() || plan.ReleaseTime.IsUnknown() {
		return time.Time{}, false
	}
	v := plan.ReleaseTime.ValueString()
	asked, err := parseReleaseTime(v)
	w := releaseWindowAt(r.clock.Now())
	if err != nil || w.check(asked) != windowTooSoon || !r.data.createdByThisApply(plan.InstanceID.ValueString()) {
		return time.Time{}, false
	}
	target := resolveReleaseAfter(w.Now, releaseWindowMin+time.Minute)
	diags.AddAttributeWarning(path.Root("release_time"), "release_time moved to the earliest allowed time",
		fmt.Sprintf("release_time %q is no longer at least 30 minutes ahead (it is now %s: the plan was applied "+
			"late). Instance %s was created by this apply, and a new machine is never left without a release time, "+
			"so its release is scheduled for %s instead, the earliest allowed time plus a minute. release_time keeps "+
			"your value; effective_release_time shows the time applied.",
			v, formatReleaseTime(w.Now.Truncate(time.Second)), plan.InstanceID.ValueString(), formatReleaseTime(target)))
	return target, true
}

// applyTarget decides the release time to send and checks it against the
// window at the moment of apply, before any API call. prior is nil on
// create; resolved is the release time an unchanged release_after resolved to.
func (r *autoReleaseScheduleResource) applyTarget(plan autoReleaseScheduleModel, prior *autoReleaseScheduleModel, resolved string, diags *diag.Diagnostics) (time.Time, bool) {
	w := releaseWindowAt(r.clock.Now())
	if !plan.ReleaseTime.IsNull() {
		v := plan.ReleaseTime.ValueString()
		t, err := parseReleaseTime(v)
		if err != nil {
			diags.AddAttributeError(path.Root("release_time"), "Invalid release_time", err.Error())
			return time.Time{}, false
		}
		diags.Append(releaseTimeDiagnostics(path.Root("release_time"), "release_time", v, t, w, true)...)
		return effectiveReleaseTime(t), !diags.HasError()
	}
	v := plan.ReleaseAfter.ValueString()
	if prior != nil && resolved != "" && prior.ReleaseAfter.Equal(plan.ReleaseAfter) {
		// Unchanged release_after: the time fixed when it was set is applied
		// again (after drift), never recomputed.
		t, err := parseReleaseTime(resolved)
		if err == nil {
			diags.Append(releaseTimeDiagnostics(path.Root("release_after"), "release_after", v+" (resolved to "+resolved+")", t, w, true)...)
			return t, !diags.HasError()
		}
	}
	d, err := parseReleaseAfter(v)
	if err == nil {
		err = checkReleaseAfterRange(v, d)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("release_after"), "Invalid release_after", err.Error())
		return time.Time{}, false
	}
	t := resolveReleaseAfter(w.Now, d)
	diags.Append(releaseTimeDiagnostics(path.Root("release_after"), "release_after", v, t, w, true)...)
	return t, !diags.HasError()
}

// schedule sends ModifyInstanceAutoReleaseTime and explains a refusal.
func (r *autoReleaseScheduleResource) schedule(ctx context.Context, client *ecsapi.Client, id string, t time.Time, diags *diag.Diagnostics) bool {
	err := client.ModifyInstanceAutoReleaseTime(ctx, id, formatReleaseTime(t))
	if err == nil {
		return true
	}
	code := ecsapi.ErrorCode(err)
	switch {
	case ecsapi.IsNotFound(err):
		diags.AddAttributeError(path.Root("instance_id"), "Instance not found",
			fmt.Sprintf("Instance %s does not exist (ECS code %s), so its release cannot be scheduled.", id, code))
	case code == "InvalidAutoReleaseTime.Malformed":
		diags.AddError("ECS rejected the release time",
			fmt.Sprintf("ECS refused the release time %s for instance %s with %s. The provider had checked it "+
				"against this machine's clock (%s) and found it inside the allowed window (30 minutes to 3 years "+
				"ahead), so this machine's clock and the service's probably disagree: check the clock (NTP) and "+
				"choose a time further from the edges of the window. Details: %s",
				formatReleaseTime(t), id, code, formatReleaseTime(r.clock.Now().Truncate(time.Second)), err))
	case code == "ChargeTypeViolation":
		diags.AddAttributeError(path.Root("instance_id"), "Instance cannot be released automatically",
			fmt.Sprintf("ECS refused to schedule the release of instance %s (%s): only pay-as-you-go instances can "+
				"be released automatically, and this one is a subscription instance. Details: %s", id, code, err))
	default:
		diags.AddError("Cannot schedule the automatic release",
			fmt.Sprintf("Scheduling the release of instance %s at %s failed: %s", id, formatReleaseTime(t), err))
	}
	return false
}

// readBack returns the release time as the service reports it after a
// change, falling back to what was sent when the read fails.
func (r *autoReleaseScheduleResource) readBack(ctx context.Context, client *ecsapi.Client, id string, sent time.Time) string {
	want := formatReleaseTime(effectiveReleaseTime(sent))
	inst, err := client.GetInstance(ctx, id)
	if err != nil || inst.AutoReleaseTime == "" {
		return want
	}
	t, err := parseAPIReleaseTime(inst.AutoReleaseTime)
	if err != nil {
		return want
	}
	return formatReleaseTime(t)
}

// effectiveFromAPI turns DescribeInstances' AutoReleaseTime into
// effective_release_time: null when no release is scheduled.
func effectiveFromAPI(v string, diags *diag.Diagnostics) (types.String, bool) {
	if v == "" {
		return types.StringNull(), true
	}
	t, err := parseAPIReleaseTime(v)
	if err != nil {
		diags.AddError("Unexpected response from ECS", err.Error())
		return types.StringNull(), false
	}
	return types.StringValue(formatReleaseTime(t)), true
}
