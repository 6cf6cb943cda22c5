package ecsapi

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// emulatorClient is a Client on a fresh emulator, for the calls whose wire
// shapes (paging by number, OperationProgressSet) a scripted fake would only
// repeat back.
func emulatorClient(t *testing.T, opts emulator.Options) (*Client, *emulator.Emulator) {
	t.Helper()
	e, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	c, err := New(Config{RegionID: "cn-hangzhou", AccessKeyID: emulator.DefaultAccessKeyID,
		AccessKeySecret: emulator.DefaultAccessKeySecret, Endpoint: strings.TrimPrefix(srv.URL, "http://"),
		Scheme: "HTTP", WaitMinDelay: 10 * time.Millisecond, WaitMaxDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, e
}

func TestRestoreCallsOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{ImageTime: 30 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := e.State()
	vsw, sg := st.Catalog.VSwitches[0].ID, st.Catalog.SecurityGroups[0].ID
	id, err := c.RunInstance(ctx, RunInstanceInput{ClientToken: "run-1", ImageID: "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
		InstanceType: "ecs.g7.large", VSwitchID: vsw, SecurityGroupIDs: []string{sg},
		DataDisks: []DataDiskSpec{{Size: 50, Category: "cloud_essd", DeleteWithInstance: true}}})
	if err != nil {
		t.Fatal(err)
	}
	gid, err := c.CreateSnapshotGroup(ctx, SnapshotGroupInput{ClientToken: "g-1", InstanceID: id})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.WaitSnapshotGroupDone(ctx, gid)
	if err != nil {
		t.Fatal(err)
	}
	sys, data := g.Snapshots[0], g.Snapshots[1]
	if s, err := c.GetSnapshot(ctx, data.ID); err != nil || s.SourceDiskSize != 50 || s.SourceDiskType != "data" {
		t.Fatalf("GetSnapshot = %+v, %v", s, err)
	}
	if _, err := c.GetSnapshot(ctx, "s-missing"); !IsNotFound(err) {
		t.Fatalf("missing snapshot: %v", err)
	}
	img, err := c.CreateImage(ctx, ImageInput{ClientToken: "img-1", SnapshotID: sys.ID, Name: "restore-x",
		Tags: map[string]string{"aliecs:restore-token": "tok"}})
	if err != nil {
		t.Fatal(err)
	}
	if im, err := c.GetImage(ctx, img); err != nil || im.Status != ImageCreating {
		t.Fatalf("a new image: %+v, %v", im, err)
	}
	im, err := c.WaitImageAvailable(ctx, img)
	if err != nil || im.Size != 40 || len(im.SnapshotIDs) != 1 || im.SnapshotIDs[0] != sys.ID || im.Owner != "self" {
		t.Fatalf("available image: %+v, %v", im, err)
	}
	if list, err := c.ListImages(ctx, ImageFilter{Tags: map[string]string{"aliecs:restore-token": "tok"}}); err != nil || len(list) != 1 {
		t.Fatalf("ListImages = %+v, %v", list, err)
	}
	restored, err := c.RunInstance(ctx, RunInstanceInput{ClientToken: "run-2", ImageID: img, InstanceType: "ecs.g7.large",
		VSwitchID: vsw, SecurityGroupIDs: []string{sg},
		DataDisks: []DataDiskSpec{{SnapshotID: data.ID, Category: "cloud_essd", DeleteWithInstance: true}}})
	if err != nil {
		t.Fatal(err)
	}
	disks, err := c.ListDisks(ctx, restored)
	if err != nil || len(disks) != 2 || disks[1].SourceSnapshotID != data.ID || disks[0].ImageID != img {
		t.Fatalf("restored disks: %+v, %v", disks, err)
	}
	if err := c.ResizeDisk(ctx, disks[1].ID, 80, true, "rs-1"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteImage(ctx, img, false); ErrorCode(err) != "ImageUsingByInstance" {
		t.Fatalf("delete an image in use: %v", err)
	}
	if err := c.DeleteImage(ctx, img, true); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteImage(ctx, img, true); err != nil {
		t.Fatalf("deleting a deleted image: %v", err)
	}
	if err := c.StopInstance(ctx, restored, StopInput{StoppedMode: "KeepCharging"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitInstanceStatus(ctx, restored, StatusStopped); err != nil {
		t.Fatal(err)
	}
	if err := c.ModifyInstanceType(ctx, restored, "ecs.g7.xlarge", "spec-1"); err != nil {
		t.Fatal(err)
	}
	if inst, err := c.GetInstance(ctx, restored); err != nil || inst.InstanceType != "ecs.g7.xlarge" || inst.CPU != 4 {
		t.Fatalf("after ModifyInstanceType: %+v, %v", inst, err)
	}
	kept, err := c.DeleteSnapshotGroup(ctx, gid)
	if err != nil || len(kept) != 2 || kept[0].Code != "SnapshotCreatedDisk" || kept[0].SnapshotID != sys.ID {
		t.Fatalf("kept = %+v, %v", kept, err)
	}
}
