package provider

import (
	"context"
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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

const instanceAddr = "aliecs_instance.test"

// instanceHCL renders an aliecs_instance "test" with the required arguments
// from the catalog plus extra lines.
func instanceHCL(c instanceCatalog, extra string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
%s
}
`, c.image, c.vswitch, c.sg, extra)
}

const testPassword = "Sup3r-Secret-Pw!"

func every(c instanceCatalog, name string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id                   = %q
  instance_type              = "ecs.g7.large"
  vswitch_id                 = %q
  zone_id                    = %q
  security_group_ids         = [%q, %q]
  instance_name              = %q
  description                = "every argument"
  host_name                  = "every-host"
  key_pair_name              = "default-key"
  user_data                  = "#!/bin/sh\necho hello\n"
  password_wo                = %q
  password_wo_version        = 1
  internet_max_bandwidth_out = 5
  deletion_protection        = false
  status                     = "Running"
  stopped_mode               = "KeepCharging"
  force_delete               = false
  tags = {
    env  = "test"
    team = "infra"
  }
  system_disk = {
    category = "cloud_essd"
    size     = 40
  }
  data_disks = [
    { size = 100 },
    { size = 50, category = "cloud_auto", delete_with_instance = true },
  ]
  final_snapshot = {
    name           = "every-final"
    description    = "taken on destroy"
    retention_days = 7
  }
  timeouts = {
    create = "5m"
    update = "5m"
    delete = "5m"
  }
}
`, c.image, c.vswitch, c.zone, c.sg, c.sg2, name, testPassword)
}

