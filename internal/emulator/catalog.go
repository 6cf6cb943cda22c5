package emulator

import (
	"crypto/sha256"
	"regexp"
	"strings"
)

// The seeded catalog. Ids are derived from names with a hash, so they are
// stable across runs and versions and look like real ids.

type catalogRegion struct {
	RegionId       string `json:"RegionId"`
	LocalName      string `json:"LocalName"`
	RegionEndpoint string `json:"RegionEndpoint"`
	Status         string `json:"Status"`
	idPrefix       string
}

type catalogZone struct {
	ZoneId    string `json:"ZoneId"`
	RegionId  string `json:"RegionId"`
	LocalName string `json:"LocalName"`
}

type catalogImage struct {
	ImageId      string `json:"ImageId"`
	ImageName    string `json:"ImageName"`
	OSType       string `json:"OSType"`
	OSName       string `json:"OSName"`
	OSNameEn     string `json:"OSNameEn"`
	Platform     string `json:"Platform"`
	Architecture string `json:"Architecture"`
	Size         int    `json:"Size"`
	Description  string `json:"Description"`
	GPUReady     bool   `json:"GPUReady"`
}

type catalogInstanceType struct {
	InstanceTypeId     string `json:"InstanceTypeId"`
	InstanceTypeFamily string `json:"InstanceTypeFamily"`
	CpuCoreCount       int    `json:"CpuCoreCount"`
	MemorySize         int    `json:"MemoryMiB"`
	GPUAmount          int    `json:"GPUAmount"`
	GPUSpec            string `json:"GPUSpec"`
	// GPUMemorySize is GiB per GPU; CpuArchitecture X86 or ARM.
	GPUMemorySize   float64 `json:"GPUMemorySize"`
	CpuArchitecture string  `json:"CpuArchitecture"`
	// PricePerHour is the on-demand list price in cn-hangzhou, CNY (prices.go).
	PricePerHour float64 `json:"PricePerHour"`
}

type catalogVSwitch struct {
	ID        string `json:"id"`
	ZoneID    string `json:"zone_id"`
	VpcID     string `json:"vpc_id"`
	RegionID  string `json:"region_id"`
	CidrBlock string `json:"cidr_block"`
	ipBase    [3]byte
}

type catalogSecurityGroup struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	VpcID    string `json:"vpc_id"`
	RegionID string `json:"region_id"`
}

// catalogKeyPair is a key pair of a region.
type catalogKeyPair struct {
	Name        string `json:"name"`
	RegionID    string `json:"region_id"`
	Fingerprint string `json:"fingerprint"`
}

// regionCatalog is everything the emulator knows about one region.
type regionCatalog struct {
	Region catalogRegion
	Zones  []catalogZone
	VpcID  string // the first VPC, which holds one vSwitch per zone
	// OtherVpcIDs are further VPCs (the default region has one, with one
	// vSwitch and one security group), for tests of mismatched networks.
	OtherVpcIDs    []string
	VSwitches      []catalogVSwitch
	SecurityGroups []catalogSecurityGroup
	KeyPairs       []catalogKeyPair
}

// DefaultRegion is the region the examples and tests use; its catalog has a
// second VPC.
const DefaultRegion = "cn-hangzhou"

// catalogKeyPairNames are the key pairs every region has.
var catalogKeyPairNames = []string{"default-key", "deploy-key"}

var seededRegions = []catalogRegion{
	{RegionId: "cn-hangzhou", LocalName: "华东1（杭州）", idPrefix: "bp1"},
	{RegionId: "cn-shanghai", LocalName: "华东2（上海）", idPrefix: "uf6"},
	{RegionId: "cn-beijing", LocalName: "华北2（北京）", idPrefix: "2ze"},
	{RegionId: "ap-southeast-1", LocalName: "新加坡", idPrefix: "t4n"},
	{RegionId: "us-west-1", LocalName: "美国（硅谷）", idPrefix: "rj9"},
}

var seededZoneLetters = map[string][]string{
	"cn-hangzhou":    {"h", "i", "j"},
	"cn-shanghai":    {"e", "f", "g"},
	"cn-beijing":     {"g", "h", "i"},
	"ap-southeast-1": {"a", "b", "c"},
	"us-west-1":      {"a", "b"},
}

