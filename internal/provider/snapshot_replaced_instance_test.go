package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// backupHCL is an aliecs_instance "vm" of an image and an aliecs_snapshot
// "backup" of it.
func backupHCL(c instanceCatalog, image string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_snapshot" "backup" {
  instance_id = aliecs_instance.vm.id
}
`, image, c.vswitch, c.sg)
}

// A replacement of the machine never deletes its backup: the snapshot is
// updated in place (a new group of the new machine, taken after it is
// created), and the old group, now the only copy of the released machine,
// is left as it is and listed in kept_group_ids.
func TestAccSnapshot_instanceReplacedKeepsBackup(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var vm1, group1 string
	const vm, backup = "aliecs_instance.vm", "aliecs_snapshot.backup"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(*terraform.State) error {
			// The destroy deletes the managed group only.
			if g, ok := accSnapshotGroup(env, group1); !ok || g.Status != "accomplished" {
				return fmt.Errorf("the kept group %s of the released machine is gone after destroy", group1)
			}
			return env.instanceCheckNoneLeft(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: env.config(backupHCL(c, c.image)),
				Check: resource.ComposeAggregateTestCheckFunc(
					instanceStateID(vm, &vm1), instanceStateID(backup, &group1),
					resource.TestCheckNoResourceAttr(backup, "kept_group_ids.#"),
					func(*terraform.State) error { env.emu.ResetCalls(); return nil },
				),
			},
			{
				Config: env.config(backupHCL(c, c.image2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vm, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction(backup, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					if n := env.emu.Calls()["DeleteSnapshotGroup"]; n != 0 {
						return fmt.Errorf("the apply called DeleteSnapshotGroup %d times", n)
					}
					g, ok := accSnapshotGroup(env, group1)
					if !ok || g.Status != "accomplished" || g.InstanceId != vm1 {
						return fmt.Errorf("the backup %s of the released machine %s was not kept: %+v", group1, vm1, g)
					}
					if env.instanceInEmu(vm1) != nil {
						return fmt.Errorf("the old machine %s was not released", vm1)
					}
					a := s.RootModule().Resources[backup].Primary.Attributes
					vm2 := s.RootModule().Resources[vm].Primary.ID
					if a["kept_group_ids.#"] != "1" || a["kept_group_ids.0"] != group1 {
						return fmt.Errorf("kept_group_ids = %s %s, want [%s]", a["kept_group_ids.#"], a["kept_group_ids.0"], group1)
					}
					if a["id"] == group1 || a["instance_id"] != vm2 {
						return fmt.Errorf("backup is %s of %s, want a new group of %s", a["id"], a["instance_id"], vm2)
					}
					// The new group was taken after the new machine was created.
					var order []string
					for _, r := range env.emu.CallLog() {
						if r.Code == "" && (isRelease(r.Action) || r.Action == "RunInstances" || r.Action == "CreateSnapshotGroup") {
							action := r.Action
							if isRelease(action) {
								action = "DeleteInstance" // alone or shared, a release
							}
							order = append(order, action)
						}
					}
					if fmt.Sprint(order) != "[DeleteInstance RunInstances CreateSnapshotGroup]" {
						return fmt.Errorf("calls %v", order)
					}
					var disks []string
					for _, d := range env.emu.State().Disks {
						if d.InstanceId == vm2 {
							disks = append(disks, d.DiskId)
						}
					}
					return checkSnapshotMatchesEmulator(env, backup, vm2, disks)(s)
				},
			},
		},
	})
}

// Through the terraform CLI: the plan of a replacement names what it keeps
// (the backup's group and the machine it is of; each kept data disk, which
// the new machine does not get back), and the destroy names the groups it
// leaves in place.
func TestCLIReplacementNamesWhatItKeeps(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+accAccessKey, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accSecretKey)
	provider := fmt.Sprintf("provider \"aliecs\" {\n  region   = %q\n  endpoint = %q\n}\n", accRegion, env.server.URL)
	config := func(image string) string {
		return provider + strings.Replace(backupHCL(c, image), "security_group_ids =",
			"data_disks = [{ size = 50, delete_with_instance = false }]\n  security_group_ids =", 1)
	}
	cli.write(config(c.image))
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	st := cli.state()
	vm1, group1 := st.ids("aliecs_instance", "id")[0], st.ids("aliecs_snapshot", "id")[0]
	var kept string
	for _, d := range env.emu.State().Disks {
		if d.InstanceId == vm1 && d.Type == "data" {
			kept = d.DiskId
		}
	}

	cli.write(config(c.image2))
	flat := strings.Join(strings.Fields(cli.mustRun("plan", "-input=false", "-no-color")), " ")
	for _, want := range []string{
		fmt.Sprintf("Warning: Snapshot group %s of instance %s is kept, not replaced", group1, vm1),
		"listed in kept_group_ids",
		fmt.Sprintf("data disk %s (data_disks[0], 50 GiB, delete_with_instance = false) is kept, detached, and will NOT be attached to the new machine", kept),
		"aliecs_snapshot.backup will be updated in-place",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan lacks %q:\n%s", want, flat)
		}
	}
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if g, ok := accSnapshotGroup(env, group1); !ok || g.Status != "accomplished" {
		t.Errorf("the backup %s of the replaced machine was deleted", group1)
	}
	flat = strings.Join(strings.Fields(cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")), " ")
	if !strings.Contains(flat, "Warning: Kept snapshot groups are not deleted") || !strings.Contains(flat, group1) {
		t.Errorf("the destroy does not name the kept group %s:\n%s", group1, flat)
	}
	if _, ok := accSnapshotGroup(env, group1); !ok {
		t.Errorf("the destroy deleted the kept group %s", group1)
	}
}
