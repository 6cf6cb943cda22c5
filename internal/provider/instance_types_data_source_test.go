package provider

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// typesPrice is a type's price with the default disk, from the price table.
func typesPrice(itype string, gpu bool) float64 {
	t := emulator.PriceTableOf(accRegion)
	p := t.InstanceTypes[itype]
	if gpu {
		p *= 1 - t.GPUDiscount
	}
	return p + 40*t.DiskPerGiBHour["cloud_essd"]
}

// The filters, the price order, the stock of each zone (a sold-out and a
// low zone set through the emulator's admin API), only_with_stock with no
// match (an empty list), spot prices per zone, and bad input.
func TestAccInstanceTypesDataSource(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	const (
		zh, zi, zj = "cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"
		a10        = "ecs.gn7i-c8g1.2xlarge"
	)
	for _, s := range []emulator.StockEntry{
		{ZoneID: zh, InstanceType: a10, Stock: "WithoutStock"},
		{ZoneID: zi, InstanceType: a10, Stock: "ClosedWithStock"},
		{ZoneID: zh, InstanceType: "ecs.gn7i-2x.8xlarge", Stock: "WithoutStock"},
	} {
		if err := env.emu.SetStock(s); err != nil {
			t.Fatal(err)
		}
	}
	cfg := env.config(`
data "aliecs_instance_types" "a10" {
  min_gpu_amount = 1
  gpu_spec_regex = "A10$"
  with_prices    = true
}

data "aliecs_instance_types" "a10_in_h" {
  gpu_spec_regex  = "A10$"
  zone_id         = "cn-hangzhou-h"
  only_with_stock = true
}

data "aliecs_instance_types" "none" {
  family          = "ecs.gn7i"
  min_cpu         = 32
  zone_id         = "cn-hangzhou-h"
  only_with_stock = true
  with_prices     = true
}

data "aliecs_instance_types" "v100_spot" {
  gpu_spec_regex = "V100"
  spot_strategy  = "SpotAsPriceGo"
  with_prices    = true
  max_results    = 1
}

data "aliecs_instance_types" "arm" {
  architecture = "ARM"
  min_memory   = 16384
}
`)
	attr := func(s *terraform.State, ds, key string) string {
		return s.RootModule().Resources["data.aliecs_instance_types."+ds].Primary.Attributes[key]
	}
	num := func(s *terraform.State, ds, key string) float64 {
		f, _ := strconv.ParseFloat(attr(s, ds, key), 64)
		return f
	}
	ids := func(s *terraform.State, ds string) []string {
		n, _ := strconv.Atoi(attr(s, ds, "instance_types.#"))
		out := make([]string, n)
		for i := range out {
			out[i] = attr(s, ds, fmt.Sprintf("instance_types.%d.id", i))
		}
		return out
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.config(`data "aliecs_instance_types" "bad" { gpu_spec_regex = "A10(" }`),
				ExpectError: regexp.MustCompile(`(?s)Invalid regular expression.*gpu_spec_regex`),
			},
			{
				Config:      env.config(`data "aliecs_instance_types" "bad" { max_results = 0 }`),
				ExpectError: regexp.MustCompile(`(?s)max_results.*between 1 and 100`),
			},
			{
				Config:      env.config(`data "aliecs_instance_types" "bad" { architecture = "RISC-V" }`),
				ExpectError: regexp.MustCompile(`(?s)architecture.*X86`),
			},
			{
				// Last: the post-test destroy runs the last step's configuration.
				Config: cfg,
				Check: func(s *terraform.State) error {
					// Cheapest first; the A100 is not an A10.
					want := []string{a10, "ecs.gn7i-c16g1.4xlarge", "ecs.gn7i-c32g1.8xlarge", "ecs.gn7i-2x.8xlarge"}
					if got := ids(s, "a10"); fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("a10: %v, want %v", got, want)
					}
					for i, id := range want {
						if p := num(s, "a10", fmt.Sprintf("instance_types.%d.price_per_hour", i)); math.Abs(p-typesPrice(id, true)) > 0.0001 {
							return fmt.Errorf("%s costs %v, want %v", id, p, typesPrice(id, true))
						}
					}
					if g := attr(s, "a10", "instance_types.0.gpu_spec"); g != "NVIDIA A10" ||
						attr(s, "a10", "instance_types.0.gpu_memory") != "24" || attr(s, "a10", "instance_types.0.memory") != "30720" ||
						attr(s, "a10", "instance_types.0.price_currency") != "CNY" {
						return fmt.Errorf("a10 hardware: %v", s.RootModule().Resources["data.aliecs_instance_types.a10"].Primary.Attributes)
					}
					stock := map[string]string{}
					for i := 0; i < 3; i++ {
						stock[attr(s, "a10", fmt.Sprintf("instance_types.0.zones.%d.zone_id", i))] =
							attr(s, "a10", fmt.Sprintf("instance_types.0.zones.%d.stock", i))
					}
					if stock[zh] != "WithoutStock" || stock[zi] != "ClosedWithStock" || stock[zj] != "WithStock" {
						return fmt.Errorf("stock of %s: %v", a10, stock)
					}
					// Sold out in h: the c8g1 (set), the c32g1 (seeded) and the 2x (set).
					if got := ids(s, "a10_in_h"); fmt.Sprint(got) != "[ecs.gn7i-c16g1.4xlarge]" {
						return fmt.Errorf("A10 in stock in h: %v", got)
					}
					if attr(s, "a10_in_h", "instance_types.0.zones.#") != "1" || attr(s, "a10_in_h", "instance_types.0.price_per_hour") != "" {
						return fmt.Errorf("a10_in_h: one zone, no price: %v", s.RootModule().Resources["data.aliecs_instance_types.a10_in_h"].Primary.Attributes)
					}
					if n := attr(s, "none", "instance_types.#"); n != "0" {
						return fmt.Errorf("no match: %s types", n)
					}
					// Spot: each zone's current spot price, from the emulator's model.
					if got := ids(s, "v100_spot"); len(got) != 1 || got[0] != "ecs.gn6v-c8g1.2xlarge" {
						return fmt.Errorf("v100_spot (max_results 1, the smallest): %v", got)
					}
					for i := 0; i < 3; i++ {
						zone := attr(s, "v100_spot", fmt.Sprintf("instance_types.0.zones.%d.zone_id", i))
						got := num(s, "v100_spot", fmt.Sprintf("instance_types.0.zones.%d.spot_price", i))
						now, _ := env.emu.SpotPriceAt("ecs.gn6v-c8g1.2xlarge", zone, env.emu.Now())
						before, _ := env.emu.SpotPriceAt("ecs.gn6v-c8g1.2xlarge", zone, env.emu.Now().Add(-time.Hour))
						if got == 0 || got != now && got != before {
							return fmt.Errorf("spot price in %s = %v, want %v", zone, got, now)
						}
					}
					if got := ids(s, "arm"); fmt.Sprint(got) != "[ecs.g8y.xlarge]" {
						return fmt.Errorf("ARM with 16 GiB: %v", got)
					}
					return nil
				},
			},
		},
	})
}
