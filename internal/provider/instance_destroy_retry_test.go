package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// A failed or interrupted destroy, retried: every attempt takes its own
// final snapshot, and the release time of a machine whose configuration has
// a schedule survives the failed attempt.

// groupsCreatedSince lists the accomplished snapshot groups of an instance
// created at or after since (the emulator's clock).
func groupsCreatedSince(env *accEnv, id string, since time.Time) []emulator.SnapshotGroup {
	var out []emulator.SnapshotGroup
	for _, g := range env.emu.State().SnapshotGroups {
		created, err := time.Parse(time.RFC3339, g.CreationTime)
		if g.InstanceId == id && g.Status == "accomplished" && err == nil && !created.Before(since.Truncate(time.Second)) {
			out = append(out, g)
		}
	}
	return out
}

// checkReleaseTimeKept fails when instance id is gone or has no release time.
func checkReleaseTimeKept(env *accEnv, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		in := env.instanceInEmu(*id)
		if in == nil {
			return fmt.Errorf("instance %s was released by a destroy that failed", *id)
		}
		if in.AutoReleaseTime == "" {
			return fmt.Errorf("instance %s was kept by a failed destroy with no release time, although its configuration has a schedule", *id)
		}
		return nil
	}
}

// TestAccInstance_finalSnapshotRetriedDestroyTakesNewSnapshot: a destroy
// interrupted by its delete timeout while the final snapshot is being taken
// keeps the machine; a day later (the machine in use meanwhile) a second
// destroy takes a new snapshot instead of reusing the first attempt's.
func TestAccInstance_finalSnapshotRetriedDestroyTakesNewSnapshot(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{SnapshotTime: 8 * time.Second})
	c := newInstanceCatalog(t, env)
	withTimeout := func(d string) string {
		return env.config(instanceHCL(c, fmt.Sprintf(`  final_snapshot = { name = "last-day" }
  timeouts       = { delete = %q }`, d)))
	}
	var id string
	var secondBegan time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: withTimeout("3s"), Check: instanceStateID(instanceAddr, &id)},
			{
				// The destroy runs out of time during the snapshot: the machine is kept.
				Config:      env.config(""),
				ExpectError: regexp.MustCompile(`Final snapshot failed; the instance was kept`),
			},
			{
				// A day of use later, with time enough for a snapshot.
				PreConfig: func() { env.emu.AdvanceClock(24 * time.Hour) },
				Config:    withTimeout("5m"),
				Check: func(*terraform.State) error {
					if env.instanceInEmu(id) == nil {
						return fmt.Errorf("instance %s is gone after a failed destroy", id)
					}
					return nil
				},
			},
			{
				// The state is empty after it: the check is the step's, as
				// CheckDestroy does not run on an empty state.
				PreConfig: func() { secondBegan = env.emu.Now() },
				Config:    env.config(""),
				Check: func(*terraform.State) error {
					if err := env.instanceCheckNoneLeft(nil); err != nil {
						return err
					}
					if len(groupsCreatedSince(env, id, secondBegan)) == 0 {
						return fmt.Errorf("instance %s was released without a snapshot taken by the destroy that "+
							"released it (began %s); its groups: %+v", id, secondBegan.Format(time.RFC3339),
							env.emu.State().SnapshotGroups)
					}
					return nil
				},
			},
		},
	})
}

// TestAccInstance_finalSnapshotFailureThenRetry: one final snapshot fails
// (the group ends "failed"). The destroy keeps the machine, with its
// schedule's release time, and says that destroying again takes a new
// snapshot; the next destroy does, and releases the machine. The failed
// group, which holds nothing, is deleted.
func TestAccInstance_finalSnapshotFailureThenRetry(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, `  final_snapshot = { name = "retry-me" }`) + `
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "4h"
}
`)
	var id string
	var secondBegan time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: instanceStateID(instanceAddr, &id)},
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
				},
				Config:      env.config(""),
				ExpectError: cliPhrases("Final snapshot failed; the instance was kept", "destroy again", "takes a new final snapshot"),
			},
			{
				PreConfig: func() {
					if err := checkReleaseTimeKept(env, &id)(nil); err != nil {
						t.Fatal(err)
					}
					secondBegan = env.emu.Now()
				},
				Config: env.config(""),
				Check: func(*terraform.State) error {
					if err := env.instanceCheckNoneLeft(nil); err != nil {
						return err
					}
					if len(groupsCreatedSince(env, id, secondBegan)) != 1 {
						return fmt.Errorf("want one final snapshot of %s from the second destroy; groups: %+v", id, env.emu.State().SnapshotGroups)
					}
					for _, g := range env.emu.State().SnapshotGroups {
						if g.Status == "failed" {
							return fmt.Errorf("the failed snapshot group %s was left behind", g.SnapshotGroupId)
						}
					}
					return nil
				},
			},
		},
	})
}

