package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// snapshotTestProviderHas reports whether the provider serves a resource type,
// so a test that needs another engineer's resource runs once it is merged.
func snapshotTestProviderHas(typeName string) bool {
	ctx := context.Background()
	for _, f := range newWithClock("test", clock.Real{})().Resources(ctx) {
		var resp fwresource.MetadataResponse
		f().Metadata(ctx, fwresource.MetadataRequest{ProviderTypeName: "aliecs"}, &resp)
		if resp.TypeName == typeName {
			return true
		}
	}
	return false
}

// sameConfigFixture builds a configuration where an aliecs_snapshot
// releases the aliecs_instance (which also has an auto-release schedule) of
// the same configuration.
type sameConfigFixture struct {
	env                   *scheduleEnv
	image, itype, vsw, sg string
}

func newSameConfigFixture(t *testing.T) *sameConfigFixture {
	t.Helper()
	env := newScheduleEnvRealClock(t)
	if !snapshotTestProviderHas("aliecs_instance") {
		t.Skip("aliecs_instance is not in this build of the provider yet")
	}
	cat := env.emu.State().Catalog
	f := &sameConfigFixture{env: env, image: cat.Images[0].ImageId}
	for _, it := range cat.InstanceTypes {
		if it.GPUAmount == 0 {
			f.itype = it.InstanceTypeId
			break
		}
	}
	for _, v := range cat.VSwitches {
		if v.RegionID == accRegion {
			f.vsw = v.ID
			for _, g := range cat.SecurityGroups {
				if g.VpcID == v.VpcID {
					f.sg = g.ID
					break
				}
			}
			break
		}
	}
	return f
}

// config is the instance (with extra arguments), its schedule, and a
// snapshot that releases the instance given by instanceID (an expression).
func (f *sameConfigFixture) config(image, extra string) string {
	instanceID := "aliecs_instance.web.id"
	return f.env.config(fmt.Sprintf(`
resource "aliecs_instance" "web" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
  %s
}

resource "aliecs_auto_release_schedule" "web" {
  instance_id   = aliecs_instance.web.id
  release_after = "2h"
}

resource "aliecs_snapshot" "final" {
  instance_id                     = %s
  release_instance_after_snapshot = true
}
`, image, f.itype, f.vsw, f.sg, extra, instanceID))
}

