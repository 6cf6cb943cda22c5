package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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

// TestAccSnapshot_releaseInstanceOfSameConfiguration walks through what the
// documentation says happens when release_instance_after_snapshot releases an
// aliecs_instance of the same configuration.
func TestAccSnapshot_releaseInstanceOfSameConfiguration(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	if !snapshotTestProviderHas("aliecs_instance") {
		t.Skip("aliecs_instance is not in this build of the provider yet")
	}
	st := env.emu.State()
	var vsw, sg string
	for _, v := range st.Catalog.VSwitches {
		if v.RegionID == accRegion {
			vsw = v.ID
			break
		}
	}
	for _, g := range st.Catalog.SecurityGroups {
		if g.RegionID == accRegion {
			sg = g.ID
			break
		}
	}
	instance := fmt.Sprintf(`
resource "aliecs_instance" "web" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
}
`, st.Catalog.Images[0].ImageId, st.Catalog.InstanceTypes[0].InstanceTypeId, vsw, sg)
	snapshot := func(instanceID string) string {
		return fmt.Sprintf(`
resource "aliecs_snapshot" "final" {
  instance_id                     = %s
  release_instance_after_snapshot = true
}
`, instanceID)
	}
	var instanceID, groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				// The apply snapshots, then releases the instance. The plan that
				// follows (the test framework runs one after every apply) sees
				// aliecs_instance wanting a new instance, so the snapshot would be
				// replaced: that plan is refused, and nothing changes.
				Config: env.config(instance + snapshot("aliecs_instance.web.id")),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_snapshot.final", "instance_released", "true"),
					func(s *terraform.State) error {
						instanceID = s.RootModule().Resources["aliecs_instance.web"].Primary.ID
						groupID = s.RootModule().Resources["aliecs_snapshot.final"].Primary.ID
						if got := accInstanceStatus(env, instanceID); got != "" {
							return fmt.Errorf("instance %s is %q, want released", instanceID, got)
						}
						return checkSnapshotMatchesEmulator(env, "aliecs_snapshot.final", instanceID,
							accSnapshotDisks(env, groupID))(s)
					},
				),
				ExpectError: regexp.MustCompile(`Refusing to replace the snapshot of a released instance`),
			},
			{
				// The same on a plain plan.
				Config:      env.config(instance + snapshot("aliecs_instance.web.id")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Refusing to replace the snapshot of a released instance`),
			},
			{
				// The documented fix: drop the instance block, write the id.
				// The id comes in through TF_VAR_, since it is only known now.
				Config: env.config(`variable "released_id" { type = string }` + snapshot("var.released_id")),
				PreConfig: func() {
					if instanceID == "" {
						t.Fatal("step 1's checks did not run")
					}
					if len(env.emu.State().Instances) != 0 {
						t.Fatalf("a new instance was created: %+v", env.emu.State().Instances)
					}
					t.Setenv("TF_VAR_released_id", instanceID)
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.TestCheckResourceAttrPtr("aliecs_snapshot.final", "id", &groupID),
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
