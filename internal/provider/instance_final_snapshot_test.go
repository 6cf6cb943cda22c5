package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// finalSnapshotOrder is the order of the calls that acted on an instance at
// destroy: "stop:graceful", "stop:forced", "snapshot@<status>" (the status
// the instance had when its snapshot group was created) and "release".
func finalSnapshotOrder(env *accEnv, id string) []string {
	var out []string
	for _, c := range env.emu.CallLog() {
		if c.InstanceID != id || c.Code != "" {
			continue
		}
		switch c.Action {
		case "StopInstance":
			if strings.EqualFold(c.ForceStop, "true") {
				out = append(out, "stop:forced")
			} else {
				out = append(out, "stop:graceful")
			}
		case "CreateSnapshotGroup":
			out = append(out, "snapshot@"+c.InstanceStatus)
		case "DeleteInstance":
			out = append(out, "release")
		}
	}
	return out
}

func checkOrder(env *accEnv, id string, want ...string) error {
	if got := finalSnapshotOrder(env, id); strings.Join(got, " ") != strings.Join(want, " ") {
		return fmt.Errorf("instance %s: calls %v, want %v", id, got, want)
	}
	return nil
}

// final_snapshot stops the instance gracefully before the snapshot (the
// snapshot is of a machine at rest), then releases it; stop_first = false
// keeps the old order: a crash-consistent snapshot of the running machine,
// then a power-off (nothing outlives it) and the release.
func TestAccInstance_finalSnapshotStopFirst(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var firstID, runningID string
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "first" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  final_snapshot     = { name = "at-rest" }
}

