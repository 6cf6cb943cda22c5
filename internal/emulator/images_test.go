package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// snapshotGroupOf snapshots every disk of an instance and returns the group's
// snapshots by disk type (system first).
func (f *fixture) snapshotGroupOf(instanceID string) (string, []ecs.Snapshot) {
	f.t.Helper()
	gid, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.InstanceId = instanceID })
	if err != nil {
		f.t.Fatal(err)
	}
	return gid, f.group(gid).Snapshots.Snapshot
}

func (f *fixture) image(id string, status string) *ecs.Image {
	f.t.Helper()
	req := ecs.CreateDescribeImagesRequest()
	req.RegionId = testRegion
	req.ImageId = id
	req.Status = status
	resp, err := f.client().DescribeImages(req)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(resp.Images.Image) != 1 {
		return nil
	}
	return &resp.Images.Image[0]
}

func (f *fixture) createImage(mut func(*ecs.CreateImageRequest)) (string, error) {
	req := ecs.CreateCreateImageRequest()
	req.RegionId = testRegion
	mut(req)
	resp, err := f.client().CreateImage(req)
	if err != nil {
		return "", err
	}
	return resp.ImageId, nil
}

func TestImageFromSnapshotLifecycle(t *testing.T) {
	f := newFixture(t, Options{SnapshotTime: time.Minute, ImageTime: 10 * time.Minute})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.SystemDiskSize = "60"
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "100", Category: "cloud_auto"}}
	})[0]
	gid, snaps := f.snapshotGroupOf(id)
	sys, data := snaps[0].SnapshotId, snaps[1].SnapshotId
	// Not ready yet.
	_, err := f.createImage(func(r *ecs.CreateImageRequest) { r.SnapshotId = sys })
	wantCode(t, err, 403, "InvalidSnapshotId.NotReady")
	f.e.AdvanceClock(time.Minute)

	_, err = f.createImage(func(r *ecs.CreateImageRequest) { r.SnapshotId = data })
	wantCode(t, err, 403, "OperationDenied")
	_, err = f.createImage(func(r *ecs.CreateImageRequest) { r.SnapshotId = "s-missing" })
	wantCode(t, err, 404, "InvalidSnapshotId.NotFound")
	_, err = f.createImage(func(r *ecs.CreateImageRequest) {})
	wantCode(t, err, 400, "MissingParameter")

	mk := func(r *ecs.CreateImageRequest) {
		r.SnapshotId = sys
		r.ImageName = "restore-1"
		r.ClientToken = "img-1"
		r.Tag = &[]ecs.CreateImageTag{{Key: "aliecs:for", Value: "test"}}
	}
	img, err := f.createImage(mk)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(img, "m-") {
		t.Fatalf("image id %s", img)
	}
	if again, err := f.createImage(mk); err != nil || again != img {
		t.Fatalf("same token: %s %v", again, err)
	}
	_, err = f.createImage(func(r *ecs.CreateImageRequest) { r.SnapshotId = sys; r.ClientToken = "img-1" })
	wantCode(t, err, 403, "IdempotentParameterMismatch")
	_, err = f.createImage(func(r *ecs.CreateImageRequest) { r.SnapshotId = sys; r.ImageName = "restore-1" })
	wantCode(t, err, 400, "InvalidImageName.Duplicated")

	// Creating: invisible without Status, visible with it, with its progress.
	if f.image(img, "") != nil {
		t.Fatal("a Creating image is listed without Status")
	}
	f.e.AdvanceClock(5 * time.Minute)
	got := f.image(img, "Creating,Available")
	if got == nil || got.Status != "Creating" || got.Progress != "50%" || got.ImageOwnerAlias != "self" || got.Size != 60 {
		t.Fatalf("creating image = %+v", got)
	}
	if m := got.DiskDeviceMappings.DiskDeviceMapping; len(m) != 1 || m[0].SnapshotId != sys || m[0].Size != "60" ||
		m[0].Type != "system" || m[0].Device != "/dev/xvda" {
		t.Fatalf("mappings = %+v", m)
	}
	run := func() (string, error) {
		req := f.runRequest()
		req.ImageId = img
		req.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: data, Category: "cloud_auto"}}
		resp, err := f.client().RunInstances(req)
		if err != nil {
			return "", err
		}
		return resp.InstanceIdSets.InstanceIdSet[0], nil
	}
	_, err = run()
	wantCode(t, err, 403, "OperationDenied.ImageNotValid")
	del := ecs.CreateDeleteImageRequest()
	del.RegionId = testRegion
	del.ImageId = img
	_, err = f.client().DeleteImage(del)
	wantCode(t, err, 403, "ImageIsCreating")

	f.e.AdvanceClock(5 * time.Minute)
	if got := f.image(img, ""); got == nil || got.Status != "Available" || got.Progress != "100%" || got.Usage != "none" ||
		len(got.Tags.Tag) != 1 || got.OSType != "linux" {
		t.Fatalf("available image = %+v", got)
	}
	// The snapshot behind the image cannot be deleted, even with Force.
	ds := ecs.CreateDeleteSnapshotRequest()
	ds.SnapshotId = sys
	ds.Force = requests.NewBoolean(true)
	_, err = f.client().DeleteSnapshot(ds)
	wantCode(t, err, 403, "SnapshotCreatedImage")

	// A new machine from the image and the data snapshot: sizes as the snapshots.
	restored, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if in := f.describe(restored); in == nil || in.ImageId != img || in.OSType != "linux" || in.Status != "Running" {
		t.Fatalf("restored = %+v", in)
	}
	var sysDisk, dataDisk Disk
	for _, d := range f.e.State().Disks {
		if d.InstanceId != restored {
			continue
		}
		if d.Type == "system" {
			sysDisk = d
		} else {
			dataDisk = d
		}
	}
	if sysDisk.Size != 60 || sysDisk.ImageId != img || dataDisk.Size != 100 || dataDisk.SourceSnapshotId != data ||
		dataDisk.Category != "cloud_auto" {
		t.Fatalf("disks: system %+v, data %+v", sysDisk, dataDisk)
	}
	if got := f.image(img, ""); got.Usage != "instance" {
		t.Fatalf("usage %s", got.Usage)
	}
	// In use: refused without Force, deleted with it; the snapshots stay.
	_, err = f.client().DeleteImage(del)
	wantCode(t, err, 403, "ImageUsingByInstance")
	del.Force = requests.NewBoolean(true)
	if _, err := f.client().DeleteImage(del); err != nil {
		t.Fatal(err)
	}
	if f.image(img, "") != nil || len(f.e.State().Images) != 0 {
		t.Fatal("image still listed")
	}
	_, err = f.client().DeleteImage(del)
	wantCode(t, err, 404, "InvalidImageId.NotFound")
	if in := f.describe(restored); in.ImageId != img || in.OSType != "linux" {
		t.Fatalf("after the image is gone: %+v", in)
	}
	// A snapshot a disk was made from needs Force; the group goes, and keeps it.
	ds = ecs.CreateDeleteSnapshotRequest()
	ds.SnapshotId = data
	_, err = f.client().DeleteSnapshot(ds)
	wantCode(t, err, 403, "SnapshotCreatedDisk")
	sreq := ecs.CreateDescribeSnapshotsRequest()
	sreq.RegionId = testRegion
	sreq.Usage = "disk"
	if list, err := f.client().DescribeSnapshots(sreq); err != nil || list.TotalCount != 2 {
		t.Fatalf("usage disk: %v %v", list, err)
	}
	dg := ecs.CreateDeleteSnapshotGroupRequest()
	dg.RegionId = testRegion
	dg.SnapshotGroupId = gid
	resp, err := f.client().DeleteSnapshotGroup(dg)
	if err != nil {
		t.Fatal(err)
	}
	progress := resp.OperationProgressSet.OperationProgress
	if len(progress) != 3 || progress[0].OperationStatus != "Success" || progress[1].ErrorCode != "SnapshotCreatedDisk" ||
		progress[1].RelatedItemSet.RelatedItem[0].Value != sys {
		t.Fatalf("progress = %+v", progress)
	}
	if f.group(gid) != nil || len(f.e.State().Snapshots) != 2 {
		t.Fatalf("group deleted, both snapshots kept: %+v", f.e.State().Snapshots)
	}
}

