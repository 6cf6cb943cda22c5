package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// Automatic snapshot policies (CreateAutoSnapshotPolicy and friends). A
// policy lists hours of the day (TimePoints, 0–23) and days of the week
// (RepeatWeekdays, 1 = Monday … 7 = Sunday), both read in UTC+8 as the
// service documents; at each such hour it takes one snapshot of every disk
// it is applied to (SnapshotType "auto", named auto_yyyyMMdd_HH, the policy
// id in AutoSnapshotPolicyId) and keeps it RetentionDays days (-1 = until
// deleted). The policy runs on the emulator clock: when the clock moves,
// runPoliciesLocked computes the due points between the last run and now
// (no ticking), so a jump of days costs one pass over its hours.

// policyZone is the time zone of TimePoints and RepeatWeekdays.
var policyZone = time.FixedZone("UTC+8", 8*3600)

// maxAutoSnapshotsPerDisk is the per-disk snapshot quota (snapshots.go):
// an automatic snapshot beyond it replaces the disk's oldest automatic one.
const maxAutoSnapshotsPerDisk = 256

type autoSnapshotPolicy struct {
	Seq           int64     `json:"seq"`
	ID            string    `json:"id"`
	RegionID      string    `json:"region_id"`
	Name          string    `json:"name"`
	TimePoints    []int     `json:"time_points"`
	Weekdays      []int     `json:"repeat_weekdays"`
	RetentionDays int       `json:"retention_days"` // -1 = forever
	Tags          []tag     `json:"tags"`
	Created       time.Time `json:"created"`
	// RanUntil: every due point up to and including it has run.
	RanUntil time.Time `json:"ran_until"`
	// Taken counts the snapshots the policy took (State reports it).
	Taken int `json:"taken"`
}

func (p *autoSnapshotPolicy) sequence() int64 { return p.Seq }

type autoSnapshotPolicyView struct {
	AutoSnapshotPolicyId         string   `json:"AutoSnapshotPolicyId"`
	AutoSnapshotPolicyName       string   `json:"AutoSnapshotPolicyName"`
	TimePoints                   string   `json:"TimePoints"`
	RepeatWeekdays               string   `json:"RepeatWeekdays"`
	RetentionDays                int      `json:"RetentionDays"`
	DiskNums                     int      `json:"DiskNums"`
	VolumeNums                   int      `json:"VolumeNums"`
	CreationTime                 string   `json:"CreationTime"`
	Status                       string   `json:"Status"`
	RegionId                     string   `json:"RegionId"`
	ResourceGroupId              string   `json:"ResourceGroupId"`
	Type                         string   `json:"Type"`
	EnableCrossRegionCopy        bool     `json:"EnableCrossRegionCopy"`
	TargetCopyRegions            string   `json:"TargetCopyRegions"`
	CopiedSnapshotsRetentionDays int      `json:"CopiedSnapshotsRetentionDays"`
	Tags                         tagsView `json:"Tags"`
	// Taken is not an API field: State reports it for tests.
	Taken int `json:"-"`
}

// AutoSnapshotPolicy is a policy as State reports it.
type AutoSnapshotPolicy struct {
	autoSnapshotPolicyView
	// SnapshotsTaken counts every snapshot the policy took, expired ones too.
	SnapshotsTaken int `json:"snapshots_taken"`
}

// jsonInts writes a list as the service does: a JSON array of strings.
func jsonInts(list []int) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = strconv.Itoa(v)
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func (e *Emulator) policyViewLocked(p *autoSnapshotPolicy) autoSnapshotPolicyView {
	n := 0
	for _, d := range e.st.Disks {
		if d.PolicyID == p.ID {
			n++
		}
	}
	return autoSnapshotPolicyView{
		AutoSnapshotPolicyId: p.ID, AutoSnapshotPolicyName: p.Name, TimePoints: jsonInts(p.TimePoints),
		RepeatWeekdays: jsonInts(p.Weekdays), RetentionDays: p.RetentionDays, DiskNums: n,
		CreationTime: fullTime(p.Created), Status: "Normal", RegionId: p.RegionID, Type: "Custom",
		CopiedSnapshotsRetentionDays: -1, Tags: viewTags(p.Tags), Taken: p.Taken,
	}
}