resource "aliecs_instance" "running" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  final_snapshot     = { name = "crash-consistent", stop_first = false }
}
`, c.image, c.vswitch, c.sg))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			if err := checkOrder(env, firstID, "stop:graceful", "snapshot@Stopped", "release"); err != nil {
				return err
			}
			return checkOrder(env, runningID, "snapshot@Running", "stop:forced", "release")
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				instanceStateID("aliecs_instance.first", &firstID),
				instanceStateID("aliecs_instance.running", &runningID),
				resource.TestCheckResourceAttr("aliecs_instance.first", "final_snapshot.stop_first", "true"),
				resource.TestCheckResourceAttr("aliecs_instance.running", "final_snapshot.stop_first", "false"),
			),
		}},
	})
}

// A guest that does not shut down: after the bounded graceful wait (here
// half of a 20 s delete timeout) the instance is powered off, then
// snapshotted and released.
func TestAccInstance_finalSnapshotForcesAfterGracefulWait(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{GracefulStopTime: 24 * time.Hour})
	c := newInstanceCatalog(t, env)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			for _, g := range env.emu.State().SnapshotGroups {
				if g.InstanceId == id && g.Status != "accomplished" {
					return fmt.Errorf("snapshot group %s is %s", g.SnapshotGroupId, g.Status)
				}
			}
			return checkOrder(env, id, "stop:graceful", "stop:forced", "snapshot@Stopped", "release")
		},
		Steps: []resource.TestStep{{
			Config: env.config(instanceHCL(c, `  final_snapshot = { name = "stuck-guest" }
  timeouts       = { delete = "20s" }`)),
			Check: instanceStateID(instanceAddr, &id),
		}},
	})
}

func TestGracefulStopBudget(t *testing.T) {
	for _, tc := range []struct {
		remaining   time.Duration
		hasDeadline bool
		want        time.Duration
	}{
		{0, false, gracefulStopWait},
		{20 * time.Minute, true, gracefulStopWait},
		{10 * time.Minute, true, gracefulStopWait},
		{8 * time.Minute, true, 4 * time.Minute},
		{20 * time.Second, true, 10 * time.Second},
		{-time.Second, true, 0},
	} {
		if got := gracefulStopBudget(tc.remaining, tc.hasDeadline); got != tc.want {
			t.Errorf("gracefulStopBudget(%s, %v) = %s, want %s", tc.remaining, tc.hasDeadline, got, tc.want)
		}
	}
}

// tfUnknown stands for a value not known at plan time in fsPlanValue.
type tfUnknown struct{}

// fsPlanValue builds a value of typ from Go values as toTF does, and also
// takes bools and tfUnknown.
func fsPlanValue(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return tftypes.NewValue(typ, nil)
	case bool:
		return tftypes.NewValue(typ, v)
	case tfUnknown:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	case map[string]any:
		obj := typ.(tftypes.Object)
		vals := map[string]tftypes.Value{}
		for name, at := range obj.AttributeTypes {
			vals[name] = fsPlanValue(t, at, v[name])
		}
		return tftypes.NewValue(typ, vals)
	case []map[string]any:
		elem := typ.(tftypes.List).ElementType
		out := make([]tftypes.Value, 0, len(v))
		for _, m := range v {
			out = append(out, fsPlanValue(t, elem, m))
		}
		return tftypes.NewValue(typ, out)
	}
	return toTF(t, typ, v)
}

// fsModifyPlanRequest is the ModifyPlanRequest of an aliecs_instance with
// the given planned and prior attributes (nil: a create, or a destroy).
func fsModifyPlanRequest(t *testing.T, plan, state map[string]any) fwresource.ModifyPlanRequest {
	t.Helper()
	ctx := context.Background()
	var sresp fwresource.SchemaResponse
	(&instanceResource{}).Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	val := func(m map[string]any) tftypes.Value {
		if m == nil {
			return tftypes.NewValue(typ, nil)
		}
		return fsPlanValue(t, typ, m)
	}
	return fwresource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: sresp.Schema, Raw: val(plan)},
		Plan:   tfsdk.Plan{Schema: sresp.Schema, Raw: val(plan)},
		State:  tfsdk.State{Schema: sresp.Schema, Raw: val(state)},
	}
}

func TestFinalSnapshotPlanDiagnostics(t *testing.T) {
	essd := map[string]any{"category": "cloud_essd", "size": 40}
	efficiency := map[string]any{"category": "cloud_efficiency", "size": 40}
	fs := map[string]any{"name": "final", "stop_first": true}
	existing := func(m map[string]any) map[string]any {
		out := map[string]any{"id": "i-bp67acfmxazb4ph1234", "system_disk_id": "d-bp1sys0000000000001", "status": "Running"}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		plan, state map[string]any
		severity    diag.Severity // 0: no diagnostic
		want        []string
		notWant     []string
	}{
		{name: "create, system disk refused", severity: diag.SeverityError,
			plan: map[string]any{"system_disk": efficiency, "final_snapshot": fs},
			want: []string{"the system disk is cloud_efficiency", "cloud_essd, cloud_auto, cloud_essd_entry", "remove final_snapshot"}},
		{name: "create, one data disk refused", severity: diag.SeverityError,
			plan: map[string]any{"system_disk": essd, "final_snapshot": fs, "data_disks": []map[string]any{
				{"size": 20, "category": "cloud_essd"}, {"size": 20, "category": "cloud"}}},
			want: []string{"data_disks[1] is cloud"}, notWant: []string{"data_disks[0]", "system disk"}},
		{name: "create, ESSD family only",
			plan: map[string]any{"system_disk": map[string]any{"category": "cloud_auto"}, "final_snapshot": fs,
				"data_disks": []map[string]any{{"size": 20, "category": "cloud_essd_entry"}}}},
		{name: "create, category not known yet",
			plan: map[string]any{"system_disk": map[string]any{"category": tfUnknown{}}, "final_snapshot": fs}},
		{name: "create, system disk left to the service", plan: map[string]any{"system_disk": tfUnknown{}, "final_snapshot": fs}},
		{name: "no final_snapshot", plan: map[string]any{"system_disk": efficiency}},
		{name: "destroy", state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs})},
		{name: "set on an existing instance", severity: diag.SeverityError,
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			state: existing(map[string]any{"system_disk": efficiency}),
			want:  []string{"the system disk (d-bp1sys0000000000001) is cloud_efficiency"}},
		{name: "changed on an existing instance", severity: diag.SeverityError,
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": map[string]any{"name": "final-2", "stop_first": true}}),
			state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			want:  []string{"cloud_efficiency"}},
		{name: "stop_first changed", severity: diag.SeverityError,
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": map[string]any{"name": "final", "stop_first": false}}),
			state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			want:  []string{"cloud_efficiency"}},
		{name: "unchanged: only a warning, so destroy is not blocked", severity: diag.SeverityWarning,
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			want: []string{"d-bp1sys0000000000001) is cloud_efficiency", "i-bp67acfmxazb4ph1234 would fail",
				"remove final_snapshot from the configuration and apply before destroying"}},
		{name: "state from before stop_first: unchanged", severity: diag.SeverityWarning,
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs}),
			state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": map[string]any{"name": "final"}}),
			want:  []string{"would fail"}},
		{name: "new disks replace the instance", severity: diag.SeverityError,
			plan:  existing(map[string]any{"system_disk": map[string]any{"category": "cloud_ssd", "size": 40}, "final_snapshot": fs}),
			state: existing(map[string]any{"system_disk": essd, "final_snapshot": fs}),
			want:  []string{"the system disk is cloud_ssd"}},
		{name: "released by a snapshot",
			plan:  existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs, "status": "Released"}),
			state: existing(map[string]any{"system_disk": efficiency, "final_snapshot": fs, "status": "Released"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := finalSnapshotPlanDiagnostics(context.Background(), fsModifyPlanRequest(t, tc.plan, tc.state))
			if tc.severity == 0 {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostic, got %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags)
			}
			d := diags[0]
			if d.Severity() != tc.severity {
				t.Errorf("severity = %v, want %v: %s", d.Severity(), tc.severity, d.Detail())
			}
			if dp, ok := d.(diag.DiagnosticWithPath); !ok || !dp.Path().Equal(path.Root("final_snapshot")) {
				t.Errorf("diagnostic %q is not on final_snapshot", d.Summary())
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Detail(), w) {
					t.Errorf("detail %q does not contain %q", d.Detail(), w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(d.Detail(), w) {
					t.Errorf("detail %q contains %q", d.Detail(), w)
				}
			}
		})
	}
}

// final_snapshot on disks that a snapshot group refuses fails the plan, on
// final_snapshot, naming each disk and the categories allowed: when the
// instance is created (nothing is created), and when final_snapshot is set
// on an existing instance (nothing is changed).
func TestAccInstance_finalSnapshotDiskCategoriesAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	disks := `  system_disk = { category = "cloud_efficiency" }
  data_disks  = [{ size = 20 }, { size = 20, category = "cloud" }]
