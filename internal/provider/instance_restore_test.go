package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

const restoredAddr = "aliecs_instance.restored"

// sourceHCL is a machine with two data disks (one cloud_auto) and a
// snapshot of it: what a restore starts from.
func sourceHCL(c instanceCatalog) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "source" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  system_disk        = { size = 40 }
  data_disks = [
    { size = 50, category = "cloud_auto" },
    { size = 60 },
  ]
  force_delete = true
}

resource "aliecs_snapshot" "source" {
  instance_id = aliecs_instance.source.id
  name        = "restore-source"
}
`, c.image, c.vswitch, c.sg)
}

// restoredHCL is an instance made from the source's snapshot group.
func restoredHCL(c instanceCatalog, extra string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "restored" {
  source_snapshot_id = aliecs_snapshot.source.id
  instance_type      = "ecs.g7.xlarge"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
%s
}
`, c.vswitch, c.sg, extra)
}

// checkNoImages: no intermediate image is left in the emulator.
func checkNoImages(env *accEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if imgs := env.emu.State().Images; len(imgs) != 0 {
			return fmt.Errorf("images left in the emulator: %v", imgs)
		}
		return nil
	}
}

// restoredDisks are the emulator's disks of an instance: the system disk,
// then the data disks by device.
func restoredDisks(env *accEnv, id string) []emulator.Disk {
	var out []emulator.Disk
	for _, d := range env.emu.State().Disks {
		if d.InstanceId == id {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// groupSnapshots are a group's snapshot ids in the group's order.
func groupSnapshots(env *accEnv, groupID string) []string {
	g, _ := accSnapshotGroup(env, groupID)
	var ids []string
	for _, s := range g.Snapshots.Snapshot {
		ids = append(ids, s.SnapshotId)
	}
	return ids
}

// A new machine from a snapshot group: the group's system disk (grown) and
// every data disk (with the recorded categories), the intermediate image
// deleted, the source group recorded (tag) and read back; a listed data
// disk grows in place later.
func TestAccInstance_restoreFromGroup(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var groupID, restoredID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: resource.ComposeTestCheckFunc(env.instanceCheckNoneLeft, func(s *terraform.State) error {
			return checkNoImages(env)(s)
		}),
		Steps: []resource.TestStep{
			{
				Config: env.config(sourceHCL(c)),
				Check:  instanceStateID("aliecs_snapshot.source", &groupID),
			},
			{
				Config: env.config(sourceHCL(c) + restoredHCL(c, "  system_disk = { size = 60 }")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionCreate),
						// The group's data disks are planned, with their categories.
						plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks").AtSliceIndex(0).AtMapKey("category"),
							knownvalue.StringExact("cloud_auto")),
						plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks").AtSliceIndex(1).AtMapKey("size"),
							knownvalue.Int64Exact(60)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("image_id"), knownvalue.StringRegexp(regexp.MustCompile(`^m-`))),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("system_disk").AtMapKey("size"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					instanceStateID(restoredAddr, &restoredID),
					checkNoImages(env),
					func(*terraform.State) error {
						snaps := groupSnapshots(env, groupID)
						disks := restoredDisks(env, restoredID)
						if len(disks) != 3 || len(snaps) != 3 {
							return fmt.Errorf("restored disks %+v from group snapshots %v", disks, snaps)
						}
						if disks[0].Size != 60 || disks[0].SourceSnapshotId != snaps[0] {
							return fmt.Errorf("system disk %+v, want 60 GiB from %s", disks[0], snaps[0])
						}
						if disks[1].Size != 50 || disks[1].Category != "cloud_auto" || disks[1].SourceSnapshotId != snaps[1] ||
							disks[2].Size != 60 || disks[2].Category != "cloud_essd" || disks[2].SourceSnapshotId != snaps[2] {
							return fmt.Errorf("data disks %+v, want 50 GiB cloud_auto from %s and 60 GiB from %s", disks[1:], snaps[1], snaps[2])
						}
						in := env.instanceInEmu(restoredID)
						if in == nil || in.Status != "Running" || in.InstanceType != "ecs.g7.xlarge" {
							return fmt.Errorf("restored instance %+v", in)
						}
						for _, tg := range in.Tags.Tag {
							if tg.TagKey == sourceSnapshotGroupTag && tg.TagValue == groupID {
								return nil
							}
						}
						return fmt.Errorf("restored instance lacks the tag %s=%s: %+v", sourceSnapshotGroupTag, groupID, in.Tags)
					},
				),
			},
			// Import reads the source group back: no replacement, no change.
			{
				ResourceName:            restoredAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"force_delete", "timeouts"},
			},
			// A listed data disk (with its category) grows in place.
			{
				Config: env.config(sourceHCL(c) + restoredHCL(c, `  system_disk = { size = 60 }
  data_disks = [
    { size = 80, category = "cloud_auto" },
    { size = 60 },
  ]`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if disks := restoredDisks(env, restoredID); len(disks) != 3 || disks[1].Size != 80 {
						return fmt.Errorf("disks after growth: %+v", disks)
					}
					return nil
				},
			},
		},
	})
}

