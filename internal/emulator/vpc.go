package emulator

// The VPC API (version 2016-04-28) served on the same port: a request whose
// Version is 2016-04-28 is dispatched to vpcActions, any other to the ECS
// actions. On the service, vSwitch and VPC facts belong to the VPC API
// (vpc.<region>.aliyuncs.com); ECS's own DescribeVSwitches is deprecated.
// Both answer DescribeVSwitches with the same shape.

// vpcAPIVersion is the VPC API's version.
const vpcAPIVersion = "2016-04-28"

var vpcActions = map[string]actionSpec{
	"DescribeVSwitches": {describeVSwitches, true},
	"DescribeVpcs":      {describeVpcs, true},
}

// actionsFor is the dispatch table of an API version.
func actionsFor(version string) map[string]actionSpec {
	if version == vpcAPIVersion {
		return vpcActions
	}
	return actions
}

// describeVpcs lists the region's VPCs, filtered by VpcId.
func describeVpcs(c *call) (M, *apiError) {
	ids := append([]string{c.region.VpcID}, c.region.OtherVpcIDs...)
	out := []M{}
	for _, id := range ids {
		if v := c.p.str("VpcId"); v != "" && v != id {
			continue
		}
		var vsws []string
		for _, v := range c.region.VSwitches {
			if v.VpcID == id {
				vsws = append(vsws, v.ID)
			}
		}
		out = append(out, M{"VpcId": id, "RegionId": c.regionID(), "Status": "Available", "VpcName": "",
			"CidrBlock":  map[bool]string{true: "172.16.0.0/12", false: "10.0.0.0/8"}[id == c.region.VpcID],
			"VSwitchIds": M{"VSwitchId": vsws}, "IsDefault": id == c.region.VpcID,
			"CreationTime": "2024-01-01T00:00:00Z", "ResourceGroupId": defaultResourceGroupID})
	}
	return M{"TotalCount": len(out), "PageNumber": 1, "PageSize": 10, "Vpcs": M{"Vpc": out}}, nil
}
