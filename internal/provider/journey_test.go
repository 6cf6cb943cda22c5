package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The journey tests follow a machine over days: create, schedule, snapshot,
// the release fires, time passes, edit, plan, apply, destroy. The emulator's
// clock starts hours behind the wall clock, and the provider runs on a fake
// clock set to the emulator's: moving both forward never puts the provider's
// clock past the real deadlines of its waiters.

type journeyEnv struct {
	*accEnv
	fake *clock.Fake
	cat  instanceCatalog
}

func newJourneyEnv(t *testing.T) *journeyEnv {
	t.Helper()
	env := newAccEnv(t, emulator.Options{ClockOffset: -48 * time.Hour})
	fake := clock.NewFake(env.emu.Now())
	env.clock = fake
	return &journeyEnv{accEnv: env, fake: fake, cat: newInstanceCatalog(t, env)}
}

// advance moves the emulator's clock (auto-releases fire) and the provider's.
func (e *journeyEnv) advance(d time.Duration) {
	e.emu.AdvanceClock(d)
	e.fake.Set(e.emu.Now())
}

// sync sets the provider's clock to the emulator's (waiters move the fake one).
func (e *journeyEnv) sync() { e.fake.Set(e.emu.Now()) }

// config is the provider block (rate limit off: its token bucket runs on the
// fake clock) and the body.
func (e *journeyEnv) config(body string) string {
	return e.providerBlock("max_requests_per_second = 0") + body
}

