package emulator

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (f *fixture) createPolicy(points, weekdays string, retention int) string {
	f.t.Helper()
	req := ecs.CreateCreateAutoSnapshotPolicyRequest()
	req.RegionId = testRegion
	req.AutoSnapshotPolicyName = "nightly"
	req.TimePoints, req.RepeatWeekdays = points, weekdays
	req.RetentionDays = requests.NewInteger(retention)
	resp, err := f.client().CreateAutoSnapshotPolicy(req)
	if err != nil {
		f.t.Fatalf("CreateAutoSnapshotPolicy: %v", err)
	}
	return resp.AutoSnapshotPolicyId
}

func (f *fixture) instanceDisks(id string) []string {
	f.t.Helper()
	req := ecs.CreateDescribeDisksRequest()
	req.RegionId = testRegion
	req.InstanceId = id
	resp, err := f.client().DescribeDisks(req)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, d := range resp.Disks.Disk {
		out = append(out, d.DiskId)
	}
	return out
}

func (f *fixture) applyPolicy(policyID string, disks []string) error {
	req := ecs.CreateApplyAutoSnapshotPolicyRequest()
	req.RegionId = testRegion
	req.AutoSnapshotPolicyId = policyID
	b, _ := json.Marshal(disks)
	req.DiskIds = string(b)
	_, err := f.client().ApplyAutoSnapshotPolicy(req)
	return err
}

func (f *fixture) autoSnapshots(policyID string) []ecs.Snapshot {
	f.t.Helper()
	var out []ecs.Snapshot
	for _, s := range f.e.State().Snapshots {
		if s.AutoSnapshotPolicyId == policyID && s.SnapshotType == "auto" {
			out = append(out, ecs.Snapshot{SnapshotId: s.SnapshotId, SourceDiskId: s.SourceDiskId, CreationTime: s.CreationTime})
		}
	}
	return out
}

func taken(e *Emulator, policyID string) int {
	for _, p := range e.State().AutoSnapshotPolicies {
		if p.AutoSnapshotPolicyId == policyID {
			return p.SnapshotsTaken
		}
	}
	return -1
}

// A daily policy with a retention of 2 days, over 3 days: 3 snapshots per
// disk are taken and the oldest has expired.
func TestAutoSnapshotPolicyRunsOnTheClock(t *testing.T) {
	f := newFixture(t, Options{SnapshotTime: time.Minute})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "50", Category: "cloud_efficiency"}}
	})[0]
	f.e.AdvanceClock(5 * time.Minute)
	disks := f.instanceDisks(id)
	pid := f.createPolicy(`["3"]`, `["1","2","3","4","5","6","7"]`, 2)
	if err := f.applyPolicy(pid, disks); err != nil {
		t.Fatal(err)
	}
	f.e.AdvanceClock(72 * time.Hour)
	if got := taken(f.e, pid); got != 3*len(disks) {
		t.Fatalf("taken = %d, want %d", got, 3*len(disks))
	}
	snaps := f.autoSnapshots(pid)
	if len(snaps) != 2*len(disks) {
		t.Fatalf("kept %d automatic snapshots, want %d: %+v", len(snaps), 2*len(disks), snaps)
	}
	// DescribeSnapshots filters by SnapshotType and the disk view names the policy.
	req := ecs.CreateDescribeSnapshotsRequest()
	req.RegionId, req.SnapshotType = testRegion, "auto"
	resp, err := f.client().DescribeSnapshots(req)
	if err != nil || resp.TotalCount != 2*len(disks) {
		t.Fatalf("DescribeSnapshots auto: %v %d", err, resp.TotalCount)
	}
	req.SnapshotType = "user"
	if resp, err := f.client().DescribeSnapshots(req); err != nil || resp.TotalCount != 0 {
		t.Fatalf("DescribeSnapshots user: %v %+v", err, resp)
	}
	for _, d := range f.e.State().Disks {
		if d.AutoSnapshotPolicyId != pid || !d.DeleteAutoSnapshot {
			t.Fatalf("disk %+v", d)
		}
	}
}

// Time points and weekdays are read in UTC+8, and only listed weekdays run.
func TestAutoSnapshotPolicyPoints(t *testing.T) {
	p := &autoSnapshotPolicy{TimePoints: []int{1, 13}, Weekdays: []int{1, 7}} // Monday and Sunday
	// 2026-12-06 is a Sunday (UTC+8 from 16:00 UTC on Saturday).
	from := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	got := policyPoints(p, from, from.Add(7*24*time.Hour))
	want := []string{"2026-12-05T17:00:00Z", "2026-12-06T05:00:00Z", "2026-12-06T17:00:00Z", "2026-12-07T05:00:00Z"}
	if len(got) != len(want) {
		t.Fatalf("points %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Format(time.RFC3339) != want[i] {
			t.Fatalf("points %v, want %v", got, want)
		}
	}
	// A jump of ten years stays cheap: at most the quota per disk is made.
	if n := len(policyPoints(&autoSnapshotPolicy{TimePoints: []int{0, 12}, Weekdays: []int{1, 2, 3, 4, 5, 6, 7}},
		from, from.AddDate(10, 0, 0))); n < 7000 {
		t.Fatalf("ten years of points: %d", n)
	}
}

