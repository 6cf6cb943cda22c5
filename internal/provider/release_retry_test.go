package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// A release that the service refuses with IncorrectInstanceStatus (the
// instance is between states) is retried once the instance settles, for both
// the normal and the force path, and the machine is released exactly once.
func TestAccRelease_retriesWhileInTransition(t *testing.T) {
	t.Parallel()
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force_delete=%v", force), func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, emulator.Options{})
			c := newInstanceCatalog(t, env)
			config := env.config(fmt.Sprintf(`
resource "aliecs_instance" "r" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = %v
}
`, c.image, c.vswitch, c.sg, force))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy: func(s *terraform.State) error {
					if err := env.instanceCheckNoneLeft(s); err != nil {
						return err
					}
					// Two refusals, then the release: three DeleteInstance calls.
					if n := env.emu.Calls()["DeleteInstance"]; n != 3 {
						return fmt.Errorf("DeleteInstance calls = %d, want 2 refused + 1 release", n)
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: config,
					Check: func(*terraform.State) error {
						env.emu.AddFault(emulator.Fault{
							Action: "DeleteInstance", Code: "IncorrectInstanceStatus", HTTPStatus: 403, Count: 2,
							Message: "The current status of the resource does not support this operation.",
						})
						return nil
					},
				}},
			})
		})
	}
}
