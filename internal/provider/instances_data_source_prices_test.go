package provider

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// aliecs_instances reports each instance's price (from the price table)
// and its cost so far (price x hours since creation), with one price call
// per distinct shape.
func TestAccInstancesDataSource_prices(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	table := emulator.PriceTableOf(accRegion)
	// No system_disk: the plan prices the default, 40 GiB of cloud_essd.
	want := map[string]float64{
		"ecs.g7.large":          table.InstanceTypes["ecs.g7.large"] + 40*table.DiskPerGiBHour["cloud_essd"],
		"ecs.gn7i-c8g1.2xlarge": table.InstanceTypes["ecs.gn7i-c8g1.2xlarge"]*(1-table.GPUDiscount) + 40*table.DiskPerGiBHour["cloud_essd"],
	}
	started := time.Now()
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_instance" "cpu" {
  count              = 2
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
}

resource "aliecs_instance" "gpu" {
  image_id           = %[1]q
  instance_type      = "ecs.gn7i-c8g1.2xlarge"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
}

data "aliecs_instances" "all" {
  depends_on = [aliecs_instance.cpu, aliecs_instance.gpu]
}
`, c.image, c.vswitch, c.sg))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{{
			Config: cfg,
			// No system_disk nor data_disks: priced at plan all the same.
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("aliecs_instance.cpu[0]", tfjsonpath.New("price_per_hour"), near(want["ecs.g7.large"])),
			}},
			Check: func(s *terraform.State) error {
				ds := s.RootModule().Resources["data.aliecs_instances.all"].Primary.Attributes
				n, _ := strconv.Atoi(ds["instances.#"])
				if n != 3 {
					return fmt.Errorf("%d instances listed, want 3", n)
				}
				// The instance's own price, planned with the default disk and no data disk, is the same.
				own, err := strconv.ParseFloat(s.RootModule().Resources["aliecs_instance.cpu.0"].Primary.Attributes["price_per_hour"], 64)
				if err != nil || math.Abs(own-want["ecs.g7.large"]) > 0.0001 {
					return fmt.Errorf("aliecs_instance.cpu[0].price_per_hour = %v (%w), want %v", own, err, want["ecs.g7.large"])
				}
				hours := time.Since(started).Hours() + 1.0/60
				for i := range n {
					itype := ds[fmt.Sprintf("instances.%d.instance_type", i)]
					price, err := strconv.ParseFloat(ds[fmt.Sprintf("instances.%d.price_per_hour", i)], 64)
					if err != nil || math.Abs(price-want[itype]) > 0.0001 {
						return fmt.Errorf("%s: price_per_hour %q, want %v", itype, ds[fmt.Sprintf("instances.%d.price_per_hour", i)], want[itype])
					}
					soFar, err := strconv.ParseFloat(ds[fmt.Sprintf("instances.%d.estimated_cost_so_far", i)], 64)
					if err != nil || soFar < 0 || soFar > price*hours+0.0001 {
						return fmt.Errorf("%s: estimated_cost_so_far %v (%w), want 0 to %v", itype, soFar, err, price*hours)
					}
				}
				return nil
			},
		}},
	})
}
