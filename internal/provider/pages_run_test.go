package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The guide-runner: every guide page and every examples/ file runs as
// written. The HCL is what a user copies: the ```terraform blocks of a
// guide page (its template, with each {{ tffile }} replaced by the file it
// shows, which is what docs/guides/ is generated from), or a whole examples/
// file. The provider's region, endpoint and keys come from the environment
// (ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_ENDPOINT_ECS,
// ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET), as the pages say; a page without a
// terraform block gets the required_providers block every page tells the
// user to add. Each run is plan, apply, the page's further steps, destroy,
// and the emulator must hold no instance afterwards.

// pageRun is one page and the inputs it needs, each with its reason.
type pageRun struct {
	page string
	// blocks picks the page's ```terraform blocks that form one
	// configuration (nil: all of them); the rest are alternatives or the
	// "before" of a migration.
	blocks []int
	// machines are placeholder instance ids of the page: each stands for a
	// machine the user already has, which the test makes first (in its own
	// configuration) and writes in place of the placeholder.
	machines []string
	// made are other placeholders: a snapshot group ("ssg-…") or a machine
	// with an automatic release time ("scheduled"), made the same way.
	made map[string]string
	// with is another page the user's configuration already holds: the
	// resource blocks an import block or command brings objects under.
	with string
	// env adds TF_VAR_… values the page asks the user for.
	env []string
	// steps are the further commands the page tells the user to run
	// between the first apply and the destroy.
	steps [][]string
	// output, when set, must appear in the first apply's output.
	output string
}

var pageRuns = []pageRun{
	{page: "templates/guides/gpu-by-the-hour.md.tmpl"},
	// The page's commands: pause, then resume from the pause.
	// Blocks 0 and 1: the provider and the pause configuration; 0 and 2: the
	// provider and the checkpoints variant (TestAccGuide_checkpoints moves
	// the clock through it).
	{page: "templates/guides/pause-and-resume.md.tmpl", blocks: []int{0, 1},
		steps: [][]string{{"apply", "-auto-approve", "-input=false", "-var", "paused=true"},
			{"apply", "-auto-approve", "-input=false", "-var", "paused=false"}}},
	{page: "templates/guides/pause-and-resume.md.tmpl", blocks: []int{0, 2},
		steps: [][]string{{"apply", "-auto-approve", "-input=false", "-var", "paused=true"},
			{"apply", "-auto-approve", "-input=false", "-var", "paused=false"}}},
	{page: "templates/guides/orphaned-instances.md.tmpl", output: "not_in_this_state"},
	// Block 0 is the user's choice of keys from the environment; the other
	// blocks are alternatives for a role (TestAccCredentials_* and the
	// offline steps of this page run those).
	{page: "templates/guides/terraform-cloud.md.tmpl", blocks: []int{0}},
	{page: "examples/quickstart/main.tf"},
	{page: "examples/provider/provider.tf"},
	{page: "examples/data-sources/aliecs_instances/data-source.tf"},
	{page: "examples/data-sources/aliecs_instance_types/data-source.tf"},
	{page: "examples/data-sources/aliecs_snapshots/data-source.tf", machines: []string{"i-bp1f2e3d4c5b6a7a8b9c"}},
	// The page asks for the root password in a variable.
	{page: "examples/resources/aliecs_instance/resource.tf", env: []string{"TF_VAR_root_password=Pages-Passw0rd!"}},
	{page: "examples/resources/aliecs_instance/spot.tf"},
	{page: "examples/resources/aliecs_instance/user-data-wo.tf", env: []string{"TF_VAR_registry_token=pages-token"}},
	{page: "examples/resources/aliecs_snapshot/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}},
	{page: "examples/resources/aliecs_auto_release_schedule/resource.tf", machines: []string{"i-bp67acfmxazb4ph1234"}},
	{page: "examples/resources/aliecs_snapshot_policy/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}},
	// Import blocks and commands bring an existing object under the
	// resource page's configuration (with its password variable).
	{page: "examples/resources/aliecs_instance/import-by-string-id.tf", with: "examples/resources/aliecs_instance/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234"}, env: []string{"TF_VAR_root_password=Pages-Passw0rd!"}},
	{page: "examples/resources/aliecs_instance/import.sh", with: "examples/resources/aliecs_instance/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234"}, env: []string{"TF_VAR_root_password=Pages-Passw0rd!"}},
	{page: "examples/resources/aliecs_snapshot/import-by-string-id.tf", with: "examples/resources/aliecs_snapshot/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}, made: map[string]string{"ssg-bp67acfmxazb4ph1234": "snapshot"}},
	{page: "examples/resources/aliecs_snapshot/import.sh", with: "examples/resources/aliecs_snapshot/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}, made: map[string]string{"ssg-bp67acfmxazb4ph1234": "snapshot"}},
	{page: "examples/resources/aliecs_auto_release_schedule/import-by-string-id.tf", with: "examples/resources/aliecs_auto_release_schedule/resource.tf",
		made: map[string]string{"i-bp67acfmxazb4ph1234": "scheduled"}},
	{page: "examples/resources/aliecs_auto_release_schedule/import.sh", with: "examples/resources/aliecs_auto_release_schedule/resource.tf",
		made: map[string]string{"i-bp67acfmxazb4ph1234": "scheduled"}},
	{page: "examples/resources/aliecs_snapshot_policy/import-by-string-id.tf", with: "examples/resources/aliecs_snapshot_policy/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}, made: map[string]string{"sp-bp14yziiuvu3s6jn1234": "policy"}},
	{page: "examples/resources/aliecs_snapshot_policy/import.sh", with: "examples/resources/aliecs_snapshot_policy/resource.tf",
		machines: []string{"i-bp67acfmxazb4ph1234", "i-bp1f2e3d4c5b6a7a8b9c"}, made: map[string]string{"sp-bp14yziiuvu3s6jn1234": "policy"}},
}

// pagesNotRunHere are the pages another test runs as written, and why.
var pagesNotRunHere = map[string]string{
	// Its configuration moves state written by the official provider:
	// TestAccMove_* runs it against that provider's own state files.
	"templates/guides/moving-from-alicloud.md.tmpl": "instance_move_cli_test.go",
	"examples/guides/moving-from-alicloud/main.tf":  "instance_move_cli_test.go",
	// Shown inside the guide pages above.
	"examples/guides/gpu-by-the-hour/main.tf":         "its guide page",
	"examples/guides/pause-and-resume/main.tf":        "its guide page",
	"examples/guides/pause-and-resume/checkpoints.tf": "its guide page",
	"examples/guides/orphaned-instances/main.tf":      "its guide page",
}

var (
	hclBlockRe = regexp.MustCompile("(?s)```terraform\n(.*?)```")
	tffileRe   = regexp.MustCompile(`\{\{\s*tffile\s+"([^"]+)"\s*\}\}`)
)

// pageHCL is the configuration a user copies from a page.
func pageHCL(t *testing.T, root string, run pageRun) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, run.page))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(run.page, ".tmpl") {
		return string(b)
	}
	page := tffileRe.ReplaceAllStringFunc(string(b), func(m string) string {
		f, err := os.ReadFile(filepath.Join(root, tffileRe.FindStringSubmatch(m)[1]))
		if err != nil {
			t.Fatal(err)
		}
		return "```terraform\n" + string(f) + "```"
	})
	all := hclBlockRe.FindAllStringSubmatch(page, -1)
	if len(all) == 0 {
		t.Fatalf("%s has no terraform block", run.page)
	}
	pick := run.blocks
	if pick == nil {
		for i := range all {
			pick = append(pick, i)
		}
	}
	var parts []string
	for _, i := range pick {
		parts = append(parts, all[i][1])
	}
	return strings.Join(parts, "\n")
}

