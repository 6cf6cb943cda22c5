package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

func TestJudgeDrift(t *testing.T) {
	w := releaseWindowAt(mustTime(t, "2026-01-10T12:00:00Z"))
	for _, tc := range []struct {
		name, desired, effective string
		want                     scheduleDrift
	}{
		{"in sync", "2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z", driftNone},
		{"in sync after the time passed", "2026-01-10T11:00:00Z", "2026-01-10T11:00:00Z", driftNone},
		{"cancelled outside", "2026-06-01T00:00:00Z", "", driftReapply},
		{"changed outside", "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z", driftReapply},
		{"cancelled, desired now too soon", "2026-01-10T12:20:00Z", "", driftExpired},
		{"changed, desired now past", "2026-01-10T11:00:00Z", "2026-07-01T00:00:00Z", driftExpired},
		{"desired unknown", "", "2026-07-01T00:00:00Z", driftUndecided},
	} {
		if got := judgeDrift(tc.desired, tc.effective, w); got != tc.want {
			t.Errorf("%s: judgeDrift = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDesiredReleaseTime(t *testing.T) {
	m := autoReleaseScheduleModel{ReleaseTime: types.StringValue("2026-06-01T00:00:42Z"), ReleaseAfter: types.StringNull()}
	if got := desiredReleaseTime(m, "2099-01-01T00:00:00Z"); got != "2026-06-01T00:00:00Z" {
		t.Errorf("release_time: desired = %q, want the truncated release_time", got)
	}
	m = autoReleaseScheduleModel{ReleaseTime: types.StringNull(), ReleaseAfter: types.StringValue("14d")}
	if got := desiredReleaseTime(m, "2026-01-24T12:00:00Z"); got != "2026-01-24T12:00:00Z" {
		t.Errorf("release_after: desired = %q, want the resolved time", got)
	}
	if got := desiredReleaseTime(m, ""); got != "" {
		t.Errorf("release_after without a resolved time: desired = %q, want \"\"", got)
	}
}

// memPrivate is private state for calling ModifyPlan directly.
type memPrivate map[string][]byte

func (p memPrivate) GetKey(_ context.Context, k string) ([]byte, diag.Diagnostics) { return p[k], nil }

// planHarness calls the resource's ModifyPlan with values built from models.
type planHarness struct {
	t   *testing.T
	r   *autoReleaseScheduleResource
	clk *clock.Fake
	sch resource.SchemaResponse
}

func newPlanHarness(t *testing.T, now string) *planHarness {
	h := &planHarness{t: t, clk: clock.NewFake(mustTime(t, now))}
	h.r = &autoReleaseScheduleResource{clock: h.clk}
	h.r.Schema(context.Background(), resource.SchemaRequest{}, &h.sch)
	return h
}

func (h *planHarness) raw(m *autoReleaseScheduleModel) tftypes.Value {
	ctx := context.Background()
	typ := h.sch.Schema.Type().TerraformType(ctx)
	if m == nil {
		return tftypes.NewValue(typ, nil)
	}
	tt := h.sch.Schema.Attributes["timeouts"].GetType().(timeouts.Type).AttrTypes
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(tt)}
	st := tfsdk.State{Schema: h.sch.Schema, Raw: tftypes.NewValue(typ, nil)}
	if d := st.Set(ctx, m); d.HasError() {
		h.t.Fatalf("building a value: %v", d)
	}
	return st.Raw
}

// modifyPlan runs ModifyPlan for prior state (nil = create) and plan (nil =
// destroy), and returns the planned effective_release_time and diagnostics.
func (h *planHarness) modifyPlan(state, plan *autoReleaseScheduleModel, resolved string) (types.String, diag.Diagnostics) {
	ctx := context.Background()
	req := resource.ModifyPlanRequest{
		State: tfsdk.State{Schema: h.sch.Schema, Raw: h.raw(state)},
		Plan:  tfsdk.Plan{Schema: h.sch.Schema, Raw: h.raw(plan)},
	}
	req.Config = tfsdk.Config{Schema: h.sch.Schema, Raw: req.Plan.Raw}
	resp := resource.ModifyPlanResponse{Plan: req.Plan}
	priv := memPrivate{}
	if resolved != "" {
		priv[privateResolvedKey], _ = json.Marshal(resolved)
	}
	h.r.modifyPlanWithPrivate(ctx, req, &resp, priv)
	var eff types.String
	if !resp.Plan.Raw.IsNull() {
		resp.Plan.GetAttribute(ctx, pathEffective, &eff)
	}
	return eff, resp.Diagnostics
}

func scheduleModel(releaseTime, releaseAfter, effective string) *autoReleaseScheduleModel {
	str := func(s string) types.String {
		switch s {
		case "":
			return types.StringNull()
		case "(unknown)":
			return types.StringUnknown()
		}
		return types.StringValue(s)
	}
	return &autoReleaseScheduleModel{
		ID: types.StringValue("i-abcdefgh12345678"), InstanceID: types.StringValue("i-abcdefgh12345678"),
		ReleaseTime: str(releaseTime), ReleaseAfter: str(releaseAfter), EffectiveReleaseTime: str(effective),
	}
}

func TestModifyPlan(t *testing.T) {
	const now = "2026-01-10T12:00:00Z"
	for _, tc := range []struct {
		name          string
		state, plan   *autoReleaseScheduleModel
		resolved      string
		wantErr       string
		wantWarn      string
		wantEffective string // "(unknown)", "(null)" or a value; "" = don't care
	}{
		{name: "create in the window", plan: scheduleModel("2026-06-01T00:00:00Z", "", "(unknown)"), wantEffective: "(unknown)"},
		{name: "create too soon", plan: scheduleModel("2026-01-10T12:29:00Z", "", "(unknown)"), wantErr: "too soon"},
		{name: "create too late", plan: scheduleModel("2029-01-10T12:01:00Z", "", "(unknown)"), wantErr: "too far ahead"},
		{name: "create unknown: checked at apply", plan: scheduleModel("(unknown)", "", "(unknown)"), wantEffective: "(unknown)"},
		{name: "create with release_after", plan: scheduleModel("", "30m", "(unknown)"), wantEffective: "(unknown)"},
		{name: "create near the edge", plan: scheduleModel("2026-01-10T12:35:00Z", "", "(unknown)"), wantWarn: "close to the edge"},
		{name: "destroy near the time", state: scheduleModel("2026-01-10T12:01:00Z", "", "2026-01-10T12:01:00Z")},
		{name: "unchanged after the time passed",
			state: scheduleModel("2026-01-10T11:00:00Z", "", "2026-01-10T11:00:00Z"),
			plan:  scheduleModel("2026-01-10T11:00:00Z", "", "2026-01-10T11:00:00Z"), wantEffective: "2026-01-10T11:00:00Z"},
		{name: "unchanged with seconds",
			state: scheduleModel("2026-06-01T00:00:42Z", "", "2026-06-01T00:00:00Z"),
			plan:  scheduleModel("2026-06-01T00:00:42Z", "", "(unknown)"), wantEffective: "2026-06-01T00:00:00Z"},
		{name: "changed to too soon",
			state: scheduleModel("2026-06-01T00:00:00Z", "", "2026-06-01T00:00:00Z"),
			plan:  scheduleModel("2026-01-10T12:10:00Z", "", "2026-06-01T00:00:00Z"), wantErr: "too soon"},
		{name: "changed in the window",
			state: scheduleModel("2026-06-01T00:00:00Z", "", "2026-06-01T00:00:00Z"),
			plan:  scheduleModel("2026-07-01T00:00:00Z", "", "2026-06-01T00:00:00Z"), wantEffective: "(unknown)"},
		{name: "switched to release_after",
			state: scheduleModel("2026-06-01T00:00:00Z", "", "2026-06-01T00:00:00Z"),
			plan:  scheduleModel("", "2h", "2026-06-01T00:00:00Z"), wantEffective: "(unknown)"},
		{name: "cancelled outside",
			state: scheduleModel("2026-06-01T00:00:00Z", "", ""),
			plan:  scheduleModel("2026-06-01T00:00:00Z", "", ""), wantWarn: "was cancelled outside Terraform", wantEffective: "(unknown)"},
		{name: "changed outside",
			state: scheduleModel("2026-06-01T00:00:00Z", "", "2026-09-01T00:00:00Z"),
			plan:  scheduleModel("2026-06-01T00:00:00Z", "", "2026-09-01T00:00:00Z"), wantWarn: "changed outside Terraform to 2026-09-01T00:00:00Z", wantEffective: "(unknown)"},
		{name: "cancelled outside, too late to restore",
			state: scheduleModel("2026-01-10T12:10:00Z", "", ""),
			plan:  scheduleModel("2026-01-10T12:10:00Z", "", ""), wantWarn: "cannot be restored", wantEffective: "(null)"},
		{name: "release_after unchanged",
			state: scheduleModel("", "14d", "2026-01-20T00:00:00Z"), resolved: "2026-01-20T00:00:00Z",
			plan: scheduleModel("", "14d", "2026-01-20T00:00:00Z"), wantEffective: "2026-01-20T00:00:00Z"},
		{name: "release_after cancelled outside",
			state: scheduleModel("", "14d", ""), resolved: "2026-01-20T00:00:00Z",
			plan: scheduleModel("", "14d", ""), wantWarn: "schedules it again for 2026-01-20T00:00:00Z", wantEffective: "(unknown)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newPlanHarness(t, now)
			eff, diags := h.modifyPlan(tc.state, tc.plan, tc.resolved)
			errs, warns := diagTexts(diags)
			if tc.wantErr == "" && len(errs) > 0 || tc.wantErr != "" && !strings.Contains(strings.Join(errs, "\n"), tc.wantErr) {
				t.Errorf("errors = %q, want %q", errs, tc.wantErr)
			}
			if tc.wantWarn == "" && len(warns) > 0 || tc.wantWarn != "" && !strings.Contains(strings.Join(warns, "\n"), tc.wantWarn) {
				t.Errorf("warnings = %q, want %q", warns, tc.wantWarn)
			}
			switch tc.wantEffective {
			case "":
			case "(unknown)":
				if !eff.IsUnknown() {
					t.Errorf("effective_release_time = %v, want unknown", eff)
				}
			case "(null)":
				if !eff.IsNull() {
					t.Errorf("effective_release_time = %v, want null", eff)
				}
			default:
				if eff.IsUnknown() || eff.ValueString() != tc.wantEffective {
					t.Errorf("effective_release_time = %v, want %s", eff, tc.wantEffective)
				}
			}
		})
	}
}

func TestModifyPlanUsesTheClock(t *testing.T) {
	h := newPlanHarness(t, "2026-01-10T12:00:00Z")
	plan := scheduleModel("2026-01-10T12:45:00Z", "", "(unknown)")
	if _, d := h.modifyPlan(nil, plan, ""); d.HasError() {
		t.Fatalf("45m ahead: %v", d)
	}
	h.clk.Advance(16 * time.Minute)
	if _, d := h.modifyPlan(nil, plan, ""); !d.HasError() {
		t.Fatal("after 16 minutes, 12:45 is 29m ahead and must be refused")
	}
}
