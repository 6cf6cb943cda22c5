package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// providerHasResource reports whether the provider registers a resource
// type, so tests that need another engineer's resource wait for its merge.
func providerHasResource(typeName string) bool {
	ctx := context.Background()
	p := New("test")()
	for _, f := range p.Resources(ctx) {
		var resp resource.MetadataResponse
		f().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aliecs"}, &resp)
		if resp.TypeName == typeName {
			return true
		}
	}
	return false
}

// TestAccAutoReleaseSchedule_firesWithInstance: the schedule fires; the next
// plan drops both the aliecs_instance and the schedule from state with
// warnings and plans to create both again, with no error.
func TestAccAutoReleaseSchedule_firesWithInstance(t *testing.T) {
	t.Parallel()
	if !providerHasResource("aliecs_instance") {
		t.Skip("aliecs_instance is not registered in this build")
	}
	// The provider keeps the real clock (aliecs_instance's waiters need it);
	// only the emulator's clock moves, which is all the release needs.
	env := newScheduleEnvRealClock(t)
	cat := env.emu.State().Catalog
	var image, itype, vsw, sg string
	image = cat.Images[0].ImageId
	for _, it := range cat.InstanceTypes {
		if it.GPUAmount == 0 {
			itype = it.InstanceTypeId
			break
		}
	}
	for _, v := range cat.VSwitches {
		if v.RegionID == accRegion {
			vsw = v.ID
			for _, g := range cat.SecurityGroups {
				if g.VpcID == v.VpcID {
					sg = g.ID
					break
				}
			}
			break
		}
	}
	config := env.config(fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
}

resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "40m"
}
`, image, itype, vsw, sg))
	var firstID string
	var writes int
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources["aliecs_instance.test"].Primary.ID
					return nil
				},
			},
			{
				PreConfig: func() {
					env.advance(45 * time.Minute)
					if _, exists, err := env.apiReleaseTime(firstID); err != nil || exists {
						t.Fatalf("instance %s should have been released (exists=%v, err=%v)", firstID, exists, err)
					}
				},
				// Both stay as tombstones: no new machine, no new schedule.
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.test", tfjsonpath.New("status"), knownvalue.StringExact(statusReleased)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("instance_released"), knownvalue.Bool(true)),
				},
			},
			{
				// Dropping both from the configuration destroys the
				// tombstones with no call to the service.
				PreConfig: func() { writes = env.emu.Calls()["ModifyInstanceAutoReleaseTime"] + releaseCalls(env.emu.Calls()) },
				Config:    env.config(""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aliecs_instance.test", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionDestroy),
				}},
				Check: func(*terraform.State) error {
					if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"] + releaseCalls(env.emu.Calls()); n != writes {
						return fmt.Errorf("destroying the tombstones made %d calls: %v", n-writes, env.emu.Calls())
					}
					return nil
				},
			},
		},
	})
}
