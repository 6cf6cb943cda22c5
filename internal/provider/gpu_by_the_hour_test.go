package provider

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccGuide_gpuByTheHour runs the configuration of the guide "A GPU
// machine by the hour" (examples/guides/gpu-by-the-hour/main.tf): the
// machine is the cheapest A10 spot offer, in the zone with the lowest spot
// price, priced at that spot price plus its disks, with an estimate for its
// 8 hours; then the zone sells out and the spot prices move, and the plan
// stays empty (the keeper holds the choice); the destroy takes the final
// snapshot first.
func TestAccGuide_gpuByTheHour(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	body, err := os.ReadFile("../../examples/guides/gpu-by-the-hour/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.config(string(body))
	const addr = "aliecs_instance.gpu"
	var itype, zone string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy: func(*terraform.State) error {
			e.sync()
			st := e.emu.State()
			if len(st.Instances) != 0 {
				return fmt.Errorf("machines left: %+v", st.Instances)
			}
			for _, g := range st.SnapshotGroups {
				if g.Name == "gpu-by-the-hour-final" && g.Status == "accomplished" {
					return nil
				}
			}
			return fmt.Errorf("no accomplished final snapshot: %+v", st.SnapshotGroups)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources[addr].Primary.Attributes
					itype, zone = a["instance_type"], a["zone_id"]
					if a["spot_strategy"] != "SpotAsPriceGo" {
						return fmt.Errorf("spot_strategy = %q", a["spot_strategy"])
					}
					// The cheapest A10 spot offer in stock, computed from the emulator
					// (at the time of the check, or a minute before: the spot prices
					// move on the hour).
					var best float64
					var bestType, bestZone string
					for _, at := range []time.Time{e.emu.Now(), e.emu.Now().Add(-time.Minute)} {
						if best, bestType, bestZone = cheapestA10(e.emu, at); itype == bestType && zone == bestZone {
							break
						}
					}
					if itype != bestType || zone != bestZone {
						return fmt.Errorf("picked %s in %s, want %s in %s (%v/h)", itype, zone, bestType, bestZone, best)
					}
					table := emulator.PriceTableOf(accRegion)
					want := best + (60+200)*table.DiskPerGiBHour["cloud_essd"]
					price, _ := strconv.ParseFloat(a["price_per_hour"], 64)
					if math.Abs(price-want) > 0.0001 {
						return fmt.Errorf("price_per_hour = %v, want the spot price and disks, %v", price, want)
					}
					cost, _ := strconv.ParseFloat(s.RootModule().Resources["aliecs_auto_release_schedule.gpu"].Primary.Attributes["estimated_cost_until_release"], 64)
					if math.Abs(cost-price*8) > 0.001 {
						return fmt.Errorf("estimated_cost_until_release = %v, want %v x 8 h", cost, price)
					}
					return nil
				},
			},
			{
				// The zone sells out and the spot prices move: nothing changes.
				PreConfig: func() {
					if err := e.emu.SetStock(emulator.StockEntry{ZoneID: zone, InstanceType: itype, Stock: "WithoutStock"}); err != nil {
						t.Fatal(err)
					}
					e.advance(3 * time.Hour)
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The guide's third command, terraform apply -var hours=24h:
				// the release moves, the machine stays.
				PreConfig: func() {
					if err := e.emu.SetStock(emulator.StockEntry{ZoneID: zone, InstanceType: itype, Stock: "WithStock"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:          cfg,
				ConfigVariables: config.Variables{"hours": config.StringVariable("24h")},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("aliecs_auto_release_schedule.gpu", plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr("aliecs_auto_release_schedule.gpu", "release_after", "24h"),
			},
			{
				// The guide's second command, terraform apply -var spot=false:
				// an on-demand machine of the kept type and zone replaces the
				// spot one.
				Config:          cfg,
				ConfigVariables: config.Variables{"hours": config.StringVariable("24h"), "spot": config.BoolVariable(false)},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "spot_strategy", "NoSpot"),
					func(s *terraform.State) error {
						if a := s.RootModule().Resources[addr].Primary.Attributes; a["instance_type"] != itype {
							return fmt.Errorf("instance_type = %q, want the kept %q", a["instance_type"], itype)
						}
						return nil
					},
				),
			},
			{
				Config:           cfg,
				ConfigVariables:  config.Variables{"hours": config.StringVariable("24h"), "spot": config.BoolVariable(false)},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// cheapestA10 is the A10 type and zone with the lowest spot price at a
// time, among the zones with stock.
func cheapestA10(emu *emulator.Emulator, at time.Time) (float64, string, string) {
	best, bestType, bestZone := math.Inf(1), "", ""
	for _, it := range emu.State().Catalog.InstanceTypes {
		if it.GPUSpec != "NVIDIA A10" {
			continue
		}
		for _, z := range []string{"cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"} {
			if soldOut(emu, z, it.InstanceTypeId) {
				continue
			}
			if p, _ := emu.SpotPriceAt(it.InstanceTypeId, z, at); p < best {
				best, bestType, bestZone = p, it.InstanceTypeId, z
			}
		}
	}
	return best, bestType, bestZone
}

// soldOut reads the emulator's stock of a type in a zone.
func soldOut(emu *emulator.Emulator, zone, itype string) bool {
	for _, s := range emu.State().Catalog.SoldOut {
		if s.ZoneID == zone && s.InstanceType == itype {
			return true
		}
	}
	return false
}
