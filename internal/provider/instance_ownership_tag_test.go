package provider

import (
	"encoding/json"
	"fmt"
	"os"
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

// TestAccGuide_orphanedInstances runs the configuration of the guide
// (examples/guides/orphaned-instances/main.tf): an instance created by the
// provider whose state was lost (terraform state rm, as after a provider
// killed between RunInstances and the state write) is the one
// not_in_this_state lists; a machine made outside Terraform is not listed.
func TestAccGuide_orphanedInstances(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	outside := env.instanceCreateOutside(c, "made-elsewhere", map[string]string{"team": "ml"})
	body, err := os.ReadFile("../../examples/guides/orphaned-instances/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	cli := newRelCLI(t)
	cli.write(relProvider(env, 2) + string(body))
	orphans := func() []string {
		t.Helper()
		var ids []string
		if err := json.Unmarshal([]byte(cli.mustRun("output", "-json", "not_in_this_state")), &ids); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if ids := cli.state().ids("aliecs_instance", "id"); len(ids) != 2 {
		t.Fatalf("state holds instances %v, want 2", ids)
	}
	if got := orphans(); len(got) != 0 {
		t.Fatalf("not_in_this_state before any loss = %v, want none", got)
	}
	// The state of vm[1] is lost; the configuration now has one instance.
	lost := ""
	for _, r := range cli.state().Resources {
		if r.Type == "aliecs_instance" && len(r.Instances) == 2 {
			lost, _ = r.Instances[1].Attributes["id"].(string)
		}
	}
	cli.mustRun("state", "rm", "aliecs_instance.vm[1]")
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color", "-var", "machines=1")
	if got := orphans(); !slices.Equal(got, []string{lost}) {
		t.Errorf("not_in_this_state = %v, want exactly the instance whose state was lost (%s); %s was made outside Terraform",
			got, lost, outside)
	}
	if in := env.instanceInEmu(lost); in == nil {
		t.Errorf("the orphan %s is not in the emulator", lost)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color", "-var", "machines=1")
}
