package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// privateResolvedKey holds, in private state, the release time that
// release_after resolved to when it was set, so later plans neither recompute
// it nor lose it when the schedule drifts.
const privateResolvedKey = "resolved_release_time"

var pathEffective = path.Root("effective_release_time")

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func resolvedReleaseTime(ctx context.Context, p privateGetter) (string, diag.Diagnostics) {
	if p == nil {
		return "", nil
	}
	raw, diags := p.GetKey(ctx, privateResolvedKey)
	if diags.HasError() || len(raw) == 0 {
		return "", diags
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", nil // unreadable: treated as unknown, drift is then judged by release_time alone
	}
	return s, diags
}

func setResolvedReleaseTime(ctx context.Context, p privateSetter, t time.Time) diag.Diagnostics {
	raw, _ := json.Marshal(formatReleaseTime(effectiveReleaseTime(t)))
	return p.SetKey(ctx, privateResolvedKey, raw)
}

// scheduleChanged reports whether the configuration sets a new schedule:
// another instance, or a different release_time or release_after.
func scheduleChanged(plan, state autoReleaseScheduleModel) bool {
	return !plan.InstanceID.Equal(state.InstanceID) || !plan.ReleaseTime.Equal(state.ReleaseTime) ||
		!plan.ReleaseAfter.Equal(state.ReleaseAfter)
}

// desiredReleaseTime is the effective release time the state asks for:
// release_time truncated to the minute, or what release_after resolved to.
// "" when it cannot be told (then no drift is reported).
func desiredReleaseTime(state autoReleaseScheduleModel, resolved string) string {
	if !state.ReleaseTime.IsNull() && !state.ReleaseTime.IsUnknown() {
		t, err := parseReleaseTime(state.ReleaseTime.ValueString())
		if err != nil {
			return ""
		}
		return formatReleaseTime(effectiveReleaseTime(t))
	}
	return resolved
}

// scheduleDrift is what a plan does about a schedule changed outside Terraform.
type scheduleDrift int

const (
	driftNone      scheduleDrift = iota
	driftReapply                 // plan an update that schedules the desired time again
	driftExpired                 // the desired time is no longer in the window: warn, plan nothing
	driftUndecided               // the desired time is not known
)

// judgeDrift compares the schedule ECS reports (effective, "" when
// cancelled) with the desired one at now.
func judgeDrift(desired, effective string, w releaseWindow) scheduleDrift {
	if desired == "" {
		return driftUndecided
	}
	if desired == effective {
		return driftNone
	}
	t, err := parseReleaseTime(desired)
	if err != nil {
		return driftUndecided
	}
	if w.check(t) != windowOK {
		return driftExpired
	}
	return driftReapply
}

// tooSoonForNewMachine reports whether a release_time that is too soon
// belongs to an instance created by this apply (see lateTargetForNewMachine).
func (r *autoReleaseScheduleResource) tooSoonForNewMachine(plan autoReleaseScheduleModel, w releaseWindow) bool {
	if plan.InstanceID.IsUnknown() || plan.ReleaseTime.IsNull() || plan.ReleaseTime.IsUnknown() {
		return false
	}
	t, err := parseReleaseTime(plan.ReleaseTime.ValueString())
	return err == nil && w.check(t) == windowTooSoon && r.data.createdByThisApply(plan.InstanceID.ValueString())
}

// tooSoonForComingMachine reports a literal release_time that is too soon
// for a schedule whose instance is not known yet. When that is because its
// aliecs_instance is being replaced (a tombstone whose schedule fired, say;
// ModifyPlan checks providerData.replacingSchedule), time passing made an
// unchanged value too soon, so by the plan-time rule it must not be a plan
// error (that would block replacing the machine); the apply of the schedule
// then follows lateTargetForNewMachine. A new schedule keeps the error.
func tooSoonForComingMachine(plan autoReleaseScheduleModel, w releaseWindow) bool {
	if !plan.InstanceID.IsUnknown() || plan.ReleaseTime.IsNull() || plan.ReleaseTime.IsUnknown() {
		return false
	}
	t, err := parseReleaseTime(plan.ReleaseTime.ValueString())
	return err == nil && w.check(t) == windowTooSoon
}

// tooSoonForComingMachineWarning says what the apply does with it.
func tooSoonForComingMachineWarning(plan autoReleaseScheduleModel, w releaseWindow) diag.Diagnostics {
	var diags diag.Diagnostics
	v := plan.ReleaseTime.ValueString()
	diags.AddAttributeWarning(path.Root("release_time"), "release_time is too soon for the new machine",
		fmt.Sprintf("release_time %q is before the earliest allowed release time, %s (it has passed, or is less "+
			"than 30 minutes ahead). The instance of this schedule is created by this apply, and a new machine is "+
			"never left without a release time: once it exists, its release is scheduled at the earliest allowed "+
			"time plus a minute (about 31 minutes after the apply), with a warning, and release_time keeps your "+
			"value. If the new machine must run longer, set a new release_time (or use release_after) before "+
			"applying.", v, formatReleaseTime(w.Earliest.Truncate(time.Second))))
	return diags
}