// intList parses a JSON array of integers, given as strings ("1") or
// numbers (1), each within [lo, hi], without repeats; sorted.
func intList(v string, lo, hi, maxLen int) ([]int, bool) {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(v), &raw); err != nil || len(raw) == 0 || len(raw) > maxLen {
		return nil, false
	}
	seen := map[int]bool{}
	out := make([]int, 0, len(raw))
	for _, r := range raw {
		var n int
		var s string
		if json.Unmarshal(r, &s) == nil {
			var err error
			if n, err = strconv.Atoi(s); err != nil {
				return nil, false
			}
		} else if json.Unmarshal(r, &n) != nil {
			return nil, false
		}
		if n < lo || n > hi || seen[n] {
			return nil, false
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Ints(out)
	return out, true
}

func badTimePoints() *apiError {
	return bad400("InvalidTimePoints.Malformed", "The specified parameter timePoints is not valid.")
}

func badWeekdays() *apiError {
	return bad400("InvalidRepeatWeekdays.Malformed", "The specified parameter repeatWeekdays is not valid.")
}

func badPolicyRetention() *apiError {
	return bad400("InvalidRetentionDays.Malformed", "The specified parameter retentionDays is not valid.")
}

func badPolicyName() *apiError {
	return bad400("InvalidAutoSnapshotPolicyName.Malformed", "The specified parameter autoSnapshotPolicyName is not valid.")
}

// policyFields reads the fields CreateAutoSnapshotPolicy and
// ModifyAutoSnapshotPolicyEx share into p (an absent one is left alone).
func (c *call) policyFields(p *autoSnapshotPolicy, create bool) *apiError {
	q := c.p
	if v := q.str("autoSnapshotPolicyName"); v != "" {
		if !validName(v) || len(v) >= 4 && v[:4] == "auto" {
			return badPolicyName()
		}
		p.Name = v
	}
	if v := q.str("timePoints"); v != "" {
		list, ok := intList(v, 0, 23, 24)
		if !ok {
			return badTimePoints()
		}
		p.TimePoints = list
	} else if create {
		return errMissing("timePoints")
	}
	if v := q.str("repeatWeekdays"); v != "" {
		list, ok := intList(v, 1, 7, 7)
		if !ok {
			return badWeekdays()
		}
		p.Weekdays = list
	} else if create {
		return errMissing("repeatWeekdays")
	}
	if v := q.str("retentionDays"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n != -1 && (n < 1 || n > 65536) {
			return badPolicyRetention()
		}
		p.RetentionDays = n
	} else if create {
		return errMissing("retentionDays")
	}
	return nil
}

func createAutoSnapshotPolicy(c *call) (M, *apiError) {
	p := &autoSnapshotPolicy{RegionID: c.regionID(), Created: c.now, RanUntil: c.now}
	if ae := c.policyFields(p, true); ae != nil {
		return nil, ae
	}
	tags, ae := c.p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	n := 0
	for _, other := range c.e.st.Policies {
		if other.RegionID == p.RegionID {
			n++
		}
	}
	if n >= 100 {
		return nil, newErr(http.StatusForbidden, "QuotaExceed.AutoSnapshotPolicy",
			"The number of automatic snapshot policies exceeds the quota.")
	}
	rc, _ := c.e.regionLocked(p.RegionID)
	p.Seq, p.Tags = c.e.st.nextSeq(), tags
	p.ID = "sp-" + rc.Region.idPrefix + randomSuffix(20-len(rc.Region.idPrefix))
	c.e.st.Policies[p.ID] = p
	c.dirty = true
	return M{"AutoSnapshotPolicyId": p.ID}, nil
}

func (c *call) policyArg() (*autoSnapshotPolicy, *apiError) {
	id := c.p.str("autoSnapshotPolicyId")
	if id == "" {
		return nil, errMissing("autoSnapshotPolicyId")
	}
	p := c.e.st.Policies[id]
	if p == nil || p.RegionID != c.regionID() {
		return nil, newErr(http.StatusNotFound, "InvalidAutoSnapshotPolicyId.NotFound",
			"The specified automatic snapshot policy does not exist.")
	}
	return p, nil
}

// policyDisks reads diskIds (a JSON array, at most 1000); every disk must exist.
func (c *call) policyDisks() ([]*disk, *apiError) {
	ids, has, ae := c.p.jsonList("diskIds", 1000, bad400("InvalidDiskIds.Malformed", "The specified parameter diskIds is not valid."))
	if ae != nil {
		return nil, ae
	}
	if !has || len(ids) == 0 {
		return nil, errMissing("diskIds")
	}
	out := make([]*disk, 0, len(ids))
	for _, id := range ids {
		d := c.findDisk(id)
		if d == nil || d.RegionID != c.regionID() {
			return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
		}
		out = append(out, d)
	}
	return out, nil
}

func applyAutoSnapshotPolicy(c *call) (M, *apiError) {
	p, ae := c.policyArg()
	if ae != nil {
		return nil, ae
	}
	disks, ae := c.policyDisks()
	if ae != nil {
		return nil, ae
	}
	for _, d := range disks {
		d.PolicyID = p.ID // one policy a disk: a new one replaces the old
	}
	c.dirty = true
	return ok()
}

func cancelAutoSnapshotPolicy(c *call) (M, *apiError) {
	disks, ae := c.policyDisks()
	if ae != nil {
		return nil, ae
	}
	for _, d := range disks {
		d.PolicyID = ""
	}
	c.dirty = true
	return ok()
}

// deleteAutoSnapshotPolicy cancels the policy on its disks; the snapshots it
// took stay, each expiring after its own retention.
func deleteAutoSnapshotPolicy(c *call) (M, *apiError) {
	p, ae := c.policyArg()
	if ae != nil {
		return nil, ae
	}
	for _, d := range c.e.st.Disks {
		if d.PolicyID == p.ID {
			d.PolicyID = ""
		}
	}
	delete(c.e.st.Policies, p.ID)
	c.dirty = true
	return ok()
}

func modifyAutoSnapshotPolicyEx(c *call) (M, *apiError) {
	p, ae := c.policyArg()
	if ae != nil {
		return nil, ae
	}
	next := *p
	if ae := c.policyFields(&next, false); ae != nil {
		return nil, ae
	}
	*p = next
	c.dirty = true
	return ok()
}

func describeAutoSnapshotPolicyEx(c *call) (M, *apiError) {
	tags, ae := c.p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 1, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	var matched []*autoSnapshotPolicy
	for _, p := range c.e.st.Policies {
		if p.RegionID != c.regionID() {
			continue
		}
		if v := c.p.str("AutoSnapshotPolicyId"); v != "" && p.ID != v {
			continue
		}
		if v := c.p.str("AutoSnapshotPolicyName"); v != "" && p.Name != v {
			continue
		}
		if !hasTags(p.Tags, tags) {
			continue
		}
		matched = append(matched, p)
	}
	return answerPage(pg, matched, "AutoSnapshotPolicies", "AutoSnapshotPolicy",
		func(p *autoSnapshotPolicy) autoSnapshotPolicyView { return c.e.policyViewLocked(p) }), nil
}

// policyPoints returns the due points of p in (from, to], oldest first.
func policyPoints(p *autoSnapshotPolicy, from, to time.Time) []time.Time {
	if !to.After(from) || len(p.TimePoints) == 0 || len(p.Weekdays) == 0 {
		return nil
	}
	days := map[time.Weekday]bool{}
	for _, w := range p.Weekdays {
		days[time.Weekday(w%7)] = true // 7 = Sunday = Go's 0
	}
	var out []time.Time
	f := from.In(policyZone)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, policyZone)
	for ; !day.After(to); day = day.AddDate(0, 0, 1) {
		if !days[day.Weekday()] {
			continue
		}
		for _, h := range p.TimePoints {
			t := day.Add(time.Duration(h) * time.Hour)
			if t.After(from) && !t.After(to) {
				out = append(out, t.UTC())
			}
		}
	}
	return out
}

