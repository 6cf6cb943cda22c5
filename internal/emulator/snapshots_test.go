package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (f *fixture) group(id string) *ecs.SnapshotGroup {
	f.t.Helper()
	req := ecs.CreateDescribeSnapshotGroupsRequest()
	req.RegionId = testRegion
	req.SnapshotGroupId = &[]string{id}
	resp, err := f.client().DescribeSnapshotGroups(req)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(resp.SnapshotGroups.SnapshotGroup) != 1 {
		return nil
	}
	return &resp.SnapshotGroups.SnapshotGroup[0]
}

func (f *fixture) createGroup(mut func(*ecs.CreateSnapshotGroupRequest)) (string, error) {
	req := ecs.CreateCreateSnapshotGroupRequest()
	req.RegionId = testRegion
	mut(req)
	resp, err := f.client().CreateSnapshotGroup(req)
	if err != nil {
		return "", err
	}
	return resp.SnapshotGroupId, nil
}

func TestSnapshotGroupLifecycle(t *testing.T) {
	f := newFixture(t, Options{SnapshotTime: 10 * time.Minute, StopTime: time.Minute})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "50", Category: "cloud_auto", DeleteWithInstance: "false"}}
	})[0]
	gid, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) {
		r.InstanceId = id
		r.Name = "nightly"
		r.Description = "before upgrade"
		r.ClientToken = "g-1"
		r.Tag = &[]ecs.CreateSnapshotGroupTag{{Key: "purpose", Value: "backup"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gid, "ssg-") {
		t.Fatalf("group id %s", gid)
	}
	g := f.group(gid)
	if g.Status != "progressing" || g.Name != "nightly" || g.InstanceId != id || len(g.Snapshots.Snapshot) != 2 {
		t.Fatalf("group = %+v", g)
	}
	if s := g.Snapshots.Snapshot[0]; s.SourceDiskType != "system" || s.Progress != "0%" || s.SourceDiskId == "" {
		t.Fatalf("snapshot = %+v", s)
	}
	if g.Tags.Tag[0].TagKey != "purpose" {
		t.Fatalf("tags = %+v", g.Tags)
	}
	// Same token, same params: same group.
	again, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) {
		r.InstanceId = id
		r.Name = "nightly"
		r.Description = "before upgrade"
		r.ClientToken = "g-1"
		r.Tag = &[]ecs.CreateSnapshotGroupTag{{Key: "purpose", Value: "backup"}}
	})
	if err != nil || again != gid {
		t.Fatalf("replay: %s %v", again, err)
	}
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = id; r.ClientToken = "g-1" })
	wantCode(t, err, 403, "IdempotentParameterMismatch")
	// A disk with a snapshot in progress cannot be snapshotted again.
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = id })
	wantCode(t, err, 403, "IncorrectDiskStatus.CreatingSnapshot")

	f.e.AdvanceClock(5 * time.Minute)
	if g := f.group(gid); g.Snapshots.Snapshot[0].Progress != "50%" || g.Status != "progressing" {
		t.Fatalf("half way: %+v", g)
	}
	f.e.AdvanceClock(5 * time.Minute)
	if g := f.group(gid); g.Status != "accomplished" || g.Snapshots.Snapshot[1].Progress != "100%" {
		t.Fatalf("done: %+v", g)
	}
	// Snapshots show the source disk size as a string and outlive the instance.
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	del.Force = requests.NewBoolean(true)
	if _, err := f.client().DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	sreq := ecs.CreateDescribeSnapshotsRequest()
	sreq.RegionId = testRegion
	sreq.SourceDiskType = "Data"
	snaps, err := f.client().DescribeSnapshots(sreq)
	if err != nil {
		t.Fatal(err)
	}
	if snaps.TotalCount != 1 || snaps.Snapshots.Snapshot[0].SourceDiskSize != "50" || snaps.Snapshots.Snapshot[0].Status != "accomplished" {
		t.Fatalf("snapshots = %+v", snaps.Snapshots)
	}
	// The data disk (DeleteWithInstance=false) stays, detached.
	st := f.e.State()
	if len(st.Disks) != 1 || st.Disks[0].Status != "Available" || st.Disks[0].InstanceId != "" {
		t.Fatalf("disks = %+v", st.Disks)
	}
	mod := ecs.CreateModifySnapshotGroupRequest()
	mod.RegionId = testRegion
	mod.SnapshotGroupId = gid
	mod.Name = "renamed"
	mod.Description = "after"
	if _, err := f.client().ModifySnapshotGroup(mod); err != nil {
		t.Fatal(err)
	}
	if g := f.group(gid); g.Name != "renamed" || g.Description != "after" {
		t.Fatalf("modified: %+v", g)
	}
	dg := ecs.CreateDeleteSnapshotGroupRequest()
	dg.RegionId = testRegion
	dg.SnapshotGroupId = gid
	if _, err := f.client().DeleteSnapshotGroup(dg); err != nil {
		t.Fatal(err)
	}
	if f.group(gid) != nil || len(f.e.State().Snapshots) != 0 {
		t.Fatal("group or snapshots left")
	}
	_, err = f.client().DeleteSnapshotGroup(dg)
	wantCode(t, err, 404, "InvalidSnapshotGroupId.NotFound")
}

