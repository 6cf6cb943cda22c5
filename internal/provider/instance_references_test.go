package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// refHCL is an instance with these references.
func refHCL(image, itype, vsw, sg, extra string) string {
	return fmt.Sprintf(`
resource "aliecs_instance" "test" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
%s}
`, image, itype, vsw, sg, extra)
}

// secondVPC returns the vSwitch and group of the default region's second VPC.
func secondVPC(t *testing.T, env *accEnv) (vsw, sg string) {
	t.Helper()
	st := env.emu.State()
	first := ""
	for _, v := range st.Catalog.VSwitches {
		if v.RegionID != accRegion {
			continue
		}
		if first == "" {
			first = v.VpcID
		} else if v.VpcID != first {
			vsw = v.ID
			for _, g := range st.Catalog.SecurityGroups {
				if g.VpcID == v.VpcID {
					sg = g.ID
				}
			}
		}
	}
	if vsw == "" || sg == "" {
		t.Fatal("the emulator's catalog has no second VPC")
	}
	return vsw, sg
}

// Every reference mistake fails at plan, on its attribute, before anything
// is created.
func TestAccInstance_referencesCheckedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	vsw2, sg2 := secondVPC(t, env)
	const windows = "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd"
	step := func(cfg, want string) resource.TestStep {
		return resource.TestStep{Config: env.config(cfg), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			step(refHCL(c.image, "ecs.g7.large", "vsw-bp1aaaaaaaaaaaaaaaaaaa", c.sg, ""),
				`(?s)Cannot find the vSwitch.*vsw-bp1aaaaaaaaaaaaaaaaaaa does not exist in region cn-hangzhou.*terraform destroy\s+-refresh=false`),
			step(refHCL(c.image, "ecs.g7.large", c.vswitch, sg2, ""),
				`(?s)Cannot use the security group with the vSwitch.*`+sg2+`\s+is\s+in\s+VPC`),
			step(refHCL(c.image, "ecs.g7.large", vsw2, c.sg, ""),
				`(?s)Cannot use the security group with the vSwitch`),
			step(refHCL(c.image, "ecs.g7.large", c.vswitch, "sg-bp1aaaaaaaaaaaaaaaaaaa", ""),
				`(?s)Cannot find the security group`),
			step(refHCL("no_such_image_20G.vhd", "ecs.g7.large", c.vswitch, c.sg, ""),
				`(?s)Cannot find the image.*no_such_image_20G.vhd`),
			step(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, "  key_pair_name = \"nope\"\n"),
				`(?s)Cannot find the key pair.*default-key, deploy-key`),
			step(refHCL(c.image, "ecs.nope.large", c.vswitch, c.sg, ""),
				`(?s)Cannot find the instance type`),
			step(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, "  zone_id = \""+c.zone2+"\"\n"),
				`(?s)Cannot use this zone with the vSwitch.*Set\s+zone_id\s+=\s+"`+c.zone+`"`),
			step(refHCL(windows, "ecs.g7.large", c.vswitch, c.sg, "  host_name = \"a-very-long-windows-name\"\n"),
				`(?s)Cannot use this host name with a Windows image.*at\s+most\s+15`),
		},
	})
	if n := len(env.emu.State().Instances); n != 0 {
		t.Errorf("%d instances exist after plans only", n)
	}
}

// A sold-out type is a plan warning (the plan succeeds) and an apply-time
// error before RunInstances, which names the zones with stock; a no-op
// plan of an existing instance reads no reference at all.
func TestAccInstance_stockAndNoOpPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	const gpu = "ecs.gn7i-c32g1.8xlarge" // sold out in cn-hangzhou-h only
	if c.zone != "cn-hangzhou-h" {
		t.Fatalf("the first vSwitch is in %s, want cn-hangzhou-h", c.zone)
	}
	refCalls := func() int {
		calls := env.emu.Calls()
		return calls["DescribeVSwitches"] + calls["DescribeSecurityGroups"] + calls["DescribeKeyPairs"] +
			calls["DescribeInstanceTypes"] + calls["DescribeAvailableResource"]
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{ // the plan succeeds (a warning), the apply fails before RunInstances
				Config:      env.config(refHCL(c.image, gpu, c.vswitch, c.sg, "")),
				ExpectError: regexp.MustCompile(`(?s)Cannot create the instance: no stock.*cn-hangzhou-i,\s+cn-hangzhou-j`),
			},
			{
				PreConfig: func() {
					if n := env.emu.Calls()["RunInstances"]; n != 0 {
						t.Errorf("RunInstances was called %d times for a sold-out type", n)
					}
				},
				Config: env.config(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, "  key_pair_name = \"default-key\"\n")),
			},
			{
				PreConfig: func() { env.emu.ResetCalls() },
				Config:    env.config(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, "  key_pair_name = \"default-key\"\n")),
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					if n := refCalls(); n != 0 {
						t.Errorf("a no-op plan made %d reference reads: %v", n, env.emu.Calls())
					}
				},
				Config:   env.config(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, "  key_pair_name = \"default-key\"\n")),
				PlanOnly: true,
			},
		},
	})
}

// An instance made from a snapshot group of a Windows machine follows the
// Windows host-name rule of the group's recorded source image, at plan.
func TestAccInstance_restoredWindowsHostName(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	source := fmt.Sprintf(`
resource "aliecs_instance" "source" {
  image_id           = "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  host_name          = "win-source"
  force_delete       = true
}

resource "aliecs_snapshot" "source" {
  instance_id = aliecs_instance.source.id
  name        = "windows-source"
}
`, c.vswitch, c.sg)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: env.config(source)},
			{
				Config:      env.config(source + restoredHCL(c, "  host_name = \"a-very-long-windows-name\"\n")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Cannot use this host name with a Windows image.*was\s+taken\s+of\s+an\s+instance\s+of\s+the\s+Windows\s+image`),
			},
		},
	})
}

// With ALIBABA_CLOUD_ENDPOINT_VPC, the vSwitch is checked through the VPC
// API (Version 2016-04-28), which the emulator serves on its one port.
func TestAccInstance_referencesThroughVPCEndpoint(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	env.providerEnv = map[string]string{"ALIBABA_CLOUD_ENDPOINT_VPC": env.server.URL}
	c := newInstanceCatalog(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config:      env.config(refHCL(c.image, "ecs.g7.large", "vsw-bp1aaaaaaaaaaaaaaaaaaa", c.sg, "")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Cannot find the vSwitch`),
			},
			{Config: env.config(refHCL(c.image, "ecs.g7.large", c.vswitch, c.sg, ""))},
		},
	})
}
