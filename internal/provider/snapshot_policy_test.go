package provider

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

const policyAddr = "aliecs_snapshot_policy.test"

// policyHCL is a daily policy on the listed instances.
func policyHCL(extra string) string {
	return fmt.Sprintf(`
resource "aliecs_snapshot_policy" "test" {
  name            = "checkpoints"
  time_points     = [3]
  repeat_weekdays = [1, 2, 3, 4, 5, 6, 7]
  retention_days  = 2
%s
}
`, extra)
}

// autoSnapshotsIn lists the emulator's automatic snapshots of a policy, by disk.
func autoSnapshotsIn(emu *emulator.Emulator, policyID string) map[string][]emulator.Snapshot {
	out := map[string][]emulator.Snapshot{}
	for _, s := range emu.State().Snapshots {
		if s.SnapshotType == "auto" && s.AutoSnapshotPolicyId == policyID {
			out[s.SourceDiskId] = append(out[s.SourceDiskId], s)
		}
	}
	return out
}

func policyIn(emu *emulator.Emulator, id string) *emulator.AutoSnapshotPolicy {
	for _, p := range emu.State().AutoSnapshotPolicies {
		if p.AutoSnapshotPolicyId == id {
			return &p
		}
	}
	return nil
}

// disksIn returns the emulator's disks of an instance, by id.
func disksIn(emu *emulator.Emulator, instanceID string) map[string]emulator.Disk {
	out := map[string]emulator.Disk{}
	for _, d := range emu.State().Disks {
		if d.InstanceId == instanceID {
			out[d.DiskId] = d
		}
	}
	return out
}

