package emulator

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// DescribePrice of an instance: list price of the type plus its disks and
// bandwidth; TradePrice = OriginalPrice - DiscountPrice; a GPU type carries
// the discount rule, whose RuleId decodes as a number in the SDK.
func TestDescribePriceInstance(t *testing.T) {
	f := newFixture(t, Options{})
	table := PriceTableOf(testRegion)
	req := ecs.CreateDescribePriceRequest()
	req.RegionId = testRegion
	req.InstanceType = "ecs.g7.large"
	req.SystemDiskCategory, req.SystemDiskSize = "cloud_essd", requests.NewInteger(40)
	req.DataDisk1Category, req.DataDisk1Size = "cloud_auto", requests.NewInteger(100)
	req.InternetMaxBandwidthOut = requests.NewInteger(5)
	resp, err := f.client().DescribePrice(req)
	if err != nil {
		t.Fatal(err)
	}
	want := table.InstanceTypes["ecs.g7.large"] + 40*table.DiskPerGiBHour["cloud_essd"] +
		100*table.DiskPerGiBHour["cloud_auto"] + 5*table.BandwidthPerMbpsHour
	got := resp.PriceInfo.Price
	if !near(got.TradePrice, want) || !near(got.OriginalPrice, want) || got.DiscountPrice != 0 || got.Currency != "CNY" {
		t.Fatalf("price = %+v, want trade price %.4f", got, want)
	}

	req.InstanceType = "ecs.gn7i-c8g1.2xlarge"
	resp, err = f.client().DescribePrice(req)
	if err != nil {
		t.Fatal(err)
	}
	typePrice := table.InstanceTypes["ecs.gn7i-c8g1.2xlarge"]
	want = typePrice*(1-table.GPUDiscount) + 40*table.DiskPerGiBHour["cloud_essd"] +
		100*table.DiskPerGiBHour["cloud_auto"] + 5*table.BandwidthPerMbpsHour
	got = resp.PriceInfo.Price
	if !near(got.TradePrice, want) || !near(got.OriginalPrice-got.DiscountPrice, got.TradePrice) {
		t.Fatalf("GPU price = %+v, want trade price %.4f", got, want)
	}
	if rules := resp.PriceInfo.Rules.Rule; len(rules) != 1 || rules[0].RuleId != gpuDiscountRuleID {
		t.Fatalf("rules = %+v", rules)
	}
}

// A spot instance is priced at its zone's current spot price (no discount);
// a month of it, or a spot price without a zone, is refused.
func TestDescribePriceSpot(t *testing.T) {
	f := newFixture(t, Options{})
	zone := f.catalog().Zones[1].ZoneId
	req := ecs.CreateDescribePriceRequest()
	req.RegionId = testRegion
	req.InstanceType = "ecs.gn7i-c8g1.2xlarge"
	req.SystemDiskCategory, req.SystemDiskSize = "cloud_essd", requests.NewInteger(40)
	req.SpotStrategy, req.ZoneId = "SpotAsPriceGo", zone
	resp, err := f.client().DescribePrice(req)
	if err != nil {
		t.Fatal(err)
	}
	spot, ok := f.e.spotPriceAt("ecs.gn7i-c8g1.2xlarge", zone, f.e.Now())
	if !ok {
		t.Fatal("no spot price")
	}
	want := spot + 40*PriceTableOf(testRegion).DiskPerGiBHour["cloud_essd"]
	if got := resp.PriceInfo.Price; !near(got.TradePrice, want) || got.DiscountPrice != 0 {
		t.Fatalf("spot price = %+v, want %.4f", got, want)
	}
	// (The SDK keeps a request's parameters once sent: fresh requests.)
	req = ecs.CreateDescribePriceRequest()
	req.RegionId, req.InstanceType, req.SpotStrategy = testRegion, "ecs.g7.large", "SpotAsPriceGo"
	_, err = f.client().DescribePrice(req)
	wantCode(t, err, http.StatusBadRequest, "MissingParameter")
	req = ecs.CreateDescribePriceRequest()
	req.RegionId, req.InstanceType, req.SpotStrategy = testRegion, "ecs.g7.large", "SpotAsPriceGo"
	req.ZoneId, req.PriceUnit = zone, "Month"
	_, err = f.client().DescribePrice(req)
	wantCode(t, err, http.StatusBadRequest, "InvalidPeriod")
}