// Create with every argument; the plan after apply is empty; import
// matches; the password is nowhere in the state; the final snapshot is taken.
func TestAccInstance_everyArgument(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(every(c, "every-1"))
	var id string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			st := env.emu.State()
			retention := map[string]int{}
			for _, sn := range st.Snapshots {
				retention[sn.SnapshotId] = sn.RetentionDays
			}
			for _, g := range st.SnapshotGroups {
				if g.Name == "every-final" && g.InstanceId == id && g.Status == "accomplished" {
					// System disk and two data disks, each kept 7 days.
					if n := len(g.Snapshots.Snapshot); n != 3 {
						return fmt.Errorf("final snapshot group %s has %d snapshots, want 3", g.SnapshotGroupId, n)
					}
					for _, sn := range g.Snapshots.Snapshot {
						if retention[sn.SnapshotId] != 7 {
							return fmt.Errorf("snapshot %s retention %d days, want 7", sn.SnapshotId, retention[sn.SnapshotId])
						}
					}
					return nil
				}
			}
			return fmt.Errorf("no accomplished final snapshot group of %s: %+v", id, st.SnapshotGroups)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^i-`))),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("zone_id"), knownvalue.StringExact(c.zone)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("cpu"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("memory"), knownvalue.Int64Exact(8192)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("gpu_amount"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("system_disk_id"), knownvalue.StringRegexp(regexp.MustCompile(`^d-`))),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("public_ip"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`))),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("creation_time"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$`))),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("data_disks"), knownvalue.ListSizeExact(2)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					instanceStateID(instanceAddr, &id),
					func(s *terraform.State) error {
						a := s.RootModule().Resources[instanceAddr].Primary.Attributes
						if a["ssh_command"] != "ssh root@"+a["public_ip"] {
							return fmt.Errorf("ssh_command %q, public_ip %q", a["ssh_command"], a["public_ip"])
						}
						return nil
					},
					instanceCheckPasswordAbsent,
					func(*terraform.State) error {
						in := env.instanceInEmu(id)
						if in == nil {
							return fmt.Errorf("instance %s not in the emulator", id)
						}
						if in.InstanceName != "every-1" || in.HostName != "every-host" || in.KeyPairName != "default-key" ||
							in.InternetMaxBandwidthOut != 5 || len(in.SecurityGroupIds.SecurityGroupId) != 2 {
							return fmt.Errorf("emulator's instance differs from the configuration: %+v", in)
						}
						if n := env.emu.Calls()["RunInstances"]; n != 1 {
							return fmt.Errorf("RunInstances called %d times, want 1", n)
						}
						return nil
					},
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      instanceAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"password_wo", "password_wo_version", "user_data", "stopped_mode", "final_snapshot", "timeouts",
				},
			},
		},
	})
}

// instanceCheckPasswordAbsent fails when the password appears anywhere in the state.
func instanceCheckPasswordAbsent(s *terraform.State) error {
	for addr, rs := range s.RootModule().Resources {
		for k, v := range rs.Primary.Attributes {
			if strings.Contains(v, testPassword) {
				return fmt.Errorf("the password is in the state: %s.%s", addr, k)
			}
		}
	}
	return nil
}

// Each in-place update is planned as an update, reaches the emulator, and
// leaves an empty plan.
func TestAccInstance_updateInPlace(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	update := func(extra string, check func(in *emulator.Instance) error) resource.TestStep {
		return resource.TestStep{
			Config: env.config(instanceHCL(c, extra)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				// The addresses survive an update that does not stop the instance.
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				in := env.instanceInEmu(id)
				if in == nil {
					return fmt.Errorf("instance %s is gone: an update replaced it", id)
				}
				return check(in)
			},
		}
	}
	base := `
  instance_name = "upd-1"
  description   = "first"
  host_name     = "host-1"
  tags          = { a = "1", b = "2" }
  password_wo   = "` + testPassword + `"
  password_wo_version = 1
`
	var modifyCalls int
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: env.config(instanceHCL(c, base)), Check: instanceStateID(instanceAddr, &id)},
			update(strings.Replace(base, `"upd-1"`, `"upd-2"`, 1), func(in *emulator.Instance) error {
				if in.InstanceName != "upd-2" {
					return fmt.Errorf("name %q", in.InstanceName)
				}
				return nil
			}),
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`).Replace(base), func(in *emulator.Instance) error {
				if in.Description != "second" {
					return fmt.Errorf("description %q", in.Description)
				}
				return nil
			}),
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`, `"host-1"`, `"host-2"`).Replace(base), func(in *emulator.Instance) error {
				if in.HostName != "host-2" {
					return fmt.Errorf("host name %q", in.HostName)
				}
				return nil
			}),
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`, `"host-1"`, `"host-2"`,
				`{ a = "1", b = "2" }`, `{ a = "10", c = "3" }`).Replace(base), func(in *emulator.Instance) error {
				all := emuInstanceTags(in)
				if all[ownershipTagKey] != ownershipTagValue {
					return fmt.Errorf("tags %v: the tag update lost the ownership tag", all)
				}
				got := userTags(all)
				if len(got) != 2 || got["a"] != "10" || got["c"] != "3" {
					return fmt.Errorf("tags %v, want a=10 c=3", got)
				}
				modifyCalls = env.emu.Calls()["ModifyInstanceAttribute"]
				return nil
			}),
			// A new password_wo_version sends the password again.
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`, `"host-1"`, `"host-2"`,
				`{ a = "1", b = "2" }`, `{ a = "10", c = "3" }`, "password_wo_version = 1", "password_wo_version = 2").Replace(base),
				func(in *emulator.Instance) error {
					if n := env.emu.Calls()["ModifyInstanceAttribute"]; n != modifyCalls+1 {
						return fmt.Errorf("ModifyInstanceAttribute called %d times after the version bump, want %d", n, modifyCalls+1)
					}
					return nil
				}),
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`, `"host-1"`, `"host-2"`,
				`{ a = "1", b = "2" }`, `{ a = "10", c = "3" }`, "password_wo_version = 1", "password_wo_version = 2").Replace(base)+
				"  deletion_protection = true\n", func(in *emulator.Instance) error {
				if !in.DeletionProtection {
					return fmt.Errorf("deletion protection is off")
				}
				return nil
			}),
			update(strings.NewReplacer(`"upd-1"`, `"upd-2"`, `"first"`, `"second"`, `"host-1"`, `"host-2"`,
				`{ a = "1", b = "2" }`, `{ a = "10", c = "3" }`, "password_wo_version = 1", "password_wo_version = 2").Replace(base),
				func(in *emulator.Instance) error {
					if in.DeletionProtection {
						return fmt.Errorf("deletion protection is still on")
					}
					return nil
				}),
		},
	})
}

