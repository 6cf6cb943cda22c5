package emulator

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (f *fixture) modifySpec(id string, mut func(*ecs.ModifyInstanceSpecRequest)) error {
	req := ecs.CreateModifyInstanceSpecRequest()
	req.RegionId = testRegion
	req.InstanceId = id
	mut(req)
	_, err := f.client().ModifyInstanceSpec(req)
	return err
}

func (f *fixture) stop(id string) {
	f.t.Helper()
	req := ecs.CreateStopInstanceRequest()
	req.InstanceId = id
	req.StoppedMode = "KeepCharging"
	if _, err := f.client().StopInstance(req); err != nil {
		f.t.Fatal(err)
	}
}

func TestModifyInstanceSpec(t *testing.T) {
	f := newFixture(t, Options{StopTime: time.Minute})
	id := f.run(1)[0]
	setType := func(typ string) func(*ecs.ModifyInstanceSpecRequest) {
		return func(r *ecs.ModifyInstanceSpecRequest) { r.InstanceType = typ }
	}
	wantCode(t, f.modifySpec(id, setType("ecs.gn7i-c8g1.2xlarge")), 400, "InvalidInstanceStatus.NotStopped")
	f.stop(id)
	// Stopping is not Stopped yet.
	wantCode(t, f.modifySpec(id, setType("ecs.gn7i-c8g1.2xlarge")), 400, "InvalidInstanceStatus.NotStopped")
	f.e.AdvanceClock(time.Minute)
	wantCode(t, f.modifySpec(id, setType("ecs.nope.large")), 400, "InvalidInstanceType.ValueNotSupported")
	wantCode(t, f.modifySpec(id, setType("ecs.g7.large")), 400, "InvalidInstanceType.ValueNotSupported")
	wantCode(t, f.modifySpec(id, func(r *ecs.ModifyInstanceSpecRequest) {
		r.InstanceType = "ecs.g7.xlarge"
		r.InternetMaxBandwidthOut = requests.NewInteger(5)
	}), 400, "InvalidParameter.Mismatch")
	wantCode(t, f.modifySpec(id, func(*ecs.ModifyInstanceSpecRequest) {}), 400, "MissingParameter")
	wantCode(t, f.modifySpec("i-missing", setType("ecs.g7.xlarge")), 404, "InvalidInstanceId.NotFound")
	f.e.AddFault(Fault{Action: "ModifyInstanceSpec", Code: "OperationDenied.NoStock", HTTPStatus: 403, Count: 1})
	wantCode(t, f.modifySpec(id, setType("ecs.gn7i-c8g1.2xlarge")), 403, "OperationDenied.NoStock")
	if in := f.describe(id); in.InstanceType != "ecs.g7.large" {
		t.Fatalf("a refused change changed the type: %s", in.InstanceType)
	}
	if err := f.modifySpec(id, func(r *ecs.ModifyInstanceSpecRequest) {
		r.InstanceType = "ecs.gn7i-c8g1.2xlarge"
		r.ClientToken = "spec-1"
	}); err != nil {
		t.Fatal(err)
	}
	in := f.describe(id)
	if in.InstanceType != "ecs.gn7i-c8g1.2xlarge" || in.Cpu != 8 || in.Memory != 30720 || in.GPUAmount != 1 ||
		in.GPUSpec != "NVIDIA A10" || in.Status != "Stopped" || in.InstanceTypeFamily != "ecs.gn7i" {
		t.Fatalf("after the change: %+v", in)
	}
	// Bandwidth changes while running.
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = id
	if _, err := f.client().StartInstance(start); err != nil {
		t.Fatal(err)
	}
	if err := f.modifySpec(id, func(r *ecs.ModifyInstanceSpecRequest) { r.InternetMaxBandwidthOut = requests.NewInteger(10) }); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(id); in.InternetMaxBandwidthOut != 10 || len(in.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("bandwidth: %+v", in)
	}
	prepaid := f.run(1, func(r *ecs.RunInstancesRequest) { r.InstanceChargeType = "PrePaid"; r.Period = requests.NewInteger(1) })[0]
	f.stop(prepaid)
	f.e.AdvanceClock(time.Minute)
	wantCode(t, f.modifySpec(prepaid, setType("ecs.g7.xlarge")), 403, "ChargeTypeViolation")
}

func TestResizeDisk(t *testing.T) {
	f := newFixture(t, Options{StopTime: time.Minute, SnapshotTime: time.Minute})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "100"}, {Size: "50", Category: "cloud"}}
	})[0]
	disks := map[string]Disk{}
	for _, d := range f.e.State().Disks {
		disks[d.Category+"/"+d.Type] = d
	}
	sys, data, basic := disks["cloud_essd/system"].DiskId, disks["cloud_essd/data"].DiskId, disks["cloud/data"].DiskId
	resize := func(disk string, size int, typ string) error {
		req := ecs.CreateResizeDiskRequest()
		req.RegionId = testRegion
		req.DiskId = disk
		req.NewSize = requests.NewInteger(size)
		req.Type = typ
		_, err := f.client().ResizeDisk(req)
		return err
	}
	size := func(disk string) int {
		for _, d := range f.e.State().Disks {
			if d.DiskId == disk {
				return d.Size
			}
		}
		return 0
	}
	wantCode(t, resize(data, 100, "online"), 403, "InvalidDiskSize.TooSmall")
	wantCode(t, resize(data, 80, "online"), 403, "InvalidDiskSize.TooSmall")
	wantCode(t, resize(sys, 4096, "online"), 403, "InvalidDiskSize.TooLarge")
	wantCode(t, resize(basic, 60, "online"), 403, "InvalidDiskCategory.NotSupported")
	wantCode(t, resize(data, 120, "sideways"), 400, "InvalidParam.Type")
	wantCode(t, resize("d-missing", 120, ""), 404, "InvalidDiskId.NotFound")
	if err := resize(data, 120, "online"); err != nil {
		t.Fatal(err)
	}
	if err := resize(sys, 60, "offline"); err != nil {
		t.Fatal(err)
	}
	if size(data) != 120 || size(sys) != 60 {
		t.Fatalf("sizes %d %d", size(data), size(sys))
	}
	// A snapshot in progress blocks a resize.
	if _, err := f.createGroup(func(r *ecs.CreateSnapshotGroupRequest) { r.DiskId = &[]string{data} }); err != nil {
		t.Fatal(err)
	}
	wantCode(t, resize(data, 130, "online"), 403, "DiskCreatingSnapshot")
	f.e.AdvanceClock(time.Minute)
	f.stop(id)
	wantCode(t, resize(basic, 60, ""), 403, "IncorrectInstanceStatus") // Stopping
	f.e.AdvanceClock(time.Minute)
	wantCode(t, resize(data, 130, "online"), 403, "InvalidInstanceStatus.NotRunning")
	if err := resize(basic, 60, ""); err != nil {
		t.Fatal(err)
	}
	if size(basic) != 60 {
		t.Fatalf("basic disk %d", size(basic))
	}
}
