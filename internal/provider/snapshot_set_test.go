package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// setSnapshots lists the emulator's snapshots tagged as members of set id.
func setSnapshots(env *accEnv, id string) []emulator.Snapshot {
	var out []emulator.Snapshot
	for _, s := range env.emu.State().Snapshots {
		for _, tg := range s.Tags.Tag {
			if tg.TagKey == ecsapi.SnapshotSetTag && tg.TagValue == id {
				out = append(out, s)
			}
		}
	}
	return out
}

// stoppedBeforeFirstSnapshot reports whether the call log has a StopInstance
// of the instance before its first CreateSnapshot.
func stoppedBeforeFirstSnapshot(env *accEnv, instanceID string) bool {
	stopped := false
	for _, c := range env.emu.CallLog() {
		switch {
		case c.Action == "StopInstance" && c.InstanceID == instanceID && c.Code == "":
			stopped = true
		case c.Action == "CreateSnapshot":
			return stopped
		}
	}
	return false
}

const efficiencyDisks = `  system_disk = { category = "cloud_efficiency" }
  data_disks  = [{ size = 20, category = "cloud_efficiency" }]
`

// TestAccSnapshotSet_cloudEfficiencyJourney: the seed's flow on a machine
// whose disks a snapshot group refuses. The snapshot is a per-disk set
// (sset-…, one snapshot per disk, the instance stopped first by default),
// the machine is released only after both are accomplished, aliecs_snapshots
// lists the set, a new machine resumes from it (source_snapshot_id), the set
// imports by its id, and destroy deletes every snapshot of the set.
func TestAccSnapshotSet_cloudEfficiencyJourney(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	snap := `
resource "aliecs_snapshot" "test" {
  instance_id                     = aliecs_instance.test.id
  name                            = "efficiency-copy"
  release_instance_after_snapshot = true
  tags                            = { team = "moved-in" }
}
`
	first := e.config(instanceHCL(e.cat, efficiencyDisks+"  force_delete = true") + snap)
	resumedHCL := strings.Replace(instanceHCL(e.cat, `  source_snapshot_id = aliecs_snapshot.test.id
  force_delete = true`), `"aliecs_instance" "test"`, `"aliecs_instance" "resumed"`, 1)
	resumedHCL = strings.Replace(resumedHCL, "image_id", "# image_id", 1)
	resumed := first + resumedHCL + `
data "aliecs_snapshots" "all" {
  depends_on = [aliecs_snapshot.test]
}
`
	var instanceID, setID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: first,
				Check: resource.ComposeTestCheckFunc(
					captureMachine(&instanceID, &setID),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "status", "accomplished"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "progress", "100"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "snapshots.#", "2"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "tags.team", "moved-in"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
					func(*terraform.State) error {
						if !ecsapi.IsSnapshotSetID(setID) {
							return fmt.Errorf("snapshot id %q is not a per-disk set id", setID)
						}
						if n := len(setSnapshots(e.accEnv, setID)); n != 2 {
							return fmt.Errorf("set %s has %d snapshots in the emulator, want 2", setID, n)
						}
						if e.emu.Calls()["CreateSnapshotGroup"] != 0 {
							return fmt.Errorf("CreateSnapshotGroup was called for cloud_efficiency disks")
						}
						if !stoppedBeforeFirstSnapshot(e.accEnv, instanceID) {
							return fmt.Errorf("instance %s was not stopped before its per-disk snapshots", instanceID)
						}
						if e.instanceInEmu(instanceID) != nil {
							return fmt.Errorf("instance %s was not released after the snapshot", instanceID)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() { e.sync() },
				Config:    resumed,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_instance.resumed", "status", "Running"),
					// The restore facts the set carries: the disks come back as they were.
					resource.TestCheckResourceAttr("aliecs_instance.resumed", "system_disk.category", "cloud_efficiency"),
					resource.TestCheckResourceAttr("aliecs_instance.resumed", "data_disks.0.category", "cloud_efficiency"),
					resource.TestCheckResourceAttrPair("aliecs_instance.resumed", "source_snapshot_id", "aliecs_snapshot.test", "id"),
					func(s *terraform.State) error {
						a := s.RootModule().Resources["data.aliecs_snapshots.all"].Primary.Attributes
						if !strings.Contains(fmt.Sprint(a), setID) {
							return fmt.Errorf("aliecs_snapshots does not list set %s: %v", setID, a)
						}
						if n := len(setSnapshots(e.accEnv, setID)); n != 2 {
							return fmt.Errorf("the set lost snapshots: %d left", n)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      "aliecs_snapshot.test",
				Config:            resumed,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"timeouts", "stop_before_snapshot", "keep_on_destroy",
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			e.sync()
			for _, s := range setSnapshots(e.accEnv, setID) {
				return fmt.Errorf("destroy kept snapshot %s of set %s", s.SnapshotId, setID)
			}
			if n := len(e.emu.State().Instances); n != 0 {
				return fmt.Errorf("%d instances left", n)
			}
			return nil
		},
	})
}

// TestAccSnapshotSet_finalSnapshotCloudEfficiency: final_snapshot on a
// cloud_efficiency machine plans, and its destroy takes a per-disk set
// (accomplished, kept after the machine is released) instead of failing.
func TestAccSnapshotSet_finalSnapshotCloudEfficiency(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, efficiencyDisks+`  final_snapshot = { name = "last-words" }`))
	var instanceID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &instanceID)},
		},
		CheckDestroy: func(*terraform.State) error {
			if env.instanceInEmu(instanceID) != nil {
				return fmt.Errorf("instance %s not released", instanceID)
			}
			sets := map[string]int{}
			for _, s := range env.emu.State().Snapshots {
				for _, tg := range s.Tags.Tag {
					if tg.TagKey == ecsapi.SnapshotSetTag {
						if s.Status != "accomplished" || s.SnapshotName != "last-words" {
							return fmt.Errorf("final snapshot %s: status %s, name %q", s.SnapshotId, s.Status, s.SnapshotName)
						}
						sets[tg.TagValue]++
					}
				}
			}
			if len(sets) != 1 {
				return fmt.Errorf("final snapshot sets %v, want one of 2 snapshots", sets)
			}
			for _, n := range sets {
				if n != 2 {
					return fmt.Errorf("final snapshot sets %v, want one of 2 snapshots", sets)
				}
			}
			return nil
		},
	})
}

