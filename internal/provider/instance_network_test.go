package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

func networkHCL(c instanceCatalog, groups []string, bandwidth int, charge string) string {
	quoted := make([]string, len(groups))
	for i, g := range groups {
		quoted[i] = fmt.Sprintf("%q", g)
	}
	extra := ""
	if charge != "" {
		extra = fmt.Sprintf("  internet_charge_type = %q\n", charge)
	}
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id                   = %q
  instance_type              = "ecs.g7.large"
  vswitch_id                 = %q
  security_group_ids         = [%s]
  internet_max_bandwidth_out = %d
%s}
`, c.image, c.vswitch, strings.Join(quoted, ", "), bandwidth, extra)
}

// Security groups, public bandwidth and its charge type change in place:
// the machine joins the new groups before it leaves the old ones, and keeps
// its id and public IP; an import reads all three back; a bandwidth back
// to 0 keeps the machine and gives up its public IP.
func TestAccInstance_networkInPlace(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var first, id, publicIP string
	same := func(*terraform.State) error {
		if id != first {
			return fmt.Errorf("instance %s replaced by %s", first, id)
		}
		in := env.instanceInEmu(id)
		if in == nil || len(in.PublicIpAddress.IpAddress) != 1 || in.PublicIpAddress.IpAddress[0] != publicIP {
			return fmt.Errorf("the public IP changed: %+v", in)
		}
		return nil
	}
	emuNetwork := func(groups []string, bandwidth int, charge string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			in := env.instanceInEmu(id)
			if in == nil {
				return fmt.Errorf("instance %s not in the emulator", id)
			}
			got := slices.Sorted(slices.Values(in.SecurityGroupIds.SecurityGroupId))
			if !slices.Equal(got, slices.Sorted(slices.Values(groups))) || in.InternetMaxBandwidthOut != bandwidth ||
				in.InternetChargeType != charge {
				return fmt.Errorf("the emulator has groups %v, %d Mbit/s, %s; want %v, %d, %s", got,
					in.InternetMaxBandwidthOut, in.InternetChargeType, groups, bandwidth, charge)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(networkHCL(c, []string{c.sg}, 5, "")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("internet_charge_type"), knownvalue.StringExact("PayByTraffic")),
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(s *terraform.State) error {
					id = first
					publicIP = s.RootModule().Resources[instanceAddr].Primary.Attributes["public_ip"]
					env.emu.ResetCalls()
					return nil
				}, emuNetwork([]string{c.sg}, 5, "PayByTraffic")),
			},
			{
				// Another group, more bandwidth, billed by bandwidth: one update.
				Config: env.config(networkHCL(c, []string{c.sg2}, 20, "PayByBandwidth")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), same,
					emuNetwork([]string{c.sg2}, 20, "PayByBandwidth"), func(*terraform.State) error {
						var order []string
						for _, rec := range env.emu.CallLog() {
							switch rec.Action {
							case "JoinSecurityGroup", "LeaveSecurityGroup", "ModifyInstanceNetworkSpec", "StopInstance",
								"RunInstances", "DeleteInstance", "DeleteInstances":
								order = append(order, rec.Action)
							}
						}
						if want := "JoinSecurityGroup LeaveSecurityGroup ModifyInstanceNetworkSpec"; strings.Join(order, " ") != want {
							return fmt.Errorf("calls %v, want %s", order, want)
						}
						return nil
					}),
			},
			{
				Config: env.config(networkHCL(c, []string{c.sg, c.sg2}, 20, "PayByBandwidth")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), same,
					emuNetwork([]string{c.sg, c.sg2}, 20, "PayByBandwidth")),
			},
			{
				ResourceName:      instanceAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"password_wo", "password_wo_version", "user_data", "stopped_mode", "final_snapshot", "timeouts",
				},
			},
			{
				// Back to 0: the public IP goes, the machine stays.
				Config: env.config(networkHCL(c, []string{c.sg}, 0, "PayByTraffic")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id != first {
						return fmt.Errorf("instance %s replaced by %s", first, id)
					}
					if in := env.instanceInEmu(id); in == nil || len(in.PublicIpAddress.IpAddress) != 0 {
						return fmt.Errorf("the public IP stayed at 0 Mbit/s: %+v", in)
					}
					return nil
				}, emuNetwork([]string{c.sg}, 0, "PayByTraffic")),
			},
		},
	})
}

// private_ip is set at create (a different one replaces the machine);
// resource_group_id changes in place; both, and instance_charge_type, are
// read back by an import.
func TestAccInstance_privateIPAndResourceGroup(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var block string
	for _, v := range env.emu.State().Catalog.VSwitches {
		if v.ID == c.vswitch {
			block = v.CidrBlock
		}
	}
	prefix := block[:strings.LastIndex(block, ".")+1] // 172.16.X.
	ip1, ip2 := prefix+"77", prefix+"78"
	hcl := func(ip, rg string) string {
		return env.config(instanceHCL(c, fmt.Sprintf("  private_ip = %q\n  resource_group_id = %q\n", ip, rg)))
	}
	var first, id string
	emu := func(ip, rg string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			in := env.instanceInEmu(id)
			if in == nil || in.VpcAttributes.PrivateIpAddress.IpAddress[0] != ip || in.ResourceGroupId != rg {
				return fmt.Errorf("the emulator has %+v; want %s in %s", in, ip, rg)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config:      env.config(instanceHCL(c, "  private_ip = \"172.16.1\"\n")),
				ExpectError: regexp.MustCompile(`must be an IPv4 address`),
			},
			{
				Config: hcl(ip1, "rg-team1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("instance_charge_type"), knownvalue.StringExact("PostPaid")),
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, emu(ip1, "rg-team1")),
			},
			{
				Config: hcl(ip1, "rg-team2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id != first {
						return fmt.Errorf("instance %s replaced by %s", first, id)
					}
					return nil
				}, emu(ip1, "rg-team2")),
			},
			{
				ResourceName:      instanceAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"password_wo", "password_wo_version", "user_data", "stopped_mode", "final_snapshot", "timeouts",
				},
			},
			{
				Config: hcl(ip2, "rg-team2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					if id == first {
						return fmt.Errorf("instance %s kept with another private IP", id)
					}
					return nil
				}, emu(ip2, "rg-team2")),
			},
		},
	})
}

// role_name: given at create, replaced in place (detach, then attach),
// read back by an import, removed with "".
func TestAccInstance_roleName(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var first, id string
	role := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if id != first {
				return fmt.Errorf("instance %s replaced by %s", first, id)
			}
			got, err := env.instanceSDKClient().InstanceRAMRole(context.Background(), id)
			if err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("the instance's RAM role is %q, want %q", got, want)
			}
			return nil
		}
	}
	inPlace := func(name string) resource.TestStep {
		return resource.TestStep{
			Config: env.config(instanceHCL(c, fmt.Sprintf("  role_name = %q\n", name))),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), role(name)),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config:      env.config(instanceHCL(c, "  role_name = \"no spaces allowed\"\n")),
				ExpectError: regexp.MustCompile(`must be a RAM role name`),
			},
			{
				Config: env.config(instanceHCL(c, "  role_name = \"Builder\"\n")),
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, role("Builder")),
			},
			inPlace("Runner"),
			{
				ResourceName:      instanceAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"password_wo", "password_wo_version", "user_data", "stopped_mode", "final_snapshot", "timeouts",
				},
			},
			inPlace(""),
		},
	})
}

// The system disk's name, description and performance level change in
// place; an import reads them back.
func TestAccInstance_systemDiskAttributes(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	hcl := func(name, desc, pl string) string {
		return env.config(instanceHCL(c, fmt.Sprintf(
			"  system_disk = { size = 40, name = %q, description = %q, performance_level = %q }\n", name, desc, pl)))
	}
	var first, id string
	disk := func(name, desc, pl string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if id != first {
				return fmt.Errorf("instance %s replaced by %s", first, id)
			}
			for _, d := range env.emu.State().Disks {
				if d.InstanceId == id && d.Type == "system" {
					if d.DiskName != name || d.Description != desc || d.PerformanceLevel != pl {
						return fmt.Errorf("system disk %q %q %s, want %q %q %s", d.DiskName, d.Description,
							d.PerformanceLevel, name, desc, pl)
					}
					return nil
				}
			}
			return fmt.Errorf("no system disk of %s", id)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: hcl("root", "first disk", "PL0"),
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &first), func(*terraform.State) error {
					id = first
					return nil
				}, disk("root", "first disk", "PL0")),
			},
			{
				Config: hcl("rootfs", "bigger level", "PL2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), disk("rootfs", "bigger level", "PL2")),
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
