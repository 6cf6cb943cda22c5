package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestRunInstancesAndDescribe(t *testing.T) {
	f := newFixture(t, Options{})
	ids := f.run(2, func(r *ecs.RunInstancesRequest) {
		r.InstanceName = "web-1"
		r.InternetMaxBandwidthOut = requests.NewInteger(10)
		r.Tag = &[]ecs.RunInstancesTag{{Key: "env", Value: "test"}}
		r.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "100", Category: "cloud_essd"}}
	})
	if len(ids) != 2 || !strings.HasPrefix(ids[0], "i-bp1") || len(ids[0]) != 22 {
		t.Fatalf("ids = %v", ids)
	}
	in := f.describe(ids[0])
	if in == nil {
		t.Fatal("instance not found")
	}
	if in.Status != "Running" || in.InstanceName != "web-1" || in.Cpu != 2 || in.Memory != 8192 ||
		in.ZoneId != "cn-hangzhou-h" || in.InstanceTypeFamily != "ecs.g7" || in.OSType != "linux" {
		t.Fatalf("instance = %+v", in)
	}
	if len(in.PublicIpAddress.IpAddress) != 1 || len(in.VpcAttributes.PrivateIpAddress.IpAddress) != 1 {
		t.Fatalf("ips = %+v %+v", in.PublicIpAddress, in.VpcAttributes)
	}
	if len(in.Tags.Tag) != 1 || in.Tags.Tag[0].TagKey != "env" || in.Tags.Tag[0].TagValue != "test" {
		t.Fatalf("tags = %+v", in.Tags)
	}
	if _, err := time.Parse("2006-01-02T15:04Z", in.CreationTime); err != nil {
		t.Fatalf("CreationTime %q: %v", in.CreationTime, err)
	}
	if in.AutoReleaseTime != "" || in.DeletionProtection {
		t.Fatalf("auto release %q protection %v", in.AutoReleaseTime, in.DeletionProtection)
	}
	dreq := ecs.CreateDescribeDisksRequest()
	dreq.RegionId = testRegion
	dreq.InstanceId = ids[0]
	disks, err := f.client().DescribeDisks(dreq)
	if err != nil {
		t.Fatal(err)
	}
	if disks.TotalCount != 2 || disks.Disks.Disk[0].Type != "system" || disks.Disks.Disk[0].Device != "/dev/xvda" ||
		disks.Disks.Disk[0].Category != "cloud_essd" || disks.Disks.Disk[0].Size != 40 ||
		disks.Disks.Disk[1].Device != "/dev/xvdb" || disks.Disks.Disk[1].Size != 100 || disks.Disks.Disk[1].Status != "In_use" {
		t.Fatalf("disks = %+v", disks.Disks.Disk)
	}
}

func TestGPUInstanceReportsGPU(t *testing.T) {
	f := newFixture(t, Options{})
	ids := f.run(1, func(r *ecs.RunInstancesRequest) {
		r.InstanceType = "ecs.gn7i-c8g1.2xlarge"
		r.ImageId = "ubuntu_22_04_x64_20G_gpu_cuda12_alibase_20240101.vhd"
	})
	in := f.describe(ids[0])
	if in.GPUAmount != 1 || in.GPUSpec != "NVIDIA A10" || in.Cpu != 8 || in.Memory != 30720 {
		t.Fatalf("gpu instance = %+v", in)
	}
}