func TestDescribePriceBadInput(t *testing.T) {
	f := newFixture(t, Options{})
	for _, tc := range []struct {
		name string
		fill func(*ecs.DescribePriceRequest)
		code string
	}{
		{"unknown type", func(r *ecs.DescribePriceRequest) { r.InstanceType = "ecs.nope.large" }, "InvalidInstanceType.ValueNotSupported"},
		{"disk category", func(r *ecs.DescribePriceRequest) { r.SystemDiskCategory = "floppy" }, "InvalidSystemDiskCategory.ValueNotSupported"},
		{"data disk size", func(r *ecs.DescribePriceRequest) {
			r.DataDisk1Category, r.DataDisk1Size = "cloud_essd", requests.NewInteger(5)
		}, "InvalidDataDiskSize.ValueNotSupported"},
		{"period", func(r *ecs.DescribePriceRequest) { r.PriceUnit, r.Period = "Year", requests.NewInteger(9) }, "InvalidPeriod"},
		{"spot strategy", func(r *ecs.DescribePriceRequest) { r.SpotStrategy = "Cheap" }, "InvalidSpotStrategy"},
	} {
		req := ecs.CreateDescribePriceRequest()
		req.RegionId = testRegion
		req.InstanceType = "ecs.g7.large"
		tc.fill(req)
		_, err := f.client().DescribePrice(req)
		wantCode(t, err, http.StatusBadRequest, tc.code)
	}
	// A data disk alone, and bandwidth alone.
	req := ecs.CreateDescribePriceRequest()
	req.RegionId, req.ResourceType = testRegion, "disk"
	req.DataDisk1Category, req.DataDisk1Size = "cloud_essd", requests.NewInteger(100)
	resp, err := f.client().DescribePrice(req)
	if err != nil || !near(resp.PriceInfo.Price.TradePrice, 100*diskPricePerGiBHour["cloud_essd"]) {
		t.Fatalf("disk price = %+v, %v", resp, err)
	}
	req = ecs.CreateDescribePriceRequest()
	req.RegionId, req.ResourceType, req.InternetMaxBandwidthOut = testRegion, "bandwidth", requests.NewInteger(10)
	resp, err = f.client().DescribePrice(req)
	if err != nil || !near(resp.PriceInfo.Price.TradePrice, 10*bandwidthPricePerMbpsHour) {
		t.Fatalf("bandwidth price = %+v, %v", resp, err)
	}
}

// The spot price moves with the emulator clock, hour by hour, and stays
// within 10-60 % of the list price; the history lists one entry per zone
// and hour, the last being the current price.
func TestSpotPriceHistory(t *testing.T) {
	f := newFixture(t, Options{})
	const itype = "ecs.gn6v-c8g1.2xlarge"
	rc := f.catalog()
	list := PriceTableOf(testRegion).InstanceTypes[itype]
	now := f.e.Now()
	moved := false
	first, _ := f.e.spotPriceAt(itype, rc.Zones[0].ZoneId, now)
	for h := 0; h < 48; h++ {
		p, ok := f.e.spotPriceAt(itype, rc.Zones[0].ZoneId, now.Add(time.Duration(h)*time.Hour))
		if !ok || p < 0.1*list-0.001 || p > 0.6*list+0.001 {
			t.Fatalf("spot price %v (ok %v) outside 10-60 %% of %v", p, ok, list)
		}
		moved = moved || p != first
	}
	if !moved {
		t.Fatal("the spot price never moved in 48 hours")
	}
	if _, ok := f.e.spotPriceAt("ecs.nope", rc.Zones[0].ZoneId, now); ok {
		t.Fatal("unknown type priced")
	}

	req := ecs.CreateDescribeSpotPriceHistoryRequest()
	req.RegionId, req.InstanceType, req.NetworkType = testRegion, itype, "vpc"
	resp, err := f.client().DescribeSpotPriceHistory(req)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]ecs.SpotPriceType{}
	for _, p := range resp.SpotPrices.SpotPriceType {
		if prev, ok := last[p.ZoneId]; !ok || p.Timestamp > prev.Timestamp {
			last[p.ZoneId] = p
		}
	}
	if len(last) != len(rc.Zones) || resp.Currency != "CNY" {
		t.Fatalf("history covers %d zones, want %d: %+v", len(last), len(rc.Zones), resp)
	}
	for zone, p := range last {
		cur, _ := f.e.spotPriceAt(itype, zone, f.e.Now())
		if p.SpotPrice != cur || !near(p.OriginPrice, list) {
			t.Fatalf("latest entry of %s = %+v, want spot %v origin %v", zone, p, cur, list)
		}
	}
	f.e.AdvanceClock(2 * time.Hour)
	req.ZoneId = rc.Zones[0].ZoneId
	if resp, err = f.client().DescribeSpotPriceHistory(req); err != nil || len(resp.SpotPrices.SpotPriceType) < 3 {
		t.Fatalf("one zone: %+v, %v", resp, err)
	}
	req = ecs.CreateDescribeSpotPriceHistoryRequest()
	req.RegionId, req.InstanceType, req.NetworkType, req.ZoneId = testRegion, itype, "vpc", "cn-hangzhou-z"
	_, err = f.client().DescribeSpotPriceHistory(req)
	wantCode(t, err, http.StatusBadRequest, "InvalidZoneId.NotFound")
	req = ecs.CreateDescribeSpotPriceHistoryRequest()
	req.RegionId, req.NetworkType = testRegion, "vpc"
	_, err = f.client().DescribeSpotPriceHistory(req)
	wantCode(t, err, http.StatusBadRequest, "InvalidParams.InstanceType")
}