// planReleaseTimeDiagnostics checks a release_time being set or changed.
// release_after needs no plan-time check: its range was validated and it is
// resolved against the clock when applied. Unknown values wait for apply.
func planReleaseTimeDiagnostics(plan autoReleaseScheduleModel, w releaseWindow) diag.Diagnostics {
	if plan.ReleaseTime.IsNull() || plan.ReleaseTime.IsUnknown() {
		return nil
	}
	v := plan.ReleaseTime.ValueString()
	t, err := parseReleaseTime(v)
	if err != nil {
		return nil // the validator has reported it
	}
	return withDestroyHint(releaseTimeDiagnostics(path.Root("release_time"), "release_time", v, t, w, false))
}

// withDestroyHint adds to each plan-time error that terraform destroy, which
// plans first, is stopped by it too, and how to destroy anyway (a time set
// or changed in the configuration and not applied can pass while it waits).
func withDestroyHint(diags diag.Diagnostics) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range diags {
		if d.Severity() != diag.SeverityError {
			out = append(out, d)
			continue
		}
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			out.AddAttributeError(dp.Path(), d.Summary(), d.Detail()+destroyHint)
		} else {
			out.AddError(d.Summary(), d.Detail()+destroyHint)
		}
	}
	return out
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
// maybeApplied reports a failure whose outcome is unknown (no answer, a
// transient error): the release may be scheduled all the same.
func (r *autoReleaseScheduleResource) schedule(ctx context.Context, client *ecsapi.Client, id string, t time.Time, diags *diag.Diagnostics) (ok, maybeApplied bool) {
	err := client.ModifyInstanceAutoReleaseTime(ctx, id, formatReleaseTime(t))
	if err == nil {
		return true, false
	}
	code := ecsapi.ErrorCode(err)
	switch {
	case ecsapi.IsNotFound(err):
		diags.AddAttributeError(path.Root("instance_id"), "Instance not found",
			fmt.Sprintf("Instance %s does not exist (ECS code %s), so its release cannot be scheduled. If it was "+
				"released, bring a new machine with terraform apply -replace on its aliecs_instance (the schedule "+
				"follows it), or remove this schedule; if the id is wrong, correct instance_id.", id, code))
	case code == "InvalidAutoReleaseTime.Malformed":
		diags.AddError("ECS rejected the release time",
			fmt.Sprintf("ECS refused the release time %s for instance %s with %s. The provider had checked it "+
				"against the service's time as learnt from its answers (%s) and found it inside the allowed window "+
				"(30 minutes to 3 years ahead), so the time moved on or the learnt time is off: choose a time further "+
				"from the edges of the window (or use release_after) and apply again. Details: %s",
				formatReleaseTime(t), id, code, formatReleaseTime(r.clock.Now().Truncate(time.Second)), err))
	case code == "ChargeTypeViolation":
		diags.AddAttributeError(path.Root("instance_id"), "Instance cannot be released automatically",
			fmt.Sprintf("ECS refused to schedule the release of instance %s (%s): only pay-as-you-go instances can "+
				"be released automatically, and this one is a subscription instance. Details: %s", id, code, err))
	default:
		diags.AddError("Cannot schedule the automatic release",
			fmt.Sprintf("Scheduling the release of instance %s at %s failed: %s", id, formatReleaseTime(t), err))
		return false, code == "" || ecsapi.IsTransient(err)
	}
	return false, false
}

// appliedReleaseTime is the release time as the service keeps it after a
// change that succeeded: the time sent, seconds truncated. It is not read
// back with a DescribeInstances of its own (one call per schedule, at the
// end of an apply, where nothing else reads to share it with): the next
// refresh reads the instance anyway, and a difference shows there as a
// change made outside Terraform.
func appliedReleaseTime(sent time.Time) string {
	return formatReleaseTime(effectiveReleaseTime(sent))
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

// instanceGoneAtPlan reports whether the schedule's instance (its id known)
// no longer exists. A look-up that fails otherwise counts as "exists": the
// usual rules then apply.
func (r *autoReleaseScheduleResource) instanceGoneAtPlan(ctx context.Context, plan autoReleaseScheduleModel) bool {
	if r.data == nil || r.data.client == nil || !knownString(plan.InstanceID) {
		return false
	}
	_, err := r.data.client.GetInstance(ctx, plan.InstanceID.ValueString())
	return ecsapi.IsNotFound(err)
}

func goneInstanceScheduleDetail(id string) string {
	return fmt.Sprintf("Instance %s does not exist: it was released (or the id is wrong). There is nothing to "+
		"schedule, so no call is made: the schedule is recorded as fired (instance_released = true), like the "+
		"instance's tombstone, and destroying it makes no call. terraform apply -replace on its aliecs_instance "+
		"brings a new machine, which this schedule then follows; if the id is wrong, correct instance_id.", id)
}
