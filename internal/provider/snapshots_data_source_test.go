package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

func TestAccSnapshotsDataSource_filters(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	a := accCreateInstance(t, env, "cloud_essd")
	b := accCreateInstance(t, env)
	// a2 is created a minute (of the emulator's clock) after a1, so "oldest
	// first" has one right answer: creation times have whole seconds.
	first := fmt.Sprintf(`
resource "aliecs_snapshot" "a1" {
  instance_id    = %[1]q
  name           = "nightly-a-1"
  retention_days = 5
}

resource "aliecs_snapshot" "b" {
  instance_id = %[2]q
  name        = "nightly-b"
}
`, a.id, b.id)
	resources := first + fmt.Sprintf(`
resource "aliecs_snapshot" "a2" {
  instance_id = %q
  name        = "weekly-a"
  depends_on  = [aliecs_snapshot.a1]
}
`, a.id)
	dataSources := `
data "aliecs_snapshots" "by_instance" {
  instance_id = aliecs_snapshot.a1.instance_id
  depends_on  = [aliecs_snapshot.a2]
}

data "aliecs_snapshots" "by_name" {
  name_regex = "^nightly-"
  depends_on = [aliecs_snapshot.a1, aliecs_snapshot.a2, aliecs_snapshot.b]
}

data "aliecs_snapshots" "by_ids" {
  ids = [aliecs_snapshot.b.id]
}

data "aliecs_snapshots" "by_status" {
  status     = "failed"
  depends_on = [aliecs_snapshot.a1, aliecs_snapshot.a2, aliecs_snapshot.b]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: env.config(first),
				Check: func(*terraform.State) error {
					env.emu.AdvanceClock(time.Minute)
					return nil
				},
			},
			{
				Config: env.config(resources + dataSources),
				Check: resource.ComposeAggregateTestCheckFunc(
					// Both groups of instance a, oldest first, with their snapshots.
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "ids.#", "2"),
					resource.TestCheckResourceAttrPair("data.aliecs_snapshots.by_instance", "ids.0", "aliecs_snapshot.a1", "id"),
					resource.TestCheckResourceAttrPair("data.aliecs_snapshots.by_instance", "ids.1", "aliecs_snapshot.a2", "id"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "groups.0.name", "nightly-a-1"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "groups.0.instance_id", a.id),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "groups.0.status", "accomplished"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "groups.0.snapshots.#", "2"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_instance", "groups.0.snapshots.0.retention_days", "5"),
					resource.TestCheckResourceAttrPair("data.aliecs_snapshots.by_instance", "groups.0.snapshots.0.snapshot_id",
						"aliecs_snapshot.a1", "snapshots.0.snapshot_id"),
					resource.TestCheckResourceAttrPair("data.aliecs_snapshots.by_instance", "groups.0.snapshots.1.size",
						"aliecs_snapshot.a1", "snapshots.1.size"),
					// The name filter spans instances.
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_name", "ids.#", "2"),
					resource.TestCheckTypeSetElemAttrPair("data.aliecs_snapshots.by_name", "ids.*", "aliecs_snapshot.a1", "id"),
					resource.TestCheckTypeSetElemAttrPair("data.aliecs_snapshots.by_name", "ids.*", "aliecs_snapshot.b", "id"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_ids", "groups.#", "1"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_ids", "groups.0.name", "nightly-b"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_status", "groups.#", "0"),
					resource.TestCheckResourceAttr("data.aliecs_snapshots.by_status", "ids.#", "0"),
					checkGroupsMatchEmulator(env, "data.aliecs_snapshots.by_instance", a.id),
				),
			},
		},
	})
}

// checkGroupsMatchEmulator checks that the data source lists exactly the
// emulator's groups of the instance.
func checkGroupsMatchEmulator(env *accEnv, addr, instanceID string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[addr].Primary.Attributes
		want := map[string]bool{}
		for _, g := range env.emu.State().SnapshotGroups {
			if g.InstanceId == instanceID {
				want[g.SnapshotGroupId] = true
			}
		}
		if attrs["ids.#"] != fmt.Sprint(len(want)) {
			return fmt.Errorf("%s lists %s groups, the emulator has %d of %s", addr, attrs["ids.#"], len(want), instanceID)
		}
		for i := 0; i < len(want); i++ {
			if id := attrs[fmt.Sprintf("ids.%d", i)]; !want[id] {
				return fmt.Errorf("%s lists %s, not a group of %s in the emulator", addr, id, instanceID)
			}
		}
		return nil
	}
}

func TestAccSnapshotsDataSource_badInput(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	cases := []struct{ body, want string }{
		{`name_regex = "nightly-("`, `(?s)Invalid regular expression.*nightly-\(`},
		{`status = "done"`, `(?s)status.*accomplished`},
		{`ids = ["i-bp67acfmxazb4ph1234"]`, `(?s)Invalid snapshot group id`},
		{`instance_id = "web-1"`, `Invalid instance id`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.config("data \"aliecs_snapshots\" \"test\" {\n  " + c.body + "\n}\n"),
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}
