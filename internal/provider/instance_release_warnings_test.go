package provider

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The warnings that say what released a machine name the cause when there
// is evidence of it.

// TestAccInstance_releasedBySchedulePlanNamesTime: a machine released by its
// own schedule, the service's clock moved 45 minutes ahead of this
// machine's: the instance's warning names the release time it had, as
// passed (the provider checks by the service's clock), not only "ECS keeps
// no record of why".
func TestAccInstance_releasedBySchedulePlanNamesTime(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + instanceHCL(c, "") + `
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "40m"
}
`)
	cli.mustRun("apply", "-auto-approve", "-no-color")
	cli.mustRun("apply", "-refresh-only", "-auto-approve", "-no-color") // the instance reads its release time
	at := env.instanceInEmu(cli.state().ids("aliecs_instance", "id")[0]).AutoReleaseTime
	if at == "" {
		t.Fatal("no release time scheduled")
	}
	env.emu.AdvanceClock(45 * time.Minute) // the release fires on the service's clock
	out := cli.mustRun("plan", "-no-color")
	// The provider is on the service's clock (learnt from its answers), so
	// the time has passed by its clock too.
	want := regexp.MustCompile(`(?s)Warning: Instance \S+ was released.*its\s+automatic\s+release\s+time,\s+` +
		regexp.QuoteMeta(apiTimeToRFC3339(at)) + `,\s+has\s+passed`)
	if !want.MatchString(out) {
		t.Errorf("the instance's warning does not name its release time %s:\n%s", at, out)
	}
	cli.mustRun("destroy", "-auto-approve", "-no-color")
}

// TestAccInstanceSpot_reclaimedDuringFinalSnapshot: the service reclaims a
// spot machine while its destroy takes the final snapshot. The destroy
// reports the reclaim, not "released after its final snapshot".
func TestAccInstanceSpot_reclaimedDuringFinalSnapshot(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{SnapshotTime: 5 * time.Second})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + spotHCL(c, "test", `  spot_strategy              = "SpotAsPriceGo"
  spot_interruption_behavior = "Terminate"
  final_snapshot             = { name = "spot-last", stop_first = false }`))
	cli.mustRun("apply", "-auto-approve", "-no-color")
	id := cli.state().ids("aliecs_instance", "id")[0]

	cmd := cli.command("destroy", "-auto-approve", "-no-color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var runErr error
	go func() { runErr = cmd.Wait(); close(done) }()
	if relWaitCall(env, "CreateSnapshotGroup", 1, done) {
		reclaim(t, env, id)
	}
	<-done
	if runErr != nil {
		t.Fatalf("destroy: %v\n%s", runErr, out.String())
	}
	if !cliPhrases("Spot instance reclaimed during its final snapshot", id, "reclaimed it").MatchString(out.String()) ||
		regexp.MustCompile(`was released after its final snapshot`).MatchString(out.String()) {
		t.Errorf("the destroy does not report the reclaim:\n%s", out.String())
	}
	if env.instanceInEmu(id) != nil {
		t.Errorf("instance %s still exists", id)
	}
	for _, g := range env.emu.State().SnapshotGroups {
		if g.InstanceId == id {
			return
		}
	}
	t.Errorf("no final snapshot group of %s", id)
}

// TestAccInstance_protectedDestroyPlanWarns: the plan of a destroy of a
// protected instance says that the destroy will fail, before anything is
// done (the schedule's cancel included).
func TestAccInstance_protectedDestroyPlanWarns(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + instanceHCL(c, `  deletion_protection = true`))
	cli.mustRun("apply", "-auto-approve", "-no-color")
	out := cli.mustRun("plan", "-destroy", "-no-color")
	if !cliPhrases("Warning: Instance is protected from deletion", "destroy of it will fail").MatchString(out) {
		t.Errorf("the destroy plan does not warn about deletion protection:\n%s", out)
	}
	cli.write(relProvider(env, 5) + instanceHCL(c, `  deletion_protection = false`))
	cli.mustRun("apply", "-auto-approve", "-no-color")
	cli.mustRun("destroy", "-auto-approve", "-no-color")
}
