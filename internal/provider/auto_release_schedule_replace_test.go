package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// A tombstone whose schedule has a literal release_time that has passed can
// be replaced: the passed time is a plan warning, not a plan error, and the
// new machine is never left without a release time (the schedule's apply
// moves it to the earliest allowed time, with a warning).
func TestAccAutoReleaseSchedule_replaceTombstoneWithPassedTime(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	c := newInstanceCatalog(t, env.accEnv)
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_auto_release_schedule" "vm" {
  instance_id  = aliecs_instance.vm.id
  release_time = %q
}
`, c.image, c.vswitch, c.sg, env.at(2*time.Hour)))
	var first string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID("aliecs_instance.vm", &first)},
			{
				// The schedule fires: a tombstone, and a plan with nothing to do.
				PreConfig: func() { env.advance(3 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: cfg,
				Taint:  []string{"aliecs_instance.vm"},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aliecs_instance.vm", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("aliecs_auto_release_schedule.vm", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["aliecs_instance.vm"].Primary.ID
					if id == first {
						return fmt.Errorf("the instance was not replaced")
					}
					at, exists, err := env.apiReleaseTime(id)
					if err != nil || !exists || at == "" {
						return fmt.Errorf("new machine %s has no release time (%q, exists %v): %w", id, at, exists, err)
					}
					return nil
				},
			},
		},
	})
}
