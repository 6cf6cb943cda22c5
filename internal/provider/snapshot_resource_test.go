package provider

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// accInstance is an instance created outside Terraform, through the real
// SDK against the emulator: "a machine managed elsewhere".
type accInstance struct {
	id    string
	disks []string // system disk first
}

// accCreateInstance runs one instance with the given data disk categories
// and waits until it is Running.
func accCreateInstance(t *testing.T, env *accEnv, dataDiskCategories ...string) accInstance {
	t.Helper()
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
	if vsw == "" || sg == "" || len(st.Catalog.Images) == 0 || len(st.Catalog.InstanceTypes) == 0 {
		t.Fatalf("the emulator's catalog has no vSwitch, security group, image or instance type in %s", accRegion)
	}
	client := accSDKClient(t, env)
	req := ecs.CreateRunInstancesRequest()
	req.Scheme = "http"
	req.RegionId = accRegion
	req.ImageId = st.Catalog.Images[0].ImageId
	req.InstanceType = st.Catalog.InstanceTypes[0].InstanceTypeId
	req.VSwitchId = vsw
	req.SecurityGroupId = sg
	req.SystemDiskCategory = "cloud_essd"
	req.Amount = requests.NewInteger(1)
	disks := make([]ecs.RunInstancesDataDisk, 0, len(dataDiskCategories))
	for _, c := range dataDiskCategories {
		disks = append(disks, ecs.RunInstancesDataDisk{Category: c, Size: "40", DeleteWithInstance: "true"})
	}
	if len(disks) > 0 {
		req.DataDisk = &disks
	}
	resp, err := client.RunInstances(req)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	if len(resp.InstanceIdSets.InstanceIdSet) != 1 {
		t.Fatalf("RunInstances returned %v", resp.InstanceIdSets.InstanceIdSet)
	}
	id := resp.InstanceIdSets.InstanceIdSet[0]
	if got := accInstanceStatus(env, id); got != "Running" {
		t.Fatalf("instance %s is %q after RunInstances, want Running (transitions are instant in tests)", id, got)
	}
	inst := accInstance{id: id}
	for _, d := range env.emu.State().Disks {
		if d.InstanceId == id {
			if d.Type == "system" {
				inst.disks = append([]string{d.DiskId}, inst.disks...)
			} else {
				inst.disks = append(inst.disks, d.DiskId)
			}
		}
	}
	if len(inst.disks) != 1+len(dataDiskCategories) {
		t.Fatalf("instance %s has disks %v, want %d", id, inst.disks, 1+len(dataDiskCategories))
	}
	return inst
}

// accSDKClient is a plain SDK client for the emulator.
func accSDKClient(t *testing.T, env *accEnv) *ecs.Client {
	t.Helper()
	ecs.GetEndpointMap() // built once, before any concurrent use
	client, err := ecs.NewClientWithAccessKey(accRegion, accAccessKey, accSecretKey)
	if err != nil {
		t.Fatalf("SDK client: %v", err)
	}
	client.Domain = strings.TrimPrefix(env.server.URL, "http://")
	return client
}

// accInstanceStatus is the instance's status in the emulator, "" when gone.
func accInstanceStatus(env *accEnv, id string) string {
	for _, in := range env.emu.State().Instances {
		if in.InstanceId == id {
			return in.Status
		}
	}
	return ""
}

// accSnapshotGroup finds a snapshot group in the emulator's state.
func accSnapshotGroup(env *accEnv, id string) (emulator.SnapshotGroup, bool) {
	for _, g := range env.emu.State().SnapshotGroups {
		if g.SnapshotGroupId == id {
			return g, true
		}
	}
	return emulator.SnapshotGroup{}, false
}

