package provider

import (
	"fmt"
	"regexp"
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

// resizeHCL is an aliecs_instance "test" of a type, with a system disk, two
// data disks (the second of the basic category, which grows offline only)
// and extra lines.
func resizeHCL(c instanceCatalog, typ string, sys, data0, data1 int, extra string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
  system_disk        = { size = %d }
  data_disks = [
    { size = %d },
    { size = %d, category = "cloud" },
  ]
%s
}
`, c.image, typ, c.vswitch, c.sg, sys, data0, data1, extra)
}

// checkSameMachine checks that the instance is still the one created first,
// with this type and status in the emulator.
func checkSameMachine(env *accEnv, id *string, typ, status string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		in := env.instanceInEmu(*id)
		if in == nil {
			return fmt.Errorf("instance %s is gone: the change replaced it", *id)
		}
		if in.InstanceType != typ || in.Status != status {
			return fmt.Errorf("instance %s is %s and %s, want %s and %s", *id, in.InstanceType, in.Status, typ, status)
		}
		if n := len(env.emu.State().Instances); n != 1 {
			return fmt.Errorf("%d instances in the emulator, want 1", n)
		}
		return nil
	}
}

// checkDiskSizes checks the sizes of the instance's disks in the emulator, by device.
func checkDiskSizes(env *accEnv, id *string, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := map[string]int{}
		for _, d := range env.emu.State().Disks {
			if d.InstanceId == *id {
				got[d.Device] = d.Size
			}
		}
		for dev, size := range want {
			if got[dev] != size {
				return fmt.Errorf("disk sizes %v, want %v", got, want)
			}
		}
		return nil
	}
}

var expectUpdate = resource.ConfigPlanChecks{
	PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
	PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
}

// The type changes in place, up and down, running and stopped; disks grow
// in place (online, and offline with a restart for the basic category);
// a shrink is refused by the apply; a new data disk is added in place.
func TestAccInstance_resizeInPlace(t *testing.T) {
	env := newAccEnv(t, emulator.Options{StopTime: time.Second, BootTime: time.Second})
	c := newInstanceCatalog(t, env)
	var id string
	cfg := func(typ string, sys, d0, d1 int, extra string) string {
		return env.config(resizeHCL(c, typ, sys, d0, d1, extra))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: cfg("ecs.g7.large", 40, 50, 60, ""),
				Check:  instanceStateID(instanceAddr, &id),
			},
			// Up, running: stopped (KeepCharging), changed, started again.
			{
				Config:           cfg("ecs.gn7i-c8g1.2xlarge", 40, 50, 60, ""),
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("cpu"), knownvalue.Int64Exact(8)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("gpu_amount"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("gpu_spec"), knownvalue.StringExact("NVIDIA A10")),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSameMachine(env, &id, "ecs.gn7i-c8g1.2xlarge", "Running"),
					func(*terraform.State) error {
						// The machine was stopped before the change, and started after it.
						var order []string
						for _, r := range env.emu.CallLog() {
							if r.InstanceID == id && r.Code == "" && (r.Action == "StopInstance" || r.Action == "ModifyInstanceSpec" || r.Action == "StartInstance") {
								order = append(order, r.Action+"@"+r.InstanceStatus)
							}
						}
						want := "[StopInstance@Running ModifyInstanceSpec@Stopped StartInstance@Stopped]"
						if fmt.Sprint(order) != want {
							return fmt.Errorf("calls %v, want %s", order, want)
						}
						return nil
					},
				),
			},
			// Down, and stopped in the same apply: it stays stopped.
			{
				Config:           cfg("ecs.g7.large", 40, 50, 60, `  status = "Stopped"`),
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("cpu"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("gpu_amount"), knownvalue.Int64Exact(0)),
				},
				Check: checkSameMachine(env, &id, "ecs.g7.large", "Stopped"),
			},
			// Stopped: changed, not started.
			{
				Config:           cfg("ecs.g7.xlarge", 40, 50, 60, `  status = "Stopped"`),
				ConfigPlanChecks: expectUpdate,
				Check:            checkSameMachine(env, &id, "ecs.g7.xlarge", "Stopped"),
			},
			// Disks grow while stopped (offline), then the machine starts.
			{
				Config:           cfg("ecs.g7.xlarge", 50, 60, 70, ""),
				ConfigPlanChecks: expectUpdate,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSameMachine(env, &id, "ecs.g7.xlarge", "Running"),
					checkDiskSizes(env, &id, map[string]int{"/dev/xvda": 50, "/dev/xvdb": 60, "/dev/xvdc": 70}),
				),
			},
			// Running: the ESSD disks grow online; the basic disk offline, with a restart.
			{
				Config:           cfg("ecs.g7.xlarge", 60, 80, 90, ""),
				ConfigPlanChecks: expectUpdate,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSameMachine(env, &id, "ecs.g7.xlarge", "Running"),
					checkDiskSizes(env, &id, map[string]int{"/dev/xvda": 60, "/dev/xvdb": 80, "/dev/xvdc": 90}),
				),
			},
			// A shrink is refused at apply time, before any call, on the attribute.
			{
				Config:      cfg("ecs.g7.xlarge", 60, 70, 90, ""),
				ExpectError: regexp.MustCompile(`(?s)Cannot shrink a disk.*data_disks\[0\]`),
			},
			{
				Config:      cfg("ecs.g7.xlarge", 50, 80, 90, ""),
				ExpectError: regexp.MustCompile(`(?s)Cannot shrink a disk.*system disk is 60 GiB`),
			},
			// A new data disk is added in place (see TestAccInstance_addDataDiskInPlace).
			{
				Config: env.config(fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.g7.xlarge"
  vswitch_id         = %q
  security_group_ids = [%q]
  system_disk        = { size = 60 }
  data_disks = [
    { size = 80 },
    { size = 90, category = "cloud" },
    { size = 20 },
  ]
}
`, c.image, c.vswitch, c.sg)),
				ConfigPlanChecks: expectUpdate,
				Check:            checkSameMachine(env, &id, "ecs.g7.xlarge", "Running"),
			},
		},
	})
}