// Every other argument replaces the instance, and the plan says so; the
// instance type, the security groups and a larger system disk change in
// place, and so does a bandwidth that stays above 0 (a bandwidth from 0
// adds a public IP: replaced).
func TestAccInstance_replace(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	hcl := func(image, itype, vsw, sg, extra string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
%s
}
`, image, itype, vsw, sg, extra))
	}
	replaced := func(cfg string) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: func(*terraform.State) error {
				if n := len(env.emu.State().Instances); n != 1 {
					return fmt.Errorf("%d instances in the emulator after a replacement, want 1", n)
				}
				return nil
			},
		}
	}
	inPlace := func(cfg string) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
			},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: hcl(c.image, "ecs.g7.large", c.vswitch, c.sg, "")},
			replaced(hcl(c.image2, "ecs.g7.large", c.vswitch, c.sg, "")),
			inPlace(hcl(c.image2, "ecs.c7.large", c.vswitch, c.sg, "")),
			replaced(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg, "")),
			inPlace(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "")), // security groups: instance_network_test.go
			inPlace(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60 }\n")),
			replaced(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n")),
			// A data disk is added in place (CreateDisk, AttachDisk).
			inPlace(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n  data_disks = [{ size = 20 }]\n")),
			// A public IP from 0 Mbit/s: in place too (instance_data_disk_settings_test.go).
			inPlace(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n  data_disks = [{ size = 20 }]\n  internet_max_bandwidth_out = 1\n")),
			replaced(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n  data_disks = [{ size = 20 }]\n  internet_max_bandwidth_out = 1\n  user_data = \"echo hi\"\n")),
			replaced(hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n  data_disks = [{ size = 20 }]\n  internet_max_bandwidth_out = 1\n  user_data = \"echo hi\"\n  key_pair_name = \"deploy-key\"\n")),
			// Naming the zone the vSwitch already implies is not a change.
			{
				Config:           hcl(c.image2, "ecs.c7.large", c.vswitch2, c.sg2, "  system_disk = { size = 60, category = \"cloud_auto\" }\n  data_disks = [{ size = 20 }]\n  internet_max_bandwidth_out = 1\n  user_data = \"echo hi\"\n  key_pair_name = \"deploy-key\"\n  zone_id = \""+c.zone2+"\"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// status = Stopped stops the instance (with the stopped mode), Running starts it.
func TestAccInstance_stopStart(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	emuStatus := func(want, mode string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			in := env.instanceInEmu(id)
			if in == nil {
				return fmt.Errorf("instance %s is gone", id)
			}
			if in.Status != want || (want == "Stopped" && mode != "" && in.StoppedMode != mode) {
				return fmt.Errorf("emulator: status %s, stopped mode %s; want %s %s", in.Status, in.StoppedMode, want, mode)
			}
			return nil
		}
	}
	step := func(status, mode string) resource.TestStep {
		extra := fmt.Sprintf("  status = %q\n", status)
		if mode != "" {
			extra += fmt.Sprintf("  stopped_mode = %q\n", mode)
		}
		return resource.TestStep{
			Config: env.config(instanceHCL(c, extra)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact(status)),
			},
			Check: emuStatus(status, mode),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				// Created stopped.
				Config: env.config(instanceHCL(c, "  status = \"Stopped\"\n  stopped_mode = \"KeepCharging\"\n")),
				Check:  resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), emuStatus("Stopped", "KeepCharging")),
			},
			step("Running", ""),
			step("Stopped", "StopCharging"),
			step("Running", "StopCharging"),
		},
	})
}

// Import with `terraform import` and with an import block.
func TestAccInstance_import(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	id := env.instanceCreateOutside(c, "imported-1", map[string]string{"owner": "ops"})
	cfg := fmt.Sprintf(`
import {
  to = aliecs_instance.test
  id = %q
}

resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = "ecs.t6-c1m2.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  instance_name      = "imported-1"
  tags               = { owner = "ops" }
}
`, id, c.image, c.vswitch, c.sg)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(cfg),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				},
			},
			{
				Config:            env.config(cfg),
				ResourceName:      instanceAddr,
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
			{
				Config:        env.config(cfg),
				ResourceName:  instanceAddr,
				ImportState:   true,
				ImportStateId: "i-doesnotexist000000",
				ExpectError:   regexp.MustCompile(`(?s)Instance not found.*i-doesnotexist000000 does not exist`),
			},
		},
	})
}

// An instance released outside Terraform stays in state as a tombstone
// (status "Released", a warning): the plan does not create a new machine,
// and the destroy makes no call.
func TestAccInstance_releasedOutside(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, ""))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: func() {
					if err := env.instanceSDKClient().DeleteInstance(context.Background(), id, true); err != nil {
						t.Fatalf("releasing %s outside Terraform: %v", id, err)
					}
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("status"), knownvalue.StringExact(statusReleased)),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(v string) error {
						if v != id {
							return fmt.Errorf("id %s, want the released %s", v, id)
						}
						return nil
					})),
				},
			},
		},
	})
}

// Deletion protection blocks the destroy and keeps the instance; once it is
// turned off, the destroy goes through.
func TestAccInstance_deletionProtection(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(instanceHCL(c, "  deletion_protection = true\n")),
				Check:  instanceStateID(instanceAddr, &id),
			},
			{
				Config:      env.config(instanceHCL(c, "  deletion_protection = true\n")),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)deletion protection on.*deletion_protection = false`),
			},
			{
				PreConfig: func() {
					in := env.instanceInEmu(id)
					if in == nil || in.Status != "Running" {
						t.Fatalf("the protected instance was touched by the failed destroy: %+v", in)
					}
				},
				Config: env.config(instanceHCL(c, "  deletion_protection = false\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

// force_delete releases a running instance without stopping it first.
func TestAccInstance_forceDelete(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			calls := env.emu.Calls()
			if calls["StopInstance"] != 0 || releaseCalls(calls) == 0 {
				return fmt.Errorf("force delete: StopInstance %d calls (want 0), DeleteInstance %d calls",
					calls["StopInstance"], releaseCalls(calls))
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: env.config(instanceHCL(c, "  force_delete = true\n"))}},
	})
}

