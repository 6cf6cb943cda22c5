package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// ModifyPlan applies the window rules at plan time. Errors only when the
// schedule is being set or changed; never on an unchanged schedule (time
// passing must not break plans) and never on destroy.
func (r *autoReleaseScheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.modifyPlanWithPrivate(ctx, req, resp, req.Private)
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
	w := releaseWindowAt(r.clock.Now())

	if req.State.Raw.IsNull() {
		diags := planReleaseTimeDiagnostics(plan, w)
		if diags.HasError() && r.tooSoonForNewMachine(plan, w) {
			// A saved plan applied late, re-planned at apply: Create
			// schedules the earliest allowed time and says so.
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

// tooSoonForNewMachine reports whether a release_time that is too soon
// belongs to an instance created by this apply (see lateTargetForNewMachine).
func (r *autoReleaseScheduleResource) tooSoonForNewMachine(plan autoReleaseScheduleModel, w releaseWindow) bool {
	if plan.InstanceID.IsUnknown() || plan.ReleaseTime.IsNull() || plan.ReleaseTime.IsUnknown() {
		return false
	}
	t, err := parseReleaseTime(plan.ReleaseTime.ValueString())
	return err == nil && w.check(t) == windowTooSoon && r.data.createdByThisApply(plan.InstanceID.ValueString())
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
	return releaseTimeDiagnostics(path.Root("release_time"), "release_time", v, t, w, false)
}