// TestAccJourney_snapshotPolicy: (1) a daily policy with a retention of 2
// days on a cloud_efficiency machine with a data disk; the clock moves 3
// days: 3 snapshots of each disk were taken and the oldest has expired; (2)
// the machine is released by its schedule, and its automatic snapshots stay
// (DeleteAutoSnapshot=false); (3) a new machine resumes from the latest
// automatic snapshot of the system disk; (4) destroying everything keeps
// the released machine's automatic snapshots until their retention ends.
func TestAccJourney_snapshotPolicy(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	machine := instanceHCL(e.cat, `
  force_delete = true
  system_disk  = { category = "cloud_efficiency" }
  data_disks   = [{ size = 40, category = "cloud_efficiency", delete_with_instance = true }]
`) + `
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "96h"
}
` + policyHCL(`  instance_ids = [aliecs_instance.test.id]`)
	cfg := e.config(machine)
	resume := e.config(machine + fmt.Sprintf(`
data "aliecs_snapshots" "auto" {
  policy_id = aliecs_snapshot_policy.test.id
}

resource "aliecs_instance" "resumed" {
  source_snapshot_id = data.aliecs_snapshots.auto.latest_system_snapshot_id
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
}
`, e.cat.vswitch, e.cat.sg))

	var instanceID, policyID string
	var disks []string
	var latestSystem string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy: func(*terraform.State) error {
			e.sync()
			if policyIn(e.emu, policyID) != nil {
				return fmt.Errorf("policy %s still exists after destroy", policyID)
			}
			kept := autoSnapshotsIn(e.emu, policyID)
			for _, d := range disks {
				if len(kept[d]) == 0 {
					return fmt.Errorf("the destroy deleted the automatic snapshots of released disk %s: %v", d, kept)
				}
			}
			// Until their retention ends: two days on, every one has expired.
			e.advance(49 * time.Hour)
			if left := autoSnapshotsIn(e.emu, policyID); len(left) != 0 {
				return fmt.Errorf("automatic snapshots outlived their retention: %v", left)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					instanceID = s.RootModule().Resources[instanceAddr].Primary.ID
					policyID = s.RootModule().Resources[policyAddr].Primary.ID
					for id, d := range disksIn(e.emu, instanceID) {
						if d.AutoSnapshotPolicyId != policyID || d.DeleteAutoSnapshot {
							return fmt.Errorf("disk %s: policy %q, DeleteAutoSnapshot %v; want %s and false", id,
								d.AutoSnapshotPolicyId, d.DeleteAutoSnapshot, policyID)
						}
						disks = append(disks, id)
					}
					sort.Strings(disks)
					if len(disks) != 2 {
						return fmt.Errorf("machine %s has disks %v, want 2", instanceID, disks)
					}
					return nil
				},
			},
			{
				// (1) Three days pass: three daily snapshots of each disk, the oldest expired.
				PreConfig: func() { e.advance(72 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if p := policyIn(e.emu, policyID); p == nil || p.SnapshotsTaken != 3*len(disks) {
						return fmt.Errorf("policy %+v: want %d snapshots taken (3 a disk)", p, 3*len(disks))
					}
					kept := autoSnapshotsIn(e.emu, policyID)
					for _, d := range disks {
						if len(kept[d]) != 2 {
							return fmt.Errorf("disk %s keeps %d automatic snapshots, want 2 (3 taken, the oldest expired)", d, len(kept[d]))
						}
					}
					return nil
				},
			},
			{
				// (2) The schedule releases the machine; its automatic snapshots stay.
				PreConfig: func() { e.advance(25 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact(statusReleased)),
				},
				Check: func(*terraform.State) error {
					if e.instanceInEmu(instanceID) != nil {
						return fmt.Errorf("machine %s was not released by its schedule", instanceID)
					}
					kept := autoSnapshotsIn(e.emu, policyID)
					for _, d := range disks {
						if len(kept[d]) == 0 {
							return fmt.Errorf("the release deleted the automatic snapshots of disk %s", d)
						}
					}
					return nil
				},
			},
			{
				// (3) Resume from the latest automatic snapshot of the system disk.
				Config: resume,
				Check: func(s *terraform.State) error {
					latestSystem = s.RootModule().Resources["data.aliecs_snapshots.auto"].Primary.Attributes["latest_system_snapshot_id"]
					var newest emulator.Snapshot
					for _, list := range autoSnapshotsIn(e.emu, policyID) {
						for _, sn := range list {
							if sn.SourceDiskType == "system" && sn.CreationTime > newest.CreationTime {
								newest = sn
							}
						}
					}
					if latestSystem == "" || latestSystem != newest.SnapshotId {
						return fmt.Errorf("latest_system_snapshot_id = %q, want the newest system snapshot %q", latestSystem, newest.SnapshotId)
					}
					resumed := s.RootModule().Resources["aliecs_instance.resumed"].Primary.ID
					in := e.instanceInEmu(resumed)
					if in == nil || in.Status != "Running" {
						return fmt.Errorf("resumed machine %s: %+v", resumed, in)
					}
					for _, tg := range in.Tags.Tag {
						if tg.TagKey == sourceSnapshotGroupTag && tg.TagValue == latestSystem {
							return nil
						}
					}
					return fmt.Errorf("resumed machine %s was not made from %s: tags %+v", resumed, latestSystem, in.Tags)
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccSnapshotPolicy_inPlace changes each argument in place, one step at
// a time, then moves the policy from one machine to another; an import
// round-trips.
func TestAccSnapshotPolicy_inPlace(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	machines := fmt.Sprintf(`
resource "aliecs_instance" "a" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  force_delete       = true
}

resource "aliecs_instance" "b" {
  image_id           = %[1]q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %[2]q
  security_group_ids = [%[3]q]
  force_delete       = true
}
`, e.cat.image, e.cat.vswitch, e.cat.sg)
	step := func(policy string, check func(p *emulator.AutoSnapshotPolicy) error) resource.TestStep {
		return resource.TestStep{
			Config: e.config(machines + policy),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources[policyAddr].Primary.ID
				p := policyIn(e.emu, id)
				if p == nil {
					return fmt.Errorf("policy %s is not in the emulator", id)
				}
				return check(p)
			},
		}
	}
	inPlace := func(policy string, check func(p *emulator.AutoSnapshotPolicy) error) resource.TestStep {
		s := step(policy, check)
		s.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionUpdate)}
		return s
	}
	onDisks := func(s *terraform.State, addr, policyID string) error {
		id := s.RootModule().Resources[addr].Primary.ID
		for did, d := range disksIn(e.emu, id) {
			if d.AutoSnapshotPolicyId != policyID {
				return fmt.Errorf("disk %s of %s has policy %q, want %q", did, addr, d.AutoSnapshotPolicyId, policyID)
			}
		}
		return nil
	}
	base := `  instance_ids = [aliecs_instance.a.id]`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			step(policyHCL(base), func(p *emulator.AutoSnapshotPolicy) error {
				if p.TimePoints != `["3"]` || p.RetentionDays != 2 || p.DiskNums != 1 {
					return fmt.Errorf("created policy %+v", p.AutoSnapshotPolicyId)
				}
				return nil
			}),
			inPlace(strings.Replace(policyHCL(base), `"checkpoints"`, `"renamed"`, 1), func(p *emulator.AutoSnapshotPolicy) error {
				if p.AutoSnapshotPolicyName != "renamed" {
					return fmt.Errorf("name %q", p.AutoSnapshotPolicyName)
				}
				return nil
			}),
			inPlace(strings.Replace(policyHCL(base), `[3]`, `[3, 15]`, 1), func(p *emulator.AutoSnapshotPolicy) error {
				if p.TimePoints != `["3","15"]` {
					return fmt.Errorf("time points %s", p.TimePoints)
				}
				return nil
			}),
			inPlace(strings.Replace(policyHCL(base), `[1, 2, 3, 4, 5, 6, 7]`, `[6, 7]`, 1), func(p *emulator.AutoSnapshotPolicy) error {
				if p.RepeatWeekdays != `["6","7"]` {
					return fmt.Errorf("weekdays %s", p.RepeatWeekdays)
				}
				return nil
			}),
			inPlace(strings.Replace(policyHCL(base), `= 2`, `= -1`, 1), func(p *emulator.AutoSnapshotPolicy) error {
				if p.RetentionDays != -1 {
					return fmt.Errorf("retention %d", p.RetentionDays)
				}
				return nil
			}),
			inPlace(policyHCL(base+"\n  tags = { team = \"ml\" }"), func(p *emulator.AutoSnapshotPolicy) error {
				if len(p.Tags.Tag) != 1 || p.Tags.Tag[0].TagValue != "ml" {
					return fmt.Errorf("tags %+v", p.Tags)
				}
				return nil
			}),
			func() resource.TestStep {
				// The policy moves from machine a to machine b.
				s := inPlace(policyHCL(`  instance_ids = [aliecs_instance.b.id]`), func(p *emulator.AutoSnapshotPolicy) error { return nil })
				s.Check = func(st *terraform.State) error {
					id := st.RootModule().Resources[policyAddr].Primary.ID
					if err := onDisks(st, "aliecs_instance.b", id); err != nil {
						return err
					}
					return onDisks(st, "aliecs_instance.a", "")
				}
				return s
			}(),
			{
				ResourceName:            policyAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A policy cancelled outside Terraform is applied again.
				PreConfig: func() {
					st := e.emu.State()
					var disk string
					for _, d := range st.Disks {
						if d.AutoSnapshotPolicyId != "" {
							disk = d.DiskId
						}
					}
					if err := e.instanceSDKClient().CancelSnapshotPolicy(t.Context(), []string{disk}); err != nil {
						t.Fatal(err)
					}
				},
				Config: e.config(machines + policyHCL(`  instance_ids = [aliecs_instance.b.id]`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(st *terraform.State) error {
					return onDisks(st, "aliecs_instance.b", st.RootModule().Resources[policyAddr].Primary.ID)
				},
			},
		},
	})
}

