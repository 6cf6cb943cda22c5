package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

type groupSnapshotView struct {
	SnapshotId                 string `json:"SnapshotId"`
	SourceDiskId               string `json:"SourceDiskId"`
	SourceDiskType             string `json:"SourceDiskType"`
	Progress                   string `json:"Progress"`
	Status                     string `json:"Status"`
	InstantAccess              bool   `json:"InstantAccess"`
	InstantAccessRetentionDays int    `json:"InstantAccessRetentionDays"`
	Available                  bool   `json:"Available"`
	CreationTime               string `json:"CreationTime"`
	SourceDiskSize             string `json:"SourceDiskSize"`
}

type snapshotGroupView struct {
	SnapshotGroupId string   `json:"SnapshotGroupId"`
	Name            string   `json:"Name"`
	Description     string   `json:"Description"`
	InstanceId      string   `json:"InstanceId"`
	CreationTime    string   `json:"CreationTime"`
	Status          string   `json:"Status"`
	ProgressStatus  string   `json:"ProgressStatus"`
	ResourceGroupId string   `json:"ResourceGroupId"`
	Tags            tagsView `json:"Tags"`
	Snapshots       struct {
		Snapshot []groupSnapshotView `json:"Snapshot"`
	} `json:"Snapshots"`
}

// groupStatus: failed if any snapshot failed, progressing while any is,
// accomplished otherwise.
func (e *Emulator) groupStatusLocked(g *snapshotGroup, now time.Time) string {
	status := "accomplished"
	for _, id := range g.SnapshotIDs {
		s := e.st.Snapshots[id]
		if s == nil {
			continue
		}
		switch st, _, _ := s.progress(now); st {
		case "failed":
			return "failed"
		case "progressing":
			status = "progressing"
		}
	}
	return status
}

func (e *Emulator) groupViewLocked(g *snapshotGroup, now time.Time) snapshotGroupView {
	v := snapshotGroupView{
		SnapshotGroupId: g.ID, Name: g.Name, Description: g.Description, InstanceId: g.InstanceID,
		CreationTime: fullTime(g.Created), Status: e.groupStatusLocked(g, now), ProgressStatus: "",
		ResourceGroupId: g.ResourceGroupID, Tags: viewTags(g.Tags),
	}
	v.Snapshots.Snapshot = []groupSnapshotView{}
	for _, id := range g.SnapshotIDs {
		s := e.st.Snapshots[id]
		if s == nil {
			continue
		}
		st, pct, _ := s.progress(now)
		v.Snapshots.Snapshot = append(v.Snapshots.Snapshot, groupSnapshotView{
			SnapshotId: s.ID, SourceDiskId: s.SourceDiskID, SourceDiskType: s.SourceDiskType,
			Progress: strconv.Itoa(pct) + "%", Status: st, InstantAccess: s.InstantAccess,
			Available: st == "accomplished", CreationTime: fullTime(s.Created), SourceDiskSize: strconv.Itoa(s.Size()),
		})
	}
	return v
}

// Size is the source disk size in GiB.
func (s *snapshot) Size() int { return s.SourceDiskSize }

// essdFamily are the categories a snapshot-consistent group accepts.
var essdFamily = map[string]bool{"cloud_essd": true, "cloud_auto": true, "cloud_essd_entry": true}

func badGroupName() *apiError {
	return bad400("InvalidParameter.Name", "The specified parameter Name is not valid.")
}

