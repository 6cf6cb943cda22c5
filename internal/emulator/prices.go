package emulator

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Prices: the catalog's price table (on-demand per instance type and
// region, disks per GiB and category, public bandwidth per Mbit/s), spot
// prices per zone that move every hour on the emulator clock, and the two
// actions that answer from them: DescribePrice and DescribeSpotPriceHistory.
// Every price is per hour, in CNY (the China site's currency).

// PriceCurrency is the currency of every emulator price.
const PriceCurrency = "CNY"

// gpuDiscount is the account's discount on GPU types (DescribePrice shows
// it as rule gpuDiscountRuleID): the trade price is the list price less it.
const (
	gpuDiscount       = 0.10
	gpuDiscountRuleID = 1001
)

// diskPricePerGiBHour is the price of one GiB of a disk category for an hour.
var diskPricePerGiBHour = map[string]float64{
	"cloud":            0.0004,
	"cloud_efficiency": 0.0005,
	"cloud_ssd":        0.0010,
	"cloud_essd":       0.0014,
	"cloud_auto":       0.0011,
	"cloud_essd_entry": 0.0007,
}

// bandwidthPricePerMbpsHour is the price of 1 Mbit/s of public bandwidth for an hour.
const bandwidthPricePerMbpsHour = 0.08

// regionPriceFactor scales cn-hangzhou's list prices to another region.
func regionPriceFactor(region string) float64 {
	switch {
	case region == "cn-hangzhou" || region == "cn-shanghai":
		return 1
	case strings.HasPrefix(region, "cn-"):
		return 0.98
	default:
		return 1.2
	}
}

// PriceTable is a region's price table, for tests that check prices
// independently of the client.
type PriceTable struct {
	Currency string `json:"currency"`
	// InstanceTypes are on-demand list prices per hour.
	InstanceTypes map[string]float64 `json:"instance_types"`
	// GPUDiscount is the fraction taken off the list price of a GPU type.
	GPUDiscount          float64            `json:"gpu_discount"`
	DiskPerGiBHour       map[string]float64 `json:"disk_per_gib_hour"`
	BandwidthPerMbpsHour float64            `json:"bandwidth_per_mbps_hour"`
}

// PriceTableOf returns the price table of region.
func PriceTableOf(region string) PriceTable {
	t := PriceTable{Currency: PriceCurrency, InstanceTypes: map[string]float64{}, GPUDiscount: gpuDiscount,
		DiskPerGiBHour: map[string]float64{}, BandwidthPerMbpsHour: bandwidthPricePerMbpsHour}
	for _, it := range catalogInstanceTypes {
		t.InstanceTypes[it.InstanceTypeId] = listPrice(it, region)
	}
	for k, v := range diskPricePerGiBHour {
		t.DiskPerGiBHour[k] = v
	}
	return t
}

