package ecsapi

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// What an instance references, read whole per region so that a caller can
// check many instances against one listing (the provider caches them per
// process): vSwitches, security groups, key pairs, instance types, and the
// stock of one instance type per zone.

// VSwitch is a vSwitch of the region.
type VSwitch struct{ ID, VpcID, ZoneID string }

// SecurityGroup is a security group of the region.
type SecurityGroup struct{ ID, VpcID string }

// ZoneStock is whether a zone has stock of an instance type.
type ZoneStock struct {
	ZoneID    string
	Available bool
}

// refPageSize is the page size of the reference listings (DescribeVSwitches
// and DescribeKeyPairs allow at most 50).
const refPageSize = 50

// pagesByNumber reads a PageNumber/PageSize listing until a short page or
// total items.
func pagesByNumber(ctx context.Context, read func(ctx context.Context, page int) (n, total int, err error)) error {
	seen := 0
	for page := 1; page <= maxPages; page++ {
		n, total, err := read(ctx, page)
		if err != nil {
			return err
		}
		seen += n
		if n < refPageSize || seen >= total {
			return nil
		}
	}
	return nil
}

// ListVSwitches lists the region's vSwitches: with the VPC API's
// DescribeVSwitches when Config.VPCEndpoint is set, else with ECS's own
// (deprecated on the service in favour of the VPC API's, same parameters
// and answer).
func (c *Client) ListVSwitches(ctx context.Context) ([]VSwitch, error) {
	if c.cfg.VPCEndpoint != "" {
		return c.listVPCVSwitches(ctx)
	}
	var out []VSwitch
	err := pagesByNumber(ctx, func(ctx context.Context, page int) (int, int, error) {
		resp, err := invoke(ctx, c, call{action: "DescribeVSwitches", kind: kindRead},
			ecs.CreateDescribeVSwitchesRequest, (*ecs.Client).DescribeVSwitches, func(req *ecs.DescribeVSwitchesRequest) {
				req.RegionId = c.cfg.RegionID
				req.PageNumber = requests.NewInteger(page)
				req.PageSize = requests.NewInteger(refPageSize)
			})
		if err != nil {
			return 0, 0, err
		}
		for _, v := range resp.VSwitches.VSwitch {
			out = append(out, VSwitch{ID: v.VSwitchId, VpcID: v.VpcId, ZoneID: v.ZoneId})
		}
		return len(resp.VSwitches.VSwitch), resp.TotalCount, nil
	})
	return out, err
}

// ListSecurityGroups lists the region's security groups.
func (c *Client) ListSecurityGroups(ctx context.Context) ([]SecurityGroup, error) {
	var out []SecurityGroup
	err := pagesByNumber(ctx, func(ctx context.Context, page int) (int, int, error) {
		resp, err := invoke(ctx, c, call{action: "DescribeSecurityGroups", kind: kindRead},
			ecs.CreateDescribeSecurityGroupsRequest, (*ecs.Client).DescribeSecurityGroups, func(req *ecs.DescribeSecurityGroupsRequest) {
				req.RegionId = c.cfg.RegionID
				req.PageNumber = requests.NewInteger(page)
				req.PageSize = requests.NewInteger(refPageSize)
			})
		if err != nil {
			return 0, 0, err
		}
		for _, g := range resp.SecurityGroups.SecurityGroup {
			out = append(out, SecurityGroup{ID: g.SecurityGroupId, VpcID: g.VpcId})
		}
		return len(resp.SecurityGroups.SecurityGroup), resp.TotalCount, nil
	})
	return out, err
}

