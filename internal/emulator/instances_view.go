package emulator

import "time"

// The JSON shapes of the instance answers (DescribeInstances,
// DescribeInstanceAttribute). Field names are case-sensitive for the SDKs,
// lists are objects that wrap an array ({"IpAddress": [...]}, empty rather
// than absent), tags are {"Tag": [{"TagKey", "TagValue"}]}, and instance
// times have no seconds (instanceTime).

type ipList struct {
	IpAddress []string `json:"IpAddress"`
}

type tagView struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type tagsView struct {
	Tag []tagView `json:"Tag"`
}

func viewTags(ts []tag) tagsView {
	out := tagsView{Tag: make([]tagView, 0, len(ts))}
	for _, t := range ts {
		out.Tag = append(out.Tag, tagView{t.Key, t.Value})
	}
	return out
}

type vpcAttributes struct {
	VpcId            string `json:"VpcId"`
	VSwitchId        string `json:"VSwitchId"`
	NatIpAddress     string `json:"NatIpAddress"`
	PrivateIpAddress ipList `json:"PrivateIpAddress"`
}

type eipAddress struct {
	AllocationId         string `json:"AllocationId"`
	IpAddress            string `json:"IpAddress"`
	Bandwidth            int    `json:"Bandwidth"`
	InternetChargeType   string `json:"InternetChargeType"`
	IsSupportUnassociate bool   `json:"IsSupportUnassociate"`
}

type privateIpSet struct {
	PrivateIpAddress string `json:"PrivateIpAddress"`
	Primary          bool   `json:"Primary"`
}

type networkInterfaceView struct {
	NetworkInterfaceId string `json:"NetworkInterfaceId"`
	Type               string `json:"Type"`
	PrimaryIpAddress   string `json:"PrimaryIpAddress"`
	MacAddress         string `json:"MacAddress"`
	PrivateIpSets      struct {
		PrivateIpSet []privateIpSet `json:"PrivateIpSet"`
	} `json:"PrivateIpSets"`
}

type lockReason struct {
	LockReason string `json:"LockReason"`
	LockMsg    string `json:"LockMsg"`
}

type lockReasons struct {
	LockReason []lockReason `json:"LockReason"`
}

type instanceView struct {
	InstanceId               string `json:"InstanceId"`
	InstanceName             string `json:"InstanceName"`
	Description              string `json:"Description"`
	HostName                 string `json:"HostName"`
	Status                   string `json:"Status"`
	AutoReleaseTime          string `json:"AutoReleaseTime"`
	DeletionProtection       bool   `json:"DeletionProtection"`
	InstanceType             string `json:"InstanceType"`
	InstanceTypeFamily       string `json:"InstanceTypeFamily"`
	Cpu                      int    `json:"Cpu"`
	Memory                   int    `json:"Memory"`
	GPUAmount                int    `json:"GPUAmount"`
	GPUSpec                  string `json:"GPUSpec"`
	ImageId                  string `json:"ImageId"`
	OSName                   string `json:"OSName"`
	OSNameEn                 string `json:"OSNameEn"`
	OSType                   string `json:"OSType"`
	RegionId                 string `json:"RegionId"`
	ZoneId                   string `json:"ZoneId"`
	CreationTime             string `json:"CreationTime"`
	StartTime                string `json:"StartTime"`
	ExpiredTime              string `json:"ExpiredTime"`
	InstanceChargeType       string `json:"InstanceChargeType"`
	InternetChargeType       string `json:"InternetChargeType"`
	InternetMaxBandwidthIn   int    `json:"InternetMaxBandwidthIn"`
	InternetMaxBandwidthOut  int    `json:"InternetMaxBandwidthOut"`
	SpotStrategy             string `json:"SpotStrategy"`
	SpotPriceLimit           float64
	SpotDuration             int
	SpotInterruptionBehavior string
	IsSpot                   bool
	StoppedMode              string `json:"StoppedMode"`
	SaleCycle                string `json:"SaleCycle"`
	InstanceNetworkType      string `json:"InstanceNetworkType"`
	IoOptimized              bool   `json:"IoOptimized"`
	VpcAttributes            vpcAttributes
	SecurityGroupIds         struct {
		SecurityGroupId []string `json:"SecurityGroupId"`
	}
	PublicIpAddress   ipList
	InnerIpAddress    ipList
	EipAddress        eipAddress
	NetworkInterfaces struct {
		NetworkInterface []networkInterfaceView `json:"NetworkInterface"`
	}
	Tags                 tagsView
	OperationLocks       lockReasons
	KeyPairName          string
	ResourceGroupId      string
	SerialNumber         string
	DeploymentSetId      string
	Recyclable           bool
	DeviceAvailable      bool
	LocalStorageAmount   int
	LocalStorageCapacity int64
	VlanId               string
	CreditSpecification  string
	MetadataOptions      struct {
		HttpEndpoint string
		HttpTokens   string
	}
	CpuOptions struct {
		CoreCount      int
		ThreadsPerCore int
		Numa           string
	}
}

// expiredTimeDefault is what the service reports for pay-as-you-go instances.
const expiredTimeDefault = "2099-12-31T15:59Z"

