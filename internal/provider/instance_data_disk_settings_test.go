package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

var importIgnore = []string{"password_wo", "password_wo_version", "user_data", "stopped_mode", "final_snapshot", "timeouts"}

// emuDataDisk is the emulator's data disk of an instance on a device.
func (e *accEnv) emuDataDisk(id, device string) (emulatorDisk, error) {
	for _, d := range e.emu.State().Disks {
		if d.InstanceId == id && d.Type == "data" && d.Device == device {
			return emulatorDisk{name: d.DiskName, description: d.Description, level: d.PerformanceLevel,
				encrypted: d.Encrypted, key: d.KMSKeyId, id: d.DiskId}, nil
		}
	}
	return emulatorDisk{}, fmt.Errorf("instance %s has no data disk on %s", id, device)
}

type emulatorDisk struct {
	id, name, description, level, key string
	encrypted                         bool
}

// A data disk's name, description and performance level change in place
// (the same disk, the same instance); an import reads them back with the
// disk's device.
func TestAccInstance_dataDiskNameDescriptionLevel(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	hcl := func(name, desc, pl string) string {
		return env.config(instanceHCL(c, fmt.Sprintf(
			"  data_disks = [{ size = 40, name = %q, description = %q, performance_level = %q }]\n", name, desc, pl)))
	}
	var first, id, diskID string
	disk := func(name, desc, pl string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if id != first {
				return fmt.Errorf("instance %s replaced by %s", first, id)
			}
			d, err := env.emuDataDisk(id, "/dev/xvdb")
			if err != nil {
				return err
			}
			if diskID == "" {
				diskID = d.id
			}
			if d.id != diskID || d.name != name || d.description != desc || d.level != pl {
				return fmt.Errorf("data disk %s %q %q %s, want disk %s %q %q %s", d.id, d.name, d.description, d.level,
					diskID, name, desc, pl)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: hcl("scratch", "first data disk", "PL0"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("data_disks").AtSliceIndex(0).AtMapKey("device"),
						knownvalue.StringExact("/dev/xvdb")),
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("data_disks").AtSliceIndex(0).AtMapKey("encrypted"),
						knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, disk("scratch", "first data disk", "PL0")),
			},
			{
				Config: hcl("datasets", "bigger level", "PL2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), disk("datasets", "bigger level", "PL2")),
			},
			{
				ResourceName:            instanceAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importIgnore,
			},
			{
				// Left out of the configuration: the disk keeps its settings.
				Config: env.config(instanceHCL(c, "  data_disks = [{ size = 40 }]\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: disk("datasets", "bigger level", "PL2"),
			},
		},
	})
}

// encrypted and kms_key_id are set when a disk is made: at create, and for a
// disk added in place (CreateDisk, with its name); changing them replaces
// the instance; an import reads them back.
func TestAccInstance_dataDiskEncryption(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	one := `{ size = 40, encrypted = true, kms_key_id = %q }`
	hcl := func(disks ...string) string {
		return env.config(instanceHCL(c, fmt.Sprintf("  data_disks = [%s]\n", strings.Join(disks, ", "))))
	}
	var first, id string
	encrypted := func(device, key, name string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			d, err := env.emuDataDisk(id, device)
			if err != nil {
				return err
			}
			if !d.encrypted || d.key != key || d.name != name {
				return fmt.Errorf("disk %s: encrypted %v with %q, name %q; want key %q, name %q", device, d.encrypted, d.key,
					d.name, key, name)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config:      hcl(`{ size = 40, kms_key_id = "key-1" }`),
				ExpectError: regexp.MustCompile(`(?s)A KMS key needs encryption.*data_disks\[0\]\.kms_key_id`),
			},
			{
				Config:      hcl(`{ size = 40, category = "cloud_efficiency", performance_level = "PL2" }`),
				ExpectError: regexp.MustCompile(`Performance level needs an ESSD disk`),
			},
			{
				Config: hcl(fmt.Sprintf(one, "key-1")),
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, encrypted("/dev/xvdb", "key-1", "")),
			},
			{
				// A second disk added at the end: made in place, encrypted and named.
				Config: hcl(fmt.Sprintf(one, "key-1"), `{ size = 50, name = "logs", encrypted = true, kms_key_id = "key-2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("data_disks").AtSliceIndex(1).AtMapKey("device"),
						knownvalue.StringExact("/dev/xvdc")),
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id != first {
						return fmt.Errorf("instance %s replaced by %s", first, id)
					}
					return nil
				}, encrypted("/dev/xvdb", "key-1", ""), encrypted("/dev/xvdc", "key-2", "logs")),
			},
			{
				ResourceName:            instanceAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importIgnore,
			},
			{
				// Another key: the disk is made again, so is the machine.
				Config: hcl(fmt.Sprintf(one, "key-3"), `{ size = 50, name = "logs", encrypted = true, kms_key_id = "key-2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id == first {
						return fmt.Errorf("instance %s kept with a disk encrypted by another key", id)
					}
					return nil
				}, encrypted("/dev/xvdb", "key-3", "")),
			},
		},
	})
}