// groupDisks resolves which disks a CreateSnapshotGroup request covers.
func (c *call) groupDisks() ([]*disk, string, *apiError) {
	p := c.p
	diskIDs, exclude := p.list("DiskId"), p.list("ExcludeDiskId")
	if len(diskIDs) > 0 && len(exclude) > 0 {
		return nil, "", errInvalidParam("ExcludeDiskId")
	}
	instID := p.str("InstanceId")
	if instID == "" && len(diskIDs) == 0 {
		return nil, "", errMissing("InstanceId")
	}
	var disks []*disk
	if instID != "" {
		in := c.findInstance(instID)
		if in == nil {
			return nil, "", errInstanceNotFound()
		}
		want, skip := setOf(diskIDs), setOf(exclude)
		for _, d := range c.e.st.Disks {
			if d.InstanceID == in.ID && !skip[d.ID] && (len(diskIDs) == 0 || want[d.ID]) {
				disks = append(disks, d)
			}
		}
		for _, id := range diskIDs {
			d := c.findDisk(id)
			if d == nil {
				return nil, "", newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
			}
			if d.InstanceID != in.ID {
				return nil, "", newErr(http.StatusBadRequest, "InvalidParameter.DiskId",
					"The specified disk %s is not attached to instance %s.", id, in.ID)
			}
		}
	} else {
		seen := map[string]bool{}
		for _, id := range diskIDs {
			d := c.findDisk(id)
			if d == nil {
				return nil, "", newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			if len(disks) > 0 && disks[0].ZoneID != d.ZoneID {
				return nil, "", newErr(http.StatusBadRequest, "InvalidParameter.DiskId", "The specified disks are not in the same zone.")
			}
			disks = append(disks, d)
		}
	}
	sort.Slice(disks, func(i, j int) bool {
		if disks[i].Type != disks[j].Type {
			return disks[i].Type == "system"
		}
		return disks[i].Device < disks[j].Device || disks[i].Device == disks[j].Device && disks[i].Seq < disks[j].Seq
	})
	return disks, instID, nil
}

func createSnapshotGroup(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		p := c.p
		disks, instID, ae := c.groupDisks()
		if ae != nil {
			return nil, ae
		}
		name, desc := p.str("Name"), p.str("Description")
		if name != "" && !validSnapshotName(name) {
			return nil, badGroupName()
		}
		if desc != "" && !validDescription(desc) {
			return nil, badSnapshotDescription()
		}
		if _, ae := p.boolean("InstantAccess", false); ae != nil {
			return nil, ae
		}
		tags, ae := p.tags("Tag")
		if ae != nil {
			return nil, ae
		}
		if len(disks) == 0 {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter.DiskId", "No disk is selected for the snapshot-consistent group.")
		}
		if len(disks) > 16 {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter.DiskId",
				"A snapshot-consistent group can contain snapshots of at most 16 disks.")
		}
		total := 0
		for _, d := range disks {
			total += d.Size
			if !essdFamily[d.Category] {
				return nil, newErr(http.StatusForbidden, "InvalidDiskCategory.NotSupported",
					"The snapshot-consistent group supports only ESSD, ESSD AutoPL and ESSD Entry disks; disk %s is %s.", d.ID, d.Category)
			}
		}
		if total > 32*1024 {
			return nil, newErr(http.StatusBadRequest, "InvalidParameter.DiskId", "The total size of the disks exceeds 32 TiB.")
		}
		for _, d := range disks {
			if ae := c.snapshotable(d); ae != nil {
				return nil, ae
			}
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		rc, _ := c.e.regionLocked(disks[0].RegionID)
		g := &snapshotGroup{
			Seq: c.e.st.nextSeq(), ID: "ssg-" + rc.Region.idPrefix + randomSuffix(20-len(rc.Region.idPrefix)),
			RegionID: disks[0].RegionID, Name: name, Description: desc, InstanceID: instID,
			ResourceGroupID: p.str("ResourceGroupId"), Tags: tags, Created: c.now,
		}
		if g.InstanceID == "" {
			g.InstanceID = disks[0].InstanceID
		}
		for _, d := range disks {
			s := c.newSnapshot(d, "", "", 0, tags, g.ID)
			g.SnapshotIDs = append(g.SnapshotIDs, s.ID)
		}
		c.e.st.Groups[g.ID] = g
		c.dirty = true
		return M{"SnapshotGroupId": g.ID}, nil
	})
}

var groupStatuses = map[string]bool{"progressing": true, "accomplished": true, "failed": true}

