package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

type snapshotView struct {
	SnapshotId                 string `json:"SnapshotId"`
	SnapshotName               string `json:"SnapshotName"`
	Description                string `json:"Description"`
	Status                     string `json:"Status"`
	Progress                   string `json:"Progress"`
	RemainTime                 int    `json:"RemainTime"`
	CreationTime               string `json:"CreationTime"`
	LastModifiedTime           string `json:"LastModifiedTime"`
	SourceDiskId               string `json:"SourceDiskId"`
	SourceDiskType             string `json:"SourceDiskType"`
	SourceDiskSize             string `json:"SourceDiskSize"`
	SourceStorageType          string `json:"SourceStorageType"`
	SnapshotType               string `json:"SnapshotType"`
	Usage                      string `json:"Usage"`
	Category                   string `json:"Category"`
	Encrypted                  bool   `json:"Encrypted"`
	RetentionDays              int    `json:"RetentionDays"`
	InstantAccess              bool   `json:"InstantAccess"`
	InstantAccessRetentionDays int    `json:"InstantAccessRetentionDays"`
	Available                  bool   `json:"Available"`
	RegionId                   string `json:"RegionId"`
	ResourceGroupId            string `json:"ResourceGroupId"`
	SnapshotSN                 string `json:"SnapshotSN"`
	// AutoSnapshotPolicyId names the policy that took an automatic snapshot
	// (unverified: the field is not in the Go SDK's struct; see README).
	AutoSnapshotPolicyId string   `json:"AutoSnapshotPolicyId"`
	Tags                 tagsView `json:"Tags"`
}

func (s *snapshot) view(now time.Time) snapshotView {
	st, pct, remain := s.progress(now)
	typ := "user"
	if s.Auto {
		typ = "auto"
	}
	return snapshotView{
		SnapshotId: s.ID, SnapshotName: s.Name, Description: s.Description, Status: st,
		Progress: strconv.Itoa(pct) + "%", RemainTime: remain, CreationTime: fullTime(s.Created),
		LastModifiedTime: fullTime(s.Modified), SourceDiskId: s.SourceDiskID, SourceDiskType: s.SourceDiskType,
		SourceDiskSize: strconv.Itoa(s.SourceDiskSize), SourceStorageType: "disk", SnapshotType: typ,
		Usage: "none", Category: "standard", Encrypted: s.Encrypted, RetentionDays: s.RetentionDays,
		InstantAccess: s.InstantAccess, Available: st == "accomplished", RegionId: s.RegionID,
		SnapshotSN: "64" + strings.TrimPrefix(s.ID, "s-"), Tags: viewTags(s.Tags), AutoSnapshotPolicyId: s.PolicyID,
	}
}

// validSnapshotName: the name rules plus "may not start with auto".
func validSnapshotName(s string) bool { return validName(s) && !strings.HasPrefix(s, "auto") }

// snapshotable checks the state rules shared by CreateSnapshot and
// CreateSnapshotGroup for one disk.
func (c *call) snapshotable(d *disk) *apiError {
	if d.InstanceID != "" {
		in := c.e.st.Instances[d.InstanceID]
		if in != nil {
			if st := in.status(c.now); st != "Running" && st != "Stopped" {
				return newErr(http.StatusBadRequest, "IncorrectInstanceStatus",
					"The current status of the instance does not support this operation.")
			}
		}
	} else if d.Attached.IsZero() {
		return newErr(http.StatusForbidden, "IncorrectDiskStatus.NeverAttached",
			"The specified disk has never been attached to any instance.")
	}
	n := 0
	for _, s := range c.e.st.Snapshots {
		if s.SourceDiskID != d.ID {
			continue
		}
		n++
		if st, _, _ := s.progress(c.now); st == "progressing" {
			return newErr(http.StatusForbidden, "IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.")
		}
	}
	if n >= 256 {
		return newErr(http.StatusForbidden, "QuotaExceed.Snapshot", "The snapshot quota exceeds.")
	}
	return nil
}

func (c *call) findDisk(id string) *disk {
	d := c.e.st.Disks[id]
	if d == nil {
		return nil
	}
	if r := c.p.str("RegionId"); r != "" && r != d.RegionID {
		return nil
	}
	return d
}

