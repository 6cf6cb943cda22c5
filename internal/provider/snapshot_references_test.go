package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// An instance_id that names no machine fails at plan, on instance_id, when
// the snapshot is created or pointed at another machine; once the snapshot
// exists, its machine going away never fails a plan or a destroy.
func TestAccSnapshot_instanceCheckedAtPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	const missing = "i-bp1doesnotexist0000"
	cfg := func(id string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_snapshot" "test" {
  instance_id = %q
}
`, id))
	}
	// The attribute's line is quoted under the diagnostic: it is on instance_id.
	notFound := regexp.MustCompile(`(?s)Cannot find the instance.*instance_id = "` + missing + `".*` + missing +
		`\s+does\s+not\s+exist\s+in\s+region\s+cn-hangzhou.*terraform\s+destroy\s+-refresh=false`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg(missing), PlanOnly: true, ExpectError: notFound},
			{Config: cfg(inst.id)},
			{
				// Another machine, which does not exist, while the first one does.
				Config: cfg(missing), PlanOnly: true, ExpectError: notFound,
			},
			{
				// The machine is released elsewhere: a no-op plan stays clean,
				// and so does the destroy at the end of the test.
				PreConfig: func() {
					req := ecs.CreateDeleteInstanceRequest()
					req.Scheme = "http"
					req.InstanceId = inst.id
					req.Force = requests.NewBoolean(true)
					if _, err := accSDKClient(t, env).DeleteInstance(req); err != nil {
						t.Fatalf("DeleteInstance: %v", err)
					}
				},
				Config: cfg(inst.id),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("aliecs_snapshot.test", plancheck.ResourceActionNoop)},
				},
			},
		},
	})
	if n := env.emu.Calls()["CreateSnapshotGroup"]; n != 1 {
		t.Errorf("CreateSnapshotGroup called %d times, want 1 (only for the machine that exists)", n)
	}
}