func TestImageDiskDeviceMappingAndRules(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "50"}}
	})[0]
	_, snaps := f.snapshotGroupOf(id)
	sys, data := snaps[0].SnapshotId, snaps[1].SnapshotId
	for _, tc := range []struct {
		m      []ecs.CreateImageDiskDeviceMapping
		status int
		code   string
	}{
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: data}}, 400, "OperationDenied"},
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys}, {SnapshotId: sys}}, 400, "OperationDenied"},
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys, Size: "30"}}, 400, "InvalidSize.ValueNotSupported"},
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys}, {SnapshotId: data, Device: "/dev/sdb"}}, 400, "InvalidDevice.Malformed"},
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys}, {SnapshotId: data, Device: "/dev/xvdc"}, {Size: "20", Device: "/dev/xvdc"}}, 400, "InvalidDevice.InUse"},
		{[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys}, {SnapshotId: data, DiskType: "root"}}, 400, "InvalidDiskType.ValueNotSupported"},
	} {
		m := tc.m
		_, err := f.createImage(func(r *ecs.CreateImageRequest) { r.DiskDeviceMapping = &m })
		wantCode(t, err, tc.status, tc.code)
	}
	img, err := f.createImage(func(r *ecs.CreateImageRequest) {
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: sys, Size: "50"}, {SnapshotId: data}, {Size: "30"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	got := f.image(img, "Available")
	if got == nil || got.Size != 50 {
		t.Fatalf("image = %+v", got)
	}
	m := got.DiskDeviceMappings.DiskDeviceMapping
	if len(m) != 3 || m[1].Device != "/dev/xvdb" || m[1].Type != "data" || m[1].Size != "50" || m[2].Device != "/dev/xvdc" || m[2].Size != "30" {
		t.Fatalf("mappings = %+v", m)
	}
	// Self images only; ALL lists every status; a system image cannot be deleted.
	req := ecs.CreateDescribeImagesRequest()
	req.RegionId = testRegion
	req.ImageOwnerAlias = "self"
	req.Status = "ALL"
	if resp, err := f.client().DescribeImages(req); err != nil || resp.TotalCount != 1 {
		t.Fatalf("self images: %v %v", resp, err)
	}
	req.ImageOwnerAlias = ""
	req.Status = "Broken"
	_, err = f.client().DescribeImages(req)
	wantCode(t, err, 400, "InvalidStatus.ValueNotSupported")
	del := ecs.CreateDeleteImageRequest()
	del.RegionId = testRegion
	del.ImageId = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
	_, err = f.client().DeleteImage(del)
	wantCode(t, err, 403, "OperationDenied")

	// The image's data disks come with a machine made from it.
	run := f.runRequest()
	run.ImageId = img
	run.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "20"}}
	resp, err := f.client().RunInstances(run)
	if err != nil {
		t.Fatal(err)
	}
	devices := map[string]int{}
	for _, d := range f.e.State().Disks {
		if d.InstanceId == resp.InstanceIdSets.InstanceIdSet[0] {
			devices[d.Device] = d.Size
		}
	}
	if len(devices) != 4 || devices["/dev/xvda"] != 50 || devices["/dev/xvdb"] != 50 || devices["/dev/xvdc"] != 30 || devices["/dev/xvdd"] != 20 {
		t.Fatalf("devices = %v", devices)
	}

	// From an instance: a new snapshot of each disk, used by the image.
	img2, err := f.createImage(func(r *ecs.CreateImageRequest) { r.InstanceId = id })
	if err != nil {
		t.Fatal(err)
	}
	if got := f.image(img2, ""); got == nil || len(got.DiskDeviceMappings.DiskDeviceMapping) != 2 {
		t.Fatalf("image of an instance = %+v", got)
	}
	sreq := ecs.CreateDescribeSnapshotsRequest()
	sreq.RegionId = testRegion
	sreq.Usage = "image"
	if list, err := f.client().DescribeSnapshots(sreq); err != nil || list.TotalCount != 2 {
		t.Fatalf("snapshots of the image: %v %v", list, err)
	}
}

