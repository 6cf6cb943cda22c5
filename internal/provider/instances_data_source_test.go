package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The filters, each alone and combined, over instances made by the provider
// (count) and outside it; the listing spans several pages.
func TestAccInstancesDataSource_filters(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)

	// More than one page (100) of instances, made with the real SDK.
	const bulk = 105
	bulkIDs := map[string]bool{}
	for i := 0; i < bulk; i++ {
		bulkIDs[env.instanceCreateOutside(c, fmt.Sprintf("bulk-%03d", i), map[string]string{"batch": "bulk"})] = true
	}
	// One of them stopped, for the status filter.
	var stoppedID string
	for id := range bulkIDs {
		stoppedID = id
		break
	}
	client := env.instanceSDKClient()
	if _, err := client.WaitInstanceStatus(context.Background(), stoppedID, ecsapi.StatusRunning); err != nil {
		t.Fatal(err)
	}
	if err := client.StopInstance(context.Background(), stoppedID, ecsapi.StopInput{ForceStop: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitInstanceStatus(context.Background(), stoppedID, ecsapi.StatusStopped); err != nil {
		t.Fatal(err)
	}

	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "web" {
  count              = 3
  image_id           = %[1]q
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  instance_name      = "web-${count.index}"
  tags               = { role = "web", idx = tostring(count.index) }
}

data "aliecs_instances" "all" {
  depends_on = [aliecs_instance.web]
}

data "aliecs_instances" "by_regex" {
  name_regex = "^web-[0-9]$"
  depends_on = [aliecs_instance.web]
}

data "aliecs_instances" "by_tags" {
  tags       = { role = "web", idx = "1" }
  depends_on = [aliecs_instance.web]
}

data "aliecs_instances" "by_ids" {
  ids = [aliecs_instance.web[0].id, aliecs_instance.web[2].id]
}

data "aliecs_instances" "by_vswitch" {
  vswitch_id = %[4]q
  depends_on = [aliecs_instance.web]
}

data "aliecs_instances" "stopped_bulk" {
  status     = "Stopped"
  tags       = { batch = "bulk" }
  depends_on = [aliecs_instance.web]
}

data "aliecs_instances" "none" {
  ids = []
}

data "aliecs_instances" "one_missing" {
  ids = [aliecs_instance.web[1].id, "i-bp1doesnotexist00000"]
}
`, c.image, c.vswitch, c.sg, c.vswitch2))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			if n := len(env.emu.State().Instances); n != bulk {
				return fmt.Errorf("%d instances after destroy, want the %d made outside Terraform", n, bulk)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.aliecs_instances.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(bulk+3)),
				statecheck.ExpectKnownValue("data.aliecs_instances.by_regex", tfjsonpath.New("ids"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.aliecs_instances.by_tags", tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name":              knownvalue.StringExact("web-1"),
						"status":            knownvalue.StringExact("Running"),
						"instance_type":     knownvalue.StringExact("ecs.gn7i-c8g1.2xlarge"),
						"cpu":               knownvalue.Int64Exact(8),
						"memory":            knownvalue.Int64Exact(30720),
						"gpu_amount":        knownvalue.Int64Exact(1),
						"gpu_spec":          knownvalue.StringExact("NVIDIA A10"),
						"zone_id":           knownvalue.StringExact(c.zone),
						"private_ip":        knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)),
						"creation_time":     knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$`)),
						"auto_release_time": knownvalue.StringExact(""),
						"tags": knownvalue.MapExact(map[string]knownvalue.Check{
							"role": knownvalue.StringExact("web"), "idx": knownvalue.StringExact("1"),
							// The listing shows the provider's own tags too: they find orphans.
							ownershipTagKey: knownvalue.StringExact(ownershipTagValue),
						}),
					}),
				})),
				statecheck.ExpectKnownValue("data.aliecs_instances.by_ids", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.aliecs_instances.by_vswitch", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.aliecs_instances.stopped_bulk", tfjsonpath.New("ids"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(stoppedID)})),
				statecheck.ExpectKnownValue("data.aliecs_instances.none", tfjsonpath.New("instances"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.aliecs_instances.one_missing", tfjsonpath.New("instances"), knownvalue.ListSizeExact(1)),
			},
			Check: func(s *terraform.State) error {
				// Every bulk instance is in the full listing: nothing lost between pages.
				rs := s.RootModule().Resources["data.aliecs_instances.all"]
				found := 0
				for k, v := range rs.Primary.Attributes {
					if regexp.MustCompile(`^ids\.\d+$`).MatchString(k) && bulkIDs[v] {
						found++
					}
				}
				if found != bulk {
					return fmt.Errorf("%d of the %d bulk instances listed", found, bulk)
				}
				return nil
			},
		}},
	})
}

func TestAccInstancesDataSource_badInputs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.config(`data "aliecs_instances" "x" { name_regex = "web-([" }`),
				ExpectError: regexp.MustCompile(`(?s)name_regex.*not\s+a\s+valid\s+regular\s+expression`),
			},
			{
				Config:      env.config(`data "aliecs_instances" "x" { status = "running" }`),
				ExpectError: regexp.MustCompile(`(?s)status.*value\s+must\s+be\s+one\s+of`),
			},
			{
				Config:      env.config(`data "aliecs_instances" "x" { ids = ["web-1"] }`),
				ExpectError: regexp.MustCompile(`(?s)"web-1"\s+is\s+not\s+a\s+valid\s+instance\s+id`),
			},
		},
	})
}