func TestSnapshotGroupRules(t *testing.T) {
	f := newFixture(t, Options{StopTime: time.Minute})
	essd := f.run(1)[0]
	old := f.run(1, func(r *ecs.RunInstancesRequest) { r.SystemDiskCategory = "cloud_efficiency" })[0]
	var many []ecs.RunInstancesDataDisk
	for i := 0; i < 16; i++ {
		many = append(many, ecs.RunInstancesDataDisk{Size: "20"})
	}
	big := f.run(1, func(r *ecs.RunInstancesRequest) { r.DataDisk = &many })[0]

	_, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = old })
	wantCode(t, err, 403, "InvalidDiskCategory.NotSupported")
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = big })
	wantCode(t, err, 400, "InvalidParameter.DiskId")
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = "i-missing" })
	wantCode(t, err, 404, "InvalidInstanceId.NotFound")
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) {})
	wantCode(t, err, 400, "MissingParameter")
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.DiskId = &[]string{"d-missing"} })
	wantCode(t, err, 404, "InvalidDiskId.NotFound")
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = essd; r.Name = "auto-x" })
	wantCode(t, err, 400, "InvalidParameter.Name")
	// Excluding disks leaves 16 of the 17.
	st := f.e.State()
	var sys string
	for _, d := range st.Disks {
		if d.InstanceId == big && d.Type == "system" {
			sys = d.DiskId
		}
	}
	gid, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = big; r.ExcludeDiskId = &[]string{sys} })
	if err != nil {
		t.Fatal(err)
	}
	if g := f.group(gid); len(g.Snapshots.Snapshot) != 16 || g.Status != "accomplished" {
		t.Fatalf("group = %d snapshots, %s", len(g.Snapshots.Snapshot), g.Status)
	}
	// Transient instance state → 400 IncorrectInstanceStatus.
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = essd
	if _, err := f.client().StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	_, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = essd })
	wantCode(t, err, 400, "IncorrectInstanceStatus")
	f.e.AdvanceClock(time.Minute)
	if _, err = f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = essd }); err != nil {
		t.Fatalf("stopped instance: %v", err)
	}
}

func TestSnapshotGroupAsyncFailure(t *testing.T) {
	f := newFixture(t, Options{SnapshotTime: time.Minute})
	id := f.run(1)[0]
	f.e.AddFault(Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
	gid, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = id })
	if err != nil {
		t.Fatal(err)
	}
	if g := f.group(gid); g.Status != "progressing" {
		t.Fatalf("status %s", g.Status)
	}
	f.e.AdvanceClock(time.Minute)
	if g := f.group(gid); g.Status != "failed" {
		t.Fatalf("status %s", g.Status)
	}
	req := ecs.CreateDescribeSnapshotGroupsRequest()
	req.RegionId = testRegion
	req.Status = &[]string{"failed"}
	resp, err := f.client().DescribeSnapshotGroups(req)
	if err != nil || len(resp.SnapshotGroups.SnapshotGroup) != 1 {
		t.Fatalf("status filter: %v %v", resp, err)
	}
	req.Status = &[]string{"broken"}
	_, err = f.client().DescribeSnapshotGroups(req)
	wantCode(t, err, 403, "InvalidStatus.ValueNotSupported")
}