func listPrice(it catalogInstanceType, region string) float64 {
	return round4(it.PricePerHour * regionPriceFactor(region))
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// regionOfZone is the region a zone id belongs to ("" when none fits).
func regionOfZone(zone string) string {
	for _, r := range seededRegions {
		for _, l := range seededZoneLetters[r.RegionId] {
			if zone == r.RegionId+"-"+l || zone == r.RegionId+l {
				return r.RegionId
			}
		}
	}
	if i := strings.LastIndexByte(zone, '-'); i > 0 && len(zone)-i == 2 && validRegionID(zone[:i]) {
		return zone[:i] // a generated region's zone: <region>-a, -b, -c
	}
	return ""
}

// spotPrice is the spot price of an instance type in a zone during the
// hour that holds at: between 10 % and 60 % of the list price, a seeded
// function of type, zone and hour, so it moves every hour and is the same
// in every run. ok is false for an unknown type or zone.
func spotPrice(instanceType, zoneID string, at time.Time) (price, list float64, ok bool) {
	it := findInstanceType(instanceType)
	region := regionOfZone(zoneID)
	if it == nil || region == "" {
		return 0, 0, false
	}
	hour := at.UTC().Unix() / 3600
	sum := sha256.Sum256([]byte(instanceType + "/" + zoneID + "/" + strconv.FormatInt(hour, 10)))
	frac := float64(binary.BigEndian.Uint64(sum[:8])>>11) / float64(1<<53)
	list = listPrice(*it, region)
	return round3(list * (0.10 + 0.50*frac)), list, true
}

// spotPriceAt is the spot price of instanceType in zoneID at a time (see
// spotPrice). RunInstances compares a SpotPriceLimit with it.
func (e *Emulator) spotPriceAt(instanceType, zoneID string, at time.Time) (float64, bool) {
	p, _, ok := spotPrice(instanceType, zoneID, at)
	return p, ok
}

// SpotPriceAt is spotPriceAt for tests outside the package.
func (e *Emulator) SpotPriceAt(instanceType, zoneID string, at time.Time) (float64, bool) {
	return e.spotPriceAt(instanceType, zoneID, at)
}

func errPriceParam(code, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// describePrice prices an instance (type, system and data disks, public
// bandwidth), a data disk or bandwidth, per Hour, Month (730 hours) or Year
// (8760 hours) times Period and Amount. A spot instance (SpotStrategy other
// than NoSpot, by the hour for one hour only) costs its zone's current spot
// price instead of the list price.
func describePrice(c *call) (M, *apiError) {
	p := c.p
	unitHours := map[string]float64{"": 1, "Hour": 1, "Month": 730, "Year": 8760}
	unit := p.str("PriceUnit")
	hours, known := unitHours[unit]
	if !known {
		return nil, errPriceParam("InvalidPriceUnit.ValueNotSupported", "The specified PriceUnit is not valid.")
	}
	maxPeriod := map[string]int{"": 1, "Hour": 1, "Month": 9, "Year": 5}[unit]
	period, ae := p.integer("Period", 1, 1, maxPeriod,
		errPriceParam("InvalidPeriod", "The specified Period is not valid for the PriceUnit."))
	if ae != nil {
		return nil, ae
	}
	amount, ae := p.integer("Amount", 1, 1, 1000, nil)
	if ae != nil {
		return nil, ae
	}
	bandwidth, ae := p.integer("InternetMaxBandwidthOut", 0, 0, 1024, nil)
	if ae != nil {
		return nil, ae
	}
	// discountable is the part of the price the GPU rule takes gpuDiscount off.
	var original, discountable float64
	rules := []M{}
	switch rt := p.str("ResourceType"); rt {
	case "", "instance":
		q, ae := priceInstance(c, unit, period)
		if ae != nil {
			return nil, ae
		}
		original = q.typePrice + q.disks
		if q.gpuRule {
			discountable = q.typePrice
			rules = append(rules, M{"RuleId": int64(gpuDiscountRuleID),
				"Description": "10% off GPU-accelerated pay-as-you-go instance types"})
		}
	case "disk":
		disks := p.structs("DataDisk")
		if len(disks) == 0 {
			return nil, newErr(http.StatusBadRequest, "MissingParameter",
				"The input parameter DataDisk.1.Category that is mandatory for processing this request is not supplied.")
		}
		d, ae := priceDisks(disks)
		if ae != nil {
			return nil, ae
		}
		original = d
	case "bandwidth":
	default:
		return nil, errPriceParam("InvalidResourceType.ValueNotSupported", "The specified ResourceType is not valid.")
	}
	original += float64(bandwidth) * bandwidthPricePerMbpsHour
	times := hours * float64(period) * float64(amount)
	original, discount := round4(original*times), round4(discountable*gpuDiscount*times)
	return M{"PriceInfo": M{
		"Price": M{"OriginalPrice": original, "DiscountPrice": discount,
			"TradePrice": round4(original - discount), "Currency": PriceCurrency},
		"Rules": M{"Rule": rules},
	}}, nil
}

// instanceQuote is an instance's price for one hour: its type (list or
// spot) and its disks; gpuRule says the GPU discount applies.
type instanceQuote struct {
	typePrice, disks float64
	gpuRule          bool
}

// priceInstance prices an instance's type, system disk and data disks.
func priceInstance(c *call, unit string, period int) (instanceQuote, *apiError) {
	var q instanceQuote
	p := c.p
	it := findInstanceType(p.str("InstanceType"))
	if it == nil {
		return q, errPriceParam("InvalidInstanceType.ValueNotSupported", "The specified InstanceType is not valid.")
	}
	q.typePrice = listPrice(*it, c.regionID())
	q.gpuRule = it.GPUAmount > 0
	switch s := p.str("SpotStrategy"); s {
	case "", "NoSpot":
	case "SpotAsPriceGo", "SpotWithPriceLimit":
		if unit != "" && unit != "Hour" || period != 1 {
			return q, errPriceParam("InvalidPeriod", "A spot instance is priced by the hour, for one hour.")
		}
		zone := p.str("ZoneId")
		if zone == "" {
			return q, newErr(http.StatusBadRequest, "MissingParameter",
				"The input parameter ZoneId that is mandatory for pricing a spot instance is not supplied.")
		}
		if c.region.zone(zone) == nil {
			return q, newErr(http.StatusBadRequest, "InvalidZoneId.NotFound", "The specified ZoneId does not exist.")
		}
		q.typePrice, _ = c.e.spotPriceAt(it.InstanceTypeId, zone, c.now)
		q.gpuRule = false // the spot price is the price: no further discount
	default:
		return q, newErr(http.StatusBadRequest, "InvalidSpotStrategy", "The specified SpotStrategy is not valid.")
	}
	sysCat := p.str("SystemDisk.Category")
	if sysCat == "" {
		sysCat = "cloud_efficiency"
	}
	minSize := 20
	if img := findImage(p.str("ImageId")); img != nil && img.Size > minSize {
		minSize = img.Size
	}
	sysSize, ae := p.integer("SystemDisk.Size", minSize, 1, 2048,
		errPriceParam("InvalidSystemDiskSize.ValueNotSupported", "The specified SystemDisk.Size is not valid."))
	if ae != nil {
		return q, ae
	}
	if sysSize < minSize {
		return q, newErr(http.StatusNotFound, "InvalidSystemDiskSize.LessThanImageSize",
			"The specified SystemDisk.Size is less than the image size.")
	}
	sysPrice, known := diskPricePerGiBHour[sysCat]
	if !known {
		return q, errPriceParam("InvalidSystemDiskCategory.ValueNotSupported", "The specified SystemDisk.Category is not valid.")
	}
	disks, ae := priceDisks(p.structs("DataDisk"))
	if ae != nil {
		return q, ae
	}
	q.disks = sysPrice*float64(sysSize) + disks
	return q, nil
}

// priceDisks prices data disks (Category and Size of each) for one hour.
func priceDisks(disks []map[string]string) (float64, *apiError) {
	total := 0.0
	for _, d := range disks {
		cat := d["Category"]
		if cat == "" {
			cat = "cloud_efficiency"
		}
		per, ok := diskPricePerGiBHour[cat]
		if !ok {
			return 0, errPriceParam("InvalidDataDiskCategory.ValueNotSupported", "The specified DataDisk.n.Category is not valid.")
		}
		size, err := strconv.Atoi(d["Size"])
		if err != nil || size < 20 || size > 32768 {
			return 0, errPriceParam("InvalidDataDiskSize.ValueNotSupported", "The specified DataDisk.n.Size is not valid.")
		}
		total += per * float64(size)
	}
	return total, nil
}

// spotHistoryPage is how many entries one DescribeSpotPriceHistory answers.
const spotHistoryPage = 1000

// describeSpotPriceHistory lists the spot price of one instance type, per
// zone (or the zone asked for) and per hour, from StartTime (default three
// hours before now) to EndTime (default now), at most 30 days; the last
// entry of a zone is its current price. Offset pages through long answers.
func describeSpotPriceHistory(c *call) (M, *apiError) {
	p := c.p
	itype := p.str("InstanceType")
	if itype == "" || findInstanceType(itype) == nil {
		return nil, errPriceParam("InvalidParams.InstanceType", "The specified InstanceType is not valid.")
	}
	switch p.str("NetworkType") {
	case "vpc", "classic":
	default:
		return nil, errPriceParam("InvalidParams.NetworkType", "The specified NetworkType is not valid.")
	}
	end := c.now
	if v := p.str("EndTime"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05Z", v)
		if err != nil {
			return nil, errPriceParam("InvalidParams.EndTime", "The specified EndTime is not valid.")
		}
		end = t
	}
	start := end.Add(-3 * time.Hour)
	if v := p.str("StartTime"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05Z", v)
		if err != nil || t.After(end) || end.Sub(t) > 30*24*time.Hour {
			return nil, errPriceParam("InvalidParams.StartTime", "The specified StartTime is not valid.")
		}
		start = t
	}
	zones := c.region.Zones
	if z := p.str("ZoneId"); z != "" {
		cz := c.region.zone(z)
		if cz == nil {
			return nil, errPriceParam("InvalidZoneId.NotFound", "The specified ZoneId does not exist.")
		}
		zones = []catalogZone{*cz}
	}
	offset, ae := p.integer("Offset", 0, 0, 1<<30, nil)
	if ae != nil {
		return nil, ae
	}
	io := p.str("IoOptimized")
	if io == "" {
		io = "optimized"
	}
	var all []M
	for _, z := range zones {
		for h := start.Truncate(time.Hour); !h.After(end); h = h.Add(time.Hour) {
			price, list, _ := spotPrice(itype, z.ZoneId, h)
			all = append(all, M{"ZoneId": z.ZoneId, "InstanceType": itype, "IoOptimized": io, "NetworkType": p.str("NetworkType"),
				"Timestamp": h.UTC().Format("2006-01-02T15:04:05Z"), "SpotPrice": price, "OriginPrice": list})
		}
	}
	next := 0
	if offset > len(all) {
		offset = len(all)
	}
	page := all[offset:]
	if len(page) > spotHistoryPage {
		page, next = page[:spotHistoryPage], offset+spotHistoryPage
	}
	return M{"Currency": PriceCurrency, "NextOffset": next, "SpotPrices": M{"SpotPriceType": append([]M{}, page...)}}, nil
}

func init() {
	actions["DescribePrice"] = actionSpec{describePrice, true}
	actions["DescribeSpotPriceHistory"] = actionSpec{describeSpotPriceHistory, true}
}
