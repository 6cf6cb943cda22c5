package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// envRealCloud opts the lifecycle test into the real cloud. It never runs
// in CI: it creates (and releases) a real, billed instance.
const envRealCloud = "ALIECS_ACC_REAL_CLOUD"

// lifecycleTarget is where TestAccLifecycle runs: the in-process emulator
// by default, or the real cloud with credentials and ids from the
// environment.
type lifecycleTarget struct {
	providerBlock string
	factories     map[string]func() (tfprotov6.ProviderServer, error)
	image, itype  string
	vswitch, sg   string
}

func newLifecycleTarget(t *testing.T) lifecycleTarget {
	t.Helper()
	if os.Getenv(envRealCloud) == "" {
		env := newAccEnv(t, emulator.Options{})
		c := newInstanceCatalog(t, env)
		return lifecycleTarget{
			providerBlock: env.providerConfig(), factories: env.factories(),
			image: c.image, itype: "ecs.g7.large", vswitch: c.vswitch, sg: c.sg,
		}
	}
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1")
	}
	need := map[string]string{}
	for _, name := range []string{"ALIECS_ACC_IMAGE_ID", "ALIECS_ACC_INSTANCE_TYPE", "ALIECS_ACC_VSWITCH_ID", "ALIECS_ACC_SECURITY_GROUP_ID"} {
		if need[name] = os.Getenv(name); need[name] == "" {
			t.Fatalf("%s=1 needs %s (and credentials and region in the usual ALIBABA_CLOUD_* variables)", envRealCloud, name)
		}
	}
	if os.Getenv("ALIBABA_CLOUD_ENDPOINT_ECS") != "" {
		t.Fatalf("%s=1 talks to the real service: unset ALIBABA_CLOUD_ENDPOINT_ECS", envRealCloud)
	}
	return lifecycleTarget{
		providerBlock: `provider "aliecs" {}` + "\n",
		factories: map[string]func() (tfprotov6.ProviderServer, error){
			"aliecs": providerserver.NewProtocol6WithError(newWithClock("test", clock.Real{})()),
		},
		image: need["ALIECS_ACC_IMAGE_ID"], itype: need["ALIECS_ACC_INSTANCE_TYPE"],
		vswitch: need["ALIECS_ACC_VSWITCH_ID"], sg: need["ALIECS_ACC_SECURITY_GROUP_ID"],
	}
}

func (lt lifecycleTarget) config(status, releaseAfter string) string {
	return lt.providerBlock + fmt.Sprintf(`
resource "aliecs_instance" "life" {
  instance_name      = "aliecs-acc-lifecycle"
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
  status             = %q
  tags               = { purpose = "aliecs-acceptance-test" }
}

resource "aliecs_auto_release_schedule" "life" {
  instance_id   = aliecs_instance.life.id
  release_after = %q
}

resource "aliecs_snapshot" "life" {
  instance_id    = aliecs_instance.life.id
  name           = "aliecs-acc-lifecycle"
  retention_days = 1
}
`, lt.image, lt.itype, lt.vswitch, lt.sg, status, releaseAfter)
}

// TestAccLifecycle is the whole life of a machine with only Terraform's view
// (no emulator inspection), so it also runs against the real cloud:
// create, schedule, snapshot, stop, start, reschedule, import, destroy.
func TestAccLifecycle(t *testing.T) {
	t.Parallel()
	lt := newLifecycleTarget(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: lt.factories,
		Steps: []resource.TestStep{
			{
				Config: lt.config("Running", "3h"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.life", tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue("aliecs_instance.life", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^i-`))),
					statecheck.ExpectKnownValue("aliecs_auto_release_schedule.life", tfjsonpath.New("effective_release_time"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$`))),
					statecheck.ExpectKnownValue("aliecs_snapshot.life", tfjsonpath.New("status"), knownvalue.StringExact("accomplished")),
					statecheck.ExpectKnownValue("aliecs_snapshot.life", tfjsonpath.New("instance_released"), knownvalue.Bool(false)),
				},
			},
			{
				// The schedule's apply leaves the instance's plan empty.
				Config: lt.config("Running", "3h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: lt.config("Stopped", "3h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_instance.life", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("aliecs_snapshot.life", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.life", tfjsonpath.New("status"), knownvalue.StringExact("Stopped")),
				},
			},
			{
				Config: lt.config("Running", "5h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_instance.life", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("aliecs_auto_release_schedule.life", plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("aliecs_instance.life", tfjsonpath.New("status"), knownvalue.StringExact("Running")),
				},
			},
			{
				ResourceName:      "aliecs_instance.life",
				ImportState:       true,
				ImportStateVerify: true,
				// Settings the API cannot report.
				ImportStateVerifyIgnore: []string{"force_delete", "timeouts", "stopped_mode"},
			},
		},
	})
}