// The reason of a replacement by a data disk's encryption is in the plan.
func TestDataDisksReplaceReasons_encryption(t *testing.T) {
	disk := func(encrypted bool, key string, name string) map[string]any {
		return map[string]any{"size": int64(40), "category": "cloud_essd", "delete_with_instance": true, "snapshot_id": "",
			"name": name, "description": "", "performance_level": "PL1", "encrypted": encrypted, "kms_key_id": key,
			"device": "/dev/xvdb"}
	}
	state := dataDisksList(t, disk(false, "", "a"))
	if r := dataDisksReplaceReasons(state, dataDisksList(t, disk(false, "", "b")), dataDisksList(t, disk(false, "", "b"))); len(r) != 0 {
		t.Errorf("a new name replaces the instance: %v", r)
	}
	r := dataDisksReplaceReasons(state, dataDisksList(t, disk(true, "key-1", "a")), dataDisksList(t, disk(true, "key-1", "a")))
	if got := strings.Join(r, "; "); !strings.Contains(got, "data_disks[0].encrypted changes") ||
		!strings.Contains(got, "data_disks[0].kms_key_id changes") {
		t.Errorf("reasons %q", got)
	}
}

// role_name is read back on refresh when the state has a role: a role
// detached outside Terraform shows in the plan, and the apply attaches it
// again. An instance without a role costs no DescribeInstanceRamRole.
func TestAccInstance_roleNameDrift(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	roleCalls := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := env.emu.Calls()["DescribeInstanceRamRole"]; got != want {
				return fmt.Errorf("%d DescribeInstanceRamRole calls, want %d", got, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(instanceHCL(c, "")),
				Check:  instanceStateID(instanceAddr, &id),
			},
			{
				// No role: refreshes cost no role call.
				PreConfig: env.emu.ResetCalls,
				Config:    env.config(instanceHCL(c, "")),
				Check:     roleCalls(0),
			},
			{
				Config: env.config(instanceHCL(c, "  role_name = \"Builder\"\n")),
			},
			{
				PreConfig: func() {
					if err := env.instanceSDKClient().DetachInstanceRamRole(context.Background(), id, "Builder"); err != nil {
						t.Fatal(err)
					}
				},
				Config: env.config(instanceHCL(c, "  role_name = \"Builder\"\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("role_name"), knownvalue.StringExact("Builder")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					got, err := env.instanceSDKClient().InstanceRAMRole(context.Background(), id)
					if err == nil && got != "Builder" {
						err = fmt.Errorf("the role is %q after the apply", got)
					}
					return err
				},
			},
		},
	})
}

// internet_max_bandwidth_out from 0 and back to 0 changes in place: the
// machine keeps its id, gets a public IP (AllocatePublicIpAddress after
// ModifyInstanceNetworkSpec) and loses it at 0. An allocation that fails
// leaves 0 Mbit/s in the state, so the next apply tries again.
func TestAccInstance_bandwidthFromAndToZero(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var first, id string
	emu := func(bandwidth int, hasIP bool) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if id != first {
				return fmt.Errorf("instance %s replaced by %s", first, id)
			}
			in := env.instanceInEmu(id)
			if in == nil {
				return fmt.Errorf("instance %s not in the emulator", id)
			}
			ips := in.PublicIpAddress.IpAddress
			stateIP := s.RootModule().Resources[instanceAddr].Primary.Attributes["public_ip"]
			if in.InternetMaxBandwidthOut != bandwidth || (len(ips) == 1) != hasIP ||
				hasIP && stateIP != ips[0] || !hasIP && stateIP != "" {
				return fmt.Errorf("the emulator has %d Mbit/s and public IPs %v (state %q); want %d, an IP: %v",
					in.InternetMaxBandwidthOut, ips, stateIP, bandwidth, hasIP)
			}
			return nil
		}
	}
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(networkHCL(c, []string{c.sg}, 0, "")),
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, emu(0, false)),
			},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "AllocatePublicIpAddress", Code: "Forbidden.Test", HTTPStatus: 403, Count: 1})
				},
				Config:      env.config(networkHCL(c, []string{c.sg}, 10, "")),
				ExpectError: regexp.MustCompile(`allocating its public IP`),
			},
			{
				Config: env.config(networkHCL(c, []string{c.sg}, 10, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(instanceAddr, tfjsonpath.New("public_ip")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), emu(10, true)),
			},
			{
				ResourceName:            instanceAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importIgnore,
			},
			{
				Config:           env.config(networkHCL(c, []string{c.sg}, 0, "")),
				ConfigPlanChecks: update,
				Check:            resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), emu(0, false)),
			},
			{
				PreConfig:        env.emu.ResetCalls,
				Config:           env.config(networkHCL(c, []string{c.sg}, 5, "")),
				ConfigPlanChecks: update,
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), emu(5, true), func(*terraform.State) error {
					var order []string
					for _, rec := range env.emu.CallLog() {
						switch rec.Action {
						case "ModifyInstanceNetworkSpec", "AllocatePublicIpAddress", "RunInstances", "DeleteInstance", "DeleteInstances":
							order = append(order, rec.Action)
						}
					}
					if want := "ModifyInstanceNetworkSpec AllocatePublicIpAddress"; strings.Join(order, " ") != want {
						return fmt.Errorf("calls %v, want %s", order, want)
					}
					return nil
				}),
			},
		},
	})
}

