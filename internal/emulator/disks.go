package emulator

import (
	"net/http"
	"time"
)

type diskView struct {
	DiskId             string `json:"DiskId"`
	DiskName           string `json:"DiskName"`
	Description        string `json:"Description"`
	Type               string `json:"Type"`
	Category           string `json:"Category"`
	Size               int    `json:"Size"`
	Status             string `json:"Status"`
	InstanceId         string `json:"InstanceId"`
	Device             string `json:"Device"`
	DeleteWithInstance bool   `json:"DeleteWithInstance"`
	DeleteAutoSnapshot bool   `json:"DeleteAutoSnapshot"`
	// AutoSnapshotPolicyId is the policy applied to the disk ("" = none).
	AutoSnapshotPolicyId string   `json:"AutoSnapshotPolicyId"`
	EnableAutoSnapshot   bool     `json:"EnableAutoSnapshot"`
	Portable             bool     `json:"Portable"`
	PerformanceLevel     string   `json:"PerformanceLevel"`
	ZoneId               string   `json:"ZoneId"`
	RegionId             string   `json:"RegionId"`
	CreationTime         string   `json:"CreationTime"`
	AttachedTime         string   `json:"AttachedTime"`
	DetachedTime         string   `json:"DetachedTime"`
	DiskChargeType       string   `json:"DiskChargeType"`
	ImageId              string   `json:"ImageId"`
	SourceSnapshotId     string   `json:"SourceSnapshotId"`
	Encrypted            bool     `json:"Encrypted"`
	KMSKeyId             string   `json:"KMSKeyId"`
	BdfId                string   `json:"BdfId"`
	Tags                 tagsView `json:"Tags"`
	OperationLocks       struct {
		OperationLock []M `json:"OperationLock"`
	} `json:"OperationLocks"`
}

func (d *disk) view(time.Time) diskView {
	v := diskView{
		DiskId: d.ID, DiskName: d.Name, Description: d.Description, Type: d.Type, Category: d.Category,
		Size: d.Size, Status: d.status(), InstanceId: d.InstanceID, Device: d.Device,
		DeleteWithInstance: d.DeleteWithInstance, DeleteAutoSnapshot: !d.KeepAutoSnapshots, EnableAutoSnapshot: true,
		AutoSnapshotPolicyId: d.PolicyID,
		Portable:             d.Type == "data", PerformanceLevel: d.PerformanceLevel, ZoneId: d.ZoneID, RegionId: d.RegionID,
		CreationTime: fullTime(d.Created), AttachedTime: fullTime(d.Attached), DetachedTime: fullTime(d.Detached),
		DiskChargeType: "PostPaid", ImageId: d.ImageID, SourceSnapshotId: d.SourceSnapshotID, Encrypted: d.Encrypted,
		KMSKeyId: d.KMSKeyID,
		Tags:     viewTags(d.Tags),
	}
	v.OperationLocks.OperationLock = []M{}
	return v
}

var diskStatuses = map[string]bool{"In_use": true, "Available": true, "Attaching": true, "Detaching": true,
	"Creating": true, "ReIniting": true, "All": true}

func describeDisks(c *call) (M, *apiError) {
	p := c.p
	ids, hasIDs, ae := p.jsonList("DiskIds", 100,
		newErr(http.StatusForbidden, "InvalidDiskIds.Malformed", "The specified parameter DiskIds is not valid."))
	if ae != nil {
		return nil, ae
	}
	dtype := p.str("DiskType")
	switch dtype {
	case "", "all", "system", "data":
	default:
		return nil, bad400("InvalidDiskType.ValueNotSupported", "The specified DiskType is not valid.")
	}
	if cat := p.str("Category"); cat != "" && cat != "all" {
		if _, ok := diskSizeRange[cat]; !ok {
			return nil, bad400("InvalidCategory.ValueNotSupported", "The specified Category is not valid.")
		}
	}
	status := p.str("Status")
	if status != "" && !diskStatuses[status] {
		return nil, bad400("InvalidStatus.ValueNotSupported", "The specified Status is not valid.")
	}
	tags, ae := p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	dwi, hasDWI := p["DeleteWithInstance"]
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 1, maxResults: 500})
	if ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	idSet := setOf(ids)
	var matched []*disk
	for _, d := range c.e.st.Disks {
		if d.RegionID != c.regionID() || hasIDs && !idSet[d.ID] {
			continue
		}
		if v := p.str("ZoneId"); v != "" && d.ZoneID != v {
			continue
		}
		if v := p.str("InstanceId"); v != "" && d.InstanceID != v {
			continue
		}
		if dtype != "" && dtype != "all" && d.Type != dtype {
			continue
		}
		if v := p.str("Category"); v != "" && v != "all" && d.Category != v {
			continue
		}
		if status != "" && status != "All" && d.status() != status {
			continue
		}
		if v := p.str("SnapshotId"); v != "" && d.SourceSnapshotID != v {
			continue
		}
		if v := p.str("AutoSnapshotPolicyId"); v != "" && d.PolicyID != v {
			continue
		}
		if hasDWI && (dwi == "true") != d.DeleteWithInstance {
			continue
		}
		if !hasTags(d.Tags, tags) {
			continue
		}
		matched = append(matched, d)
	}
	return answerPage(pg, matched, "Disks", "Disk", func(d *disk) diskView { return d.view(c.now) }), nil
}

func init() { actions["DescribeDisks"] = actionSpec{describeDisks, true} }
