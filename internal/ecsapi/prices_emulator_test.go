package ecsapi

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// DescribePrice on the emulator: six data disks (past the SDK's four typed
// fields), the trade price after the GPU discount; spot in a zone.
func TestPricesOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	table := emulator.PriceTableOf("cn-hangzhou")
	q := PriceQuery{InstanceType: "ecs.gn7i-c8g1.2xlarge", SystemDisk: PriceDisk{Category: "cloud_essd", Size: 40},
		InternetMaxBandwidthOut: 10}
	for range 6 {
		q.DataDisks = append(q.DataDisks, PriceDisk{Category: "cloud_auto", Size: 100})
	}
	p, err := c.DescribePrice(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := table.InstanceTypes[q.InstanceType]*(1-table.GPUDiscount) + 40*table.DiskPerGiBHour["cloud_essd"] +
		600*table.DiskPerGiBHour["cloud_auto"] + 10*table.BandwidthPerMbpsHour
	if math.Abs(p.TradePrice-want) > 0.0001 || p.Currency != "CNY" || p.DiscountPrice <= 0 {
		t.Fatalf("price = %+v, want trade price %v", p, want)
	}

	q = PriceQuery{InstanceType: "ecs.g7.large", SystemDisk: PriceDisk{Category: "cloud_essd", Size: 40},
		SpotStrategy: SpotAsPriceGo, ZoneID: "cn-hangzhou-i"}
	if p, err = c.DescribePrice(ctx, q); err != nil {
		t.Fatal(err)
	}
	spot, _ := e.SpotPriceAt("ecs.g7.large", "cn-hangzhou-i", e.Now())
	if math.Abs(p.TradePrice-(spot+40*table.DiskPerGiBHour["cloud_essd"])) > 0.0001 {
		t.Fatalf("spot price = %+v, want %v plus the disk", p, spot)
	}
	if q.Key() == (PriceQuery{InstanceType: "ecs.g7.large", SystemDisk: q.SystemDisk}).Key() {
		t.Fatal("a spot query and an on-demand one share a cache key")
	}

	sp, err := c.CurrentSpotPrices(ctx, "ecs.g7.large")
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.ByZone) != 3 || sp.Currency != "CNY" {
		t.Fatalf("spot prices: %+v", sp)
	}
	for zone, got := range sp.ByZone {
		if now, _ := e.SpotPriceAt("ecs.g7.large", zone, e.Now()); got != now {
			t.Fatalf("current spot price in %s = %v, want %v", zone, got, now)
		}
	}
}

func TestInstanceTypesAndStockOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	ctx := context.Background()
	types, err := c.DescribeInstanceTypes(ctx, InstanceTypeFilter{MinGPUAmount: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 2 {
		t.Fatalf("types with 4 GPUs: %+v", types)
	}
	for _, it := range types {
		if it.GPUAmount != 4 || it.GPUMemoryGiB == 0 || it.MemoryMiB < 131072 || it.Architecture != "X86" {
			t.Fatalf("%+v", it)
		}
	}
	if err := e.SetStock(emulator.StockEntry{ZoneID: "cn-hangzhou-j", InstanceType: "ecs.g7.large", Stock: "ClosedWithStock"}); err != nil {
		t.Fatal(err)
	}
	stock, err := c.InstanceTypesInStock(ctx, "", SpotAsPriceGo)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range stock {
		got[s.ZoneID+"/"+s.InstanceType] = s.Category
	}
	for k, want := range map[string]string{
		"cn-hangzhou-j/ecs.g7.large": StockClosedWith, "cn-hangzhou-h/ecs.gn7i-c32g1.8xlarge": StockWithout,
		"cn-hangzhou-i/ecs.gn7i-c32g1.8xlarge": StockWith,
	} {
		if got[k] != want {
			t.Fatalf("stock of %s = %q, want %q", k, got[k], want)
		}
	}
}

func TestPriceQueryOf(t *testing.T) {
	q := PriceQueryOf(Instance{InstanceType: "ecs.g7.large", ZoneID: "cn-hangzhou-h", InternetMaxBandwidthOut: 5,
		Spot: SpotSpec{Strategy: SpotWithLimit}},
		[]Disk{{Type: "data", Category: "cloud_auto", Size: 100, Device: "/dev/xvdb"},
			{Type: "system", Category: "cloud_essd", Size: 40, Device: "/dev/xvda"}})
	if q.SystemDisk != (PriceDisk{"cloud_essd", 40}) || len(q.DataDisks) != 1 || q.DataDisks[0].Size != 100 ||
		!q.IsSpot() || q.ZoneID != "cn-hangzhou-h" || q.InternetMaxBandwidthOut != 5 {
		t.Fatalf("%+v", q)
	}
	if (PriceQuery{InstanceType: "x", SpotStrategy: SpotNone, ZoneID: "z"}).Key() != (PriceQuery{InstanceType: "x"}).Key() {
		t.Fatal("an on-demand price depends on the zone in the cache key")
	}
}