// runPoliciesLocked takes the snapshots every policy owes up to now and
// expires the automatic snapshots whose retention has run out. A point
// whose snapshot would already have expired by now is skipped (it would be
// made and deleted in the same pass), and so is one beyond the per-disk
// quota, so a jump of years stays cheap.
func (e *Emulator) runPoliciesLocked(now time.Time) {
	var disks []*disk // sorted once, and only when a point is due
	for _, p := range sortedBySeq(e.st.Policies) {
		if !now.After(p.RanUntil) {
			continue
		}
		points := policyPoints(p, p.RanUntil, now)
		p.RanUntil = now
		if len(points) == 0 {
			continue
		}
		if disks == nil {
			disks = sortedBySeq(e.st.Disks)
		}
		var applied []*disk
		for _, d := range disks {
			if d.PolicyID == p.ID {
				applied = append(applied, d)
			}
		}
		if skip := len(points) - maxAutoSnapshotsPerDisk; skip > 0 {
			p.Taken += skip * len(applied) // taken and long replaced
			points = points[skip:]
		}
		for _, t := range points {
			for _, d := range applied {
				if e.autoSnapshotLocked(p, d, t, now) {
					p.Taken++
				}
			}
		}
	}
	e.expireAutoSnapshotsLocked(now)
}