var catalogImages = []catalogImage{
	{ImageId: "ubuntu_22_04_x64_20G_alibase_20240101.vhd", ImageName: "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
		OSType: "linux", OSName: "Ubuntu  22.04 64位", OSNameEn: "Ubuntu  22.04 64 bit", Platform: "Ubuntu",
		Architecture: "x86_64", Size: 20, Description: "Ubuntu 22.04 LTS"},
	{ImageId: "aliyun_3_x64_20G_alibase_20240101.vhd", ImageName: "aliyun_3_x64_20G_alibase_20240101.vhd",
		OSType: "linux", OSName: "Alibaba Cloud Linux  3.2104 LTS 64位", OSNameEn: "Alibaba Cloud Linux  3.2104 LTS 64 bit",
		Platform: "Aliyun", Architecture: "x86_64", Size: 20, Description: "Alibaba Cloud Linux 3"},
	{ImageId: "debian_12_x64_20G_alibase_20240101.vhd", ImageName: "debian_12_x64_20G_alibase_20240101.vhd",
		OSType: "linux", OSName: "Debian  12 64位", OSNameEn: "Debian  12 64 bit", Platform: "Debian",
		Architecture: "x86_64", Size: 20, Description: "Debian 12"},
	{ImageId: "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd", ImageName: "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd",
		OSType: "linux", OSName: "Ubuntu  22.04 64位 (GPU, CUDA 12)", OSNameEn: "Ubuntu  22.04 64 bit (GPU, CUDA 12)",
		Platform: "Ubuntu", Architecture: "x86_64", Size: 40, Description: "Ubuntu 22.04 with NVIDIA driver 535 and CUDA 12.2", GPUReady: true},
	{ImageId: "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd", ImageName: "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd",
		OSType: "windows", OSName: "Windows Server  2022 数据中心版 64位英文版", OSNameEn: "Windows Server  2022 Data Center Edition 64bit English Edition",
		Platform: "Windows Server 2022", Architecture: "x86_64", Size: 40, Description: "Windows Server 2022"},
}

var catalogInstanceTypes = []catalogInstanceType{
	{"ecs.t6-c1m2.large", "ecs.t6", 2, 4096, 0, "", 0, "X86", 0.138},
	{"ecs.g7.large", "ecs.g7", 2, 8192, 0, "", 0, "X86", 0.495},
	{"ecs.g7.xlarge", "ecs.g7", 4, 16384, 0, "", 0, "X86", 0.99},
	{"ecs.g7.2xlarge", "ecs.g7", 8, 32768, 0, "", 0, "X86", 1.98},
	{"ecs.c7.large", "ecs.c7", 2, 4096, 0, "", 0, "X86", 0.405},
	{"ecs.c7.xlarge", "ecs.c7", 4, 8192, 0, "", 0, "X86", 0.81},
	{"ecs.r7.large", "ecs.r7", 2, 16384, 0, "", 0, "X86", 0.645},
	{"ecs.g8y.large", "ecs.g8y", 2, 8192, 0, "", 0, "ARM", 0.42},
	{"ecs.g8y.xlarge", "ecs.g8y", 4, 16384, 0, "", 0, "ARM", 0.84},
	{"ecs.gn6i-c4g1.xlarge", "ecs.gn6i", 4, 15360, 1, "NVIDIA T4", 16, "X86", 11.63},
	{"ecs.gn7i-c8g1.2xlarge", "ecs.gn7i", 8, 30720, 1, "NVIDIA A10", 24, "X86", 17.28},
	{"ecs.gn7i-c16g1.4xlarge", "ecs.gn7i", 16, 61440, 1, "NVIDIA A10", 24, "X86", 19.05},
	{"ecs.gn7i-c32g1.8xlarge", "ecs.gn7i", 32, 131072, 1, "NVIDIA A10", 24, "X86", 23.37},
	{"ecs.gn7i-2x.8xlarge", "ecs.gn7i", 32, 131072, 2, "NVIDIA A10", 24, "X86", 34.56},
	{"ecs.gn6v-c8g1.2xlarge", "ecs.gn6v", 8, 32768, 1, "NVIDIA V100", 16, "X86", 26.46},
	{"ecs.gn6v-c8g1.8xlarge", "ecs.gn6v", 32, 131072, 4, "NVIDIA V100", 16, "X86", 105.84},
	{"ecs.gn7-c12g1.3xlarge", "ecs.gn7", 12, 96256, 1, "NVIDIA A100", 40, "X86", 34.74},
	{"ecs.gn7-c13g1.13xlarge", "ecs.gn7", 52, 385024, 4, "NVIDIA A100", 40, "X86", 138.96},
}

// defaultResourceGroupID is the account's default resource group: an
// instance created without ResourceGroupId belongs to it.
const defaultResourceGroupID = "rg-acfmzdefault00001"

var diskCategories = []string{"cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"}

func findImage(id string) *catalogImage {
	for i := range catalogImages {
		if catalogImages[i].ImageId == id {
			return &catalogImages[i]
		}
	}
	return nil
}

func findInstanceType(id string) *catalogInstanceType {
	for i := range catalogInstanceTypes {
		if catalogInstanceTypes[i].InstanceTypeId == id {
			return &catalogInstanceTypes[i]
		}
	}
	return nil
}