func (in *instance) view(now time.Time) instanceView {
	st := in.status(now)
	v := instanceView{
		InstanceId: in.ID, InstanceName: in.Name, Description: in.Description, HostName: in.HostName,
		Status: st, AutoReleaseTime: instanceTime(in.AutoRelease), DeletionProtection: in.DeletionProtection,
		InstanceType: in.InstanceType, ImageId: in.ImageID, RegionId: in.RegionID, ZoneId: in.ZoneID,
		CreationTime: instanceTime(in.Created), InstanceChargeType: in.ChargeType,
		InternetChargeType: in.InternetChargeType, InternetMaxBandwidthIn: -1, InternetMaxBandwidthOut: in.BandwidthOut,
		SpotStrategy: in.SpotStrategy, SpotPriceLimit: in.SpotPriceLimit, InstanceNetworkType: "vpc", IoOptimized: true,
		KeyPairName: in.KeyPairName, ResourceGroupId: in.ResourceGroupID, SerialNumber: in.SerialNumber,
		DeviceAvailable: true, StoppedMode: "Not-applicable",
	}
	if in.BandwidthOut > 0 {
		v.InternetMaxBandwidthIn = 100
	}
	if st == "Stopped" && in.StoppedMode != "" {
		v.StoppedMode = in.StoppedMode
	}
	if !in.Started.IsZero() && !now.Before(in.Started) {
		v.StartTime = instanceTime(in.Started)
	}
	v.ExpiredTime = expiredTimeDefault
	if in.ChargeType == "PrePaid" {
		v.ExpiredTime = instanceTime(in.ExpiredTime)
		v.SaleCycle = "Month"
	}
	if t := findInstanceType(in.InstanceType); t != nil {
		v.InstanceTypeFamily, v.Cpu, v.Memory, v.GPUAmount, v.GPUSpec = t.InstanceTypeFamily, t.CpuCoreCount, t.MemorySize, t.GPUAmount, t.GPUSpec
		v.CpuOptions.CoreCount, v.CpuOptions.ThreadsPerCore = max(1, t.CpuCoreCount/2), 2
	}
	if img := in.osImage(); img != nil {
		v.OSName, v.OSNameEn, v.OSType = img.OSName, img.OSNameEn, img.OSType
	}
	v.VpcAttributes = vpcAttributes{VpcId: in.VpcID, VSwitchId: in.VSwitchID, PrivateIpAddress: ipList{[]string{in.PrivateIP}}}
	v.SecurityGroupIds.SecurityGroupId = append([]string{}, in.SecurityGroupIDs...)
	v.PublicIpAddress.IpAddress = []string{}
	if in.PublicIP != "" {
		v.PublicIpAddress.IpAddress = []string{in.PublicIP}
	}
	v.InnerIpAddress.IpAddress = []string{}
	eni := networkInterfaceView{NetworkInterfaceId: in.ENIID, Type: "Primary", PrimaryIpAddress: in.PrivateIP, MacAddress: in.MAC}
	eni.PrivateIpSets.PrivateIpSet = []privateIpSet{{PrivateIpAddress: in.PrivateIP, Primary: true}}
	v.NetworkInterfaces.NetworkInterface = []networkInterfaceView{eni}
	v.Tags = viewTags(in.Tags)
	v.OperationLocks.LockReason = []lockReason{}
	in.spotView(&v) // spot.go
	v.MetadataOptions.HttpEndpoint, v.MetadataOptions.HttpTokens = "enabled", "optional"
	return v
}

// attributeView is DescribeInstanceAttribute's flat object: no
// AutoReleaseTime and no DeletionProtection, as on the real service.
func (in *instance) attributeView(now time.Time) M {
	v := in.view(now)
	return M{
		"InstanceId": v.InstanceId, "InstanceName": v.InstanceName, "Description": v.Description,
		"HostName": v.HostName, "ImageId": v.ImageId, "InstanceType": v.InstanceType, "RegionId": v.RegionId,
		"ZoneId": v.ZoneId, "Status": v.Status, "StoppedMode": v.StoppedMode, "CreationTime": v.CreationTime,
		"ExpiredTime": v.ExpiredTime, "InstanceChargeType": v.InstanceChargeType,
		"InternetChargeType": v.InternetChargeType, "InternetMaxBandwidthIn": v.InternetMaxBandwidthIn,
		"InternetMaxBandwidthOut": v.InternetMaxBandwidthOut, "Cpu": v.Cpu, "Memory": v.Memory,
		"IoOptimized": "optimized", "InstanceNetworkType": "vpc", "SerialNumber": v.SerialNumber,
		"ClusterId": "", "VlanId": "", "CreditSpecification": "", "EnableJumboFrame": false,
		"SecurityGroupIds": v.SecurityGroupIds, "PublicIpAddress": v.PublicIpAddress,
		"InnerIpAddress": v.InnerIpAddress, "VpcAttributes": v.VpcAttributes, "EipAddress": v.EipAddress,
		"DedicatedHostAttribute": M{"DedicatedHostId": "", "DedicatedHostName": ""},
		"OperationLocks":         v.OperationLocks,
	}
}