func TestRunInstancesDataDiskSnapshotRules(t *testing.T) {
	f := newFixture(t, Options{SnapshotTime: time.Minute})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "80"}}
	})[0]
	_, snaps := f.snapshotGroupOf(id)
	sys, data := snaps[0].SnapshotId, snaps[1].SnapshotId
	try := func(d ecs.RunInstancesDataDisk) error {
		req := f.runRequest()
		req.DataDisk = &[]ecs.RunInstancesDataDisk{d}
		_, err := f.client().RunInstances(req)
		return err
	}
	wantCode(t, try(ecs.RunInstancesDataDisk{SnapshotId: data}), 403, "InvalidSnapshotId.NotReady")
	f.e.AdvanceClock(time.Minute)
	wantCode(t, try(ecs.RunInstancesDataDisk{SnapshotId: "s-nope"}), 404, "InvalidSnapshotId.NotFound")
	wantCode(t, try(ecs.RunInstancesDataDisk{SnapshotId: sys}), 403, "InvalidSnapshotId.NotDataDiskSnapshot")
	wantCode(t, try(ecs.RunInstancesDataDisk{SnapshotId: data, Size: "60"}), 403, "InvalidDiskSize.TooSmall")
	if err := try(ecs.RunInstancesDataDisk{SnapshotId: data, Size: "120"}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, d := range f.e.State().Disks {
		if d.SourceSnapshotId == data {
			sizes = append(sizes, d.Size)
		}
	}
	if len(sizes) != 1 || sizes[0] != 120 {
		t.Fatalf("disks from the snapshot: %v", sizes)
	}
}