func TestSingleSnapshots(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	disk := f.e.State().Disks[0].DiskId
	c := f.client()
	cs := ecs.CreateCreateSnapshotRequest()
	cs.DiskId = disk
	cs.SnapshotName = "manual-1"
	cs.RetentionDays = "7"
	resp, err := c.CreateSnapshot(cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mut    func(*ecs.CreateSnapshotRequest)
		status int
		code   string
	}{
		{func(r *ecs.CreateSnapshotRequest) { r.DiskId = "d-nope" }, 404, "InvalidDiskId.NotFound"},
		{func(r *ecs.CreateSnapshotRequest) { r.SnapshotName = "auto-snap" }, 400, "InvalidSnapshotName.Malformed"},
		{func(r *ecs.CreateSnapshotRequest) { r.Description = "http://x" }, 404, "InvalidDescription.Malformed"},
		{func(r *ecs.CreateSnapshotRequest) { r.RetentionDays = "0" }, 400, "InvalidRetentionDays.Malformed"},
	} {
		r := ecs.CreateCreateSnapshotRequest()
		r.DiskId = disk
		tc.mut(r)
		_, err := c.CreateSnapshot(r)
		wantCode(t, err, tc.status, tc.code)
	}
	ds := ecs.CreateDescribeSnapshotsRequest()
	ds.RegionId = testRegion
	ds.SnapshotIds = `["` + resp.SnapshotId + `"]`
	list, err := c.DescribeSnapshots(ds)
	if err != nil {
		t.Fatal(err)
	}
	s := list.Snapshots.Snapshot[0]
	if s.SnapshotName != "manual-1" || s.RetentionDays != 7 || s.SourceDiskSize != "40" || s.SourceDiskType != "system" || s.Progress != "100%" {
		t.Fatalf("snapshot = %+v", s)
	}
	m := ecs.CreateModifySnapshotAttributeRequest()
	m.SnapshotId = resp.SnapshotId
	_, err = c.ModifySnapshotAttribute(m)
	wantCode(t, err, 400, "NoAttributeToModify")
	m = ecs.CreateModifySnapshotAttributeRequest()
	m.SnapshotId = resp.SnapshotId
	m.RetentionDays = requests.NewInteger(3)
	_, err = c.ModifySnapshotAttribute(m)
	wantCode(t, err, 400, "InvalidRetentionDays.Malformed")
	m = ecs.CreateModifySnapshotAttributeRequest()
	m.SnapshotId = resp.SnapshotId
	m.SnapshotName = "renamed"
	m.RetentionDays = requests.NewInteger(30)
	if _, err := c.ModifySnapshotAttribute(m); err != nil {
		t.Fatal(err)
	}
	list, _ = c.DescribeSnapshots(ds)
	if s := list.Snapshots.Snapshot[0]; s.SnapshotName != "renamed" || s.RetentionDays != 30 {
		t.Fatalf("after modify: %+v", s)
	}
	ds2 := ecs.CreateDescribeSnapshotsRequest()
	ds2.RegionId = testRegion
	ds2.SnapshotIds = `["` + strings.Repeat(`s-x","`, 100) + `s-y"]`
	_, err = c.DescribeSnapshots(ds2)
	wantCode(t, err, 403, "InvalidSnapshotIds.Malformed")
	d := ecs.CreateDeleteSnapshotRequest()
	d.SnapshotId = resp.SnapshotId
	if _, err := c.DeleteSnapshot(d); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteSnapshot(d)
	wantCode(t, err, 404, "InvalidSnapshotId.NotFound")
	_ = id
}