// A data disk from a single disk snapshot, at least its size (checked at plan).
func TestAccInstance_restoreDataDiskSnapshot(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	withDisk := func(size int) string {
		return env.config(sourceHCL(c) + fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  data_disks = [
    { size = %d, snapshot_id = aliecs_snapshot.source.snapshots[2].snapshot_id },
    { size = 20 },
  ]
}
`, c.image, c.vswitch, c.sg, size))
	}
	var id, groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: env.config(sourceHCL(c)), Check: instanceStateID("aliecs_snapshot.source", &groupID)},
			{
				Config:      withDisk(40),
				ExpectError: regexp.MustCompile(`(?s)smaller than its snapshot.*60\s+GiB\s+disk`),
			},
			{
				Config: withDisk(70),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("data_disks").AtSliceIndex(1).AtMapKey("snapshot_id"),
						knownvalue.StringExact("")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					instanceStateID(instanceAddr, &id),
					func(*terraform.State) error {
						snap := groupSnapshots(env, groupID)[2]
						disks := restoredDisks(env, id)
						if len(disks) != 3 || disks[1].SourceSnapshotId != snap || disks[1].Size != 70 || disks[2].SourceSnapshotId != "" {
							return fmt.Errorf("disks %+v, want the first data disk of 70 GiB from %s", disks, snap)
						}
						return nil
					},
				),
			},
		},
	})
}

// Bad input is refused at plan time on the right attribute.
func TestAccInstance_restoreBadInput(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	src := accCreateInstance(t, env, "cloud_essd")
	client := env.instanceSDKClient()
	ctx := context.Background()
	dataOnly, err := client.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{ClientToken: "g-data", InstanceID: src.id, DiskIDs: src.disks[1:]})
	if err != nil {
		t.Fatal(err)
	}
	env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
	failed, err := client.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{ClientToken: "g-failed", InstanceID: src.id})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := client.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{ClientToken: "g-whole", InstanceID: src.id})
	if err != nil {
		t.Fatal(err)
	}
	restore := func(group, extra string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_instance" "restored" {
  source_snapshot_id = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
%s
}
`, group, c.vswitch, c.sg, extra))
	}
	errStep := func(cfg, re string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(re)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			errStep(restore("ssg-bp1doesnotexist0001", ""), `(?s)Cannot find the snapshot group.*cn-hangzhou`),
			errStep(restore(dataOnly, ""), `(?s)no system disk`),
			errStep(restore(failed, ""), `(?s)The snapshot group failed`),
			errStep(restore(whole, "  system_disk = { size = 30 }"), `(?s)system disk is smaller than its snapshot.*40 GiB`),
			errStep(restore(whole, `  image_id = "`+c.image+`"`), `(?s)(Invalid Attribute Combination|Exactly one of)`),
			errStep(restore(whole, "  data_disks = []"), `(?s)Fewer data disks than the snapshot group has`),
			errStep(env.config(fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}
`, whole, c.vswitch, c.sg)), `(?s)image_id is a snapshot group.*source_snapshot_id`),
		},
	})
}

// A group still progressing at plan time: the create waits for it.
func TestAccInstance_restoreWaitsForGroup(t *testing.T) {
	env := newAccEnv(t, emulator.Options{SnapshotTime: 4 * time.Second})
	c := newInstanceCatalog(t, env)
	src := accCreateInstance(t, env)
	groupID, err := env.instanceSDKClient().CreateSnapshotGroup(context.Background(),
		ecsapi.SnapshotGroupInput{ClientToken: "g-slow", InstanceID: src.id})
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.config(fmt.Sprintf(`
resource "aliecs_instance" "restored" {
  source_snapshot_id = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
}
`, groupID, c.vswitch, c.sg)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(restoredAddr, "status", "Running"),
				checkNoImages(env),
			),
		}},
	})
}

// A restore that fails at any step leaves no image behind.
func TestAccInstance_restoreFailureLeavesNoImage(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(sourceHCL(c) + restoredHCL(c, ""))
	fail := func(f emulator.Fault, re string) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				env.emu.ClearFaults()
				env.emu.AddFault(f)
			},
			Config:      cfg,
			ExpectError: regexp.MustCompile(re),
			Check:       checkNoImages(env),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			return checkNoImages(env)(s)
		},
		Steps: []resource.TestStep{
			{Config: env.config(sourceHCL(c))},
			fail(emulator.Fault{Action: "CreateImage", Code: "QuotaExceed.Image", HTTPStatus: 403, Count: 1}, `(?s)intermediate image.*QuotaExceed.Image`),
			fail(emulator.Fault{Action: "CreateImage", AsyncFailure: true, Count: 1}, `(?s)intermediate image.*CreateFailed`),
			fail(emulator.Fault{Action: "RunInstances", Code: "OperationDenied.NoStock", HTTPStatus: 403, Count: 1}, `(?s)OperationDenied.NoStock`),
			{
				// Checked after each failed step too: no image, no instance from it.
				PreConfig: env.emu.ClearFaults,
				Config:    env.config(sourceHCL(c)),
				Check: resource.ComposeAggregateTestCheckFunc(checkNoImages(env), func(*terraform.State) error {
					if n := len(env.emu.State().Instances); n != 1 {
						return fmt.Errorf("%d instances, want only the source", n)
					}
					return nil
				}),
			},
			// The image cannot be deleted after the create: a warning, and the destroy deletes it.
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "DeleteImage", Code: "OperationDenied", HTTPStatus: 403, Count: 1})
				},
				Config: cfg,
				Check: func(*terraform.State) error {
					if n := len(env.emu.State().Images); n != 1 {
						return fmt.Errorf("%d images after a failed deletion, want the one kept", n)
					}
					return nil
				},
			},
		},
	})
}

// Destroying the snapshot a running machine was restored from deletes the
// group, keeps the snapshots its disks were made from (the service refuses
// them), warns with each of them, and leaves the machine's disks alone.
func TestAccSnapshot_destroyReportsKeptSnapshots(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(env.config(sourceHCL(c) + restoredHCL(c, "")))
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	st := env.emu.State()
	if len(st.SnapshotGroups) != 1 || len(st.Instances) != 2 {
		t.Fatalf("after the restore: %d groups, %d instances", len(st.SnapshotGroups), len(st.Instances))
	}
	groupID := st.SnapshotGroups[0].SnapshotGroupId
	// The restored machine keeps its source (a literal now); the snapshot goes.
	cli.write(env.config(fmt.Sprintf(`
resource "aliecs_instance" "source" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  system_disk        = { size = 40 }
  data_disks = [
    { size = 50, category = "cloud_auto" },
    { size = 60 },
  ]
  force_delete = true
}

resource "aliecs_instance" "restored" {
  source_snapshot_id = %q
  instance_type      = "ecs.g7.xlarge"
  vswitch_id         = %q
  security_group_ids = [%q]
  force_delete       = true
}
`, c.image, c.vswitch, c.sg, groupID, c.vswitch, c.sg)))
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	for _, want := range []string{"Snapshots kept", "SnapshotCreatedDisk", groupID} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(out) {
			t.Errorf("the destroy's output lacks %q:\n%s", want, out)
		}
	}
	st = env.emu.State()
	if len(st.SnapshotGroups) != 0 || len(st.Snapshots) != 3 || len(st.Instances) != 2 {
		t.Fatalf("after the destroy: %d groups (want 0), %d snapshots (want the 3 kept), %d instances (want 2)",
			len(st.SnapshotGroups), len(st.Snapshots), len(st.Instances))
	}
	for _, s := range st.Snapshots {
		if s.Usage != "disk" {
			t.Errorf("kept snapshot %s has usage %q, want disk", s.SnapshotId, s.Usage)
		}
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}