// TestAccPages_everyGuideAndExampleRuns: see the comment at the top.
func TestAccPages_everyGuideAndExampleRuns(t *testing.T) {
	root := filepath.Join("..", "..")
	// Every page is either run here or named with the test that runs it.
	covered := map[string]bool{}
	for _, r := range pageRuns {
		covered[r.page] = true
	}
	var pages []string
	for _, pattern := range []string{"templates/guides/*.md.tmpl", "examples/*/*.tf", "examples/*/*/*.tf", "examples/*/*/*.sh"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(root, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
	}
	for _, p := range pages {
		if !covered[p] && pagesNotRunHere[p] == "" {
			t.Errorf("page %s is neither run by this test nor named in pagesNotRunHere", p)
		}
	}
	for _, run := range pageRuns {
		t.Run(strings.ReplaceAll(run.page, "/", "_"), func(t *testing.T) {
			t.Parallel()
			runPage(t, root, run)
		})
	}
}

func runPage(t *testing.T, root string, run pageRun) {
	env := newAccEnv(t, emulator.Options{})
	fromEnv := []string{"ALIBABA_CLOUD_REGION_ID=" + accRegion, "ALIBABA_CLOUD_ENDPOINT_ECS=" + env.server.URL,
		"ALIBABA_CLOUD_ENDPOINT_STS=" + env.server.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + emulator.DefaultAccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + emulator.DefaultAccessKeySecret}
	page := pageHCL(t, root, run) // HCL, or a script's commands
	hcl, script := page, ""
	if strings.HasSuffix(run.page, ".sh") {
		hcl, script = "", page
	}
	if run.with != "" {
		hcl = pageHCL(t, root, pageRun{page: run.with}) + "\n" + hcl
	}
	placeholders := map[string]string{}
	for _, m := range run.machines {
		placeholders[m] = "instance"
	}
	for p, kind := range run.made {
		placeholders[p] = kind
	}
	if len(placeholders) > 0 {
		ids := makeTheUsersObjects(t, fromEnv, placeholders)
		for p, id := range ids {
			hcl = strings.ReplaceAll(hcl, p, id)
			script = strings.ReplaceAll(script, p, id)
		}
	}
	cli := newRelCLI(t, append(fromEnv, run.env...)...)
	if !strings.Contains(hcl, "required_providers") {
		cli.write("")
		hcl = string(must(os.ReadFile(filepath.Join(cli.dir, "main.tf")))) + hcl
	}
	if err := os.WriteFile(filepath.Join(cli.dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	// A script's commands run as written (placeholders replaced).
	for _, line := range strings.Split(script, "\n") {
		if args, ok := strings.CutPrefix(strings.TrimSpace(line), "terraform "); ok {
			cli.mustRun(strings.Fields(args)...)
		}
	}
	out := cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if run.output != "" && !strings.Contains(out, run.output) {
		t.Errorf("the apply does not print %q:\n%s", run.output, out)
	}
	for _, step := range run.steps {
		cli.mustRun(append(step, "-no-color")...)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if st := cli.state(); len(st.ids("aliecs_instance", "id")) != 0 {
		t.Errorf("instances left in the state after destroy")
	}
}

// makeTheUsersObjects makes, in a configuration of their own, the objects
// a page's placeholders stand for, and returns placeholder → id.
func makeTheUsersObjects(t *testing.T, fromEnv []string, placeholders map[string]string) map[string]string {
	t.Helper()
	other := newRelCLI(t, fromEnv...)
	var b strings.Builder
	names := map[string]string{}
	n := 0
	for p, kind := range placeholders {
		name := fmt.Sprintf("m%d", n)
		n++
		names[p] = name
		fmt.Fprintf(&b, `
resource "aliecs_instance" %[1]q {
  image_id           = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
  instance_type      = "ecs.g7.large"
  vswitch_id         = "vsw-bp1ybfpozawwsfamc57q"
  security_group_ids = ["sg-bp1qp2oi3e696ugzabhe"]
}
`, name)
		switch kind {
		case "instance":
			fmt.Fprintf(&b, "output %[1]q { value = aliecs_instance.%[1]s.id }\n", name)
		case "scheduled":
			fmt.Fprintf(&b, `
resource "aliecs_auto_release_schedule" %[1]q {
  instance_id   = aliecs_instance.%[1]s.id
  release_after = "3d"
}
output %[1]q { value = aliecs_instance.%[1]s.id }
`, name)
		case "policy":
			fmt.Fprintf(&b, `
resource "aliecs_snapshot_policy" %[1]q {
  name            = "training-checkpoints"
  time_points     = [0]
  repeat_weekdays = [1]
  retention_days  = 1
  instance_ids    = [aliecs_instance.%[1]s.id]
}
output %[1]q { value = aliecs_snapshot_policy.%[1]s.id }
`, name)
		case "snapshot":
			fmt.Fprintf(&b, `
resource "aliecs_snapshot" %[1]q {
  instance_id = aliecs_instance.%[1]s.id
  name        = "web-nightly"
}
output %[1]q { value = aliecs_snapshot.%[1]s.id }
`, name)
		default:
			t.Fatalf("unknown placeholder kind %q", kind)
		}
	}
	other.write(b.String())
	other.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	t.Cleanup(func() { _, _ = other.run("destroy", "-auto-approve", "-input=false", "-no-color") })
	ids := map[string]string{}
	for p, name := range names {
		ids[p] = strings.TrimSpace(other.mustRun("output", "-raw", name))
	}
	return ids
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPages_sayWhereCredentialsComeFrom: a guide's configuration, as
// copied, includes a provider block, and the page says where the region
// and keys come from (and how to point it at the emulator).
func TestPages_sayWhereCredentialsComeFrom(t *testing.T) {
	root := filepath.Join("..", "..")
	guides, err := filepath.Glob(filepath.Join(root, "templates", "guides", "*.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range guides {
		rel, _ := filepath.Rel(root, p)
		page := string(must(os.ReadFile(p)))
		hcl := pageHCL(t, root, pageRun{page: filepath.ToSlash(rel)})
		if !strings.Contains(hcl, `provider "aliecs"`) {
			t.Errorf("%s: the configuration a user copies has no provider block", rel)
		}
		for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ENDPOINT_ECS"} {
			if !strings.Contains(page, v) && !strings.Contains(hcl, v) {
				t.Errorf("%s does not say where the provider's settings come from (%s)", rel, v)
			}
		}
	}
}