func describeSnapshotGroups(c *call) (M, *apiError) {
	p := c.p
	ids := p.list("SnapshotGroupId")
	if len(ids) > 10 {
		return nil, errInvalidParam("SnapshotGroupId")
	}
	statuses := p.list("Status")
	if len(statuses) > 3 {
		return nil, errInvalidParam("Status")
	}
	for _, s := range statuses {
		if !groupStatuses[s] {
			return nil, newErr(http.StatusForbidden, "InvalidStatus.ValueNotSupported", "The specified Status is not supported.")
		}
	}
	tags, ae := p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	pg, ae := c.page(pageLimits{defResults: 10, minResults: 1, maxResults: 100, tokenOnly: true})
	if ae != nil {
		return nil, ae
	}
	idSet, stSet := setOf(ids), setOf(statuses)
	var matched []*snapshotGroup
	for _, g := range c.e.st.Groups {
		if g.RegionID != c.regionID() || len(ids) > 0 && !idSet[g.ID] {
			continue
		}
		if v := p.str("InstanceId"); v != "" && g.InstanceID != v {
			continue
		}
		if v := p.str("Name"); v != "" && g.Name != v {
			continue
		}
		if len(statuses) > 0 && !stSet[c.e.groupStatusLocked(g, c.now)] {
			continue
		}
		if !hasTags(g.Tags, tags) {
			continue
		}
		matched = append(matched, g)
	}
	return answerPage(pg, matched, "SnapshotGroups", "SnapshotGroup", func(g *snapshotGroup) snapshotGroupView {
		return c.e.groupViewLocked(g, c.now)
	}), nil
}

func (c *call) groupArg() (*snapshotGroup, *apiError) {
	id := c.p.str("SnapshotGroupId")
	if id == "" {
		return nil, errMissing("SnapshotGroupId")
	}
	g := c.e.st.Groups[id]
	if g == nil || c.p.str("RegionId") != "" && c.p.str("RegionId") != g.RegionID {
		return nil, newErr(http.StatusNotFound, "InvalidSnapshotGroupId.NotFound", "The specified SnapshotGroupId does not exist.")
	}
	return g, nil
}

// deleteSnapshotGroup deletes the group and its snapshots (a progressing
// one is cancelled). A snapshot that an image uses, or that a disk was
// created from, is kept, orphaned (no longer in a group): the answer lists
// it as a failed item with the reason, and the group goes anyway.
func deleteSnapshotGroup(c *call) (M, *apiError) {
	g, ae := c.groupArg()
	if ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	items := []M{}
	progress := []M{}
	for _, id := range g.SnapshotIDs {
		s := c.e.st.Snapshots[id]
		if s == nil {
			continue
		}
		if inUse := c.e.snapshotInUseLocked(id, false); inUse != nil {
			s.GroupID = ""
			progress = append(progress, M{"OperationStatus": "Failed", "ErrorCode": inUse.Code, "ErrorMsg": inUse.Message,
				"RelatedItemSet": M{"RelatedItem": []M{{"Name": "SnapshotId", "Value": id}}}})
			continue
		}
		delete(c.e.st.Snapshots, id)
		items = append(items, M{"Name": "SnapshotId", "Value": id})
	}
	delete(c.e.st.Groups, g.ID)
	c.dirty = true
	progress = append([]M{{"OperationStatus": "Success", "ErrorCode": "", "ErrorMsg": "",
		"RelatedItemSet": M{"RelatedItem": items}}}, progress...)
	return M{"OperationProgressSet": M{"OperationProgress": progress}}, nil
}

func modifySnapshotGroup(c *call) (M, *apiError) {
	g, ae := c.groupArg()
	if ae != nil {
		return nil, ae
	}
	name, desc := c.p.str("Name"), c.p.str("Description")
	if name != "" && !validSnapshotName(name) {
		return nil, badGroupName()
	}
	if desc != "" && !validDescription(desc) {
		return nil, badSnapshotDescription()
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	if name != "" {
		g.Name = name
	}
	if c.p.has("Description") {
		g.Description = desc
	}
	c.dirty = true
	return ok()
}

func init() {
	actions["CreateSnapshotGroup"] = actionSpec{createSnapshotGroup, true}
	actions["DescribeSnapshotGroups"] = actionSpec{describeSnapshotGroups, true}
	actions["DeleteSnapshotGroup"] = actionSpec{deleteSnapshotGroup, false}
	actions["ModifySnapshotGroup"] = actionSpec{modifySnapshotGroup, false}
}