// TestAccSnapshotSet_oneDiskFailsKeepsInstance: one disk's snapshot of a set
// fails. The set fails at once, the instance is not released (and runs
// again), and the other snapshot of the set is deleted, not leaked.
func TestAccSnapshotSet_oneDiskFailsKeepsInstance(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	machine := instanceHCL(c, efficiencyDisks)
	var instanceID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: env.config(machine), Check: instanceStateID(instanceAddr, &instanceID)},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshot", AsyncFailure: true, Count: 1})
				},
				Config: env.config(machine + `
resource "aliecs_snapshot" "test" {
  instance_id                     = aliecs_instance.test.id
  release_instance_after_snapshot = true
}
`),
				ExpectError: regexp.MustCompile(`(?s)The snapshot failed.*instance was not released`),
			},
			{
				Config: env.config(machine),
				Check: func(*terraform.State) error {
					if n := env.emu.Calls()["CreateSnapshot"]; n != 2 {
						return fmt.Errorf("CreateSnapshot was called %d times, want 2 (one per disk)", n)
					}
					if in := env.instanceInEmu(instanceID); in == nil || in.Status != "Running" {
						return fmt.Errorf("instance %s is gone or not running after a failed snapshot: %+v", instanceID, in)
					}
					for _, s := range env.emu.State().Snapshots {
						return fmt.Errorf("snapshot %s (%s) of the failed set leaked", s.SnapshotId, s.Status)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSnapshotSet_finalSnapshotFailureThenRetry: the retried-destroy rule
// on a cloud_efficiency machine. One disk's final snapshot fails: the
// destroy keeps the machine and deletes the failed attempt's other snapshot.
// The next destroy takes a new set (new ClientTokens: none of the first
// attempt's snapshots comes back) and releases the machine.
func TestAccSnapshotSet_finalSnapshotFailureThenRetry(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, efficiencyDisks+`  final_snapshot = { name = "retry-me" }`))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshot", AsyncFailure: true, Count: 1})
				},
				Config:      env.config(""),
				ExpectError: cliPhrases("Final snapshot failed; the instance was kept"),
			},
			{
				PreConfig: func() {
					if env.instanceInEmu(id) == nil {
						t.Fatalf("instance %s was released by a destroy whose snapshot failed", id)
					}
					if n := len(env.emu.State().Snapshots); n != 0 {
						t.Fatalf("the failed attempt left %d snapshots", n)
					}
				},
				Config: env.config(""),
				Check: func(*terraform.State) error {
					if env.instanceInEmu(id) != nil {
						return fmt.Errorf("instance %s not released by the second destroy", id)
					}
					// A reused ClientToken would answer with a snapshot of the
					// first attempt, deleted since: the set would come up short.
					snaps := env.emu.State().Snapshots
					if len(snaps) != 2 {
						return fmt.Errorf("the second destroy left %d snapshots, want a set of 2", len(snaps))
					}
					for _, s := range snaps {
						if s.Status != "accomplished" {
							return fmt.Errorf("final snapshot %s is %s", s.SnapshotId, s.Status)
						}
					}
					return nil
				},
			},
		},
	})
}

// setsAsGroups views the emulator's per-disk snapshot sets as snapshot
// groups (id, instance, status, name, creation time), so that checks
// written for groups see them too.
func setsAsGroups(st emulator.State) []emulator.SnapshotGroup {
	byID := map[string]*emulator.SnapshotGroup{}
	var order []string
	for _, s := range st.Snapshots {
		var id, inst string
		for _, tg := range s.Tags.Tag {
			switch tg.TagKey {
			case ecsapi.SnapshotSetTag:
				id = tg.TagValue
			case ecsapi.SnapshotSetInstanceTag:
				inst = tg.TagValue
			}
		}
		if id == "" {
			continue
		}
		g := byID[id]
		if g == nil {
			g = &emulator.SnapshotGroup{SnapshotGroupId: id, InstanceId: inst, Name: s.SnapshotName,
				CreationTime: s.CreationTime, Status: "accomplished"}
			byID[id] = g
			order = append(order, id)
		}
		if s.CreationTime < g.CreationTime {
			g.CreationTime = s.CreationTime
		}
		switch {
		case s.Status == "failed":
			g.Status = "failed"
		case s.Status != "accomplished" && g.Status != "failed":
			g.Status = "progressing"
		}
	}
	out := make([]emulator.SnapshotGroup, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

// TestAccExplore_efficiencyDiskSets replays a journey of the explorer on
// cloud_efficiency machines: snapshots (per-disk sets), one released by its
// snapshot, a restore from the set, a final snapshot; every invariant is
// checked after each step.
func TestAccExplore_efficiencyDiskSets(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 932313},
		{Kind: "edit", Edit: "protect", Arg: 0}, // this seed's machines start protected
		{Kind: "edit", Edit: "disk_category", Arg: 0},
		{Kind: "edit", Edit: "snapshots", Arg: 1},
		{Kind: "edit", Edit: "final", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "snap_release", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "restore", Arg: 0},
		{Kind: "apply", Arg: 0},
	})
}
