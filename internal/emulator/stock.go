package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Stock, key pairs and vSwitches: what a client checks before it creates
// an instance (DescribeAvailableResource, DescribeKeyPairs, DescribeVSwitches).
//
// Stock is per zone and instance type. Everything is in stock except
// seededSoldOut; the admin API (POST /_emulator/stock) sells a type out in a
// zone or restocks it, and the state file keeps that.

// seededSoldOut: one GPU type sold out in the default region's first zone,
// in stock in its other zones.
var seededSoldOut = map[string]bool{"cn-hangzhou-h/ecs.gn7i-c32g1.8xlarge": true}

func stockKey(zone, itype string) string { return zone + "/" + itype }

// soldOutLocked reports whether itype is sold out in zone.
func (e *Emulator) soldOutLocked(zone, itype string) bool {
	if v, ok := e.st.Stock[stockKey(zone, itype)]; ok {
		return v
	}
	return seededSoldOut[stockKey(zone, itype)]
}

// StockEntry is a zone's stock of an instance type, in /_emulator/state
// (sold-out pairs only) and in POST /_emulator/stock.
type StockEntry struct {
	ZoneID       string `json:"zone_id"`
	InstanceType string `json:"instance_type"`
	SoldOut      bool   `json:"sold_out"`
	// Stock, when set, is the StatusCategory to report and wins over
	// SoldOut: WithStock, ClosedWithStock (in stock, running low) or
	// WithoutStock (sold out).
	Stock string `json:"stock,omitempty"`
}

// stockCategoryLocked is the StatusCategory of itype in zone.
func (e *Emulator) stockCategoryLocked(zone, itype string) string {
	switch {
	case e.soldOutLocked(zone, itype):
		return "WithoutStock"
	case e.st.StockLow[stockKey(zone, itype)]:
		return "ClosedWithStock"
	}
	return "WithStock"
}

// soldOutListLocked lists every sold-out zone and type, sorted.
func (e *Emulator) soldOutListLocked() []StockEntry {
	keys := map[string]bool{}
	for k := range seededSoldOut {
		keys[k] = true
	}
	for k := range e.st.Stock {
		keys[k] = true
	}
	out := []StockEntry{}
	for k := range keys {
		zone, itype, _ := strings.Cut(k, "/")
		if e.soldOutLocked(zone, itype) {
			out = append(out, StockEntry{ZoneID: zone, InstanceType: itype, SoldOut: true})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return stockKey(out[i].ZoneID, out[i].InstanceType) < stockKey(out[j].ZoneID, out[j].InstanceType)
	})
	return out
}