// machine is an instance, its schedule and a snapshot of it.
func (e *journeyEnv) machine(instanceExtra, schedule, snapshotExtra string) string {
	return e.config(instanceHCL(e.cat, instanceExtra) + fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id = aliecs_instance.test.id
  %s
}

resource "aliecs_snapshot" "test" {
  instance_id = aliecs_instance.test.id
  name        = "journey-copy"
  %s
}
`, schedule, snapshotExtra))
}

// captureMachine records the ids of the machine and of its snapshot.
func captureMachine(instanceID, groupID *string) resource.TestCheckFunc {
	return resource.ComposeTestCheckFunc(
		instanceStateID(instanceAddr, instanceID),
		instanceStateID("aliecs_snapshot.test", groupID),
	)
}

// groupsOf lists the emulator's snapshot groups of an instance.
func (e *journeyEnv) groupsOf(instanceID string) []emulator.SnapshotGroup {
	var out []emulator.SnapshotGroup
	for _, g := range e.emu.State().SnapshotGroups {
		if g.InstanceId == instanceID {
			out = append(out, g)
		}
	}
	return out
}

func checkWritesUnchanged(e *journeyEnv, before *int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if now := emuWrites(e.accEnv); now != *before {
			return fmt.Errorf("the apply made %d write calls to the service (%v), want none", now-*before, e.emu.Calls())
		}
		return nil
	}
}

// TestAccJourney_destroyAfterAutoReleaseFired: a literal release_time 31
// minutes ahead fires; from then on the plan is empty (the instance and its
// schedule stay as tombstones, the snapshot is kept), edits of in-place
// arguments are recorded in the state only, and terraform destroy works
// without -refresh=false, deleting the snapshot only because its resource is
// destroyed, with a warning.
func TestAccJourney_destroyAfterAutoReleaseFired(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	releaseAt := e.emu.Now().Add(31 * time.Minute).Truncate(time.Minute).Add(time.Minute).UTC().Format(time.RFC3339)
	cfg := e.machine(`  force_delete = true`, fmt.Sprintf("release_time = %q", releaseAt), "")
	var instanceID, groupID string
	var writes int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  captureMachine(&instanceID, &groupID),
			},
			{
				// The release fires; two days pass.
				PreConfig: func() { e.advance(33 * time.Minute) },
				Config:    cfg,
				PlanOnly:  true,
			},
			{
				PreConfig: func() { e.advance(48 * time.Hour) },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact(statusReleased)),
					statecheck.ExpectKnownValue("aliecs_auto_release_schedule.test", tfjsonpath.New("release_time"),
						knownvalue.StringExact(releaseAt)),
				},
				Check: func(*terraform.State) error {
					if e.instanceInEmu(instanceID) != nil {
						return fmt.Errorf("instance %s still exists after its release time", instanceID)
					}
					if len(e.groupsOf(instanceID)) != 1 {
						return fmt.Errorf("the snapshot of released instance %s is gone", instanceID)
					}
					return nil
				},
			},
			{
				// A rename of the released machine: state only, no call.
				PreConfig: func() { e.sync(); writes = emuWrites(e.accEnv) },
				Config:    strings.Replace(cfg, `force_delete = true`, `force_delete = true`+"\n  instance_name = \"renamed-after-release\"", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("aliecs_auto_release_schedule.test", plancheck.ResourceActionNoop),
				}},
				Check: checkWritesUnchanged(e, &writes),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if len(e.groupsOf(instanceID)) != 0 {
				return fmt.Errorf("destroy kept snapshot group %s", groupID)
			}
			return nil
		},
	})
}

// TestAccJourney_onlyCopyOfReleasedMachineKept: release_after = "30m"
// fires; the snapshot is the only copy of the machine. The next plans keep
// it; replacing the machine (a new image) makes a new instance and a new
// schedule, and the snapshot is updated in place: a new group of the new
// machine, and the group of the released one kept (kept_group_ids).
func TestAccJourney_onlyCopyOfReleasedMachineKept(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	cfg := e.machine(`  force_delete = true`, `release_after = "30m"`, "")
	var instanceID, groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  captureMachine(&instanceID, &groupID),
			},
			{
				PreConfig: func() { e.advance(35 * time.Minute) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// The user asks for a new machine by editing the image.
				PreConfig: func() { e.sync() },
				Config:    strings.Replace(cfg, e.cat.image, e.cat.image2, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("aliecs_snapshot.test", tfjsonpath.New("instance_id"),
						"aliecs_instance.test", tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources["aliecs_snapshot.test"].Primary.Attributes
					if a["kept_group_ids.#"] != "1" || a["kept_group_ids.0"] != groupID {
						return fmt.Errorf("kept_group_ids = %s %s, want [%s]", a["kept_group_ids.#"], a["kept_group_ids.0"], groupID)
					}
					if len(e.groupsOf(instanceID)) != 1 {
						return fmt.Errorf("the only copy of released instance %s was deleted", instanceID)
					}
					return nil
				},
			},
		},
	})
}

// TestAccJourney_refusedChangesNeverBlockDestroy: a lowered retention_days
// warns at plan and is refused at apply before any call; snapshot tags
// change in place, even when the instance is released; destroy still works.
func TestAccJourney_refusedChangesNeverBlockDestroy(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	base := e.config(instanceHCL(e.cat, `  force_delete = true`) + `
resource "aliecs_snapshot" "test" {
  instance_id    = aliecs_instance.test.id
  name           = "journey-copy"
  retention_days = %d
  tags = {
    %s
  }
}
`)
	var groupID string
	var writes int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(base, 10, `team = "ml"`),
				Check:  instanceStateID("aliecs_snapshot.test", &groupID),
			},
			{
				PreConfig:   func() { e.sync(); writes = emuWrites(e.accEnv) },
				Config:      fmt.Sprintf(base, 5, `team = "ml"`),
				ExpectError: regexp.MustCompile(`retention_days can only be extended`),
				Check:       checkWritesUnchanged(e, &writes),
			},
			{
				// The machine is released outside Terraform; tags change in place.
				PreConfig: func() {
					e.sync()
					var id string
					for _, in := range e.emu.State().Instances {
						id = in.InstanceId
					}
					if err := e.instanceSDKClient().DeleteInstance(t.Context(), id, true); err != nil {
						t.Fatal(err)
					}
				},
				Config: fmt.Sprintf(base, 10, `team = "vision"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					g, ok := accSnapshotGroup(e.accEnv, groupID)
					if !ok {
						return fmt.Errorf("snapshot group %s is gone", groupID)
					}
					tags := map[string]string{}
					for _, tg := range g.Tags.Tag {
						tags[tg.TagKey] = tg.TagValue
					}
					if tags["team"] != "vision" {
						return fmt.Errorf("snapshot group tags = %v, want team = vision", tags)
					}
					return nil
				},
			},
			{
				// Still lowered: the plan only warns, so destroy is not blocked.
				Config:      fmt.Sprintf(base, 5, `team = "vision"`),
				ExpectError: regexp.MustCompile(`retention_days can only be extended`),
			},
		},
	})
}