// TestAccSnapshotPolicy_badInput: every bad value is an error on its
// attribute at plan, before any call.
func TestAccSnapshotPolicy_badInput(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t, emulator.Options{})
	cases := []struct{ hcl, want string }{
		{strings.Replace(policyHCL(""), "[3]", "[24]", 1), `(?s)time_points.*between 0 and 23`},
		{strings.Replace(policyHCL(""), "[1, 2, 3, 4, 5, 6, 7]", "[0]", 1), `(?s)repeat_weekdays.*between 1 and 7`},
		{strings.Replace(policyHCL(""), "= 2", "= 0", 1), `(?s)Invalid retention.*1 to 65536`},
		{policyHCL(`  instance_ids = ["web-1"]`), `(?s)Invalid instance id`},
		{policyHCL(`  instance_ids = ["i-bp67acfmxazb4ph1234"]`), `(?s)Instance not found.*i-bp67acfmxazb4ph1234.*does not exist`},
		{`data "aliecs_snapshots" "x" { policy_id = "ssg-bp67acfmxazb4ph1234" }`, `(?s)Invalid snapshot policy id`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: e.config(c.hcl), PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), Steps: steps})
	if n := e.emu.Calls()["CreateAutoSnapshotPolicy"]; n != 0 {
		t.Fatalf("%d CreateAutoSnapshotPolicy calls for bad input", n)
	}
}

