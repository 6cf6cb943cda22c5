package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// These tests run the real terraform binary (relCLI): every command starts a
// new provider process, as for a user, so nothing a plan remembered in the
// process is there at apply.

// emuReleaseTime is the AutoReleaseTime the emulator holds for an instance.
func emuReleaseTime(t *testing.T, env *accEnv, id string) string {
	t.Helper()
	for _, in := range env.emu.State().Instances {
		if in.InstanceId == id {
			return in.AutoReleaseTime
		}
	}
	t.Fatalf("instance %s is not in the emulator", id)
	return ""
}

// TestCLISpotScheduleChange: a spot machine with a schedule release_after =
// var.hours (the GPU guide's shape). Changing the hours applies (the
// estimate never fails the apply), and -replace of the schedule sets the new
// release time without cancelling the old one first: the machine never runs
// without a release time.
func TestCLISpotScheduleChange(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	schedule := `
variable "hours" {
  type    = string
  default = "8h"
}

resource "aliecs_auto_release_schedule" "gpu" {
  instance_id   = aliecs_instance.gpu.id
  release_after = var.hours
}
`
	machine := relProvider(env, 5) + spotHCL(c, "gpu", `  spot_strategy = "SpotAsPriceGo"`)
	cli.write(machine + schedule)
	apply := func(args ...string) {
		t.Helper()
		cli.mustRun(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, args...)...)
	}
	apply()
	ids := cli.state().ids("aliecs_instance", "id")
	if len(ids) != 1 {
		t.Fatalf("instances in state: %v", ids)
	}
	id := ids[0]
	first := emuReleaseTime(t, env, id)

	apply("-var", "hours=24h")
	moved := emuReleaseTime(t, env, id)
	if moved == "" || moved == first {
		t.Errorf("release time after hours=24h: %q (was %q)", moved, first)
	}
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color", "-var", "hours=24h"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the change is not empty:\n%s", out)
	}

	// -replace of the schedule, through a saved plan: one
	// ModifyInstanceAutoReleaseTime (the new time), no cancel in between.
	before := env.emu.Calls()["ModifyInstanceAutoReleaseTime"]
	cli.mustRun("plan", "-input=false", "-no-color", "-out=replace.tfplan", "-var", "hours=30h",
		"-replace=aliecs_auto_release_schedule.gpu")
	apply("replace.tfplan")
	if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"] - before; n != 1 {
		t.Errorf("the replacement made %d ModifyInstanceAutoReleaseTime calls, want 1 (no cancel before the new time)", n)
	}
	if got := emuReleaseTime(t, env, id); got == "" || got == moved {
		t.Errorf("release time after the replacement: %q (was %q)", got, moved)
	}
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color", "-var", "hours=30h"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the replacement is not empty:\n%s", out)
	}

	// A new type (in place: the spot machine is priced again at apply) and
	// new hours in one apply.
	cli.write(strings.Replace(machine, `"ecs.g7.large"`, `"ecs.g7.xlarge"`, 1) + schedule)
	apply("-var", "hours=40h")
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color", "-var", "hours=40h"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the new type is not empty:\n%s", out)
	}
	if got := cli.state().ids("aliecs_instance", "id"); len(got) != 1 || got[0] != id {
		t.Errorf("instances after the new type: %v, want [%s] (changed in place)", got, id)
	}

	// Removing the schedule from the configuration still cancels it.
	cli.write(relProvider(env, 5) + spotHCL(c, "gpu", `  spot_strategy = "SpotAsPriceGo"`))
	apply()
	if got := emuReleaseTime(t, env, id); got != "" {
		t.Errorf("release time after the schedule was removed: %q, want none", got)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}

// TestCLIGenerateConfigOnDemand: terraform plan -generate-config-out for an
// import block of an on-demand instance writes a configuration that plans
// the import and nothing else, and after the apply the plan is empty.
func TestCLIGenerateConfigOnDemand(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	inst := accCreateInstance(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + fmt.Sprintf(`
import {
  to = aliecs_instance.web
  id = %q
}
`, inst.id))
	out := cli.mustRun("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	gen, err := os.ReadFile(filepath.Join(cli.dir, "generated.tf"))
	if err != nil {
		t.Fatalf("no generated configuration: %v\n%s", err, out)
	}
	t.Logf("generated:\n%s", gen)
	out = cli.mustRun("plan", "-input=false", "-no-color")
	if !strings.Contains(out, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Errorf("the plan with the generated configuration is not an import alone:\n%s", out)
	}
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color"); !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the import is not empty:\n%s", out)
	}
	if got := cli.state().ids("aliecs_instance", "id"); len(got) != 1 || got[0] != inst.id {
		t.Errorf("instances in state after the import: %v, want [%s]", got, inst.id)
	}
}