// A failed final snapshot fails the destroy and keeps the instance; without
// the fault, the next destroy snapshots and releases.
func TestAccInstance_finalSnapshotFailure(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	cfg := env.config(instanceHCL(c, "  final_snapshot = { name = \"last-words\" }\n"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.instanceCheckNoneLeft(s); err != nil {
				return err
			}
			for _, g := range env.emu.State().SnapshotGroups {
				if g.InstanceId == id && g.Status == "accomplished" {
					return nil
				}
			}
			return fmt.Errorf("no accomplished snapshot group of %s", id)
		},
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
				},
				Config:      cfg,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Final snapshot failed; the instance was kept`),
			},
			{
				PreConfig: func() {
					in := env.instanceInEmu(id)
					if in == nil {
						t.Fatalf("instance %s was released although its final snapshot failed", id)
					}
					// Stopped for the snapshot (stop_first), started again when it failed.
					if in.Status != "Running" {
						t.Fatalf("instance %s is %s after its final snapshot failed, want Running again", id, in.Status)
					}
				},
				// A new name gives a new snapshot attempt (the failed group keeps its token).
				Config: env.config(instanceHCL(c, "  final_snapshot = { name = \"last-words-2\" }\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

// The release time is owned by aliecs_auto_release_schedule: a change made
// outside never makes the instance's plan dirty, and an unrelated update
// does not fail with an inconsistent result.
func TestAccInstance_autoReleaseTimeOwnedElsewhere(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	at2 := at.Add(24 * time.Hour)
	schedule := func(tm time.Time) func() {
		return func() {
			if err := env.instanceSDKClient().ModifyInstanceAutoReleaseTime(context.Background(), id, tm.Format(time.RFC3339)); err != nil {
				t.Fatalf("scheduling the release of %s: %v", id, err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: env.config(instanceHCL(c, "")), Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: schedule(at),
				Config:    env.config(instanceHCL(c, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: schedule(at2),
				Config:    env.config(instanceHCL(c, "  tags = { touched = \"yes\" }\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				},
			},
		},
	})
}

// Bad input fails the plan with an error on the attribute that says what was
// given and what is allowed.
func TestAccInstance_badInputs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cases := []struct{ extra, want string }{
		{`  instance_name = "1abc"`, `(?s)instance_name.*"1abc" starts with '1'`},
		{`  instance_name = "a"`, `(?s)instance_name.*between 2 and 128, got: 1`},
		{`  instance_name = "ab cd"`, `(?s)instance_name.*contains ' '`},
		{`  description = "http://x.example"`, `(?s)description.*cannot start with http`},
		{`  description = "x"`, `(?s)description.*between 2 and 256, got: 1`},
		{`  host_name = "-bad"`, `(?s)host_name.*"-bad"`},
		{`  host_name = "a_b"`, `(?s)host_name.*contains '_'`},
		{`  status = "Paused"`, `(?s)status.*value must be one of.*Running`},
		{`  stopped_mode = "Never"`, `(?s)stopped_mode.*KeepCharging`},
		{`  internet_max_bandwidth_out = 101`, `(?s)internet_max_bandwidth_out.*between 0 and 100, got: 101`},
		{`  system_disk = { category = "local_ssd" }`, `(?s)system_disk.category.*cloud_essd`},
		{`  system_disk = { size = 10 }`, `(?s)system_disk.size.*got: 10`},
		{`  data_disks = [{ size = 40000 }]`, `(?s)data_disks\[0\].size.*got: 40000`},
		{`  tags = { "aliyun:x" = "v" }`, `(?s)tags.*reserved prefix`},
		{`  tags = { k = "https://x" }`, `(?s)tags.*URL scheme`},
		{`  tags = {` + strings.Repeat(" ", 1) + manyTags(21) + ` }`, `(?s)tags.*21 tags were given`},
		{`  tags = {` + manyTags(20) + ` }`, `(?s)tags.*20 tags were given; an instance takes at most 19 tags of its own, since ECS allows 20 and the provider adds its ownership tag "aliecs:managed-by"`},
		{`  tags = { "aliecs:managed-by" = "me" }`, `(?s)tags.*"aliecs:managed-by" starts with "aliecs:", which is reserved for the provider's own tags`},
		{`  tags = { "Aliecs:x" = "v" }`, `(?s)tags.*"Aliecs:x" starts with "aliecs:"`},
		{"  user_data = \"a\"\n  user_data_wo = \"b\"", `(?s)user_data_wo.*cannot be specified when.*user_data`},
		{`  user_data_wo_version = 1`, `(?s)user_data_wo_version.*user_data_wo`},
		{`  password_wo = "short"`, `(?s)password_wo.*The password has 5 characters`},
		{`  password_wo_version = 1`, `(?s)password_wo_version.*password_wo`},
		{`  zone_id = "nowhere"`, `(?s)zone_id.*zone id`},
		{`  final_snapshot = { name = "auto-x" }`, `(?s)Invalid snapshot name.*"auto-x" is not allowed`},
		{`  final_snapshot = { name = "ok-name", retention_days = 0 }`, `(?s)retention_days.*got: 0`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:   env.config(instanceHCL(c, tc.extra)),
			PlanOnly: true,
			// Terraform wraps long messages: any space may be a line break.
			ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`)),
		})
	}
	// Id shapes.
	steps = append(steps,
		resource.TestStep{
			Config: env.config(`
resource "aliecs_instance" "test" {
  image_id           = "img"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "subnet-123"
  security_group_ids = ["sg-abcdefgh12345"]
}`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)vswitch_id.*"subnet-123"\s+is\s+not\s+a\s+valid\s+vSwitch\s+id`),
		},
		resource.TestStep{
			Config: env.config(`
resource "aliecs_instance" "test" {
  image_id           = "img"
  instance_type      = "g7-large"
  vswitch_id         = "vsw-abcdefgh12345"
  security_group_ids = ["group-1"]
}`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)"group-1"\s+is\s+not\s+a\s+valid\s+security\s+group\s+id`),
		},
	)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: env.factories(),
		Steps:                    steps,
	})
	if n := env.emu.Calls()["RunInstances"]; n != 0 {
		t.Errorf("bad input reached the service: RunInstances called %d times", n)
	}
}

func manyTags(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "k%d = \"v\", ", i)
	}
	return strings.TrimSuffix(b.String(), ", ")
}