func dataDisksList(t *testing.T, disks ...map[string]any) types.List {
	t.Helper()
	elems := make([]attr.Value, 0, len(disks))
	for _, d := range disks {
		attrs := map[string]attr.Value{}
		for name, v := range d {
			switch v := v.(type) {
			case int64:
				attrs[name] = types.Int64Value(v)
			case bool:
				attrs[name] = types.BoolValue(v)
			case string:
				attrs[name] = types.StringValue(v)
			}
		}
		obj, diags := types.ObjectValue(dataDiskAttrTypes, attrs)
		if diags.HasError() {
			t.Fatal(diags)
		}
		elems = append(elems, obj)
	}
	return types.ListValueMust(dataDiskObjectType, elems)
}

// A state written before the data disks' settings existed holds null for
// them: the refresh reads the disks once to fill them in, and nothing of it
// counts as a change that replaces the instance.
func TestDataDisks_stateFromBeforeTheSettings(t *testing.T) {
	old := types.ListValueMust(dataDiskObjectType, []attr.Value{types.ObjectValueMust(dataDiskAttrTypes, map[string]attr.Value{
		"size": types.Int64Value(40), "category": types.StringValue("cloud_essd"), "delete_with_instance": types.BoolValue(true),
		"snapshot_id": types.StringValue(""), "name": types.StringNull(), "description": types.StringNull(),
		"performance_level": types.StringNull(), "encrypted": types.BoolNull(), "kms_key_id": types.StringNull(),
		"device": types.StringNull(),
	})})
	if !dataDisksNeedRead(old) {
		t.Fatal("a state without device does not read the disks")
	}
	plan := dataDisksList(t, map[string]any{"size": int64(40), "category": "cloud_essd", "delete_with_instance": true,
		"snapshot_id": "", "name": "", "description": "", "performance_level": "PL1", "encrypted": false, "kms_key_id": "",
		"device": "/dev/xvdb"})
	if r := dataDisksReplaceReasons(old, plan, types.ListNull(dataDiskObjectType)); len(r) != 0 {
		t.Errorf("the old state replaces the instance: %v", r)
	}
	filled := fillDataDisks(old, []ecsapi.Disk{{Type: "data", Size: 40, Category: "cloud_essd", Device: "/dev/xvdb",
		Name: "data", PerformanceLevel: "PL1", DeleteWithInstance: true}})
	if dataDisksNeedRead(filled) {
		t.Errorf("still to read after the fill: %v", filled)
	}
	got := filled.Elements()[0].(types.Object).Attributes()
	if got["name"].(types.String).ValueString() != "data" || got["device"].(types.String).ValueString() != "/dev/xvdb" ||
		got["encrypted"].(types.Bool).ValueBool() || got["size"].(types.Int64).ValueInt64() != 40 {
		t.Errorf("filled %v", got)
	}
}

// -generate-config-out for an instance whose data disks have no name, no
// description and (cloud_efficiency) no performance level writes a
// configuration that plans the import alone; the plan after it is empty.
func TestCLIGenerateConfigDataDiskSettings(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env, "cloud_efficiency", "cloud_essd")
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + fmt.Sprintf(`
import {
  to = aliecs_instance.web
  id = %q
}
`, inst.id))
	out := cli.mustRun("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	gen, err := os.ReadFile(filepath.Join(cli.dir, "generated.tf"))
	if err != nil {
		t.Fatalf("no generated configuration: %v\n%s", err, out)
	}
	t.Logf("generated:\n%s", gen)
	out = cli.mustRun("plan", "-input=false", "-no-color")
	if !strings.Contains(out, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Errorf("the plan with the generated configuration is not an import alone:\n%s", out)
	}
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the import is not empty:\n%s", out)
	}
}