// autoSnapshotLocked takes p's snapshot of d at t, as the service would
// have: only when the disk's instance is Running or Stopped and no
// snapshot of the disk is in progress at t.
func (e *Emulator) autoSnapshotLocked(p *autoSnapshotPolicy, d *disk, t, now time.Time) bool {
	if d.Created.After(t) {
		return false
	}
	if in := e.st.Instances[d.InstanceID]; in != nil {
		if st := in.status(t); st != "Running" && st != "Stopped" {
			return false
		}
	}
	var autos []*snapshot
	for _, s := range e.st.Snapshots {
		if s.SourceDiskID != d.ID {
			continue
		}
		if !s.Created.After(t) && t.Before(s.Done) {
			return false
		}
		if s.Auto {
			autos = append(autos, s)
		}
	}
	retention := max(p.RetentionDays, 0)
	if retention > 0 && !t.Add(time.Duration(retention)*24*time.Hour).After(now) {
		return true // taken and expired since
	}
	if len(autos) >= maxAutoSnapshotsPerDisk {
		sort.Slice(autos, func(i, j int) bool { return autos[i].Seq < autos[j].Seq })
		e.deleteSnapshotLocked(autos[0])
	}
	rc, _ := e.regionLocked(d.RegionID)
	s := &snapshot{
		Seq: e.st.nextSeq(), ID: "s-" + rc.Region.idPrefix + randomSuffix(20-len(rc.Region.idPrefix)),
		RegionID: d.RegionID, Name: "auto_" + t.In(policyZone).Format("20060102_15"), SourceDiskID: d.ID,
		SourceDiskType: d.Type, SourceDiskSize: d.Size, SourceCategory: d.Category, InstanceID: d.InstanceID,
		Encrypted: d.Encrypted, RetentionDays: retention, Created: t, Modified: t,
		Done: t.Add(e.opts.SnapshotTime), SourceImageID: d.ImageID, Auto: true, PolicyID: p.ID,
	}
	e.st.Snapshots[s.ID] = s
	return true
}

// expireAutoSnapshotsLocked deletes the automatic snapshots older than their
// retention. A snapshot an image or a disk uses is kept (unverified: the
// service's documents say nothing of that case).
func (e *Emulator) expireAutoSnapshotsLocked(now time.Time) {
	for _, s := range e.st.Snapshots {
		if !s.Auto || s.RetentionDays <= 0 {
			continue
		}
		if s.Created.Add(time.Duration(s.RetentionDays) * 24 * time.Hour).After(now) {
			continue
		}
		if e.snapshotInUseLocked(s.ID, false) != nil {
			continue
		}
		e.logf("auto snapshot %s expired (retention %d days)", s.ID, s.RetentionDays)
		e.deleteSnapshotLocked(s)
	}
}

// deleteAutoSnapshotsOfDiskLocked removes a released disk's automatic
// snapshots when its DeleteAutoSnapshot is true.
func (e *Emulator) deleteAutoSnapshotsOfDiskLocked(d *disk) {
	if d.KeepAutoSnapshots {
		return
	}
	for _, s := range e.st.Snapshots {
		if s.Auto && s.SourceDiskID == d.ID && e.snapshotInUseLocked(s.ID, false) == nil {
			e.deleteSnapshotLocked(s)
		}
	}
}

func init() {
	actions["CreateAutoSnapshotPolicy"] = actionSpec{createAutoSnapshotPolicy, true}
	actions["ApplyAutoSnapshotPolicy"] = actionSpec{applyAutoSnapshotPolicy, true}
	actions["CancelAutoSnapshotPolicy"] = actionSpec{cancelAutoSnapshotPolicy, true}
	actions["DeleteAutoSnapshotPolicy"] = actionSpec{deleteAutoSnapshotPolicy, true}
	actions["ModifyAutoSnapshotPolicyEx"] = actionSpec{modifyAutoSnapshotPolicyEx, true}
	actions["DescribeAutoSnapshotPolicyEx"] = actionSpec{describeAutoSnapshotPolicyEx, true}
}
