package provider

import (
	"encoding/json"
	"fmt"
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

// emuInstanceTags are an emulator instance's tags, the provider's included.
func emuInstanceTags(in *emulator.Instance) map[string]string {
	got := map[string]string{}
	for _, tg := range in.Tags.Tag {
		got[tg.TagKey] = tg.TagValue
	}
	return got
}

func TestOwnershipTagRules(t *testing.T) {
	user := map[string]string{"team": "ml"}
	tags := withOwnershipTag(user)
	if len(user) != 1 {
		t.Errorf("withOwnershipTag changed the user's map: %v", user)
	}
	if tags[ownershipTagKey] != ownershipTagValue || tags["team"] != "ml" || len(tags) != 2 {
		t.Errorf("withOwnershipTag = %v", tags)
	}
	if got := userTags(tags); len(got) != 1 || got["team"] != "ml" {
		t.Errorf("userTags hides the ownership tag: got %v", got)
	}
	if p := checkUserInstanceTagCount(19); p != "" {
		t.Errorf("19 user tags refused: %s", p)
	}
	p := checkUserInstanceTagCount(20)
	for _, want := range []string{"20 tags were given", "at most 19", "ECS allows 20", ownershipTagKey} {
		if !strings.Contains(p, want) {
			t.Errorf("the 20-tag message %q lacks %q", p, want)
		}
	}
	problems := checkReservedTagKeys([]string{"team", "aliecs:x", "ALIECS:y", "aliecs-z"})
	if len(problems) != 2 || !strings.Contains(problems[0], `"ALIECS:y"`) || !strings.Contains(problems[1], `"aliecs:x"`) {
		t.Errorf("reserved keys: %q", problems)
	}
}

// A created instance carries the ownership tag in the service (set by
// RunInstances itself: no TagResources call); no plan, state or import shows
// it; a tag update keeps it; 19 user tags fit beside it.
func TestAccInstance_ownershipTag(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	var id string
	many := map[string]knownvalue.Check{}
	for i := 0; i < 19; i++ {
		many[fmt.Sprintf("k%d", i)] = knownvalue.StringExact("v")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				Config: env.config(instanceHCL(c, `  tags = { team = "ml" }`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("tags"),
						knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("ml")})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(instanceStateID(instanceAddr, &id), func(*terraform.State) error {
					in := env.instanceInEmu(id)
					if in == nil {
						return fmt.Errorf("instance %s not in the emulator", id)
					}
					if got := emuInstanceTags(in); got[ownershipTagKey] != ownershipTagValue || got["team"] != "ml" || len(got) != 2 {
						return fmt.Errorf("the instance's tags in the service are %v, want team=ml and %s=%s",
							got, ownershipTagKey, ownershipTagValue)
					}
					if n := env.emu.Calls()["TagResources"]; n != 0 {
						return fmt.Errorf("%d TagResources calls: the ownership tag must come with RunInstances", n)
					}
					return nil
				}),
			},
			{
				ResourceName:            instanceAddr,
				ImportState:             true,
				ImportStateVerify:       true, // tags imported = {team = "ml"}: the ownership tag stays hidden
				ImportStateVerifyIgnore: []string{"force_delete", "timeouts"},
			},
			{
				// 19 user tags and the ownership tag: the service's 20.
				Config: env.config(instanceHCL(c, `  tags = { `+manyTags(19)+` }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(instanceAddr, tfjsonpath.New("tags"), knownvalue.MapExact(many)),
				},
				Check: func(*terraform.State) error {
					got := emuInstanceTags(env.instanceInEmu(id))
					if len(got) != 20 || got[ownershipTagKey] != ownershipTagValue {
						return fmt.Errorf("%d tags in the service (%v), want the 19 configured and the ownership tag", len(got), got)
					}
					return nil
				},
			},
		},
	})
}

// The orphan query of the docs: an instance created by the provider whose
// state was lost (here: terraform state rm, as after a provider killed
// between RunInstances and the state write) is found by aliecs_instances
// with the ownership tag, and told apart from the managed ones with
// setsubtract; a machine made outside Terraform is not listed.
func TestAccInstance_orphanFoundByOwnershipTag(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	outside := env.instanceCreateOutside(c, "made-elsewhere", map[string]string{"team": "ml"})
	cli := newRelCLI(t)
	config := func(count int) string {
		return relProvider(env, 2) + fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  count              = %d
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  tags               = { team = "ml" }
  force_delete       = true
}

data "aliecs_instances" "made_by_terraform" {
  tags       = { "aliecs:managed-by" = "terraform-provider-aliecs" }
  depends_on = [aliecs_instance.vm]
}

output "orphans" {
  value = setsubtract(data.aliecs_instances.made_by_terraform.ids, aliecs_instance.vm[*].id)
}
`, count, c.image, c.vswitch, c.sg)
	}
	cli.write(config(2))
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	ids := cli.state().ids("aliecs_instance", "id")
	if len(ids) != 2 {
		t.Fatalf("state holds instances %v, want 2", ids)
	}
	var orphans []string
	if err := json.Unmarshal([]byte(cli.mustRun("output", "-json", "orphans")), &orphans); err != nil || len(orphans) != 0 {
		t.Fatalf("orphans before any loss = %v (%v), want none", orphans, err)
	}
	// The state of vm[1] is lost; the configuration now has one instance.
	lost := ""
	for _, r := range cli.state().Resources {
		if r.Type == "aliecs_instance" && len(r.Instances) == 2 {
			lost, _ = r.Instances[1].Attributes["id"].(string)
		}
	}
	cli.mustRun("state", "rm", "aliecs_instance.vm[1]")
	cli.write(config(1))
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if err := json.Unmarshal([]byte(cli.mustRun("output", "-json", "orphans")), &orphans); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(orphans, []string{lost}) {
		t.Errorf("orphans = %v, want exactly the instance whose state was lost (%s); %s was made outside Terraform", orphans, lost, outside)
	}
	if in := env.instanceInEmu(lost); in == nil {
		t.Errorf("the orphan %s is not in the emulator", lost)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}
