package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccImportBlockExamples applies the three examples
// examples/resources/*/import-by-string-id.tf, with their ids replaced by
// those of an instance, its schedule and a snapshot group made outside
// Terraform, next to configurations that describe them: every object is
// imported, none is replaced.
func TestAccImportBlockExamples(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	client := accSDKClient(t, env)
	release := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute).Format("2006-01-02T15:04:05Z")
	mod := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
	mod.RegionId, mod.InstanceId, mod.AutoReleaseTime = accRegion, inst.id, release
	if _, err := client.ModifyInstanceAutoReleaseTime(mod); err != nil {
		t.Fatal(err)
	}
	snap := ecs.CreateCreateSnapshotGroupRequest()
	snap.RegionId, snap.InstanceId, snap.Name = accRegion, inst.id, "nightly"
	resp, err := client.CreateSnapshotGroup(snap)
	if err != nil {
		t.Fatal(err)
	}
	group := resp.SnapshotGroupId

	var imports strings.Builder
	for res, id := range map[string]string{"aliecs_instance": inst.id, "aliecs_auto_release_schedule": inst.id, "aliecs_snapshot": group} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", res, "import-by-string-id.tf"))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("i-bp67acfmxazb4ph1234", id, "ssg-bp67acfmxazb4ph1234", id).Replace(string(b))
		if !strings.Contains(text, id) {
			t.Fatalf("the example for %s has no id to replace:\n%s", res, b)
		}
		imports.WriteString(text)
	}
	st := env.emu.State()
	var vsw, sg string
	for _, v := range st.Catalog.VSwitches {
		if v.RegionID == accRegion && vsw == "" {
			vsw = v.ID
		}
	}
	for _, g := range st.Catalog.SecurityGroups {
		if g.RegionID == accRegion && sg == "" {
			sg = g.ID
		}
	}
	config := env.config(imports.String() + fmt.Sprintf(`
resource "aliecs_instance" "web" {
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_auto_release_schedule" "demo_box" {
  instance_id  = aliecs_instance.web.id
  release_time = %q
}

resource "aliecs_snapshot" "nightly" {
  instance_id = aliecs_instance.web.id
  name        = "nightly"
}
`, st.Catalog.Images[0].ImageId, st.Catalog.InstanceTypes[0].InstanceTypeId, vsw, sg, release))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("aliecs_instance.web", "id", inst.id),
				resource.TestCheckResourceAttr("aliecs_auto_release_schedule.demo_box", "release_time", release),
				resource.TestCheckResourceAttr("aliecs_snapshot.nightly", "id", group),
			),
		}},
	})
}
