package provider

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccGuide_pauseAndResume runs the configuration of the pause-and-resume
// guide (examples/guides/pause-and-resume/main.tf) running → paused →
// running → paused → running, hours apart, and checks in the emulator that
// exactly one machine runs when running and none when paused, that every
// pause left an accomplished snapshot group, and that the next resume made
// its machine from that group.
func TestAccGuide_pauseAndResume(t *testing.T) {
	e := newJourneyEnv(t)
	body, err := os.ReadFile("../../examples/guides/pause-and-resume/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.config(string(body))
	const addr = "aliecs_instance.box[0]"

	var machines []string // the machine of each running phase
	var pauses []string   // the snapshot group each pause left

	running := func(fromPause int) resource.TestStep { // fromPause: index into pauses, -1 for the image
		return resource.TestStep{
			PreConfig:       func() { e.advance(3 * time.Hour) },
			Config:          cfg,
			ConfigVariables: config.Variables{"paused": config.BoolVariable(false)},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				e.sync()
				st := e.emu.State()
				if len(st.Instances) != 1 || st.Instances[0].Status != "Running" {
					return fmt.Errorf("running: %d machines in the emulator (%+v), want exactly one, Running", len(st.Instances), st.Instances)
				}
				if len(st.Images) != 0 {
					return fmt.Errorf("running: intermediate images left: %v", st.Images)
				}
				in := st.Instances[0]
				machines = append(machines, in.InstanceId)
				source := ""
				for _, tg := range in.Tags.Tag {
					if tg.TagKey == sourceSnapshotGroupTag {
						source = tg.TagValue
					}
				}
				want := ""
				if fromPause >= 0 {
					want = pauses[fromPause]
				}
				if source != want {
					return fmt.Errorf("machine %s was made from %q, want %q (the latest pause)", in.InstanceId, source, want)
				}
				return nil
			},
		}
	}
	paused := func() resource.TestStep {
		return resource.TestStep{
			PreConfig:       func() { e.advance(3 * time.Hour) },
			Config:          cfg,
			ConfigVariables: config.Variables{"paused": config.BoolVariable(true)},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroy)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				e.sync()
				if n := len(e.emu.State().Instances); n != 0 {
					return fmt.Errorf("paused: %d machines in the emulator, want none", n)
				}
				last := machines[len(machines)-1]
				var groups []string
				for _, g := range e.groupsOf(last) {
					if g.Name == "gpu-box-pause" && g.Status == "accomplished" {
						groups = append(groups, g.SnapshotGroupId)
					}
				}
				if len(groups) != 1 {
					return fmt.Errorf("paused: machine %s left %d accomplished pause snapshots, want 1", last, len(groups))
				}
				pauses = append(pauses, groups[0])
				return nil
			},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			running(-1),
			paused(),
			running(0),
			paused(),
			running(1),
		},
	})
	if len(pauses) != 2 || pauses[0] == pauses[1] || len(machines) != 3 {
		t.Fatalf("pauses %v, machines %v", pauses, machines)
	}
}

// TestAccGuide_checkpoints runs the guide's checkpoints variant
// (examples/guides/pause-and-resume/checkpoints.tf) with the clock moving:
// the policy takes checkpoints of the running machine, a pause releases it
// and the checkpoints stay, the resume makes the new machine from the
// newest checkpoint of the system disk, and the destroy keeps them.
func TestAccGuide_checkpoints(t *testing.T) {
	e := newJourneyEnv(t)
	body, err := os.ReadFile("../../examples/guides/pause-and-resume/checkpoints.tf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.config(string(body))
	const addr, stateAddr = "aliecs_instance.box[0]", "aliecs_instance.box.0"
	var policyID, first string
	newestSystem := func() string {
		var newest emulator.Snapshot
		for _, s := range e.emu.State().Snapshots {
			if s.AutoSnapshotPolicyId == policyID && s.SourceDiskType == "system" && s.CreationTime > newest.CreationTime {
				newest = s
			}
		}
		return newest.SnapshotId
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy: func(*terraform.State) error {
			if newestSystem() == "" {
				return fmt.Errorf("the destroy deleted the checkpoints of policy %s", policyID)
			}
			return e.instanceCheckNoneLeft(nil)
		},
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: config.Variables{"paused": config.BoolVariable(false)},
				Check: func(s *terraform.State) error {
					policyID = s.RootModule().Resources["aliecs_snapshot_policy.checkpoints"].Primary.ID
					first = s.RootModule().Resources[stateAddr].Primary.ID
					return nil
				},
			},
			{
				// Half a day of checkpoints, then a pause: the machine goes, they stay.
				PreConfig:       func() { e.advance(13 * time.Hour) },
				Config:          cfg,
				ConfigVariables: config.Variables{"paused": config.BoolVariable(true)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroy)},
				},
				Check: func(*terraform.State) error {
					if e.instanceInEmu(first) != nil {
						return fmt.Errorf("machine %s still runs after the pause", first)
					}
					if newestSystem() == "" {
						return fmt.Errorf("no checkpoint of the released machine %s is left", first)
					}
					return nil
				},
			},
			{
				PreConfig:       func() { e.advance(3 * time.Hour) },
				Config:          cfg,
				ConfigVariables: config.Variables{"paused": config.BoolVariable(false)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					want := newestSystem()
					got := s.RootModule().Resources[stateAddr].Primary.Attributes["source_snapshot_id"]
					if got == "" || got != want {
						return fmt.Errorf("the resumed machine was made from %q, want the newest checkpoint %q", got, want)
					}
					return nil
				},
			},
		},
	})
}
