package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccImportRoundTrip runs, for every example under examples/resources
// and for the configurations that once planned a replacement after an
// import: apply, terraform state rm of every resource, terraform import of
// each, then plan. The plan must replace nothing, and applying it must make
// no write call to the service: settings the API cannot report (timeouts,
// force_delete, final_snapshot, stopped_mode, password_wo_version,
// stop_before_snapshot, …) may show as updates that apply to the state
// only. A new attribute that does not round-trip fails here (an instance
// made from a snapshot group reads its source group back from its tag). Instances
// released by a snapshot of the configuration are tombstones and cannot be
// imported (they no longer exist): they stay in state.
func TestAccImportRoundTrip(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"instance with user_data and a kept data disk": `
resource "aliecs_instance" "kept_disk" {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  user_data          = "#!/bin/sh\necho hello > /tmp/hello\n"
  data_disks = [
    { size = 40 },
    { size = 50, category = "cloud_auto", delete_with_instance = false },
  ]
  force_delete = true
}

resource "aliecs_auto_release_schedule" "kept_disk" {
  instance_id   = aliecs_instance.kept_disk.id
  release_after = "2h"
}

resource "aliecs_snapshot" "kept_disk" {
  instance_id    = aliecs_instance.kept_disk.id
  name           = "round-trip"
  retention_days = 7
  tags           = { team = "ml" }
}
`,
		// Import keeps only a salted hash of the user data: the first plan
		// records user_data_wo_version (and, below, user_data) in the state.
		"instance with user_data_wo": `
resource "aliecs_instance" "write_only" {
  image_id             = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type        = "ecs.g7.large"
  vswitch_id           = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids   = ["sg-bp1qp2oi3e696ugzabhe"]
  user_data_wo         = "#!/bin/sh\necho write-only > /tmp/wo\n"
  user_data_wo_version = 3
  tags                 = { team = "ml" }
  force_delete         = true
}

resource "aliecs_instance" "no_user_data" {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  force_delete       = true
}
`,
		"instance restored from a snapshot group, its disks grown": `
resource "aliecs_instance" "source" {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  data_disks         = [{ size = 40 }]
  force_delete       = true
}

resource "aliecs_snapshot" "source" {
  instance_id = aliecs_instance.source.id
  name        = "round-trip-source"
}

resource "aliecs_instance" "restored" {
  source_snapshot_id = aliecs_snapshot.source.id
  instance_type      = "ecs.g7.xlarge"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  system_disk        = { size = 60 }
  data_disks         = [{ size = 50 }]
  tags               = { role = "restored" }
  force_delete       = true
}
`,
		"spot instances": `
resource "aliecs_instance" "spot_limit" {
  image_id                   = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type              = "ecs.g7.large"
  vswitch_id                 = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids         = ["sg-bp1qp2oi3e696ugzabhe"]
  spot_strategy              = "SpotWithPriceLimit"
  spot_price_limit           = 0.35
  spot_duration              = 0
  spot_interruption_behavior = "Stop"
  force_delete               = true
}

resource "aliecs_instance" "spot_go" {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  spot_strategy      = "SpotAsPriceGo"
  force_delete       = true
}
`,
	}
	examples, err := filepath.Glob("../../examples/resources/*/resource.tf")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples found (%v)", err)
	}
	examples = append(examples, "../../examples/resources/aliecs_instance/spot.tf") // the page's second example
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := "example " + filepath.Base(filepath.Dir(f))
		if base := filepath.Base(f); base != "resource.tf" {
			name += " " + strings.TrimSuffix(base, ".tf")
		}
		cases[name] = string(b)
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, emulator.Options{})
			cli := newRelCLI(t)
			cli.write(relProvider(env, 5) + withExampleInstances(body))
			vars := []string{"-var", "root_password=" + testPassword, "-input=false", "-no-color"}
			run := func(args ...string) {
				t.Helper()
				cli.mustRun(args...)
			}
			run(append([]string{"apply", "-auto-approve"}, vars...)...)
			// A refresh records the instances a snapshot released as tombstones.
			run(append([]string{"apply", "-refresh-only", "-auto-approve"}, vars...)...)
			writes := emuWrites(env)

			imported := roundTripTargets(t, cli)
			for _, r := range imported {
				run("state", "rm", r.address)
			}
			for _, r := range imported {
				run(append([]string{"import"}, append(vars, r.address, r.id)...)...)
			}
			run(append([]string{"plan", "-out=roundtrip.tfplan"}, vars...)...)
			show, err := cli.run("show", "-json", "roundtrip.tfplan")
			if err != nil {
				t.Fatalf("terraform show: %v\n%s", err, show)
			}
			var plan struct {
				ResourceChanges []struct {
					Address string `json:"address"`
					Change  struct {
						Actions []string       `json:"actions"`
						Before  map[string]any `json:"before"`
						After   map[string]any `json:"after"`
					} `json:"change"`
				} `json:"resource_changes"`
			}
			if err := json.Unmarshal([]byte(show), &plan); err != nil {
				t.Fatalf("plan JSON: %v", err)
			}
			for _, rc := range plan.ResourceChanges {
				acts := strings.Join(rc.Change.Actions, ",")
				if strings.Contains(acts, "create") || strings.Contains(acts, "delete") {
					t.Errorf("after import, %s plans %s:\n%s", rc.Address, acts, changedKeys(rc.Change.Before, rc.Change.After))
				}
			}
			run(append(append([]string{"apply"}, vars...), "roundtrip.tfplan")...)
			if got := emuWrites(env); got != writes {
				t.Errorf("after import, the apply made %d write calls (%v), want none", got-writes, env.emu.Calls())
			}
			out, err := cli.run(append([]string{"plan", "-detailed-exitcode"}, vars...)...)
			if err != nil {
				t.Errorf("the plan after the round trip is not empty (%v):\n%s", err, out)
			}
			run(append([]string{"destroy", "-auto-approve"}, vars...)...)
		})
	}
}