func TestLifecycleTransitions(t *testing.T) {
	f := newFixture(t, Options{BootTime: 2 * time.Minute, StopTime: time.Minute})
	id := f.run(1)[0]
	if s := f.describe(id).Status; s != "Pending" {
		t.Fatalf("status = %s", s)
	}
	// Pending: delete is refused as Initializing.
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	del.Force = requests.NewBoolean(true)
	_, err := f.client().DeleteInstance(del)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus.Initializing")
	f.e.AdvanceClock(61 * time.Second)
	if s := f.describe(id).Status; s != "Starting" {
		t.Fatalf("status = %s", s)
	}
	f.e.AdvanceClock(time.Minute)
	if s := f.describe(id).Status; s != "Running" {
		t.Fatalf("status = %s", s)
	}
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = id
	_, err = f.client().StartInstance(start)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus")
	del.Force = requests.NewBoolean(false)
	_, err = f.client().DeleteInstance(del)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus")

	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = id
	stop.StoppedMode = "StopCharging"
	if _, err := f.client().StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(id); in.Status != "Stopping" || in.StoppedMode != "Not-applicable" {
		t.Fatalf("after stop: %s %s", in.Status, in.StoppedMode)
	}
	_, err = f.client().StopInstance(stop)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus")
	f.e.AdvanceClock(time.Minute)
	if in := f.describe(id); in.Status != "Stopped" || in.StoppedMode != "StopCharging" {
		t.Fatalf("after stop: %s %s", in.Status, in.StoppedMode)
	}
	if _, err := f.client().StartInstance(start); err != nil {
		t.Fatal(err)
	}
	if s := f.describe(id).Status; s != "Starting" {
		t.Fatalf("status = %s", s)
	}
	f.e.AdvanceClock(2 * time.Minute)
	reboot := ecs.CreateRebootInstanceRequest()
	reboot.InstanceId = id
	if _, err := f.client().RebootInstance(reboot); err != nil {
		t.Fatal(err)
	}
	if s := f.describe(id).Status; s != "Stopping" {
		t.Fatalf("status = %s", s)
	}
	f.e.AdvanceClock(3 * time.Minute)
	if s := f.describe(id).Status; s != "Running" {
		t.Fatalf("status = %s", s)
	}
	// Force releases a running instance.
	del.Force = requests.NewBoolean(true)
	if _, err := f.client().DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(id); in != nil {
		t.Fatalf("released instance still listed: %+v", in)
	}
	_, err = f.client().DeleteInstance(del)
	wantCode(t, err, http.StatusNotFound, "InvalidInstanceId.NotFound")
}

// TestGracefulStopThenForce: a graceful stop takes GracefulStopTime (a guest
// slow to shut down); a second graceful stop is refused while it is under
// way, a forced one powers the instance off in StopTime. The call log says
// which kind of stop was asked for and in what status the instance was.
func TestGracefulStopThenForce(t *testing.T) {
	f := newFixture(t, Options{StopTime: time.Minute, GracefulStopTime: time.Hour})
	id := f.run(1)[0]
	f.e.ResetCalls()
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = id
	if _, err := f.client().StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	f.e.AdvanceClock(59 * time.Minute)
	if s := f.describe(id).Status; s != "Stopping" {
		t.Fatalf("59 minutes into a one-hour graceful stop: status = %s, want Stopping", s)
	}
	_, err := f.client().StopInstance(stop)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus")
	stop.ForceStop = requests.NewBoolean(true)
	if _, err := f.client().StopInstance(stop); err != nil {
		t.Fatalf("forced stop of a Stopping instance: %v", err)
	}
	f.e.AdvanceClock(59 * time.Second)
	if s := f.describe(id).Status; s != "Stopping" {
		t.Fatalf("59 s into a one-minute forced stop: status = %s, want Stopping", s)
	}
	f.e.AdvanceClock(time.Second)
	if s := f.describe(id).Status; s != "Stopped" {
		t.Fatalf("after the forced stop: status = %s, want Stopped", s)
	}
	_, err = f.client().StopInstance(stop)
	wantCode(t, err, http.StatusForbidden, "IncorrectInstanceStatus")

	var got []string
	for _, c := range f.e.CallLog() {
		if c.Action == "StopInstance" {
			got = append(got, c.InstanceStatus+"/force="+c.ForceStop+"/"+c.Code)
		}
	}
	want := []string{"Running/force=/", "Stopping/force=/IncorrectInstanceStatus", "Stopping/force=true/",
		"Stopped/force=true/IncorrectInstanceStatus"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("StopInstance calls = %v, want %v", got, want)
	}
}