// checkSnapshotMatchesEmulator compares the resource's state with the
// emulator's snapshot group: id, instance, status and every snapshot.
func checkSnapshotMatchesEmulator(env *accEnv, addr, instanceID string, wantDisks []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		a := rs.Primary.Attributes
		g, ok := accSnapshotGroup(env, a["id"])
		if !ok {
			return fmt.Errorf("snapshot group %q is not in the emulator", a["id"])
		}
		if g.InstanceId != instanceID || a["instance_id"] != instanceID {
			return fmt.Errorf("instance: emulator %q, state %q, want %q", g.InstanceId, a["instance_id"], instanceID)
		}
		if g.Status != "accomplished" || a["status"] != "accomplished" || a["progress"] != "100" {
			return fmt.Errorf("status: emulator %q, state %q (progress %s)", g.Status, a["status"], a["progress"])
		}
		snaps := g.Snapshots.Snapshot
		if a["snapshots.#"] != fmt.Sprint(len(snaps)) || len(snaps) != len(wantDisks) {
			return fmt.Errorf("snapshots: state has %s, emulator %d, want %d", a["snapshots.#"], len(snaps), len(wantDisks))
		}
		var gotDisks []string
		for i := range snaps {
			var found bool
			for _, sv := range env.emu.State().Snapshots {
				if sv.SnapshotId != a[fmt.Sprintf("snapshots.%d.snapshot_id", i)] {
					continue
				}
				found = true
				if sv.SourceDiskId != a[fmt.Sprintf("snapshots.%d.disk_id", i)] ||
					strings.ToLower(sv.SourceDiskType) != a[fmt.Sprintf("snapshots.%d.disk_type", i)] ||
					fmt.Sprint(sv.SourceDiskSize) != a[fmt.Sprintf("snapshots.%d.size", i)] {
					return fmt.Errorf("snapshot %s: emulator %+v, state disk %s type %s size %s", sv.SnapshotId, sv,
						a[fmt.Sprintf("snapshots.%d.disk_id", i)], a[fmt.Sprintf("snapshots.%d.disk_type", i)],
						a[fmt.Sprintf("snapshots.%d.size", i)])
				}
				gotDisks = append(gotDisks, sv.SourceDiskId)
			}
			if !found {
				return fmt.Errorf("snapshot %q of the state is not in the emulator", a[fmt.Sprintf("snapshots.%d.snapshot_id", i)])
			}
		}
		want := append([]string(nil), wantDisks...)
		sort.Strings(want)
		sort.Strings(gotDisks)
		if strings.Join(want, ",") != strings.Join(gotDisks, ",") {
			return fmt.Errorf("snapshotted disks %v, want %v", gotDisks, want)
		}
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(a["creation_time"]) {
			return fmt.Errorf("creation_time %q is not RFC 3339 UTC", a["creation_time"])
		}
		return nil
	}
}

// checkInstanceStatus checks the instance's status in the emulator ("" = gone).
func checkInstanceStatus(env *accEnv, id, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := accInstanceStatus(env, id); got != want {
			return fmt.Errorf("instance %s is %q in the emulator, want %q", id, got, want)
		}
		return nil
	}
}