func (c *call) newSnapshot(d *disk, name, desc string, retention int, tags []tag, groupID string) *snapshot {
	rc, _ := c.e.regionLocked(d.RegionID)
	s := &snapshot{
		Seq: c.e.st.nextSeq(), ID: "s-" + rc.Region.idPrefix + randomSuffix(20-len(rc.Region.idPrefix)),
		RegionID: d.RegionID, Name: name, Description: desc, SourceDiskID: d.ID, SourceDiskType: d.Type,
		SourceDiskSize: d.Size, SourceCategory: d.Category, InstanceID: d.InstanceID, GroupID: groupID,
		Encrypted: d.Encrypted, RetentionDays: retention, Tags: append([]tag(nil), tags...),
		Created: c.now, Modified: c.now, Done: c.now.Add(c.e.opts.SnapshotTime), Fail: c.fx.asyncFailure,
		SourceImageID: d.ImageID,
	}
	c.e.st.Snapshots[s.ID] = s
	c.dirty = true
	return s
}

func badSnapshotName() *apiError {
	return bad400("InvalidSnapshotName.Malformed", "The specified parameter SnapshotName is not valid.")
}

func badSnapshotDescription() *apiError {
	// 404, as in the service's error table.
	return newErr(http.StatusNotFound, "InvalidDescription.Malformed", "The specified parameter Description is not valid.")
}

func createSnapshot(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		p := c.p
		if p.str("DiskId") == "" {
			return nil, errMissing("DiskId")
		}
		d := c.findDisk(p.str("DiskId"))
		if d == nil {
			return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
		}
		name, desc := p.str("SnapshotName"), p.str("Description")
		if name != "" && !validSnapshotName(name) {
			return nil, badSnapshotName()
		}
		if desc != "" && !validDescription(desc) {
			return nil, badSnapshotDescription()
		}
		retention, ae := p.integer("RetentionDays", 0, 1, 65536,
			bad400("InvalidRetentionDays.Malformed", "The specified parameter RetentionDays is not valid."))
		if ae != nil {
			return nil, ae
		}
		tags, ae := p.tags("Tag")
		if ae != nil {
			return nil, ae
		}
		if ae := c.snapshotable(d); ae != nil {
			return nil, ae
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		s := c.newSnapshot(d, name, desc, retention, tags, "")
		return M{"SnapshotId": s.ID}, nil
	})
}

var snapshotStatuses = map[string]bool{"progressing": true, "accomplished": true, "failed": true, "all": true}

func describeSnapshots(c *call) (M, *apiError) {
	p := c.p
	ids, hasIDs, ae := p.jsonList("SnapshotIds", 100,
		newErr(http.StatusForbidden, "InvalidSnapshotIds.Malformed", "The specified parameter SnapshotIds is not valid."))
	if ae != nil {
		return nil, ae
	}
	status := p.str("Status")
	if status != "" && !snapshotStatuses[status] {
		return nil, newErr(http.StatusNotFound, "InvalidStatus.NotFound", "The specified Status is not found.")
	}
	switch p.str("SnapshotType") {
	case "", "all", "user", "auto":
	default:
		return nil, newErr(http.StatusNotFound, "InvalidSnapshotType.NotFound", "The specified SnapshotType is not found.")
	}
	srcType := strings.ToLower(p.str("SourceDiskType"))
	switch srcType {
	case "", "system", "data":
	default:
		return nil, bad400("InvalidSourceDiskType", "The specified SourceDiskType is not valid.")
	}
	switch p.str("Usage") {
	case "", "none", "image", "disk", "image_disk":
	default:
		return nil, bad400("InvalidUsage", "The specified Usage is not valid.")
	}
	var from, to time.Time
	for _, f := range p.structs("Filter") {
		t, err := time.Parse("2006-01-02T15:04Z", f["Value"])
		switch f["Key"] {
		case "CreationStartTime":
			from = t
		case "CreationEndTime":
			to = t
		default:
			return nil, newErr(http.StatusNotFound, "InvalidFilterKey.NotFound", "The specified filter key is not found.")
		}
		if err != nil {
			return nil, bad400("InvalidFilterValue", "The specified filter value is not valid.")
		}
	}
	tags, ae := p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 1, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	idSet := setOf(ids)
	var matched []*snapshot
	for _, s := range c.e.st.Snapshots {
		if s.RegionID != c.regionID() || hasIDs && !idSet[s.ID] {
			continue
		}
		if v := p.str("InstanceId"); v != "" && s.InstanceID != v {
			continue
		}
		if v := p.str("DiskId"); v != "" && s.SourceDiskID != v {
			continue
		}
		if v := p.str("SnapshotName"); v != "" && s.Name != v {
			continue
		}
		if st, _, _ := s.progress(c.now); status != "" && status != "all" && st != status {
			continue
		}
		if typ := p.str("SnapshotType"); typ == "auto" && !s.Auto || typ == "user" && s.Auto || srcType != "" && s.SourceDiskType != srcType {
			continue
		}
		if u := p.str("Usage"); u != "" && u != c.e.snapshotUsageLocked(s.ID) {
			continue
		}
		if v := p.str("Encrypted"); v != "" && (v == "true") != s.Encrypted {
			continue
		}
		if !from.IsZero() && s.Created.Before(from) || !to.IsZero() && s.Created.After(to) {
			continue
		}
		if !hasTags(s.Tags, tags) {
			continue
		}
		matched = append(matched, s)
	}
	return answerPage(pg, matched, "Snapshots", "Snapshot", func(s *snapshot) snapshotView { return c.e.snapshotViewLocked(s, c.now) }), nil
}