// A released machine's automatic snapshots go with its disks unless
// DeleteAutoSnapshot=false was set; the policy stops at the release.
func TestAutoSnapshotsOutliveTheMachineOnlyWhenKept(t *testing.T) {
	for _, keep := range []bool{false, true} {
		f := newFixture(t, Options{SnapshotTime: time.Minute})
		ids := f.run(2)
		f.e.AdvanceClock(5 * time.Minute)
		pid := f.createPolicy(`["0","6","12","18"]`, `["1","2","3","4","5","6","7"]`, -1)
		var disks []string
		for _, id := range ids {
			disks = append(disks, f.instanceDisks(id)...)
		}
		if err := f.applyPolicy(pid, disks); err != nil {
			t.Fatal(err)
		}
		if keep {
			req := ecs.CreateModifyDiskAttributeRequest()
			req.RegionId = testRegion
			req.DiskIds = &disks
			req.DeleteAutoSnapshot = requests.NewBoolean(false)
			if _, err := f.client().ModifyDiskAttribute(req); err != nil {
				t.Fatal(err)
			}
		}
		// The first machine is released in the middle of a two-day jump.
		rel := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
		rel.RegionId, rel.InstanceId = testRegion, ids[0]
		rel.AutoReleaseTime = f.e.Now().Add(25 * time.Hour).UTC().Format("2006-01-02T15:04:05Z")
		if _, err := f.client().ModifyInstanceAutoReleaseTime(rel); err != nil {
			t.Fatal(err)
		}
		f.e.AdvanceClock(48 * time.Hour)
		perDisk := map[string]int{}
		for _, s := range f.autoSnapshots(pid) {
			perDisk[s.SourceDiskId]++
		}
		if perDisk[disks[1]] != 8 {
			t.Fatalf("keep=%v: the running machine's disk has %d snapshots, want 8", keep, perDisk[disks[1]])
		}
		if keep && (perDisk[disks[0]] < 4 || perDisk[disks[0]] > 5) {
			t.Fatalf("keep=%v: the released disk has %d snapshots, want 4 or 5 (taken before the release)", keep, perDisk[disks[0]])
		}
		if !keep && perDisk[disks[0]] != 0 {
			t.Fatalf("keep=%v: the released disk kept %d automatic snapshots", keep, perDisk[disks[0]])
		}
	}
}

func TestAutoSnapshotPolicyAPI(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SnapshotTime: time.Minute, StateFile: filepath.Join(dir, "state.json")}
	f := newFixture(t, opts)
	bad := func(mut func(*ecs.CreateAutoSnapshotPolicyRequest), code string) {
		t.Helper()
		req := ecs.CreateCreateAutoSnapshotPolicyRequest()
		req.RegionId = testRegion
		req.TimePoints, req.RepeatWeekdays, req.RetentionDays = `["1"]`, `["1"]`, requests.NewInteger(7)
		mut(req)
		_, err := f.client().CreateAutoSnapshotPolicy(req)
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.ErrorCode() != code {
			t.Fatalf("want %s, got %v", code, err)
		}
	}
	bad(func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.TimePoints = `["24"]` }, "InvalidTimePoints.Malformed")
	bad(func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.RepeatWeekdays = `["0"]` }, "InvalidRepeatWeekdays.Malformed")
	bad(func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.RetentionDays = "0" }, "InvalidRetentionDays.Malformed")
	bad(func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.TimePoints = "" }, "MissingParameter")

	pid := f.createPolicy(`["1","22"]`, `["1","3"]`, -1)
	mod := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	mod.RegionId, mod.AutoSnapshotPolicyId = testRegion, pid
	mod.RetentionDays = requests.NewInteger(30)
	mod.TimePoints = `[5]`
	if _, err := f.client().ModifyAutoSnapshotPolicyEx(mod); err != nil {
		t.Fatal(err)
	}
	desc := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	desc.RegionId, desc.AutoSnapshotPolicyId = testRegion, pid
	resp, err := f.client().DescribeAutoSnapshotPolicyEx(desc)
	if err != nil || len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 {
		t.Fatalf("describe: %v %+v", err, resp)
	}
	got := resp.AutoSnapshotPolicies.AutoSnapshotPolicy[0]
	if got.TimePoints != `["5"]` || got.RepeatWeekdays != `["1","3"]` || got.RetentionDays != 30 || got.AutoSnapshotPolicyName != "nightly" {
		t.Fatalf("policy %+v", got)
	}
	if err := f.applyPolicy(pid, []string{"d-nosuchdisk"}); err == nil {
		t.Fatal("applied to a disk that does not exist")
	}

	// The state file keeps the policy.
	e2, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if ps := e2.State().AutoSnapshotPolicies; len(ps) != 1 || ps[0].AutoSnapshotPolicyId != pid {
		t.Fatalf("reloaded policies %+v", ps)
	}

	del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
	del.RegionId, del.AutoSnapshotPolicyId = testRegion, pid
	if _, err := f.client().DeleteAutoSnapshotPolicy(del); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client().DeleteAutoSnapshotPolicy(del); err == nil {
		t.Fatal("deleted twice")
	}
}

// A jump of years with an hourly policy kept forever costs one pass: each
// disk keeps the quota's 256 newest automatic snapshots, the rest were
// replaced, and the counter still counts every point.
func TestAutoSnapshotPolicyLongJump(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	f.e.AdvanceClock(time.Minute)
	all := `["0","1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21","22","23"]`
	pid := f.createPolicy(all, `["1","2","3","4","5","6","7"]`, -1)
	if err := f.applyPolicy(pid, f.instanceDisks(id)); err != nil {
		t.Fatal(err)
	}
	f.e.AdvanceClock(3 * 365 * 24 * time.Hour)
	snaps := f.autoSnapshots(pid)
	if len(snaps) != maxAutoSnapshotsPerDisk {
		t.Fatalf("kept %d automatic snapshots, want %d", len(snaps), maxAutoSnapshotsPerDisk)
	}
	if n := taken(f.e, pid); n < 3*365*24-1 || n > 3*365*24 {
		t.Fatalf("taken = %d, want about %d", n, 3*365*24)
	}
}
