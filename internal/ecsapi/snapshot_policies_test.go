package ecsapi

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The policy calls on the emulator: their lower-camel-case parameters, the
// JSON-array lists, the raw AutoSnapshotPolicyId of automatic snapshots.
func TestSnapshotPolicyCallsOnEmulator(t *testing.T) {
	c, e := emulatorClient(t, emulator.Options{SnapshotTime: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := e.State()
	id, err := c.RunInstance(ctx, RunInstanceInput{ClientToken: "run-1", ImageID: "ubuntu_22_04_x64_20G_alibase_20240101.vhd",
		InstanceType: "ecs.g7.large", VSwitchID: st.Catalog.VSwitches[0].ID, SecurityGroupIDs: []string{st.Catalog.SecurityGroups[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.AdvanceClock(5 * time.Minute)
	pid, err := c.CreateSnapshotPolicy(ctx, SnapshotPolicyInput{Name: "nightly", TimePoints: []int{22, 1},
		RepeatWeekdays: []int{1, 2, 3, 4, 5, 6, 7}, RetentionDays: 3, Tags: map[string]string{"team": "ml"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.GetSnapshotPolicy(ctx, pid)
	if err != nil || p.Name != "nightly" || len(p.TimePoints) != 2 || p.TimePoints[0] != 1 || p.RetentionDays != 3 || p.Tags["team"] != "ml" {
		t.Fatalf("policy %+v, %v", p, err)
	}
	disks, err := c.ListDisks(ctx, id)
	if err != nil || len(disks) != 1 {
		t.Fatalf("disks %v %v", disks, err)
	}
	if err := c.ApplySnapshotPolicy(ctx, pid, []string{disks[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDeleteAutoSnapshot(ctx, disks[0].ID, false); err != nil {
		t.Fatal(err)
	}
	e.AdvanceClock(24 * time.Hour)
	snaps, err := c.ListAutoSnapshots(ctx, pid)
	if err != nil || len(snaps) != 2 || snaps[0].PolicyID != pid || snaps[0].SourceDiskType != "system" {
		t.Fatalf("automatic snapshots %+v, %v", snaps, err)
	}
	if other, err := c.ListAutoSnapshots(ctx, "sp-other"); err != nil || len(other) != 0 {
		t.Fatalf("another policy's snapshots %+v, %v", other, err)
	}
	week := 7
	if err := c.ModifySnapshotPolicy(ctx, pid, ModifySnapshotPolicyInput{RetentionDays: &week, RepeatWeekdays: []int{6}}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.GetSnapshotPolicy(ctx, pid); err != nil || p.RetentionDays != 7 || len(p.RepeatWeekdays) != 1 || p.DiskCount != 1 {
		t.Fatalf("modified policy %+v, %v", p, err)
	}
	if err := c.CancelSnapshotPolicy(ctx, []string{disks[0].ID}); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelSnapshotPolicy(ctx, []string{"d-gone"}); !IsDiskNotFound(err) {
		t.Fatalf("cancel on a missing disk: %v", err)
	}
	if err := c.DeleteSnapshotPolicy(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSnapshotPolicy(ctx, pid); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := c.GetSnapshotPolicy(ctx, pid); !IsNotFound(err) {
		t.Fatalf("deleted policy: %v", err)
	}
	if snaps, _ := c.ListAutoSnapshots(ctx, pid); len(snaps) != 2 {
		t.Fatalf("the policy's snapshots went with it: %+v", snaps)
	}
}

// The answer's lists are read in every form the service may write them.
func TestParseInts(t *testing.T) {
	for in, want := range map[string]string{
		`["1","22","3"]`: "[1 3 22]",
		`[5, 2]`:         "[2 5]",
		`1,22`:           "[1 22]",
		``:               "[]",
	} {
		if got := fmt.Sprint(parseInts(in)); got != want {
			t.Errorf("parseInts(%q) = %s, want %s", in, got, want)
		}
	}
	if got := intsJSON([]int{0, 23}); got != `["0","23"]` {
		t.Errorf("intsJSON = %s", got)
	}
}
