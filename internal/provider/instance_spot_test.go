package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// spotHCL is one instance named name with the given spot arguments.
func spotHCL(c instanceCatalog, name, spot string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" %q {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
%s
}
`, name, c.image, c.vswitch, c.sg, spot)
}

// spotRecorded checks what the emulator recorded for the instance at addr.
func spotRecorded(env *accEnv, addr, strategy string, limit float64, duration int, behavior string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr]
		if rs == nil {
			return fmt.Errorf("%s is not in state", addr)
		}
		in := env.instanceInEmu(rs.Primary.ID)
		if in == nil {
			return fmt.Errorf("%s (%s) is not in the emulator", addr, rs.Primary.ID)
		}
		isSpot := strategy != "NoSpot"
		if in.SpotStrategy != strategy || in.SpotPriceLimit != limit || in.IsSpot != isSpot ||
			(isSpot && (in.SpotDuration != duration || in.SpotInterruptionBehavior != behavior)) {
			return fmt.Errorf("%s: the emulator recorded strategy %q limit %v duration %d behavior %q spot %v; want %q %v %d %q",
				addr, in.SpotStrategy, in.SpotPriceLimit, in.SpotDuration, in.SpotInterruptionBehavior, in.IsSpot,
				strategy, limit, duration, behavior)
		}
		return nil
	}
}

// TestAccInstanceSpot_strategies creates an instance with each strategy,
// checks what RunInstances sent (as the emulator recorded it) and what the
// state reads back, and that a change of a spot setting replaces the
// machine.
func TestAccInstanceSpot_strategies(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	body := spotHCL(c, "ondemand", "") +
		spotHCL(c, "go", `  spot_strategy = "SpotAsPriceGo"`) +
		spotHCL(c, "limit", `  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = 0.4
  spot_duration = 0
  spot_interruption_behavior = "Stop"`)
	changed := strings.Replace(body, `spot_interruption_behavior = "Stop"`, `spot_interruption_behavior = "Terminate"`, 1)
	var limitID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(body),
				Check: resource.ComposeTestCheckFunc(
					spotRecorded(env, "aliecs_instance.ondemand", "NoSpot", 0, 0, ""),
					spotRecorded(env, "aliecs_instance.go", "SpotAsPriceGo", 0, 1, "Terminate"),
					spotRecorded(env, "aliecs_instance.limit", "SpotWithPriceLimit", 0.4, 0, "Stop"),
					instanceStateID("aliecs_instance.limit", &limitID),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.ondemand", tfjsonpath.New("spot_strategy"), knownvalue.StringExact("NoSpot")),
					statecheck.ExpectKnownValue("aliecs_instance.ondemand", tfjsonpath.New("spot_price_limit"), knownvalue.Null()),
					statecheck.ExpectKnownValue("aliecs_instance.go", tfjsonpath.New("spot_duration"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("aliecs_instance.go", tfjsonpath.New("spot_interruption_behavior"), knownvalue.StringExact("Terminate")),
					statecheck.ExpectKnownValue("aliecs_instance.limit", tfjsonpath.New("spot_price_limit"), knownvalue.Float64Exact(0.4)),
					statecheck.ExpectKnownValue("aliecs_instance.limit", tfjsonpath.New("spot_duration"), knownvalue.Int64Exact(0)),
				},
			},
			{
				// A refresh reads the same values: nothing to do.
				Config: env.config(body),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: env.config(changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aliecs_instance.limit", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("aliecs_instance.go", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("aliecs_instance.ondemand", plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					spotRecorded(env, "aliecs_instance.limit", "SpotWithPriceLimit", 0.4, 0, "Terminate"),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources["aliecs_instance.limit"].Primary.ID; id == limitID {
							return fmt.Errorf("instance %s was not replaced", id)
						}
						if env.instanceInEmu(limitID) != nil {
							return fmt.Errorf("the replaced instance %s is still there", limitID)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccInstanceSpot_onDemandIgnoresSpotSettings: spot_duration and
// spot_interruption_behavior have no effect on an on-demand machine, so it
// accepts them (with a warning when not the default), as a configuration
// that switches spot_strategy with a variable needs; changing them records
// the change in the state only: no replacement, no call.
func TestAccInstanceSpot_onDemandIgnoresSpotSettings(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	hcl := func(settings string) string { return env.config(spotHCL(c, "test", settings)) }
	const addr = "aliecs_instance.test"
	var id string
	var writes int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: hcl(`  spot_strategy = "NoSpot"
  spot_interruption_behavior = "Stop"
  spot_duration = 0`),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "spot_strategy", "NoSpot"),
					resource.TestCheckResourceAttr(addr, "spot_interruption_behavior", "Stop"),
					resource.TestCheckResourceAttr(addr, "spot_duration", "0"),
					spotRecorded(env, addr, "NoSpot", 0, 0, ""),
					func(s *terraform.State) error {
						id, writes = s.RootModule().Resources[addr].Primary.ID, emuWrites(env)
						return nil
					},
				),
			},
			{
				Config: hcl(`  spot_interruption_behavior = "Terminate"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "spot_interruption_behavior", "Terminate"),
					resource.TestCheckResourceAttr(addr, "spot_duration", "1"),
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[addr].Primary.ID; got != id {
							return fmt.Errorf("the instance was replaced: %s, was %s", got, id)
						}
						if n := emuWrites(env) - writes; n != 0 {
							return fmt.Errorf("the change made %d write calls, want 0", n)
						}
						return nil
					},
				),
			},
			{
				Config:           hcl(`  spot_interruption_behavior = "Terminate"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccInstanceSpot_badInput: wrong spot settings fail at validate, with
// the error on the attribute, before any call to the service; a limit below
// the current spot price is refused at create, on the attribute.
func TestAccInstanceSpot_badInput(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cases := []struct {
		spot string
		want string
	}{
		{`  spot_price_limit = 0.5`, `(?s)spot_price_limit.*spot_price_limit = 0.5 is given with spot_strategy\s+= "NoSpot"`},
		{`  spot_strategy = "SpotAsPriceGo"
  spot_price_limit = 0.5`, `(?s)spot_price_limit without its strategy.*SpotWithPriceLimit`},
		{`  spot_strategy = "SpotWithPriceLimit"`, `(?s)Missing spot_price_limit.*needs\s+spot_price_limit`},
		{`  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = -1`, `(?s)Invalid spot_price_limit.*spot_price_limit = -1 is not allowed: a price\s+limit must be above 0`},
		{`  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = 0`, `(?s)Invalid spot_price_limit.*must be above 0`},
		{`  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = 5000`, `(?s)Invalid spot_price_limit.*5000 is not allowed.*at most 1000`},
		{`  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = 0.1234`, `(?s)Invalid spot_price_limit.*at most 3\s+decimals`},
		{`  spot_strategy = "SpotAsPriceGo"
  spot_duration = 3`, `(?s)Invalid spot_duration.*spot_duration = 3 is not allowed: 0.*or 1.*service\s+has approved`},
		{`  spot_strategy = "SpotAsPriceGo"
  spot_duration = 9`, `(?s)Invalid spot_duration.*spot_duration = 9 is not allowed`},
		{`  spot_strategy = "Cheap"`, `(?s)spot_strategy.*value must be one of`},
		// Valid in itself, below any spot price of the type: refused by the
		// service at create, explained on the attribute, nothing created.
		{`  spot_strategy = "SpotWithPriceLimit"
  spot_price_limit = 0.001`, `(?s)spot_price_limit below the current spot price.*spot_price_limit = 0.001 is below the\s+current spot price of ecs.g7.large.*InvalidSpotPriceLimit.LowerThanPublicPrice`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.config(instanceHCL(c, tc.spot)),
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	steps = append(steps, resource.TestStep{
		Config:   env.config(instanceHCL(c, "")),
		PlanOnly: true, ExpectNonEmptyPlan: true,
		Check: func(*terraform.State) error { return nil },
		PreConfig: func() {
			if n := emuWrites(env) - env.emu.Calls()["RunInstances"]; n != 0 || len(env.emu.State().Instances) != 0 {
				t.Errorf("bad spot settings made %d write calls besides the refused RunInstances (%v)", n, env.emu.Calls())
			}
		},
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}

// spotMachine is a spot instance and a snapshot of it, for the reclaim tests.
func spotMachine(env *accEnv, c instanceCatalog, behavior string) string {
	return relProvider(env, 5) + spotHCL(c, "test", fmt.Sprintf(`  spot_strategy = "SpotAsPriceGo"
  spot_interruption_behavior = %q`, behavior)) + `
resource "aliecs_snapshot" "test" {
  instance_id = aliecs_instance.test.id
  name        = "spot-copy"
}
`
}

// reclaim has the service reclaim a spot instance and lets the notice run out.
func reclaim(t *testing.T, env *accEnv, id string) {
	t.Helper()
	if _, err := env.emu.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	env.emu.AdvanceClock(emulator.SpotReclaimNotice)
}

// TestAccInstanceSpot_reclaimTerminate: the service reclaims a spot machine
// whose interruption behaviour is Terminate. The next plan is empty, with a
// warning that says it was reclaimed; -replace brings a new machine; the
// snapshot of the old one is never touched.
func TestAccInstanceSpot_reclaimTerminate(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(spotMachine(env, c, "Terminate"))
	cli.mustRun("apply", "-auto-approve", "-no-color")
	ids := cli.state().ids("aliecs_instance", "id")
	groups := cli.state().ids("aliecs_snapshot", "id")
	if len(ids) != 1 || len(groups) != 1 {
		t.Fatalf("after apply: instances %v, snapshots %v", ids, groups)
	}
	old := ids[0]
	// During the notice the machine runs, locked: the plan warns, changes nothing.
	if _, err := env.emu.ReclaimSpot(old); err != nil {
		t.Fatal(err)
	}
	out, err := cli.run("plan", "-detailed-exitcode", "-no-color")
	if flat := strings.Join(strings.Fields(out), " "); err != nil ||
		!strings.Contains(flat, "Spot instance "+old+" is being reclaimed") || !strings.Contains(flat, "within about 5 minutes it is released") {
		t.Errorf("the plan during the notice (%v) does not warn of the reclaim:\n%s", err, out)
	}
	env.emu.AdvanceClock(emulator.SpotReclaimNotice)
	if env.instanceInEmu(old) != nil {
		t.Fatalf("instance %s survived its reclaim", old)
	}

	out, err = cli.run("plan", "-detailed-exitcode", "-no-color")
	if err != nil {
		t.Fatalf("the plan after a reclaim is not empty (%v):\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Instance " + old + " was released", "the service reclaimed it", "spot instance interruption",
		"terraform apply -replace=ADDRESS"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan's warning does not say %q:\n%s", want, out)
		}
	}
	// An on-demand machine that disappears makes no history call.
	if n := env.emu.Calls()["DescribeInstanceHistoryEvents"]; n != 1 {
		t.Errorf("DescribeInstanceHistoryEvents calls = %d, want 1", n)
	}

	before := env.emu.Calls()
	cli.mustRun("apply", "-auto-approve", "-no-color", "-replace=aliecs_instance.test")
	after := env.emu.Calls()
	ids = cli.state().ids("aliecs_instance", "id")
	if len(ids) != 1 || ids[0] == old || env.instanceInEmu(ids[0]) == nil {
		t.Fatalf("after -replace: instances in state %v (old %s)", ids, old)
	}
	for action, n := range after {
		if strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "List") || n == before[action] {
			continue
		}
		// The new machine, and its snapshot retaken (snapshot_retake.go).
		if action != "RunInstances" && action != "CreateSnapshotGroup" && action != "TagResources" {
			t.Errorf("-replace called %s %d times: only RunInstances and the retake of the snapshot should write", action, n-before[action])
		}
	}
	// The snapshot follows the new machine; the reclaimed one's group is kept.
	if got := cli.state().ids("aliecs_snapshot", "id"); len(got) != 1 || got[0] == groups[0] {
		t.Errorf("snapshots in state after -replace: %v, want a new group (the old one is %v)", got, groups)
	}
	if kept := snapshotKeptIDs(cli); fmt.Sprint(kept) != fmt.Sprint(groups) {
		t.Errorf("kept_group_ids after -replace: %v, want %v", kept, groups)
	}
	kept := false
	for _, g := range env.emu.State().SnapshotGroups {
		kept = kept || (g.SnapshotGroupId == groups[0] && g.InstanceId == old)
	}
	if !kept {
		t.Errorf("the snapshot group %s of the reclaimed machine is gone", groups[0])
	}
	cli.mustRun("destroy", "-auto-approve", "-no-color")
}

// TestAccInstanceSpot_reclaimStop: the service reclaims a spot machine whose
// interruption behaviour is Stop. The next plan starts it again, with a
// warning; with no stock in the zone the apply fails with a clear error and
// leaves the machine stopped; once there is stock, the apply starts it.
func TestAccInstanceSpot_reclaimStop(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(spotMachine(env, c, "Stop"))
	cli.mustRun("apply", "-auto-approve", "-no-color")
	id := cli.state().ids("aliecs_instance", "id")[0]
	reclaim(t, env, id)
	in := env.instanceInEmu(id)
	if in == nil || in.Status != "Stopped" {
		t.Fatalf("after the reclaim: %+v", in)
	}

	out, err := cli.run("plan", "-detailed-exitcode", "-no-color")
	if err == nil {
		t.Fatalf("the plan does not start the reclaimed machine:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`~ status = "Stopped" -> "Running"`, "Spot machine reclaimed and stopped",
		"This apply starts it again"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}

	sellOut := func(soldOut bool) {
		t.Helper()
		if err := env.emu.SetStock(emulator.StockEntry{ZoneID: in.ZoneId, InstanceType: in.InstanceType, SoldOut: soldOut}); err != nil {
			t.Fatal(err)
		}
	}
	sellOut(true)
	out, err = cli.run("apply", "-auto-approve", "-no-color")
	flat = strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "has no stock of instance type ecs.g7.large right now") ||
		!strings.Contains(flat, "Apply again later") {
		t.Fatalf("an apply with no stock did not fail clearly (%v):\n%s", err, out)
	}
	if in := env.instanceInEmu(id); in == nil || in.Status != "Stopped" {
		t.Fatalf("after the refused start: %+v", in)
	}

	sellOut(false)
	cli.mustRun("apply", "-auto-approve", "-no-color")
	if in := env.instanceInEmu(id); in == nil || in.Status != "Running" {
		t.Fatalf("after the apply with stock: %+v", in)
	}
	if got := cli.state().ids("aliecs_instance", "status"); len(got) != 1 || got[0] != "Running" {
		t.Errorf("status in state: %v", got)
	}
	if got := cli.state().ids("aliecs_instance", "id"); len(got) != 1 || got[0] != id {
		t.Errorf("the machine was replaced: %v, want %s", got, id)
	}
	out, err = cli.run("plan", "-detailed-exitcode", "-no-color")
	if err != nil {
		t.Errorf("the plan after the restart is not empty (%v):\n%s", err, out)
	}
	cli.mustRun("destroy", "-auto-approve", "-no-color")
}

// TestAccInstanceSpot_stateFromBeforeSpot: a state written before the spot
// arguments existed (a machine and a tombstone, their spot_* absent) plans
// no replacement, with or without a refresh, and the apply that records the
// defaults makes no write call.
func TestAccInstanceSpot_stateFromBeforeSpot(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + spotHCL(c, "live", "") + spotHCL(c, "gone", "") +
		`output "gone" { value = aliecs_instance.gone.id }`)
	cli.mustRun("apply", "-auto-approve", "-no-color")
	goneID := strings.TrimSpace(cli.mustRun("output", "-raw", "gone"))
	if err := env.instanceSDKClient().DeleteInstance(t.Context(), goneID, true); err != nil {
		t.Fatal(err)
	}
	cli.mustRun("apply", "-refresh-only", "-auto-approve", "-no-color") // the tombstone

	// What an older provider wrote: no spot_* at all.
	path := filepath.Join(cli.dir, "terraform.tfstate")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, r := range st["resources"].([]any) {
		for _, in := range r.(map[string]any)["instances"].([]any) {
			attrs := in.(map[string]any)["attributes"].(map[string]any)
			for _, k := range []string{"spot_strategy", "spot_price_limit", "spot_duration", "spot_interruption_behavior"} {
				if _, ok := attrs[k]; ok {
					delete(attrs, k)
					removed++
				}
			}
		}
	}
	if removed != 8 {
		t.Fatalf("removed %d spot attributes from the state, want 8", removed)
	}
	if raw, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	writes := emuWrites(env)
	for _, args := range [][]string{{"plan", "-refresh=false", "-no-color"}, {"plan", "-no-color"}} {
		out := cli.mustRun(args...)
		if strings.Contains(out, "forces replacement") || strings.Contains(out, "must be replaced") ||
			!regexp.MustCompile(`0 to add|No changes`).MatchString(out) {
			t.Errorf("terraform %s on a state from before spot plans a new machine:\n%s", strings.Join(args, " "), out)
		}
	}
	cli.mustRun("apply", "-auto-approve", "-no-color")
	if got := emuWrites(env); got != writes {
		t.Errorf("recording the spot defaults made %d write calls (%v)", got-writes, env.emu.Calls())
	}
	if out, err := cli.run("plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after recording the defaults is not empty (%v):\n%s", err, out)
	}
	cli.mustRun("destroy", "-auto-approve", "-no-color")
}

func TestExplainNoStock(t *testing.T) {
	inst := &ecsapi.Instance{ID: "i-1", ZoneID: "cn-hangzhou-i", InstanceType: "ecs.gn7i-c8g1.2xlarge"}
	for _, code := range []string{"OperationDenied.NoStock", "Zone.NotOnSale"} {
		cause := &ecsapi.APIError{Action: "StartInstance", Code: code, HTTPStatus: 403}
		err := explainNoStock(cause, inst)
		if !errors.Is(err, cause) || !strings.Contains(err.Error(), "zone cn-hangzhou-i has no stock of instance type "+
			"ecs.gn7i-c8g1.2xlarge right now ("+code+")") || !strings.Contains(err.Error(), "Apply again later") {
			t.Errorf("%s: %v", code, err)
		}
	}
	other := &ecsapi.APIError{Action: "StartInstance", Code: "IncorrectInstanceStatus", HTTPStatus: 403}
	if err := explainNoStock(other, inst); err != other { //nolint:errorlint // the same error, unwrapped
		t.Errorf("another error was rewritten: %v", err)
	}
	if err := explainNoStock(nil, inst); err != nil {
		t.Errorf("no error became %v", err)
	}
}

// TestSpotConfigOnDemandSettings: on an on-demand machine spot_duration and
// spot_interruption_behavior are accepted; a value other than the default
// is a warning on its attribute, the defaults (as -generate-config-out
// writes them) and null get nothing; a spot machine gets nothing either.
func TestSpotConfigOnDemandSettings(t *testing.T) {
	for _, tc := range []struct {
		config   map[string]any
		warnings []string // attribute paths
	}{
		{map[string]any{"spot_strategy": "NoSpot", "spot_duration": 1, "spot_interruption_behavior": "Terminate"}, nil},
		{map[string]any{"spot_strategy": "NoSpot"}, nil},
		{map[string]any{}, nil},
		{map[string]any{"spot_strategy": "NoSpot", "spot_interruption_behavior": "Stop"}, []string{"spot_interruption_behavior"}},
		{map[string]any{"spot_duration": 0, "spot_interruption_behavior": "Stop"}, []string{"spot_duration", "spot_interruption_behavior"}},
		{map[string]any{"spot_strategy": "SpotAsPriceGo", "spot_duration": 0, "spot_interruption_behavior": "Stop"}, nil},
	} {
		req := fsModifyPlanRequest(t, tc.config, nil)
		var resp fwresource.ValidateConfigResponse
		spotConfigValidator{}.ValidateResource(context.Background(), fwresource.ValidateConfigRequest{Config: req.Config}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: errors %v", tc.config, resp.Diagnostics)
			continue
		}
		var got []string
		for _, d := range resp.Diagnostics.Warnings() {
			if wp, ok := d.(diag.DiagnosticWithPath); ok {
				got = append(got, wp.Path().String())
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.warnings, ",") || len(resp.Diagnostics) != len(tc.warnings) {
			t.Errorf("%v: warnings on %v (%v), want on %v", tc.config, got, resp.Diagnostics, tc.warnings)
		}
	}
}

// snapshotKeptIDs lists the kept_group_ids of every aliecs_snapshot in state.
func snapshotKeptIDs(c *relCLI) []string {
	var out []string
	for _, r := range c.state().Resources {
		if r.Type != "aliecs_snapshot" {
			continue
		}
		for _, in := range r.Instances {
			if ids, ok := in.Attributes["kept_group_ids"].([]any); ok {
				for _, id := range ids {
					out = append(out, fmt.Sprint(id))
				}
			}
		}
	}
	return out
}
