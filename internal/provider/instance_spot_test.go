package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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
  spot_price_limit = 0.125
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
					spotRecorded(env, "aliecs_instance.limit", "SpotWithPriceLimit", 0.125, 0, "Stop"),
					instanceStateID("aliecs_instance.limit", &limitID),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.ondemand", tfjsonpath.New("spot_strategy"), knownvalue.StringExact("NoSpot")),
					statecheck.ExpectKnownValue("aliecs_instance.ondemand", tfjsonpath.New("spot_price_limit"), knownvalue.Null()),
					statecheck.ExpectKnownValue("aliecs_instance.go", tfjsonpath.New("spot_duration"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue("aliecs_instance.go", tfjsonpath.New("spot_interruption_behavior"), knownvalue.StringExact("Terminate")),
					statecheck.ExpectKnownValue("aliecs_instance.limit", tfjsonpath.New("spot_price_limit"), knownvalue.Float64Exact(0.125)),
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
					spotRecorded(env, "aliecs_instance.limit", "SpotWithPriceLimit", 0.125, 0, "Terminate"),
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

// TestAccInstanceSpot_badInput: wrong spot settings fail at validate, with
// the error on the attribute, before any call to the service.
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
		{`  spot_duration = 0`, `(?s)spot_duration without a spot strategy`},
		{`  spot_interruption_behavior = "Stop"`, `(?s)spot_interruption_behavior without a spot strategy`},
		{`  spot_strategy = "Cheap"`, `(?s)spot_strategy.*value must be one of`},
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
			if n := emuWrites(env); n != 0 {
				t.Errorf("bad spot settings made %d write calls (%v)", n, env.emu.Calls())
			}
		},
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}
