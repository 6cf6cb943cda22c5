package emulator

import (
	"net/http"
	"strconv"
	"strings"
)

// Read-only catalog actions: regions, zones, images, instance types,
// security groups.

func describeRegions(c *call) (M, *apiError) {
	switch c.p.str("AcceptLanguage") {
	case "", "zh-CN", "en-US", "ja":
	default:
		return nil, newErr(http.StatusNotFound, "InvalidAcceptLanguage.NotFound", "The specified AcceptLanguage is not found.")
	}
	switch c.p.str("ResourceType") {
	case "", "instance", "disk", "reservedinstance", "scu":
	default:
		return nil, newErr(http.StatusNotFound, "InvalidResourceType.NotFound", "The specified ResourceType is not found.")
	}
	regions := []catalogRegion{}
	for _, r := range seededRegions {
		rc, _ := c.e.regionLocked(r.RegionId)
		regions = append(regions, rc.Region)
	}
	return M{"Regions": M{"Region": regions}}, nil
}

func describeZones(c *call) (M, *apiError) {
	zones := []M{}
	var types []string
	for _, t := range catalogInstanceTypes {
		types = append(types, t.InstanceTypeId)
	}
	for _, z := range c.region.Zones {
		zones = append(zones, M{
			"ZoneId": z.ZoneId, "LocalName": z.LocalName, "ZoneType": "AvailabilityZone",
			"AvailableResourceCreation": M{"ResourceTypes": []string{"VSwitch", "IoOptimized", "Instance", "Disk", "DedicatedHost"}},
			"AvailableDiskCategories":   M{"DiskCategories": diskCategories},
			"AvailableInstanceTypes":    M{"InstanceTypes": types},
			"AvailableVolumeCategories": M{"VolumeCategories": []string{}},
			"DedicatedHostGenerations":  M{"DedicatedHostGeneration": []string{}},
		})
	}
	return M{"Zones": M{"Zone": zones}}, nil
}

func imageView(img catalogImage) M {
	return M{
		"ImageId": img.ImageId, "ImageName": img.ImageName, "Status": "Available", "Progress": "100%",
		"OSType": img.OSType, "OSName": img.OSName, "OSNameEn": img.OSNameEn, "Platform": img.Platform,
		"Architecture": img.Architecture, "Size": img.Size, "ImageOwnerAlias": "system",
		"CreationTime": "2024-01-01T00:00:00Z", "Description": img.Description, "Usage": "instance",
		"IsPublic": true, "IsSupportIoOptimized": true, "IsSupportCloudinit": img.OSType == "linux",
		"BootMode": "BIOS", "ImageFamily": "", "ImageVersion": "",
		"DiskDeviceMappings": M{"DiskDeviceMapping": []M{{"SnapshotId": "", "Size": itoa(img.Size), "Device": "/dev/xvda", "Type": "system"}}},
		"Tags":               tagsView{Tag: []tagView{}},
	}
}

// describeInstanceTypes lists the catalog's types, filtered by
// InstanceTypes.N, InstanceTypeFamily, CpuArchitecture, GPUSpec (a
// case-insensitive substring, the service's fuzzy match),
// MinimumGPUAmount/MaximumGPUAmount, MinimumCpuCoreCount and
// MinimumMemorySize (GiB).
func describeInstanceTypes(c *call) (M, *apiError) {
	p := c.p
	want := setOf(p.list("InstanceTypes"))
	minGPU, ae := p.integer("MinimumGPUAmount", 0, 0, 1<<20, nil)
	if ae != nil {
		return nil, ae
	}
	maxGPU, ae := p.integer("MaximumGPUAmount", 1<<20, 0, 1<<20, nil)
	if ae != nil {
		return nil, ae
	}
	minCPU, ae := p.integer("MinimumCpuCoreCount", 0, 0, 1<<20, nil)
	if ae != nil {
		return nil, ae
	}
	minMem := 0.0
	if v := p.str("MinimumMemorySize"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return nil, errInvalidParam("MinimumMemorySize")
		}
		minMem = f
	}
	out := []M{}
	for _, t := range catalogInstanceTypes {
		if len(want) > 0 && !want[t.InstanceTypeId] {
			continue
		}
		if f := p.str("InstanceTypeFamily"); f != "" && f != t.InstanceTypeFamily {
			continue
		}
		if a := p.str("CpuArchitecture"); a != "" && !strings.EqualFold(a, t.CpuArchitecture) {
			continue
		}
		if g := p.str("GPUSpec"); g != "" && !strings.Contains(strings.ToLower(t.GPUSpec), strings.ToLower(g)) {
			continue
		}
		if t.GPUAmount < minGPU || t.GPUAmount > maxGPU || t.CpuCoreCount < minCPU || float64(t.MemorySize)/1024 < minMem {
			continue
		}
		out = append(out, M{
			"InstanceTypeId": t.InstanceTypeId, "InstanceTypeFamily": t.InstanceTypeFamily,
			"CpuCoreCount": t.CpuCoreCount, "MemorySize": float64(t.MemorySize) / 1024,
			"GPUAmount": t.GPUAmount, "GPUSpec": t.GPUSpec, "GPUMemorySize": t.GPUMemorySize,
			"CpuArchitecture": t.CpuArchitecture, "LocalStorageCategory": "",
			"EniQuantity": 3, "InstanceCategory": map[bool]string{true: "GPU-accelerated", false: "General-purpose"}[t.GPUAmount > 0],
		})
	}
	return M{"NextToken": "", "InstanceTypes": M{"InstanceType": out}}, nil
}

func describeSecurityGroups(c *call) (M, *apiError) {
	p := c.p
	ids, hasIDs, ae := p.jsonList("SecurityGroupIds", 100, nil)
	if ae != nil {
		return nil, ae
	}
	idSet := setOf(ids)
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 50, defResults: 10, minResults: 1, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	var matched []numbered[catalogSecurityGroup]
	for i, sg := range c.region.SecurityGroups {
		if hasIDs && !idSet[sg.ID] || p.str("SecurityGroupId") != "" && p.str("SecurityGroupId") != sg.ID {
			continue
		}
		if v := p.str("VpcId"); v != "" && v != sg.VpcID {
			continue
		}
		if v := p.str("SecurityGroupName"); v != "" && v != sg.Name {
			continue
		}
		matched = append(matched, numbered[catalogSecurityGroup]{int64(i + 1), sg})
	}
	m := answerPage(pg, matched, "SecurityGroups", "SecurityGroup", func(x numbered[catalogSecurityGroup]) M {
		sg := x.entry
		return M{
			"SecurityGroupId": sg.ID, "SecurityGroupName": sg.Name, "Description": sg.Name + " security group",
			"VpcId": sg.VpcID, "SecurityGroupType": "normal", "CreationTime": "2024-01-01T00:00:00Z",
			"ResourceGroupId": "", "ServiceManaged": false, "Tags": tagsView{Tag: []tagView{}},
		}
	})
	m["RegionId"] = c.regionID()
	return m, nil
}

func init() {
	actions["DescribeRegions"] = actionSpec{describeRegions, false}
	actions["DescribeZones"] = actionSpec{describeZones, true}
	actions["DescribeInstanceTypes"] = actionSpec{describeInstanceTypes, false}
	actions["DescribeSecurityGroups"] = actionSpec{describeSecurityGroups, true}
}