// hashID derives a stable id: prefix + region prefix + base36 hash chars, 20 chars after "prefix-".
func hashID(kind, regionPrefix, name string) string {
	sum := sha256.Sum256([]byte(kind + "/" + name))
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('-')
	b.WriteString(regionPrefix)
	for i := 0; b.Len() < len(kind)+1+20; i++ {
		b.WriteByte(idAlphabet[int(sum[i%len(sum)])%len(idAlphabet)])
	}
	return b.String()
}

var regionIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)

// validRegionID accepts any plausible region id (the catalog generates
// unknown ones on demand).
func validRegionID(id string) bool { return len(id) <= 64 && regionIDPattern.MatchString(id) }

// buildRegion returns the catalog of a region: the seeded one, or a generated
// one (zones <region>-a, -b, -c) for any other valid region id.
func buildRegion(id string) *regionCatalog {
	reg := catalogRegion{RegionId: id, LocalName: id, idPrefix: ""}
	letters := []string{"a", "b", "c"}
	seeded := false
	for _, r := range seededRegions {
		if r.RegionId == id {
			reg, letters, seeded = r, seededZoneLetters[id], true
		}
	}
	if !seeded {
		reg.idPrefix = hashID("x", "", id)[2:5]
	}
	reg.RegionEndpoint = "ecs." + id + ".aliyuncs.com"
	reg.Status = "available"
	rc := &regionCatalog{Region: reg}
	rc.VpcID = hashID("vpc", reg.idPrefix, id)
	sep := "-"
	if strings.HasPrefix(id, "ap-southeast-") || strings.HasPrefix(id, "us-") {
		sep = ""
	}
	for i, l := range letters {
		zid := id + sep + l
		rc.Zones = append(rc.Zones, catalogZone{ZoneId: zid, RegionId: id, LocalName: zid})
		rc.VSwitches = append(rc.VSwitches, catalogVSwitch{
			ID: hashID("vsw", reg.idPrefix, zid), ZoneID: zid, VpcID: rc.VpcID, RegionID: id,
			CidrBlock: "172.16." + itoa(i*16) + ".0/20", ipBase: [3]byte{172, 16, byte(i * 16)},
		})
	}
	for _, name := range []string{"default", "web"} {
		rc.SecurityGroups = append(rc.SecurityGroups, catalogSecurityGroup{
			ID: hashID("sg", reg.idPrefix, id+"/"+name), Name: name, VpcID: rc.VpcID, RegionID: id,
		})
	}
	if id == DefaultRegion {
		// A second VPC with its own vSwitch (first zone) and security group.
		vpc2 := hashID("vpc", reg.idPrefix, id+"/second")
		rc.OtherVpcIDs = append(rc.OtherVpcIDs, vpc2)
		zid := rc.Zones[0].ZoneId
		rc.VSwitches = append(rc.VSwitches, catalogVSwitch{
			ID: hashID("vsw", reg.idPrefix, zid+"/second"), ZoneID: zid, VpcID: vpc2, RegionID: id,
			CidrBlock: "10.0.0.0/24", ipBase: [3]byte{10, 0, 0},
		})
		rc.SecurityGroups = append(rc.SecurityGroups, catalogSecurityGroup{
			ID: hashID("sg", reg.idPrefix, id+"/second/default"), Name: "second-vpc", VpcID: vpc2, RegionID: id,
		})
	}
	for _, name := range catalogKeyPairNames {
		sum := sha256.Sum256([]byte("kp/" + id + "/" + name))
		fp := make([]string, 16)
		for i := range fp {
			fp[i] = hex2(sum[i])
		}
		rc.KeyPairs = append(rc.KeyPairs, catalogKeyPair{Name: name, RegionID: id, Fingerprint: strings.Join(fp, ":")})
	}
	return rc
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

func (rc *regionCatalog) keyPair(name string) *catalogKeyPair {
	for i := range rc.KeyPairs {
		if rc.KeyPairs[i].Name == name {
			return &rc.KeyPairs[i]
		}
	}
	return nil
}

func (rc *regionCatalog) zone(id string) *catalogZone {
	for i := range rc.Zones {
		if rc.Zones[i].ZoneId == id {
			return &rc.Zones[i]
		}
	}
	return nil
}

func (rc *regionCatalog) vswitch(id string) *catalogVSwitch {
	for i := range rc.VSwitches {
		if rc.VSwitches[i].ID == id {
			return &rc.VSwitches[i]
		}
	}
	return nil
}

func (rc *regionCatalog) securityGroup(id string) *catalogSecurityGroup {
	for i := range rc.SecurityGroups {
		if rc.SecurityGroups[i].ID == id {
			return &rc.SecurityGroups[i]
		}
	}
	return nil
}
