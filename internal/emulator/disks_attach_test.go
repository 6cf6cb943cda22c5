package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// CreateDisk makes an Available pay-as-you-go disk; AttachDisk puts it on
// the next free device of a Running or Stopped instance of its zone.
func TestCreateAndAttachDisk(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	zone := f.describe(id).ZoneId
	create := func(mut func(*ecs.CreateDiskRequest)) (string, error) {
		req := ecs.CreateCreateDiskRequest()
		req.RegionId = testRegion
		req.ZoneId = zone
		req.DiskCategory = "cloud_essd"
		req.Size = requests.NewInteger(20)
		mut(req)
		resp, err := f.client().CreateDisk(req)
		if err != nil {
			return "", err
		}
		return resp.DiskId, nil
	}
	attach := func(instance, disk string, dwi bool) error {
		req := ecs.CreateAttachDiskRequest()
		req.RegionId = testRegion
		req.InstanceId, req.DiskId = instance, disk
		req.DeleteWithInstance = requests.NewBoolean(dwi)
		_, err := f.client().AttachDisk(req)
		return err
	}
	_, err := create(func(r *ecs.CreateDiskRequest) { r.ZoneId = "" })
	wantCode(t, err, 400, "MissingParameter")
	_, err = create(func(r *ecs.CreateDiskRequest) { r.ZoneId = "cn-hangzhou-z" })
	wantCode(t, err, 404, "InvalidZoneId.NotFound")
	_, err = create(func(r *ecs.CreateDiskRequest) { r.DiskCategory = "floppy" })
	wantCode(t, err, 400, "InvalidDiskCategory.ValueNotSupported")
	_, err = create(func(r *ecs.CreateDiskRequest) { r.Size = requests.NewInteger(70000) })
	wantCode(t, err, 400, "InvalidSize.ValueNotSupported")
	_, err = create(func(r *ecs.CreateDiskRequest) { r.Size = "" })
	wantCode(t, err, 400, "MissingParameter")

	d1, err := create(func(r *ecs.CreateDiskRequest) { r.ClientToken = "disk-1" })
	if err != nil {
		t.Fatal(err)
	}
	again, err := create(func(r *ecs.CreateDiskRequest) { r.ClientToken = "disk-1" })
	if err != nil || again != d1 {
		t.Fatalf("the same ClientToken gave %q, %v; want %s", again, err, d1)
	}
	disk := func(id string) Disk {
		for _, d := range f.e.State().Disks {
			if d.DiskId == id {
				return d
			}
		}
		t.Fatalf("disk %s not found", id)
		return Disk{}
	}
	if d := disk(d1); d.Status != "Available" || d.Type != "data" || d.Size != 20 || d.InstanceId != "" {
		t.Fatalf("new disk: %+v", d)
	}

	wantCode(t, attach("i-missing", d1, false), 404, "InvalidInstanceId.NotFound")
	wantCode(t, attach(id, "d-missing", false), 404, "InvalidDiskId.NotFound")
	if err := attach(id, d1, true); err != nil {
		t.Fatal(err)
	}
	if d := disk(d1); d.Status != "In_use" || d.InstanceId != id || d.Device != "/dev/xvdb" || !d.DeleteWithInstance {
		t.Fatalf("attached disk: %+v", d)
	}
	wantCode(t, attach(id, d1, true), 403, "IncorrectDiskStatus")

	// Stopped works too; DeleteWithInstance defaults to false.
	f.stop(id)
	d2, err := create(func(*ecs.CreateDiskRequest) {})
	if err != nil {
		t.Fatal(err)
	}
	req := ecs.CreateAttachDiskRequest()
	req.RegionId = testRegion
	req.InstanceId, req.DiskId = id, d2
	if _, err := f.client().AttachDisk(req); err != nil {
		t.Fatal(err)
	}
	if d := disk(d2); d.Device != "/dev/xvdc" || d.DeleteWithInstance {
		t.Fatalf("second disk: %+v", d)
	}
}
