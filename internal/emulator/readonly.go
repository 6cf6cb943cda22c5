package emulator

import (
	"strings"
)

// Read-only actions that widely used clients (the official alicloud
// Terraform provider among them) call on an instance's read path. They
// answer with the defaults of an instance that never changed them.

// instancesNamed returns the known instances among ids, in the given order.
func (c *call) instancesNamed(ids []string) []*instance {
	var out []*instance
	for _, id := range ids {
		if in := c.findInstance(strings.TrimSpace(id)); in != nil {
			out = append(out, in)
		}
	}
	return out
}

func describeUserData(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	return M{"RegionId": in.RegionID, "InstanceId": in.ID, "UserData": in.UserData}, nil
}

func eniView(in *instance) M {
	return M{
		"NetworkInterfaceId": in.ENIID, "NetworkInterfaceName": "", "Status": "InUse", "Type": "Primary",
		"VpcId": in.VpcID, "VSwitchId": in.VSwitchID, "ZoneId": in.ZoneID, "InstanceId": in.ID,
		"PrivateIpAddress": in.PrivateIP, "MacAddress": in.MAC, "CreationTime": fullTime(in.Created),
		"SecurityGroupIds": M{"SecurityGroupId": append([]string{}, in.SecurityGroupIDs...)},
		"PrivateIpSets": M{"PrivateIpSet": []M{{"PrivateIpAddress": in.PrivateIP, "Primary": true,
			"AssociatedPublicIp": M{"PublicIpAddress": in.PublicIP, "AllocationId": ""}}}},
		"AssociatedPublicIp": M{"PublicIpAddress": in.PublicIP, "AllocationId": ""},
		"Ipv6Sets":           M{"Ipv6Set": []M{}}, "Tags": tagsView{Tag: []tagView{}}, "QueueNumber": 2,
	}
}

func describeNetworkInterfaces(c *call) (M, *apiError) {
	p := c.p
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 500, defResults: 10, minResults: 1, maxResults: 500})
	if ae != nil {
		return nil, ae
	}
	want := setOf(p.list("NetworkInterfaceId"))
	var matched []*instance
	for _, in := range c.e.st.Instances {
		if in.RegionID != c.regionID() || len(want) > 0 && !want[in.ENIID] {
			continue
		}
		if v := p.str("InstanceId"); v != "" && v != in.ID {
			continue
		}
		if v := p.str("VSwitchId"); v != "" && v != in.VSwitchID {
			continue
		}
		if v := p.str("VpcId"); v != "" && v != in.VpcID {
			continue
		}
		if v := p.str("Type"); v != "" && v != "Primary" {
			continue
		}
		matched = append(matched, in)
	}
	return answerPage(pg, matched, "NetworkInterfaceSets", "NetworkInterfaceSet", eniView), nil
}

func describeInstanceAttachmentAttributes(c *call) (M, *apiError) {
	ids, _, ae := c.p.jsonList("InstanceIds", 100, nil)
	if ae != nil {
		return nil, ae
	}
	out := []M{}
	for _, in := range c.instancesNamed(ids) {
		out = append(out, M{"InstanceId": in.ID, "PrivatePoolOptionsMatchCriteria": "Open", "PrivatePoolOptionsId": ""})
	}
	return M{"TotalCount": len(out), "PageNumber": 1, "PageSize": 10, "Instances": M{"Instance": out}}, nil
}

func describeInstanceAutoRenewAttribute(c *call) (M, *apiError) {
	var ids []string
	if v := c.p.str("InstanceId"); v != "" {
		ids = strings.Split(v, ",")
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("InstanceId")
	}
	out := []M{}
	for _, in := range c.instancesNamed(ids) {
		out = append(out, M{"InstanceId": in.ID, "AutoRenewEnabled": false, "Duration": 0,
			"PeriodUnit": "Month", "RenewalStatus": "Normal"})
	}
	return M{"TotalCount": len(out), "PageNumber": 1, "PageSize": 10,
		"InstanceRenewAttributes": M{"InstanceRenewAttribute": out}}, nil
}

func init() {
	actions["DescribeUserData"] = actionSpec{describeUserData, true}
	actions["DescribeNetworkInterfaces"] = actionSpec{describeNetworkInterfaces, true}
	actions["DescribeInstanceAttachmentAttributes"] = actionSpec{describeInstanceAttachmentAttributes, true}
	actions["DescribeInstanceAutoRenewAttribute"] = actionSpec{describeInstanceAutoRenewAttribute, true}
}