func TestAccSnapshot_basic(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env, "cloud_essd")
	cfg := func(name, desc string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
  name        = %q
  description = %q
  tags = {
    team = "platform"
  }
}
`, inst.id, name, desc))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg("first-name", "first description"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
					resource.TestMatchResourceAttr("aliecs_snapshot.test", "id", regexp.MustCompile(`^ssg-`)),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "name", "first-name"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "description", "first description"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "tags.team", "platform"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "false"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "stop_before_snapshot", "false"),
					resource.TestCheckNoResourceAttr("aliecs_snapshot.test", "retention_days"),
					checkInstanceStatus(env, inst.id, "Running"),
					func(*terraform.State) error {
						if n := env.emu.Calls()["StopInstance"]; n != 0 {
							return fmt.Errorf("StopInstance called %d times without stop_before_snapshot", n)
						}
						return nil
					},
				),
			},
			{
				// Name and description change in place.
				Config: cfg("second-name", "second description"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "name", "second-name"),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "description", "second description"),
					func(s *terraform.State) error {
						g, _ := accSnapshotGroup(env, s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID)
						if g.Name != "second-name" || g.Description != "second description" {
							return fmt.Errorf("emulator has name %q description %q", g.Name, g.Description)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      "aliecs_snapshot.test",
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"stop_before_snapshot", "release_instance_after_snapshot", "timeouts", "instance_released",
				},
			},
		},
	})
	if len(env.emu.State().SnapshotGroups) != 0 {
		t.Errorf("snapshot groups left after destroy: %+v", env.emu.State().SnapshotGroups)
	}
}

func TestAccSnapshot_retentionAndDisks(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env, "cloud_essd", "cloud_essd")
	cfg := func(retention int, disks string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id    = %q
  disk_ids       = %s
  retention_days = %d
}
`, inst.id, disks, retention))
	}
	subset := fmt.Sprintf("[%q, %q]", inst.disks[0], inst.disks[2])
	retention := func(want int) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			g, _ := accSnapshotGroup(env, s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID)
			for _, sn := range g.Snapshots.Snapshot {
				for _, sv := range env.emu.State().Snapshots {
					if sv.SnapshotId == sn.SnapshotId && sv.RetentionDays != want {
						return fmt.Errorf("snapshot %s keeps %d days in the emulator, want %d", sv.SnapshotId, sv.RetentionDays, want)
					}
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg(7, subset),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, []string{inst.disks[0], inst.disks[2]}),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "retention_days", "7"),
					retention(7),
				),
			},
			{
				// Extending the retention is an in-place update.
				Config: cfg(30, subset),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "retention_days", "30"),
					retention(30),
				),
			},
			{
				// Shortening it is refused at plan time.
				Config:      cfg(10, subset),
				ExpectError: regexp.MustCompile(`retention_days can only be extended`),
			},
			{
				// The same disks in another order: no change.
				Config:   cfg(30, fmt.Sprintf("[%q, %q]", inst.disks[2], inst.disks[0])),
				PlanOnly: true,
			},
			{
				// Other disks: a new snapshot.
				Config: cfg(30, fmt.Sprintf("[%q]", inst.disks[1])),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, []string{inst.disks[1]}),
			},
		},
	})
}

func TestAccSnapshot_stopBeforeSnapshot(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	env.emu.ResetCalls()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id          = %q
  stop_before_snapshot = true
}
`, inst.id)),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
				resource.TestCheckResourceAttr("aliecs_snapshot.test", "stop_before_snapshot", "true"),
				resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "false"),
				checkInstanceStatus(env, inst.id, "Running"),
				func(*terraform.State) error {
					calls := env.emu.Calls()
					if calls["StopInstance"] != 1 || calls["StartInstance"] != 1 || calls["CreateSnapshotGroup"] != 1 {
						return fmt.Errorf("want one StopInstance, one CreateSnapshotGroup, one StartInstance; calls: %v", calls)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccSnapshot_releaseAfterSnapshot(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env, "cloud_essd")
	cfg := func(extra string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  name                            = "final-copy"
  stop_before_snapshot            = true
  release_instance_after_snapshot = true
  %s
}
`, inst.id, extra))
	}
	var groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
					checkInstanceStatus(env, inst.id, ""),
					func(s *terraform.State) error {
						groupID = s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID
						if n := env.emu.Calls()["StartInstance"]; n != 0 {
							return fmt.Errorf("a released instance was started again (%d StartInstance calls)", n)
						}
						return nil
					},
				),
			},
			{
				// The next plan is clean although the instance is gone.
				Config: cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Tags change in place, the only copy is kept.
				Config: cfg(`tags = { changed = "yes" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate)},
				},
				Check: resource.TestCheckResourceAttrPtr("aliecs_snapshot.test", "id", &groupID),
			},
			{
				// A change of disks that would replace the only copy is
				// recorded in the state only, with a warning.
				Config: cfg(fmt.Sprintf("tags = { changed = \"yes\" }\n  disk_ids = [%q]", inst.disks[0])),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate)},
				},
				Check: resource.TestCheckResourceAttrPtr("aliecs_snapshot.test", "id", &groupID),
			},
			{
				// Turning the release off is a no-op in place.
				Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  name                            = "final-copy"
  stop_before_snapshot            = true
  release_instance_after_snapshot = false
}
`, inst.id)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr("aliecs_snapshot.test", "id", &groupID),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
				),
			},
		},
	})
}