// A type the zone cannot provide fails the apply with the service's reason
// on instance_type, and the machine is as it was: the old type, running.
func TestAccInstance_resizeRefused(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(resizeHCL(c, "ecs.g7.large", 40, 20, 20, "")),
				Check:  instanceStateID(instanceAddr, &id),
			},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "ModifyInstanceSpec", Code: "OperationDenied.NoStock", HTTPStatus: 403})
				},
				Config:      env.config(resizeHCL(c, "ecs.gn7i-c16g1.4xlarge", 40, 20, 20, "")),
				ExpectError: regexp.MustCompile(`(?s)Cannot change the instance type.*OperationDenied.NoStock.*started again`),
			},
			{
				PreConfig: env.emu.ClearFaults,
				Config:    env.config(resizeHCL(c, "ecs.g7.large", 40, 20, 20, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkSameMachine(env, &id, "ecs.g7.large", "Running"),
			},
		},
	})
}

// A smaller disk in the configuration is a state-dependent refusal: the plan
// warns, the apply refuses it before any call (a name change in the same
// apply is not sent), and terraform destroy still works with that
// configuration (its normal plan must not fail).
func TestAccInstance_shrinkDoesNotBlockDestroy(t *testing.T) {
	env := newAccEnv(t, emulator.Options{StopTime: time.Second, BootTime: time.Second})
	c := newInstanceCatalog(t, env)
	var id string
	cfg := func(sys, d0 int, extra string) string {
		return env.config(resizeHCL(c, "ecs.g7.large", sys, d0, 60, extra))
	}
	writes := func() []string {
		var out []string
		for _, r := range env.emu.CallLog() {
			if r.InstanceID == id && !strings.HasPrefix(r.Action, "Describe") {
				out = append(out, r.Action)
			}
		}
		return out
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: cfg(60, 50, ""),
				Check: resource.ComposeAggregateTestCheckFunc(instanceStateID(instanceAddr, &id),
					func(*terraform.State) error { env.emu.ResetCalls(); return nil }),
			},
			{
				Config:      cfg(40, 50, `  instance_name = "renamed"`),
				ExpectError: regexp.MustCompile(`(?s)Cannot shrink a disk.*system disk is 60 GiB.*Nothing was changed`),
			},
			{
				Config: cfg(60, 40, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				},
				ExpectError: regexp.MustCompile(`(?s)Cannot shrink a disk.*data_disks\[0\]`),
				Check: func(*terraform.State) error {
					if w := writes(); len(w) > 0 {
						return fmt.Errorf("refused shrink made calls %v, want none", w)
					}
					return nil
				},
			},
			// The destroy plans with the shrinking configuration.
			{
				Config:  cfg(40, 40, ""),
				Destroy: true,
			},
		},
	})
}

