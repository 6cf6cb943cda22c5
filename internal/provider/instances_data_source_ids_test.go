package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// ids keeps the ids given, in their order, missing ones included (as in
// aliecs_snapshots); the instances found are in instances. Without ids, ids
// lists the instances found.
func TestAccInstancesDataSource_idsKeptAsGiven(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	id := env.instanceCreateOutside(c, "ids-kept", nil)
	const missing = "i-bp1doesnotexist00000"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.config(fmt.Sprintf(`
data "aliecs_instances" "given" {
  ids = [%q, %q]
}

data "aliecs_instances" "all" {}
`, missing, id)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.aliecs_instances.given", tfjsonpath.New("ids"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(missing), knownvalue.StringExact(id)})),
				statecheck.ExpectKnownValue("data.aliecs_instances.given", tfjsonpath.New("instances"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(id)})})),
				statecheck.ExpectKnownValue("data.aliecs_instances.all", tfjsonpath.New("ids"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(id)})),
			},
		}},
	})
}
