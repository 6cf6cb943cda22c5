package ecsapi

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Prices, instance types and stock: what "which machine can I get, where,
// and for how much" needs (DescribePrice, DescribeSpotPriceHistory,
// DescribeInstanceTypes with its GPU fields, DescribeAvailableResource).
// Every call here is a read: throttling is retried like any other read.

// PriceDisk is a disk of a priced instance.
type PriceDisk struct {
	Category string
	Size     int64
}

// PriceQuery is an instance to price by the hour: its type, disks, public
// bandwidth and, for a spot instance, strategy and zone (the spot price is
// per zone). Zone is sent only for spot: on-demand prices are per region.
type PriceQuery struct {
	InstanceType            string
	SystemDisk              PriceDisk
	DataDisks               []PriceDisk
	InternetMaxBandwidthOut int64
	SpotStrategy            string // "" or NoSpot: on demand
	ZoneID                  string
}

// IsSpot reports whether the query prices a spot instance.
func (q PriceQuery) IsSpot() bool { return q.SpotStrategy != "" && q.SpotStrategy != "NoSpot" }

// Key identifies the query, for a cache of prices: two queries with the
// same key get the same answer.
func (q PriceQuery) Key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s:%d|bw%d", q.InstanceType, q.SystemDisk.Category, q.SystemDisk.Size, q.InternetMaxBandwidthOut)
	for _, d := range q.DataDisks {
		fmt.Fprintf(&b, "|%s:%d", d.Category, d.Size)
	}
	if q.IsSpot() {
		fmt.Fprintf(&b, "|%s@%s", q.SpotStrategy, q.ZoneID)
	}
	return b.String()
}

// Price is DescribePrice's answer for one hour: TradePrice is what is paid
// (OriginalPrice less DiscountPrice).
type Price struct {
	OriginalPrice, DiscountPrice, TradePrice float64
	Currency                                 string
}

// maxPricedDataDisks is how many data disks DescribePrice takes (DataDisk.1-16).
const maxPricedDataDisks = 16

// DescribePrice prices an instance for one hour, pay-as-you-go.
func (c *Client) DescribePrice(ctx context.Context, q PriceQuery) (Price, error) {
	if len(q.DataDisks) > maxPricedDataDisks {
		return Price{}, fmt.Errorf("at most %d data disks can be priced, got %d", maxPricedDataDisks, len(q.DataDisks))
	}
	resp, err := invoke(ctx, c, call{action: "DescribePrice", kind: kindRead},
		ecs.CreateDescribePriceRequest, (*ecs.Client).DescribePrice, func(req *ecs.DescribePriceRequest) {
			req.RegionId = c.cfg.RegionID
			req.ResourceType = "instance"
			req.PriceUnit = "Hour"
			req.Period = requests.NewInteger(1)
			req.InstanceType = q.InstanceType
			if q.SystemDisk.Category != "" {
				req.SystemDiskCategory = q.SystemDisk.Category
			}
			if q.SystemDisk.Size > 0 {
				req.SystemDiskSize = requests.NewInteger(int(q.SystemDisk.Size))
			}
			// DataDisk.N.* by name: the typed fields stop at 4.
			qp := req.GetQueryParams()
			for i, d := range q.DataDisks {
				n := strconv.Itoa(i + 1)
				qp["DataDisk."+n+".Category"] = d.Category
				qp["DataDisk."+n+".Size"] = strconv.FormatInt(d.Size, 10)
			}
			if q.InternetMaxBandwidthOut > 0 {
				req.InternetMaxBandwidthOut = requests.NewInteger(int(q.InternetMaxBandwidthOut))
			}
			if q.IsSpot() {
				req.SpotStrategy = q.SpotStrategy
				req.ZoneId = q.ZoneID
			}
		})
	if err != nil {
		return Price{}, err
	}
	p := resp.PriceInfo.Price
	return Price{OriginalPrice: p.OriginalPrice, DiscountPrice: p.DiscountPrice, TradePrice: p.TradePrice, Currency: p.Currency}, nil
}

// SpotPrices is the current spot price of an instance type per zone.
type SpotPrices struct {
	Currency string
	ByZone   map[string]float64
}

// CurrentSpotPrices reads the spot price history of one instance type (the
// service's default window, the last three hours, all zones of the region:
// one call) and keeps each zone's latest price.
func (c *Client) CurrentSpotPrices(ctx context.Context, instanceType string) (SpotPrices, error) {
	out := SpotPrices{ByZone: map[string]float64{}}
	latest := map[string]string{}
	offset := 0
	for page := 0; page < maxPages; page++ {
		resp, err := invoke(ctx, c, call{action: "DescribeSpotPriceHistory", kind: kindRead},
			ecs.CreateDescribeSpotPriceHistoryRequest, (*ecs.Client).DescribeSpotPriceHistory,
			func(req *ecs.DescribeSpotPriceHistoryRequest) {
				req.RegionId = c.cfg.RegionID
				req.InstanceType = instanceType
				req.NetworkType = "vpc"
				if offset > 0 {
					req.Offset = requests.NewInteger(offset)
				}
			})
		if err != nil {
			return out, err
		}
		out.Currency = resp.Currency
		for _, p := range resp.SpotPrices.SpotPriceType {
			// Timestamps are yyyy-MM-ddTHH:mm:ssZ: they sort as strings.
			if p.Timestamp >= latest[p.ZoneId] {
				latest[p.ZoneId], out.ByZone[p.ZoneId] = p.Timestamp, p.SpotPrice
			}
		}
		if resp.NextOffset <= offset {
			break
		}
		offset = resp.NextOffset
	}
	return out, nil
}

