package provider

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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
			Check: func(s *terraform.State) error {
				ds := s.RootModule().Resources["data.aliecs_instances.all"].Primary.Attributes
				n, _ := strconv.Atoi(ds["instances.#"])
				if n != 3 {
					return fmt.Errorf("%d instances listed, want 3", n)
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
						return fmt.Errorf("%s: estimated_cost_so_far %v (%v), want 0 to %v", itype, soFar, err, price*hours)
					}
				}
				return nil
			},
		}},
	})
}