// ListKeyPairs lists the names of the region's key pairs.
func (c *Client) ListKeyPairs(ctx context.Context) ([]string, error) {
	var out []string
	err := pagesByNumber(ctx, func(ctx context.Context, page int) (int, int, error) {
		resp, err := invoke(ctx, c, call{action: "DescribeKeyPairs", kind: kindRead},
			ecs.CreateDescribeKeyPairsRequest, (*ecs.Client).DescribeKeyPairs, func(req *ecs.DescribeKeyPairsRequest) {
				req.RegionId = c.cfg.RegionID
				req.PageNumber = requests.NewInteger(page)
				req.PageSize = requests.NewInteger(refPageSize)
			})
		if err != nil {
			return 0, 0, err
		}
		for _, k := range resp.KeyPairs.KeyPair {
			out = append(out, k.KeyPairName)
		}
		return len(resp.KeyPairs.KeyPair), resp.TotalCount, nil
	})
	return out, err
}

// ListInstanceTypes lists the ids of the instance types the region offers.
func (c *Client) ListInstanceTypes(ctx context.Context) ([]string, error) {
	types, err := c.DescribeInstanceTypes(ctx, InstanceTypeFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(types))
	for _, t := range types {
		out = append(out, t.ID)
	}
	return out, nil
}

// InstanceTypeStock returns, per zone of the region, whether instanceType
// is in stock for chargeType ("" = PostPaid), from DescribeAvailableResource.
func (c *Client) InstanceTypeStock(ctx context.Context, instanceType, chargeType string) ([]ZoneStock, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeAvailableResource", kind: kindRead},
		ecs.CreateDescribeAvailableResourceRequest, (*ecs.Client).DescribeAvailableResource,
		func(req *ecs.DescribeAvailableResourceRequest) {
			req.RegionId = c.cfg.RegionID
			req.DestinationResource = "InstanceType"
			req.InstanceType = instanceType
			req.InstanceChargeType = chargeType
		})
	if err != nil {
		return nil, err
	}
	var out []ZoneStock
	for _, z := range resp.AvailableZones.AvailableZone {
		available := false
		for _, r := range z.AvailableResources.AvailableResource {
			for _, s := range r.SupportedResources.SupportedResource {
				if s.Value == instanceType && s.Status == "Available" {
					available = true
				}
			}
		}
		out = append(out, ZoneStock{ZoneID: z.ZoneId, Available: available && z.Status != "SoldOut"})
	}
	return out, nil
}

// vpcAPIVersion is the VPC API's version.
const vpcAPIVersion = "2016-04-28"

// listVPCVSwitches is ListVSwitches through the VPC API at
// Config.VPCEndpoint: a common (untyped) request on the same retry path.
func (c *Client) listVPCVSwitches(ctx context.Context) ([]VSwitch, error) {
	var out []VSwitch
	err := pagesByNumber(ctx, func(ctx context.Context, page int) (int, int, error) {
		var body struct {
			RequestID  string `json:"RequestId"`
			TotalCount int    `json:"TotalCount"`
			VSwitches  struct {
				VSwitch []struct {
					VSwitchID string `json:"VSwitchId"`
					VpcID     string `json:"VpcId"`
					ZoneID    string `json:"ZoneId"`
				} `json:"VSwitch"`
			} `json:"VSwitches"`
		}
		err := c.do(ctx, call{action: "DescribeVSwitches", kind: kindRead, vpc: true}, func(cl *ecs.Client) (string, error) {
			req := requests.NewCommonRequest()
			req.Method = "POST"
			req.Scheme = c.cfg.VPCScheme
			req.Domain = c.cfg.VPCEndpoint
			req.Version = vpcAPIVersion
			req.ApiName = "DescribeVSwitches"
			req.QueryParams["RegionId"] = c.cfg.RegionID
			req.QueryParams["PageNumber"] = strconv.Itoa(page)
			req.QueryParams["PageSize"] = strconv.Itoa(refPageSize)
			resp, err := cl.ProcessCommonRequest(req)
			if err != nil {
				return "", err
			}
			if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
				return "", err
			}
			return body.RequestID, nil
		})
		if err != nil {
			return 0, 0, err
		}
		for _, v := range body.VSwitches.VSwitch {
			out = append(out, VSwitch{ID: v.VSwitchID, VpcID: v.VpcID, ZoneID: v.ZoneID})
		}
		return len(body.VSwitches.VSwitch), body.TotalCount, nil
	})
	return out, err
}