func TestAccSnapshot_asyncFailureKeepsInstance(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  stop_before_snapshot            = true
  release_instance_after_snapshot = true
}
`, inst.id)),
				ExpectError: regexp.MustCompile(`(?s)The snapshot failed.*instance was not released`),
			},
		},
	})
	// The instance is still there and running; nothing was released; the
	// failed group was deleted rather than leaked.
	if got := accInstanceStatus(env, inst.id); got != "Running" {
		t.Errorf("instance %s is %q after a failed snapshot, want Running", inst.id, got)
	}
	if n := releaseCalls(env.emu.Calls()); n != 0 {
		t.Errorf("DeleteInstance was called %d times after a failed snapshot", n)
	}
	if n := env.emu.Calls()["StopInstance"]; n != 1 {
		t.Errorf("StopInstance was called %d times, want 1 (stop_before_snapshot)", n)
	}
	if groups := env.emu.State().SnapshotGroups; len(groups) != 0 {
		t.Errorf("the failed snapshot group leaked: %+v", groups)
	}
}

func TestAccSnapshot_releaseFailureKeepsSnapshot(t *testing.T) {
	t.Parallel()
	for _, action := range []string{"DeleteInstance", "StopInstance"} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, emulator.Options{})
			inst := accCreateInstance(t, env)
			env.emu.AddFault(emulator.Fault{Action: action, Code: "OperationDenied", HTTPStatus: 403,
				Message: "The operation is denied (injected)."})
			cfg := env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  release_instance_after_snapshot = true
}
`, inst.id))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				Steps: []resource.TestStep{
					{
						Config:      cfg,
						ExpectError: regexp.MustCompile(`(?s)Snapshot saved, instance not released.*still exists`),
					},
					{
						// The snapshot is in state (tainted) and in the emulator; the instance still exists.
						RefreshState:       true,
						ExpectNonEmptyPlan: true,
						Check: resource.ComposeAggregateTestCheckFunc(
							checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
							resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "false"),
							checkInstanceStatus(env, inst.id, "Running"),
						),
					},
					{
						// With the fault gone, the next apply takes a fresh snapshot, then releases.
						PreConfig: env.emu.ClearFaults,
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionDestroyBeforeCreate),
							},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
							resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
							checkInstanceStatus(env, inst.id, ""),
						),
					},
				},
			})
		})
	}
}