// TestAccJourney_savedPlanAppliedLateNewMachine: a saved plan creates a
// machine and its schedule with a literal release_time near the 30-minute
// edge, and is applied too late. The machine is created and scheduled at
// the earliest allowed time plus a minute (never left without a release
// time), with a warning naming both times.
func TestAccJourney_savedPlanAppliedLateNewMachine(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	asked := e.emu.Now().Add(32 * time.Minute).Truncate(time.Minute).UTC()
	cfg := e.config(instanceHCL(e.cat, `  force_delete = true`) + fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id  = aliecs_instance.test.id
  release_time = %q
}
`, asked.Format(time.RFC3339)))
	var appliedAt time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// Between plan and apply: 10 minutes pass.
				sideEffect(func() { e.advance(10 * time.Minute); appliedAt = e.emu.Now() }),
			}},
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources["aliecs_auto_release_schedule.test"].Primary.Attributes
				got, err := time.Parse(time.RFC3339, attrs["effective_release_time"])
				if err != nil {
					return err
				}
				earliest := appliedAt.Add(31 * time.Minute)
				if got.Before(earliest.Truncate(time.Minute)) || got.After(earliest.Add(3*time.Minute)) {
					return fmt.Errorf("effective_release_time %s, want the earliest allowed time plus a minute (about %s)", got, earliest)
				}
				if attrs["release_time"] != asked.Format(time.RFC3339) {
					return fmt.Errorf("release_time = %s, want the configured %s kept", attrs["release_time"], asked)
				}
				id := s.RootModule().Resources[instanceAddr].Primary.ID
				if in := e.instanceInEmu(id); in == nil || in.AutoReleaseTime == "" {
					return fmt.Errorf("instance %s was left without a release time: %+v", id, in)
				}
				return nil
			},
		}},
	})
}

// TestAccJourney_importedScheduleKeepsItsTime: a 14-day schedule imported on
// day 13 and then written as release_after = "14d" keeps its release time
// (no call), instead of living 13 more days.
func TestAccJourney_importedScheduleKeepsItsTime(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	var id, effective string
	var writes int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				// Made elsewhere (another configuration), released 14 days on.
				Config: e.config(instanceHCL(e.cat, `  force_delete = true`)),
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources[instanceAddr].Primary.ID
					at := e.emu.Now().Add(14 * 24 * time.Hour).Truncate(time.Minute).UTC().Format(time.RFC3339)
					effective = at
					return e.instanceSDKClient().ModifyInstanceAutoReleaseTime(t.Context(), id, at)
				},
			},
			{
				PreConfig:    func() { e.advance(13 * 24 * time.Hour) },
				Config:       e.config(instanceHCL(e.cat, `  force_delete = true`) + scheduleOn("aliecs_instance.test.id", `release_after = "14d"`)),
				ResourceName: "aliecs_auto_release_schedule.test",
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return id, nil
				},
				ImportStatePersist: true,
			},
			{
				PreConfig: func() { e.sync(); writes = emuWrites(e.accEnv) },
				Config:    e.config(instanceHCL(e.cat, `  force_delete = true`) + scheduleOn("aliecs_instance.test.id", `release_after = "14d"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("aliecs_auto_release_schedule.test", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr("aliecs_auto_release_schedule.test", "effective_release_time", &effective),
					checkWritesUnchanged(e, &writes),
				),
			},
		},
	})
}

// scheduleOn is an aliecs_auto_release_schedule "test" of an instance.
func scheduleOn(instanceID, setting string) string {
	return fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id = %s
  %s
}
`, instanceID, setting)
}

// TestAccJourney_keepOnDestroy: with keep_on_destroy, destroying the snapshot
// of a released machine keeps the group in the service.
func TestAccJourney_keepOnDestroy(t *testing.T) {
	t.Parallel()
	e := newJourneyEnv(t)
	cfg := e.machine(`  force_delete = true`, `release_after = "30m"`, "keep_on_destroy = true")
	var instanceID, groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  captureMachine(&instanceID, &groupID),
			},
			{
				PreConfig: func() { e.advance(40 * time.Minute) },
				Config:    cfg,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := accSnapshotGroup(e.accEnv, groupID); !ok {
				return fmt.Errorf("keep_on_destroy = true, but the destroy deleted snapshot group %s", groupID)
			}
			return nil
		},
	})
}