// GPU fields and filters of DescribeInstanceTypes.
func TestDescribeInstanceTypesGPUFilters(t *testing.T) {
	f := newFixture(t, Options{})
	list := func(fill func(*ecs.DescribeInstanceTypesRequest)) []ecs.InstanceType {
		req := ecs.CreateDescribeInstanceTypesRequest()
		req.RegionId = testRegion
		fill(req)
		resp, err := f.client().DescribeInstanceTypes(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.InstanceTypes.InstanceType
	}
	// Fuzzy: "a10" matches the A10 and the A100 types.
	got := list(func(r *ecs.DescribeInstanceTypesRequest) { r.GPUSpec = "a10" })
	if len(got) != 6 {
		t.Fatalf("GPUSpec a10: %d types", len(got))
	}
	got = list(func(r *ecs.DescribeInstanceTypesRequest) {
		r.GPUSpec = "NVIDIA A10"
		r.MaximumGPUAmount = requests.NewInteger(1)
	})
	if len(got) != 4 { // three A10, one A100
		t.Fatalf("GPUSpec NVIDIA A10, one GPU: %d types", len(got))
	}
	for _, it := range got {
		if !strings.HasPrefix(it.GPUSpec, "NVIDIA A10") || it.GPUMemorySize < 24 || it.CpuArchitecture != "X86" || it.GPUAmount != 1 {
			t.Fatalf("%+v", it)
		}
	}
	got = list(func(r *ecs.DescribeInstanceTypesRequest) { r.MinimumGPUAmount = requests.NewInteger(4) })
	if len(got) != 2 {
		t.Fatalf("at least 4 GPUs: %+v", got)
	}
	got = list(func(r *ecs.DescribeInstanceTypesRequest) {
		r.MinimumGPUAmount, r.MaximumGPUAmount = requests.NewInteger(1), requests.NewInteger(1)
		r.InstanceTypeFamily = "ecs.gn7"
	})
	if len(got) != 1 || got[0].InstanceTypeId != "ecs.gn7-c12g1.3xlarge" {
		t.Fatalf("one A100: %+v", got)
	}
	got = list(func(r *ecs.DescribeInstanceTypesRequest) { r.CpuArchitecture = "ARM" })
	if len(got) != 2 {
		t.Fatalf("ARM: %+v", got)
	}
}

// DescribeAvailableResource reports the three stock categories the admin
// API sets.
func TestStockCategories(t *testing.T) {
	f := newFixture(t, Options{})
	zones := f.catalog().Zones
	const itype = "ecs.gn7i-c8g1.2xlarge"
	for _, s := range []StockEntry{
		{ZoneID: zones[0].ZoneId, InstanceType: itype, Stock: "WithoutStock"},
		{ZoneID: zones[1].ZoneId, InstanceType: itype, Stock: "ClosedWithStock"},
	} {
		if err := f.e.SetStock(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.e.SetStock(StockEntry{ZoneID: zones[2].ZoneId, InstanceType: itype, Stock: "Plenty"}); err == nil {
		t.Fatal("an unknown stock category was accepted")
	}
	req := ecs.CreateDescribeAvailableResourceRequest()
	req.RegionId, req.DestinationResource = testRegion, "InstanceType"
	resp, err := f.client().DescribeAvailableResource(req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, z := range resp.AvailableZones.AvailableZone {
		for _, r := range z.AvailableResources.AvailableResource {
			for _, s := range r.SupportedResources.SupportedResource {
				if s.Value == itype {
					got[z.ZoneId] = s.Status + "/" + s.StatusCategory
				}
			}
		}
	}
	want := map[string]string{zones[0].ZoneId: "SoldOut/WithoutStock", zones[1].ZoneId: "Available/ClosedWithStock",
		zones[2].ZoneId: "Available/WithStock"}
	for z, w := range want {
		if got[z] != w {
			t.Fatalf("stock of %s in %s = %q, want %q (all: %v)", itype, z, got[z], w, got)
		}
	}
	// Restocked: back to WithStock.
	if err := f.e.SetStock(StockEntry{ZoneID: zones[1].ZoneId, InstanceType: itype, Stock: "WithStock"}); err != nil {
		t.Fatal(err)
	}
	f.e.mu.Lock()
	cat := f.e.stockCategoryLocked(zones[1].ZoneId, itype)
	f.e.mu.Unlock()
	if cat != "WithStock" {
		t.Fatalf("restocked: %s", cat)
	}
	req.SpotStrategy = "Cheap"
	_, err = f.client().DescribeAvailableResource(req)
	wantCode(t, err, http.StatusNotFound, "Invalid.SpotStrategy")
}