// release_instance_after_snapshot on a deletion-protected instance fails
// before anything is done: no stop, no snapshot; the error says how to
// proceed, and the snapshot alone can still be taken.
func TestAccSnapshot_deletionProtection(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	client := accSDKClient(t, env)
	req := ecs.CreateModifyInstanceAttributeRequest()
	req.Scheme = "http"
	req.InstanceId = inst.id
	req.DeletionProtection = requests.NewBoolean(true)
	if _, err := client.ModifyInstanceAttribute(req); err != nil {
		t.Fatalf("ModifyInstanceAttribute: %v", err)
	}
	config := func(release bool) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id                     = %q
  stop_before_snapshot            = true
  release_instance_after_snapshot = %t
}
`, inst.id, release))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: config(true),
			ExpectError: cliPhrases("Instance is protected from deletion", "release_instance_after_snapshot",
				"deletion protection", "Nothing was done", "neither stopped nor snapshotted",
				"release_instance_after_snapshot = false"),
		}, {
			PreConfig: func() {
				calls := env.emu.Calls()
				if calls["StopInstance"]+calls["CreateSnapshotGroup"]+releaseCalls(calls) != 0 {
					t.Fatalf("a protected instance was acted on: %d StopInstance, %d CreateSnapshotGroup, %d DeleteInstance",
						calls["StopInstance"], calls["CreateSnapshotGroup"], releaseCalls(calls))
				}
				if n := len(env.emu.State().SnapshotGroups); n != 0 {
					t.Fatalf("%d snapshot groups after the refused apply, want none", n)
				}
			},
			// The way out the error offers: the snapshot, and the instance kept.
			Config: config(false),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
				resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "false"),
				checkInstanceStatus(env, inst.id, "Running"),
			),
		}},
	})
}

func TestAccSnapshot_driftRemoved(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	cfg := env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
}
`, inst.id))
	var groupID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID
					return nil
				},
			},
			{
				// Deleted outside Terraform: the refresh drops it, the plan creates a new one.
				PreConfig: func() {
					client := accSDKClient(t, env)
					req := ecs.CreateDeleteSnapshotGroupRequest()
					req.Scheme = "http"
					req.SnapshotGroupId = groupID
					if _, err := client.DeleteSnapshotGroup(req); err != nil {
						t.Fatalf("DeleteSnapshotGroup: %v", err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
					func(s *terraform.State) error {
						if s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID == groupID {
							return fmt.Errorf("the deleted group %s is still in state", groupID)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccSnapshot_serviceErrors(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env, "cloud_efficiency")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			// A non-ESSD disk is no longer an error: it gets a per-disk
			// snapshot set (snapshot_set_test.go).
			// An instance that does not exist fails at plan
			// (TestAccSnapshot_instanceCheckedAtPlan).
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", Code: "QuotaExceed.Snapshot",
						HTTPStatus: 403, Message: "The snapshot quota exceeds.", Count: 1})
				},
				Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
  disk_ids    = [%q]
}
`, inst.id, inst.disks[0])),
				ExpectError: regexp.MustCompile(`(?s)Snapshot quota exceeded.*Delete snapshots you no longer need`),
			},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", Code: "IncorrectDiskStatus",
						HTTPStatus: 403, Message: "The current disk status does not support this operation.", Count: 1})
				},
				Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
  disk_ids    = [%q]
}
`, inst.id, inst.disks[0])),
				ExpectError: regexp.MustCompile(`(?s)cannot be snapshotted in their current state.*` + inst.disks[0]),
			},
		},
	})
	if n := releaseCalls(env.emu.Calls()); n != 0 {
		t.Errorf("DeleteInstance called %d times", n)
	}
}