// TestAccInstance_protectedDestroyKeepsReleaseTime: terraform destroy of a
// protected instance with a schedule fails on the protection, and the
// machine keeps its release time (the schedule's cancel is undone).
func TestAccInstance_protectedDestroyKeepsReleaseTime(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	schedule := `
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "4h"
}
`
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{Config: env.config(instanceHCL(c, `  deletion_protection = true`) + schedule), Check: instanceStateID(instanceAddr, &id)},
			{
				Config:      env.config(""),
				ExpectError: regexp.MustCompile(`Instance is protected from deletion`),
			},
			{
				PreConfig: func() {
					if err := checkReleaseTimeKept(env, &id)(nil); err != nil {
						t.Fatal(err)
					}
				},
				// Protection off; the configuration back: then the destroy works.
				Config: env.config(instanceHCL(c, `  deletion_protection = false`) + schedule),
			},
		},
	})
}

func TestProtectedDestroyPlanDiagnostics(t *testing.T) {
	existing := map[string]any{"id": "i-bp67acfmxazb4ph1234", "status": "Running", "deletion_protection": true}
	for _, tc := range []struct {
		name        string
		plan, state map[string]any
		warn        bool
	}{
		{name: "destroy of a protected instance", state: existing, warn: true},
		{name: "destroy of an unprotected instance", state: map[string]any{"id": "i-bp67acfmxazb4ph1234", "status": "Running"}},
		{name: "destroy of a tombstone", state: map[string]any{"id": "i-bp67acfmxazb4ph1234", "status": statusReleased, "deletion_protection": true}},
		{name: "update", plan: existing, state: existing},
		{name: "create", plan: existing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := protectedDestroyPlanDiagnostics(context.Background(), fsModifyPlanRequest(t, tc.plan, tc.state))
			if !tc.warn {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostic, got %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning {
				t.Fatalf("want one warning, got %v", diags)
			}
			for _, want := range []string{"i-bp67acfmxazb4ph1234", "will fail", "release time is kept", "deletion_protection = false"} {
				if !strings.Contains(diags[0].Detail(), want) {
					t.Errorf("detail %q does not contain %q", diags[0].Detail(), want)
				}
			}
		})
	}
}

// TestAccInstance_interruptedDestroyRetriedNextDay: Ctrl-C during the final
// snapshot of a machine with a schedule. The machine is kept, with its
// release time; a day later the destroy is run again and takes a new
// snapshot, not the one the interrupted attempt started.
func TestAccInstance_interruptedDestroyRetriedNextDay(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{SnapshotTime: 10 * time.Second})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + instanceHCL(c, `  final_snapshot = { name = "interrupted" }`) + `
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = aliecs_instance.test.id
  release_after = "72h"
}
`)
	cli.mustRun("apply", "-auto-approve", "-no-color")
	id := cli.state().ids("aliecs_instance", "id")[0]

	cmd := cli.command("destroy", "-auto-approve", "-no-color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	if relWaitCall(env, "CreateSnapshotGroup", 1, done) {
		_ = cmd.Process.Signal(os.Interrupt)
	}
	<-done
	if err := checkReleaseTimeKept(env, &id)(nil); err != nil {
		t.Fatalf("%s\n%s", err, out.String())
	}

	env.emu.AdvanceClock(24 * time.Hour)
	began := env.emu.Now()
	cli.mustRun("destroy", "-auto-approve", "-no-color")
	if env.instanceInEmu(id) != nil {
		t.Fatalf("instance %s still exists after the second destroy", id)
	}
	if len(groupsCreatedSince(env, id, began)) == 0 {
		t.Errorf("instance %s was released without a snapshot taken by the destroy that released it (began %s); "+
			"its groups: %+v", id, began.Format(time.RFC3339), env.emu.State().SnapshotGroups)
	}
}