// InstanceTypeInfo is an instance type's hardware.
type InstanceTypeInfo struct {
	ID, Family   string
	CPU          int64
	MemoryMiB    int64
	GPUAmount    int64
	GPUSpec      string
	GPUMemoryGiB float64 // per GPU
	Architecture string
}

// InstanceTypeFilter narrows DescribeInstanceTypes on the service's side.
type InstanceTypeFilter struct {
	Family       string
	Architecture string
	MinCPU       int64
	MinMemoryMiB int64
	MinGPUAmount int64
}

// DescribeInstanceTypes lists the region's instance types that pass f.
func (c *Client) DescribeInstanceTypes(ctx context.Context, f InstanceTypeFilter) ([]InstanceTypeInfo, error) {
	var out []InstanceTypeInfo
	next := ""
	for page := 0; page < maxPages; page++ {
		resp, err := invoke(ctx, c, call{action: "DescribeInstanceTypes", kind: kindRead},
			ecs.CreateDescribeInstanceTypesRequest, (*ecs.Client).DescribeInstanceTypes, func(req *ecs.DescribeInstanceTypesRequest) {
				req.RegionId = c.cfg.RegionID
				req.NextToken = next
				req.InstanceTypeFamily = f.Family
				req.CpuArchitecture = f.Architecture
				if f.MinCPU > 0 {
					req.MinimumCpuCoreCount = requests.NewInteger(int(f.MinCPU))
				}
				if f.MinMemoryMiB > 0 {
					req.MinimumMemorySize = requests.NewFloat(float64(f.MinMemoryMiB) / 1024)
				}
				if f.MinGPUAmount > 0 {
					req.MinimumGPUAmount = requests.NewInteger(int(f.MinGPUAmount))
				}
			})
		if err != nil {
			return nil, err
		}
		for _, t := range resp.InstanceTypes.InstanceType {
			out = append(out, InstanceTypeInfo{
				ID: t.InstanceTypeId, Family: t.InstanceTypeFamily, CPU: int64(t.CpuCoreCount),
				MemoryMiB: int64(math.Round(t.MemorySize * 1024)), GPUAmount: int64(t.GPUAmount), GPUSpec: t.GPUSpec,
				GPUMemoryGiB: t.GPUMemorySize, Architecture: t.CpuArchitecture,
			})
		}
		if next = resp.NextToken; next == "" {
			break
		}
	}
	return out, nil
}

// Stock categories (DescribeAvailableResource's StatusCategory).
const (
	StockWith       = "WithStock"
	StockClosedWith = "ClosedWithStock"
	StockWithout    = "WithoutStock"
)

// TypeStock is the stock of an instance type in a zone.
type TypeStock struct {
	ZoneID, InstanceType string
	// Category is WithStock, ClosedWithStock (running low), WithoutStock
	// (sold out, refilled later) or ClosedWithoutStock (sold out for good).
	Category string
}

// InstanceTypesInStock reads the stock of every instance type in every zone
// (or in zoneID) in one call, for on-demand or spot (spotStrategy).
func (c *Client) InstanceTypesInStock(ctx context.Context, zoneID, spotStrategy string) ([]TypeStock, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeAvailableResource", kind: kindRead},
		ecs.CreateDescribeAvailableResourceRequest, (*ecs.Client).DescribeAvailableResource,
		func(req *ecs.DescribeAvailableResourceRequest) {
			req.RegionId = c.cfg.RegionID
			req.DestinationResource = "InstanceType"
			req.ZoneId = zoneID
			if spotStrategy != "" && spotStrategy != "NoSpot" {
				req.SpotStrategy = spotStrategy
			}
		})
	if err != nil {
		return nil, err
	}
	var out []TypeStock
	for _, z := range resp.AvailableZones.AvailableZone {
		for _, r := range z.AvailableResources.AvailableResource {
			for _, s := range r.SupportedResources.SupportedResource {
				cat := s.StatusCategory
				if cat == "" { // an answer without categories: the status alone
					cat = StockWith
					if s.Status != "Available" {
						cat = StockWithout
					}
				}
				out = append(out, TypeStock{ZoneID: z.ZoneId, InstanceType: s.Value, Category: cat})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].InstanceType != out[j].InstanceType {
			return out[i].InstanceType < out[j].InstanceType
		}
		return out[i].ZoneID < out[j].ZoneID
	})
	return out, nil
}

// PriceQueryOf is the price request of an instance as the service reports
// it, with its disks (system disk first or not: sorted here by device).
func PriceQueryOf(inst Instance, disks []Disk) PriceQuery {
	q := PriceQuery{InstanceType: inst.InstanceType, InternetMaxBandwidthOut: int64(inst.InternetMaxBandwidthOut)}
	sorted := append([]Disk(nil), disks...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Device < sorted[j].Device })
	for _, d := range sorted {
		if d.Type == "system" {
			q.SystemDisk = PriceDisk{Category: d.Category, Size: int64(d.Size)}
		} else if len(q.DataDisks) < maxPricedDataDisks {
			q.DataDisks = append(q.DataDisks, PriceDisk{Category: d.Category, Size: int64(d.Size)})
		}
	}
	if s := inst.Spot.Strategy; s != "" && s != SpotNone {
		q.SpotStrategy, q.ZoneID = s, inst.ZoneID
	}
	return q
}