func TestAccSnapshot_badInput(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	cases := []struct{ body, want string }{
		{`instance_id = "web-1"`, `(?s)Invalid instance id.*"web-1"`},
		{`
  instance_id = "i-bp67acfmxazb4ph1234"
  disk_ids    = ["vol-1"]`, `(?s)Invalid disk id.*"vol-1"`},
		{`
  instance_id    = "i-bp67acfmxazb4ph1234"
  retention_days = 0`, `(?s)retention_days.*1 and 65536`},
		{`
  instance_id = "i-bp67acfmxazb4ph1234"
  name        = "1-starts-with-a-digit"`, `(?s)Invalid snapshot name.*starting with a letter`},
		{`
  instance_id = "i-bp67acfmxazb4ph1234"
  name        = "auto-nightly"`, `(?s)Invalid snapshot name.*"auto-nightly" is not allowed`},
		{`
  instance_id = "i-bp67acfmxazb4ph1234"
  description = "https://example.com"`, `(?s)Invalid description.*http:// or https://`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.config("resource \"aliecs_snapshot\" \"test\" {\n" + c.body + "\n}\n"),
			ExpectError: regexp.MustCompile(c.want),
			PlanOnly:    true,
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
	for action, n := range env.emu.Calls() {
		if n != 0 && action != "DescribeRegions" {
			t.Errorf("bad input reached the API: %v", env.emu.Calls())
		}
	}
}

func TestAccSnapshot_importBadID(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config:        env.config(`resource "aliecs_snapshot" "test" { instance_id = "i-bp67acfmxazb4ph1234" }`),
			ResourceName:  "aliecs_snapshot.test",
			ImportState:   true,
			ImportStateId: "s-bp1notagroup0000",
			ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*ssg-`),
		}},
	})
}

func TestAccSnapshot_replaceGuards(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	cfg := func(body string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
  %s
}
`, inst.id, body))
	}
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID
					return nil
				},
			},
			{
				// stop_before_snapshot only acts at creation: an in-place no-op.
				Config: cfg("stop_before_snapshot = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.TestCheckResourceAttrPtr("aliecs_snapshot.test", "id", &firstID),
			},
			{
				// Turning the release on takes a fresh snapshot in place, then
				// releases; the first group is kept, never deleted on the way.
				Config: cfg("stop_before_snapshot = true\n  release_instance_after_snapshot = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSnapshotMatchesEmulator(env, "aliecs_snapshot.test", inst.id, inst.disks),
					resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_released", "true"),
					resource.TestCheckResourceAttrPtr("aliecs_snapshot.test", "kept_group_ids.0", &firstID),
					checkInstanceStatus(env, inst.id, ""),
					func(s *terraform.State) error {
						if s.RootModule().Resources["aliecs_snapshot.test"].Primary.ID == firstID {
							return fmt.Errorf("no new group was taken before the release (still %s)", firstID)
						}
						if _, ok := accSnapshotGroup(env, firstID); !ok {
							return fmt.Errorf("the first group %s was deleted", firstID)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccSnapshot_keepWhenInstanceGone(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	cfg := func(tag string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
  tags        = { v = %q }
}
`, inst.id, tag))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				// The instance is released elsewhere: the plan stays clean...
				PreConfig: func() {
					client := accSDKClient(t, env)
					req := ecs.CreateDeleteInstanceRequest()
					req.Scheme = "http"
					req.InstanceId = inst.id
					req.Force = requests.NewBoolean(true)
					if _, err := client.DeleteInstance(req); err != nil {
						t.Fatalf("DeleteInstance: %v", err)
					}
				},
				Config:   cfg("1"),
				PlanOnly: true,
			},
			{
				// ...tags change in place...
				Config: cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionUpdate)},
				},
			},
			{
				// ...and pointing it at another machine keeps the only copy
				// of the released one (the plan keeps the old instance_id).
				Config: strings.Replace(cfg("2"), inst.id, "i-bp1anothermachine00", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionNoop)},
				},
				Check: resource.TestCheckResourceAttr("aliecs_snapshot.test", "instance_id", inst.id),
			},
		},
	})
}

// Two snapshots of one instance in one apply are taken one after the other
// (a per-instance lock in the provider process): both succeed, and the
// machine is stopped and started once for each, never while the other's
// snapshot is in progress.
func TestAccSnapshot_twoOfOneInstanceInOneApply(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{StopTime: 300 * time.Millisecond, SnapshotTime: time.Second})
	inst := accCreateInstance(t, env)
	env.emu.ResetCalls()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "a" {
  instance_id          = %[1]q
  stop_before_snapshot = true
}

resource "aliecs_snapshot" "b" {
  instance_id          = %[1]q
  stop_before_snapshot = true
}
`, inst.id)),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkSnapshotMatchesEmulator(env, "aliecs_snapshot.a", inst.id, inst.disks),
				checkSnapshotMatchesEmulator(env, "aliecs_snapshot.b", inst.id, inst.disks),
				checkInstanceStatus(env, inst.id, "Running"),
				func(*terraform.State) error {
					for _, r := range env.emu.CallLog() {
						if r.Code != "" {
							return fmt.Errorf("%s failed with %s", r.Action, r.Code)
						}
						if r.Action == "StopInstance" || r.Action == "CreateSnapshotGroup" {
							for g, st := range r.Groups {
								if st == "progressing" {
									return fmt.Errorf("%s ran while group %s was in progress", r.Action, g)
								}
							}
						}
					}
					return nil
				},
			),
		}},
	})
}