func (c *call) snapshotArg() (*snapshot, *apiError) {
	id := c.p.str("SnapshotId")
	if id == "" {
		return nil, errMissing("SnapshotId")
	}
	s := c.e.st.Snapshots[id]
	if s == nil || c.p.str("RegionId") != "" && c.p.str("RegionId") != s.RegionID {
		return nil, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.")
	}
	return s, nil
}

func deleteSnapshot(c *call) (M, *apiError) {
	s, ae := c.snapshotArg()
	if ae != nil {
		return nil, ae
	}
	force, ae := c.p.boolean("Force", false)
	if ae != nil {
		return nil, ae
	}
	if ae := c.e.snapshotInUseLocked(s.ID, force); ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	c.e.deleteSnapshotLocked(s)
	c.dirty = true
	return ok()
}

// deleteSnapshotLocked removes a snapshot and its place in its group.
func (e *Emulator) deleteSnapshotLocked(s *snapshot) {
	delete(e.st.Snapshots, s.ID)
	if g := e.st.Groups[s.GroupID]; g != nil {
		kept := g.SnapshotIDs[:0]
		for _, id := range g.SnapshotIDs {
			if id != s.ID {
				kept = append(kept, id)
			}
		}
		g.SnapshotIDs = kept
	}
}

func modifySnapshotAttribute(c *call) (M, *apiError) {
	s, ae := c.snapshotArg()
	if ae != nil {
		return nil, ae
	}
	p := c.p
	if !p.has("SnapshotName") && !p.has("Description") && !p.has("RetentionDays") && !p.has("DisableInstantAccess") {
		return nil, bad400("NoAttributeToModify", "No attribute to be modified in this request.")
	}
	name, desc := p.str("SnapshotName"), p.str("Description")
	if name != "" && !validSnapshotName(name) {
		return nil, badSnapshotName()
	}
	if len([]rune(desc)) > 256 || strings.HasPrefix(desc, "http://") || strings.HasPrefix(desc, "https://") {
		return nil, badSnapshotDescription()
	}
	badRet := bad400("InvalidRetentionDays.Malformed", "The specified parameter RetentionDays is not valid.")
	retention, ae := p.integer("RetentionDays", s.RetentionDays, 1, 65536, badRet)
	if ae != nil {
		return nil, ae
	}
	if s.RetentionDays > 0 && retention < s.RetentionDays {
		return nil, badRet // retention may only be extended
	}
	if _, ae := p.boolean("DisableInstantAccess", false); ae != nil {
		return nil, ae
	}
	if name != "" {
		s.Name = name
	}
	if p.has("Description") {
		s.Description = desc
	}
	s.RetentionDays = retention
	s.Modified = c.now
	c.dirty = true
	return ok()
}

func init() {
	actions["CreateSnapshot"] = actionSpec{createSnapshot, false}
	actions["DescribeSnapshots"] = actionSpec{describeSnapshots, true}
	actions["DeleteSnapshot"] = actionSpec{deleteSnapshot, false}
	actions["ModifySnapshotAttribute"] = actionSpec{modifySnapshotAttribute, false}
}