// TestAccSnapshot_releaseInstanceOfSameConfiguration: after the snapshot
// released an aliecs_instance of the same configuration, the instance stays
// in state as Released with its schedule, the plan is empty, an in-place
// change is recorded in the state only, and destroy succeeds without
// touching the (gone) instance.
func TestAccSnapshot_releaseInstanceOfSameConfiguration(t *testing.T) {
	t.Parallel()
	f := newSameConfigFixture(t)
	env := f.env
	var instanceID, groupID string
	deleteCalls, writes := 0, 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			st := env.emu.State()
			if len(st.Instances) != 0 {
				return fmt.Errorf("instances left in the emulator: %+v", st.Instances)
			}
			if _, ok := accSnapshotGroup(env.accEnv, groupID); ok {
				return fmt.Errorf("snapshot group %s was not deleted by the destroy", groupID)
			}
			if n := releaseCalls(env.emu.Calls()); n != deleteCalls {
				return fmt.Errorf("the destroy called DeleteInstance %d times on the released instance", n-deleteCalls)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// The apply snapshots, then releases the instance. The plan
				// the test framework runs after it must be empty.
				Config: f.config(f.image, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_snapshot.final", "instance_released", "true"),
					resource.TestCheckNoResourceAttr("aliecs_snapshot.final", "tags.%"),
					func(s *terraform.State) error {
						instanceID = s.RootModule().Resources["aliecs_instance.web"].Primary.ID
						groupID = s.RootModule().Resources["aliecs_snapshot.final"].Primary.ID
						deleteCalls = releaseCalls(env.emu.Calls())
						if got := accInstanceStatus(env.accEnv, instanceID); got != "" {
							return fmt.Errorf("instance %s is %q, want released", instanceID, got)
						}
						g, ok := accSnapshotGroup(env.accEnv, groupID)
						if !ok {
							return fmt.Errorf("snapshot group %s is not in the emulator", groupID)
						}
						marked := false
						for _, tag := range g.Tags.Tag {
							marked = marked || tag.TagKey == releaseAfterSnapshotTag && tag.TagValue == "true"
						}
						if !marked {
							return fmt.Errorf("snapshot group %s lacks the tag %s: %+v", groupID, releaseAfterSnapshotTag, g.Tags)
						}
						return checkSnapshotMatchesEmulator(env.accEnv, "aliecs_snapshot.final", instanceID,
							accSnapshotDisks(env.accEnv, groupID))(s)
					},
				),
			},
			{
				// The refresh keeps the instance (Released) and its schedule.
				Config: f.config(f.image, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_instance.web", "status", "Released"),
					resource.TestCheckResourceAttrPtr("aliecs_instance.web", "id", &instanceID),
					resource.TestCheckResourceAttrPtr("aliecs_auto_release_schedule.web", "instance_id", &instanceID),
					resource.TestCheckResourceAttrPtr("aliecs_snapshot.final", "id", &groupID),
					func(*terraform.State) error {
						if n := len(env.emu.State().Instances); n != 0 {
							return fmt.Errorf("%d instances in the emulator, want none", n)
						}
						return nil
					},
				),
			},
			{
				// A configured status does not diff against Released.
				Config: f.config(f.image, `status = "Stopped"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Settings that live in Terraform alone still update.
				Config: f.config(f.image, `force_delete = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_instance.web", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("aliecs_instance.web", tfjsonpath.New("system_disk_id"),
							knownvalue.NotNull()),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_instance.web", "status", "Released"),
					resource.TestCheckResourceAttr("aliecs_instance.web", "force_delete", "true"),
				),
			},
			{
				// The marker tag is the provider's own: an import matches the
				// state, release and all, with no tag showing.
				ResourceName:      "aliecs_snapshot.final",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// An in-place change has no machine to change: it is recorded
				// in the state only, with no call to the service.
				PreConfig: func() { writes = emuWrites(env.accEnv) },
				Config:    f.config(f.image, `tags = { team = "web" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_instance.web", plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_instance.web", "tags.team", "web"),
					resource.TestCheckResourceAttr("aliecs_instance.web", "status", "Released"),
					func(*terraform.State) error {
						if n := emuWrites(env.accEnv); n != writes {
							return fmt.Errorf("a state-only change made %d write calls: %v", n-writes, env.emu.Calls())
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccSnapshot_reservedTags: the provider's tag prefix and the place its
// marker tag takes are checked when the configuration is validated.
func TestAccSnapshot_reservedTags(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	var many []string
	for i := 0; i < 20; i++ {
		many = append(many, fmt.Sprintf("k%02d = \"v\"", i))
	}
	cfg := func(release bool, tags string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = "i-bp67acfmxazb4ph1234"
  release_instance_after_snapshot = %t
  tags                            = { %s }
}
`, release, tags))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(false, `"aliecs:mine" = "x"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid tags.*"aliecs:mine" starts with "aliecs:", which is\s+reserved`),
			},
			{
				Config:      cfg(true, strings.Join(many, ", ")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)20 tags were given; with release_instance_after_snapshot = true a\s+snapshot\s+group\s+takes\s+at\s+most\s+19`),
			},
		},
	})
}

// TestAccSnapshot_replaceReleasedInstance: a change that replaces a
// Released instance creates a new machine and a new schedule, and the
// snapshot that takes its instance_id from it keeps the released machine's
// copy (and its instance_id).
func TestAccSnapshot_replaceReleasedInstance(t *testing.T) {
	t.Parallel()
	f := newSameConfigFixture(t)
	env := f.env
	cat := env.emu.State().Catalog
	other := ""
	for _, im := range cat.Images {
		if im.ImageId != f.image && im.OSType == cat.Images[0].OSType && !strings.Contains(im.ImageId, "gpu") {
			other = im.ImageId
			break
		}
	}
	if other == "" {
		t.Fatal("the catalog has no second image")
	}
	var instanceID, groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			if st := env.emu.State(); len(st.Instances) != 0 {
				return fmt.Errorf("instances left in the emulator: %+v", st.Instances)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: f.config(f.image, ""),
				Check: func(s *terraform.State) error {
					instanceID = s.RootModule().Resources["aliecs_instance.web"].Primary.ID
					groupID = s.RootModule().Resources["aliecs_snapshot.final"].Primary.ID
					return nil
				},
			},
			{
				// A new machine, a new schedule, the same snapshot.
				Config: f.config(other, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_instance.web", plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("aliecs_auto_release_schedule.web", plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("aliecs_snapshot.final", plancheck.ResourceActionNoop),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_instance.web", "status", "Running"),
					resource.TestCheckResourceAttr("aliecs_instance.web", "image_id", other),
					resource.TestCheckResourceAttrPtr("aliecs_snapshot.final", "id", &groupID),
					resource.TestCheckResourceAttrPtr("aliecs_snapshot.final", "instance_id", &instanceID),
					func(s *terraform.State) error {
						id := s.RootModule().Resources["aliecs_instance.web"].Primary.ID
						if id == instanceID {
							return fmt.Errorf("the instance was not replaced (%s)", id)
						}
						if got := accInstanceStatus(env.accEnv, id); got != "Running" {
							return fmt.Errorf("new instance %s is %q in the emulator, want Running", id, got)
						}
						if sid := s.RootModule().Resources["aliecs_auto_release_schedule.web"].Primary.Attributes["instance_id"]; sid != id {
							return fmt.Errorf("the schedule is for %s, want the new instance %s", sid, id)
						}
						if _, ok := accSnapshotGroup(env.accEnv, groupID); !ok {
							return fmt.Errorf("snapshot group %s was deleted", groupID)
						}
						return nil
					},
				),
			},
		},
	})
}

// accSnapshotDisks lists the source disks of a group in the emulator.
func accSnapshotDisks(env *accEnv, groupID string) []string {
	g, _ := accSnapshotGroup(env, groupID)
	var disks []string
	for _, s := range g.Snapshots.Snapshot {
		disks = append(disks, s.SourceDiskId)
	}
	return disks
}