// A data disk added at the end of data_disks is created and attached in
// place (CreateDisk, AttachDisk), running and stopped; a replacement keeps
// the delete_with_instance = false disk, detached, and never deletes it.
func TestAccInstance_addDataDiskInPlace(t *testing.T) {
	env := newAccEnv(t, emulator.Options{StopTime: time.Second, BootTime: time.Second})
	c := newInstanceCatalog(t, env)
	var id string
	cfg := func(image, disks, extra string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  data_disks         = [%s]
%s
}
`, image, c.vswitch, c.sg, disks, extra))
	}
	kept := `{ size = 50, delete_with_instance = false }`
	disksOf := func(instance string) map[string]emulator.Disk {
		out := map[string]emulator.Disk{}
		for _, d := range env.emu.State().Disks {
			if d.InstanceId == instance && d.Type == "data" {
				out[d.Device] = d
			}
		}
		return out
	}
	var keptID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg(c.image, kept, ""),
				Check: resource.ComposeAggregateTestCheckFunc(instanceStateID(instanceAddr, &id),
					func(*terraform.State) error { keptID = disksOf(id)["/dev/xvdb"].DiskId; return nil }),
			},
			{
				Config:           cfg(c.image, kept+`, { size = 20 }`, ""),
				ConfigPlanChecks: expectUpdate,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSameMachine(env, &id, "ecs.g7.large", "Running"),
					resource.TestCheckResourceAttr(instanceAddr, "data_disks.1.size", "20"),
					resource.TestCheckResourceAttr(instanceAddr, "data_disks.1.snapshot_id", ""),
					func(*terraform.State) error {
						d := disksOf(id)
						if len(d) != 2 || d["/dev/xvdc"].Size != 20 || !d["/dev/xvdc"].DeleteWithInstance ||
							d["/dev/xvdc"].Category != "cloud_essd" || d["/dev/xvdb"].DiskId != keptID {
							return fmt.Errorf("data disks of %s: %+v", id, d)
						}
						return nil
					},
				),
			},
			{
				// Stopped: added without starting it.
				Config:           cfg(c.image, kept+`, { size = 20 }, { size = 30, category = "cloud_auto", delete_with_instance = false }`, `  status = "Stopped"`),
				ConfigPlanChecks: expectUpdate,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSameMachine(env, &id, "ecs.g7.large", "Stopped"),
					func(*terraform.State) error {
						d := disksOf(id)["/dev/xvdd"]
						if d.Size != 30 || d.DeleteWithInstance || d.Category != "cloud_auto" {
							return fmt.Errorf("data_disks[2] of %s: %+v", id, d)
						}
						return nil
					},
				),
			},
			{
				// A replacement: the kept disks stay, detached, never deleted.
				Config: cfg(c.image2, kept+`, { size = 20 }, { size = 30, category = "cloud_auto", delete_with_instance = false }`, `  status = "Stopped"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(*terraform.State) error {
					n := 0
					for _, d := range env.emu.State().Disks {
						if d.InstanceId == "" && d.Type == "data" {
							n++
						}
						if d.DiskId == keptID && d.InstanceId != "" {
							return fmt.Errorf("kept disk %s is attached to %s", keptID, d.InstanceId)
						}
					}
					if n != 2 {
						return fmt.Errorf("%d detached data disks, want the 2 kept ones", n)
					}
					return nil
				},
			},
		},
	})
}
