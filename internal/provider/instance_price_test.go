package provider

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// pricedHCL is an instance with every priced part (type, system disk, a
// data disk, bandwidth) and a schedule release_after on it.
func pricedHCL(c instanceCatalog, itype, after string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id                   = %q
  instance_type              = %q
  vswitch_id                 = %q
  security_group_ids         = [%q]
  internet_max_bandwidth_out = 5
  system_disk = { category = "cloud_essd", size = 40 }
  data_disks  = [{ size = 100, category = "cloud_auto" }]
}

resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = %q
}
`, c.image, itype, c.vswitch, c.sg, after)
}

// expectedPrice works the price out from the emulator's price table, not
// from the provider: what DescribePrice's trade price must be.
func expectedPrice(itype string) float64 {
	t := emulator.PriceTableOf(accRegion)
	typePrice := t.InstanceTypes[itype]
	if strings.HasPrefix(itype, "ecs.gn") {
		typePrice *= 1 - t.GPUDiscount
	}
	p := typePrice + 40*t.DiskPerGiBHour["cloud_essd"] + 100*t.DiskPerGiBHour["cloud_auto"] + 5*t.BandwidthPerMbpsHour
	return math.Round(p*10000) / 10000
}

// near is a float check within a hundredth of a cent.
func near(want float64) knownvalue.Check {
	return knownvalue.Float64Func(func(v float64) error {
		if math.Abs(v-want) > 0.0001 {
			return fmt.Errorf("got %v, want %v", v, want)
		}
		return nil
	})
}

// The price is in the plan of a new instance, equals the price table's,
// never read again on refresh (the second plan is empty and makes no
// DescribePrice call); the schedule's estimate is price x hours, known after
// apply with the instance created in the same plan, known at plan when only
// the schedule changes; a new type is priced in the plan of the change.
func TestAccInstancePrice_planStableEstimate(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	g7, g7x := expectedPrice("ecs.g7.large"), expectedPrice("ecs.g7.xlarge")
	price := tfjsonpath.New("price_per_hour")
	cost := tfjsonpath.New("estimated_cost_until_release")
	const sched = "aliecs_auto_release_schedule.test"
	var calls int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(pricedHCL(c, "ecs.g7.large", "10h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(instanceAddr, price, near(g7)),
					plancheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("price_currency"), knownvalue.StringExact("CNY")),
					plancheck.ExpectUnknownValue(sched, cost),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, price, near(g7)),
					statecheck.ExpectKnownValue(sched, cost, near(g7*10)),
				},
			},
			{
				// Refresh and plan: nothing to change, no price read.
				PreConfig:        func() { calls = env.emu.Calls()["DescribePrice"] },
				Config:           env.config(pricedHCL(c, "ecs.g7.large", "10h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					if n := env.emu.Calls()["DescribePrice"] - calls; n != 0 {
						return fmt.Errorf("refresh and an empty plan made %d DescribePrice calls", n)
					}
					return nil
				},
			},
			{
				// Only the schedule changes: the estimate is known at plan.
				Config: env.config(pricedHCL(c, "ecs.g7.large", "20h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(sched, cost, near(g7*20)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(sched, cost, near(g7*20))},
			},
			{
				// A new type: priced in the plan of the change.
				Config: env.config(pricedHCL(c, "ecs.g7.xlarge", "20h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(instanceAddr, price, near(g7x)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(instanceAddr, price, near(g7x))},
			},
			{
				Config:           env.config(pricedHCL(c, "ecs.g7.xlarge", "20h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// A price read that keeps being throttled (every retry too) is a warning:
// the plan shows the price as known after apply, the apply tries once more,
// and the instance is created with a null price; the schedule's estimate is
// null too. Nothing fails. Once the throttling stops, the next plan is empty.
func TestAccInstancePrice_throttledIsAWarning(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	env.emu.AddFault(emulator.Fault{Action: "DescribePrice", Code: "Throttling.User", HTTPStatus: 400})
	cfg := relProvider(env, 1) + pricedHCL(c, "ecs.g7.large", "10h")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(instanceAddr, tfjsonpath.New("price_per_hour")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("price_per_hour"), knownvalue.Null()),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue("aliecs_auto_release_schedule.test",
						tfjsonpath.New("estimated_cost_until_release"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					// Plan, the plan again at apply, and Create's try: each retried once.
					if n := env.emu.Calls()["DescribePrice"]; n < 4 {
						return fmt.Errorf("DescribePrice was called %d times, want the retries too", n)
					}
					return nil
				},
			},
			{
				PreConfig:        env.emu.ClearFaults,
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The price cache: 100 instances of the same shape priced at once (as a
// plan of 100 identical instances does) make one DescribePrice call.
func TestPriceCacheOneCallForIdenticalInstances(t *testing.T) {
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	env := &accEnv{t: t, emu: emu, server: httptest.NewServer(emu)}
	t.Cleanup(env.server.Close)
	d := &providerData{client: env.instanceSDKClient(), clock: clock.Real{}, region: accRegion}
	q := ecsapi.PriceQuery{InstanceType: "ecs.gn7i-c8g1.2xlarge", SystemDisk: ecsapi.PriceDisk{Category: "cloud_essd", Size: 40},
		DataDisks: []ecsapi.PriceDisk{{Category: "cloud_auto", Size: 100}}, InternetMaxBandwidthOut: 5}
	var wg sync.WaitGroup
	prices := make([]float64, 100)
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := lookupPrice(context.Background(), d, q)
			prices[i], errs[i] = p.TradePrice, err
		}()
	}
	wg.Wait()
	want := expectedPrice("ecs.gn7i-c8g1.2xlarge")
	for i := range prices {
		if errs[i] != nil || math.Abs(prices[i]-want) > 0.0001 {
			t.Fatalf("instance %d: price %v, %v; want %v", i, prices[i], errs[i], want)
		}
	}
	if n := emu.Calls()["DescribePrice"]; n != 1 {
		t.Fatalf("100 identical instances made %d DescribePrice calls, want 1", n)
	}
	// Another shape is another call.
	q.InstanceType = "ecs.g7.large"
	if _, err := lookupPrice(context.Background(), d, q); err != nil {
		t.Fatal(err)
	}
	if n := emu.Calls()["DescribePrice"]; n != 2 {
		t.Fatalf("a second shape: %d calls in all, want 2", n)
	}
}