// SetStock sells itype out in zone (soldOut) or puts it back in stock.
func (e *Emulator) SetStock(s StockEntry) error {
	if findInstanceType(s.InstanceType) == nil {
		return fmt.Errorf("unknown instance type %q", s.InstanceType)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	known := false
	for _, z := range e.catalogLocked().Zones {
		known = known || z.ZoneId == s.ZoneID
	}
	if !known {
		return fmt.Errorf("unknown zone %q (see catalog.zones in /_emulator/state)", s.ZoneID)
	}
	low := false
	switch s.Stock {
	case "":
	case "WithStock":
		s.SoldOut = false
	case "ClosedWithStock":
		s.SoldOut, low = false, true
	case "WithoutStock":
		s.SoldOut = true
	default:
		return fmt.Errorf("unknown stock %q (want WithStock, ClosedWithStock or WithoutStock)", s.Stock)
	}
	if e.st.Stock == nil {
		e.st.Stock = map[string]bool{}
	}
	if e.st.StockLow == nil {
		e.st.StockLow = map[string]bool{}
	}
	e.st.Stock[stockKey(s.ZoneID, s.InstanceType)] = s.SoldOut
	if low {
		e.st.StockLow[stockKey(s.ZoneID, s.InstanceType)] = true
	} else {
		delete(e.st.StockLow, stockKey(s.ZoneID, s.InstanceType))
	}
	return e.saveLocked()
}

func (e *Emulator) adminStock(w http.ResponseWriter, r *http.Request) {
	b, err := readAdminBody(r)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var s StockEntry
	if err := strictJSON(b, &s); err != nil {
		adminError(w, http.StatusBadRequest, `bad stock JSON (want {"zone_id":…,"instance_type":…,"sold_out":true}): `+err.Error())
		return
	}
	if err := e.SetStock(s); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	adminJSON(w, e.soldOutListLocked())
}

func errNoStock() *apiError {
	return newErr(http.StatusForbidden, "OperationDenied.NoStock",
		"The requested resource is sold out in the specified zone; try other types of resources or other regions and zones.")
}

func stockStatus(soldOut bool) (status, category string) {
	if soldOut {
		return "SoldOut", "WithoutStock"
	}
	return "Available", "WithStock"
}

// statusOf is the Status that goes with a StatusCategory.
func statusOf(category string) string {
	if category == "WithoutStock" {
		return "SoldOut"
	}
	return "Available"
}

// describeAvailableResource answers DestinationResource Zone or
// InstanceType (optionally for one ZoneId and one InstanceType). A zone is
// Available when at least one of the types asked about is in stock there.
func describeAvailableResource(c *call) (M, *apiError) {
	dest := c.p.str("DestinationResource")
	switch dest {
	case "":
		return nil, newErr(http.StatusBadRequest, "Invalid.Param", "The input parameter DestinationResource is not valid.")
	case "Zone", "InstanceType":
	default:
		return nil, newErr(http.StatusNotFound, "Invalid.DestinationResource", "The specified DestinationResource is not valid.")
	}
	switch c.p.str("InstanceChargeType") {
	case "", "PostPaid", "PrePaid":
	default:
		return nil, newErr(http.StatusBadRequest, "Invalid.InstanceChargeType", "The specified InstanceChargeType is not valid.")
	}
	switch c.p.str("SpotStrategy") {
	case "", "NoSpot", "SpotAsPriceGo", "SpotWithPriceLimit":
	default:
		return nil, newErr(http.StatusNotFound, "Invalid.SpotStrategy", "The specified SpotStrategy is not valid.")
	}
	types := catalogInstanceTypes
	if t := c.p.str("InstanceType"); t != "" {
		it := findInstanceType(t)
		if it == nil {
			return nil, newErr(http.StatusNotFound, "InvalidInstanceType.NotFound", "The specified InstanceType does not exist.")
		}
		types = []catalogInstanceType{*it}
	}
	zones := []M{}
	for _, z := range c.region.Zones {
		if v := c.p.str("ZoneId"); v != "" && v != z.ZoneId {
			continue
		}
		resources := []M{}
		anyInStock := false
		for _, it := range types {
			cat := c.e.stockCategoryLocked(z.ZoneId, it.InstanceTypeId)
			anyInStock = anyInStock || cat != "WithoutStock"
			resources = append(resources, M{"Value": it.InstanceTypeId, "Status": statusOf(cat), "StatusCategory": cat})
		}
		st, cat := stockStatus(!anyInStock)
		entry := M{"RegionId": c.regionID(), "ZoneId": z.ZoneId, "Status": st, "StatusCategory": cat}
		if dest == "InstanceType" {
			entry["AvailableResources"] = M{"AvailableResource": []M{{"Type": "InstanceType",
				"SupportedResources": M{"SupportedResource": resources}}}}
		} else {
			entry["AvailableResources"] = M{"AvailableResource": []M{{"Type": "Zone",
				"SupportedResources": M{"SupportedResource": []M{{"Value": z.ZoneId, "Status": st, "StatusCategory": cat}}}}}}
		}
		zones = append(zones, entry)
	}
	return M{"AvailableZones": M{"AvailableZone": zones}}, nil
}

// describeKeyPairs lists the region's key pairs; KeyPairName may use '*'.
func describeKeyPairs(c *call) (M, *apiError) {
	size, ae := c.p.integer("PageSize", 10, 1, 50, nil)
	if ae != nil {
		return nil, ae
	}
	number, ae := c.p.integer("PageNumber", 1, 1, 1<<30, nil)
	if ae != nil {
		return nil, ae
	}
	var matched []M
	for _, kp := range c.region.KeyPairs {
		if v := c.p.str("KeyPairName"); v != "" && !matchWildcard(v, kp.Name) {
			continue
		}
		matched = append(matched, M{"KeyPairName": kp.Name, "KeyPairFingerPrint": kp.Fingerprint,
			"CreationTime": "2024-01-01T00:00:00Z", "ResourceGroupId": defaultResourceGroupID, "Tags": tagsView{Tag: []tagView{}}})
	}
	total := len(matched)
	start := min((number-1)*size, total)
	end := min(start+size, total)
	return M{"TotalCount": total, "PageNumber": number, "PageSize": size,
		"KeyPairs": M{"KeyPair": append([]M{}, matched[start:end]...)}}, nil
}

// describeVSwitches is ECS's own (deprecated, still served) DescribeVSwitches:
// the region's vSwitches, filtered by VSwitchId, VpcId and ZoneId.
func describeVSwitches(c *call) (M, *apiError) {
	size, ae := c.p.integer("PageSize", 10, 1, 50, nil)
	if ae != nil {
		return nil, ae
	}
	number, ae := c.p.integer("PageNumber", 1, 1, 1<<30, nil)
	if ae != nil {
		return nil, ae
	}
	var matched []M
	for _, v := range c.region.VSwitches {
		if f := c.p.str("VSwitchId"); f != "" && f != v.ID ||
			c.p.str("VpcId") != "" && c.p.str("VpcId") != v.VpcID ||
			c.p.str("ZoneId") != "" && c.p.str("ZoneId") != v.ZoneID {
			continue
		}
		matched = append(matched, M{"VSwitchId": v.ID, "VpcId": v.VpcID, "ZoneId": v.ZoneID, "CidrBlock": v.CidrBlock,
			"Status": "Available", "VSwitchName": "", "AvailableIpAddressCount": 4000, "IsDefault": false,
			"CreationTime": "2024-01-01T00:00:00Z", "ResourceGroupId": defaultResourceGroupID})
	}
	total := len(matched)
	start := min((number-1)*size, total)
	end := min(start+size, total)
	return M{"TotalCount": total, "PageNumber": number, "PageSize": size,
		"VSwitches": M{"VSwitch": append([]M{}, matched[start:end]...)}}, nil
}

func init() {
	actions["DescribeAvailableResource"] = actionSpec{describeAvailableResource, true}
	actions["DescribeKeyPairs"] = actionSpec{describeKeyPairs, true}
	actions["DescribeVSwitches"] = actionSpec{describeVSwitches, true}
}