// TestAccSnapshotPolicy_resumeBothDisks: a machine with a data disk resumes
// from one time point's automatic snapshots: the system disk's through
// source_snapshot_id, the data disk's through data_disks[*].snapshot_id,
// both read from aliecs_snapshots.auto_snapshots.
func TestAccSnapshotPolicy_resumeBothDisks(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	base := instanceHCL(e.cat, `
  force_delete = true
  data_disks   = [{ size = 50, category = "cloud_efficiency", delete_with_instance = true }]
`) + policyHCL(`  instance_ids = [aliecs_instance.test.id]`)
	resume := base + fmt.Sprintf(`
data "aliecs_snapshots" "auto" {
  policy_name = "checkpoints"
}

locals {
  newest = data.aliecs_snapshots.auto.auto_snapshots[length(data.aliecs_snapshots.auto.auto_snapshots) - 1].creation_time
  point  = { for s in data.aliecs_snapshots.auto.auto_snapshots : s.disk_type => s.snapshot_id if s.creation_time == local.newest }
}

resource "aliecs_instance" "resumed" {
  source_snapshot_id = local.point["system"]
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  data_disks         = [{ size = 50, snapshot_id = local.point["data"] }]
  force_delete       = true
}
`, e.cat.vswitch, e.cat.sg)
	var policyID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.config(base),
				Check: func(s *terraform.State) error {
					policyID = s.RootModule().Resources[policyAddr].Primary.ID
					return nil
				},
			},
			{
				PreConfig: func() { e.advance(30 * time.Hour) },
				Config:    e.config(resume),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					resumed := s.RootModule().Resources["aliecs_instance.resumed"].Primary.ID
					newest := map[string]emulator.Snapshot{}
					for _, list := range autoSnapshotsIn(e.emu, policyID) {
						for _, sn := range list {
							if sn.CreationTime > newest[sn.SourceDiskType].CreationTime {
								newest[sn.SourceDiskType] = sn
							}
						}
					}
					var fromData bool
					for _, d := range disksIn(e.emu, resumed) {
						if d.Type == "data" && d.SourceSnapshotId == newest["data"].SnapshotId {
							fromData = true
						}
					}
					if !fromData {
						return fmt.Errorf("the resumed machine's data disk was not made from %s: %+v", newest["data"].SnapshotId, disksIn(e.emu, resumed))
					}
					in := e.instanceInEmu(resumed)
					for _, tg := range in.Tags.Tag {
						if tg.TagKey == sourceSnapshotGroupTag && tg.TagValue == newest["system"].SnapshotId {
							return nil
						}
					}
					return fmt.Errorf("the resumed machine was not made from %s: %+v", newest["system"].SnapshotId, in.Tags)
				},
			},
		},
	})
}
