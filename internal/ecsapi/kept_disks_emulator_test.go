package ecsapi

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// ListKeptDisks answers only the data disks that outlive their instance,
// read by the service's filters (DiskType, DeleteWithInstance) on the
// emulator; and the kept disks of a wave of releases are one short listing
// where every disk of the region takes a page per 100 disks.
func TestListKeptDisksOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := e.State()
	vsw, sg := st.Catalog.VSwitches[0].ID, st.Catalog.SecurityGroups[0].ID
	run := func(token string, disks ...DataDiskSpec) string {
		t.Helper()
		id, err := c.RunInstance(ctx, RunInstanceInput{ClientToken: token, ImageID: "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
			InstanceType: "ecs.g7.large", VSwitchID: vsw, SecurityGroupIDs: []string{sg}, DataDisks: disks})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	kept := DataDiskSpec{Size: 50, Category: "cloud_essd", Name: "kept"}
	gone := DataDiskSpec{Size: 50, Category: "cloud_essd", Name: "gone", DeleteWithInstance: true}
	want := map[string][]string{ // instance → names of its kept disks
		run("one-kept", kept):            {"kept"},
		run("one-gone", gone):            nil,
		run("no-data-disks"):             nil,
		run("kept-and-gone", gone, kept): {"kept"},
	}
	// A region of about 400 disks: every disk takes five pages.
	for i := 0; i < 200; i++ {
		run(fmt.Sprintf("filler-%d", i), gone)
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}

	readAll := func(list func(context.Context, string) ([]Disk, error)) map[string][]Disk {
		e.ResetCalls()
		got := map[string][]Disk{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				disks, err := list(ctx, id)
				if err != nil {
					t.Errorf("%s: %v", id, err)
				}
				if disks == nil {
					t.Errorf("%s: nil disks: a caller could not tell read from unread", id)
				}
				mu.Lock()
				got[id] = disks
				mu.Unlock()
			}()
		}
		wg.Wait()
		return got
	}

	got := readAll(c.ListKeptDisks)
	for id, names := range want {
		var gotNames []string
		for _, d := range got[id] {
			if d.InstanceID != id || d.Type != "data" || d.DeleteWithInstance {
				t.Errorf("%s: not a kept disk of it: %+v", id, d)
			}
			gotNames = append(gotNames, d.Name)
		}
		sort.Strings(gotNames)
		if fmt.Sprint(gotNames) != fmt.Sprint(names) {
			t.Errorf("%s: kept disks %v, want %v", id, gotNames, names)
		}
	}
	if n := e.Calls()["DescribeDisks"]; n != 1 {
		t.Errorf("kept disks of 4 instances: %d DescribeDisks, want 1 (one short listing)", n)
	}

	readAll(c.ListDisks)
	if n := e.Calls()["DescribeDisks"]; n < 3 {
		t.Errorf("every disk of 4 instances in a region of about 400 disks: %d DescribeDisks, want 3 or more", n)
	}
}