// exampleInstanceIDs are the literal instance ids the examples use for
// machines managed elsewhere; the round trip creates one machine for each.
var exampleInstanceIDs = regexp.MustCompile(`"i-[a-z0-9]{10,}"`)

// withExampleInstances replaces each literal instance id of an example by a
// machine the configuration creates, so the example applies.
func withExampleInstances(example string) string {
	n := 0
	var machines strings.Builder
	body := exampleInstanceIDs.ReplaceAllStringFunc(example, func(string) string {
		name := fmt.Sprintf("elsewhere_%d", n)
		n++
		fmt.Fprintf(&machines, `
resource "aliecs_instance" %q {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
  force_delete       = true
}
`, name)
		return "aliecs_instance." + name + ".id"
	})
	if !strings.Contains(body, `variable "root_password"`) {
		body += "\nvariable \"root_password\" {\n  type    = string\n  default = \"\"\n}\n"
	}
	return body + machines.String()
}

type roundTripTarget struct{ address, id string }

// roundTripTargets lists the managed resources to import: each with its
// import id; tombstones (released instances) are left in state.
func roundTripTargets(t *testing.T, cli *relCLI) []roundTripTarget {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var out []roundTripTarget
	for _, r := range st.Resources {
		if r.Mode != "managed" || len(r.Instances) != 1 {
			continue
		}
		a := r.Instances[0].Attributes
		if r.Type == "aliecs_instance" && a["status"] == statusReleased {
			continue
		}
		id, _ := a["id"].(string)
		out = append(out, roundTripTarget{address: r.Type + "." + r.Name, id: id})
	}
	if len(out) == 0 {
		t.Fatal("nothing to import")
	}
	return out
}

// emuWrites counts the calls that change something in the emulator.
func emuWrites(env *accEnv) int {
	n := 0
	for action, count := range env.emu.Calls() {
		if !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "List") {
			n += count
		}
	}
	return n
}

// changedKeys names the attributes that differ between before and after.
func changedKeys(before, after map[string]any) string {
	var keys []string
	for k, v := range after {
		if b, _ := json.Marshal(before[k]); string(b) != mustJSON(v) {
			keys = append(keys, fmt.Sprintf("%s: %s -> %s", k, b, mustJSON(v)))
		}
	}
	return strings.Join(keys, "\n")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