`
	withFinal := env.config(instanceHCL(c, disks+`  final_snapshot = { name = "never" }`))
	var sysDisk string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: withFinal,
				ExpectError: cliPhrases("final_snapshot cannot snapshot this instance's disks",
					"cloud_essd, cloud_auto, cloud_essd_entry", "the system disk is cloud_efficiency; data_disks[1] is cloud"),
			},
			{
				PreConfig: func() {
					if n := env.emu.Calls()["RunInstances"]; n != 0 {
						t.Fatalf("RunInstances was called %d times for a plan that failed", n)
					}
				},
				Config: env.config(instanceHCL(c, disks)),
				Check:  resource.TestCheckResourceAttrWith(instanceAddr, "system_disk_id", func(v string) error { sysDisk = v; return nil }),
			},
			{
				Config: withFinal,
				ExpectError: regexp.MustCompile(`(?s)final_snapshot cannot snapshot this instance's disks.*` +
					`the\s+system\s+disk\s+\(d-[a-z0-9]+\)\s+is\s+cloud_efficiency`),
			},
			{
				// Nothing was changed: the configuration without final_snapshot plans nothing.
				Config:   env.config(instanceHCL(c, disks)),
				PlanOnly: true,
				Check: func(*terraform.State) error {
					if sysDisk == "" {
						return fmt.Errorf("no system disk id in state")
					}
					return nil
				},
			},
		},
	})
}

// cliPhrases matches the phrases in order in Terraform's output, which wraps
// long diagnostics at any space.
func cliPhrases(phrases ...string) *regexp.Regexp {
	parts := make([]string, 0, len(phrases))
	for _, p := range phrases {
		words := strings.Fields(p)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		parts = append(parts, strings.Join(words, `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}
