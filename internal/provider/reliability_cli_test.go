package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The tests in this file run the real terraform binary against a provider
// binary built from this repository (dev_overrides), because they need what
// terraform-plugin-testing hides: a signal to terraform mid-apply, and the
// TRACE log file.

var (
	relBinOnce sync.Once
	relBinDir  string
	relBinErr  error
)

// relProviderBinary builds the provider once per test binary run.
func relProviderBinary(t *testing.T) string {
	t.Helper()
	relBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aliecs-provider-bin-") //nolint:usetesting // shared by every test of this binary, not one test
		if err != nil {
			relBinErr = err
			return
		}
		relBinDir = dir
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-aliecs"),
			"github.com/aliecs/terraform-provider-aliecs")
		out, err := cmd.CombinedOutput()
		if err != nil {
			relBinErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if relBinErr != nil {
		t.Fatal(relBinErr)
	}
	return relBinDir
}

// relCLI is a working directory for the terraform binary (or tofu: cliPath).
type relCLI struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

func newRelCLI(t *testing.T, extraEnv ...string) *relCLI {
	t.Helper()
	cli := cliPath(t)
	bin := relProviderBinary(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	// The short address: each CLI reads it with its own registry host.
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "aliecs/aliecs" = %q
  }
  direct {}
}
`, bin)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_LOG=", "TF_LOG_PATH=")
	env = append(env, extraEnv...)
	return &relCLI{t: t, cli: cli, dir: dir, env: env}
}

func (c *relCLI) write(hcl string) {
	c.t.Helper()
	body := `
terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}
` + hcl
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(body), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *relCLI) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.cli, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	return cmd
}

// run runs terraform and returns its combined output and error.
func (c *relCLI) run(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := c.command(args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (c *relCLI) mustRun(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// relTFState is the part of terraform.tfstate the checks read.
type relTFState struct {
	Resources []struct {
		Type      string `json:"type"`
		Mode      string `json:"mode"`
		Instances []struct {
			Status     string         `json:"status"`
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

func (c *relCLI) state() relTFState {
	c.t.Helper()
	var s relTFState
	b, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return s
	}
	if err != nil {
		c.t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		c.t.Fatalf("terraform.tfstate: %v", err)
	}
	return s
}

// ids lists the ids (or, for schedules, instance ids) of a type in state.
func (s relTFState) ids(typ, attr string) []string {
	var out []string
	for _, r := range s.Resources {
		if r.Type != typ || r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			if v, ok := in.Attributes[attr].(string); ok {
				out = append(out, v)
			}
		}
	}
	sort.Strings(out)
	return out
}

// relCLICompare: the emulator holds exactly what the state file says
// (tainted instances count: they exist and the state knows them).
func relCLICompare(t *testing.T, env *accEnv, c *relCLI, when string) {
	t.Helper()
	s := c.state()
	instances, scheduled, groups := relEmuIDs(env.emu.State())
	for _, cmp := range []struct {
		what      string
		state, em []string
	}{
		{"instances", s.ids("aliecs_instance", "id"), instances},
		{"schedules", s.ids("aliecs_auto_release_schedule", "instance_id"), scheduled},
		{"snapshot groups", s.ids("aliecs_snapshot", "id"), groups},
	} {
		if strings.Join(cmp.state, ",") != strings.Join(cmp.em, ",") {
			t.Errorf("%s: %s: state %v, emulator %v", when, cmp.what, cmp.state, cmp.em)
		}
	}
}

// relWaitCall waits (without a deadline assertion: the test's own timeout
// bounds it) until the emulator has seen action at least n times.
func relWaitCall(env *accEnv, action string, n int, done <-chan struct{}) bool {
	for env.emu.Calls()[action] < n {
		select {
		case <-done:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

// TestAccReliability_interruptedApply sends SIGINT to terraform while it
// creates instances, then while it creates snapshots, then applies to the
// end: after each run the emulator holds exactly what the state says
// (interrupted creates are in state as tainted, never lost), and the last
// apply converges with no duplicate and no leak.
func TestAccReliability_interruptedApply(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{BootTime: 3 * time.Second, SnapshotTime: 3 * time.Second})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + relWorkload(c, 3) + `
resource "aliecs_snapshot" "third" {
  instance_id = aliecs_instance.vm[2].id
  name        = "rel-snap-3"
}
`)
	interrupt := func(action string) {
		t.Helper()
		before := env.emu.Calls()[action]
		cmd := cli.command("apply", "-auto-approve", "-input=false", "-no-color")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		if relWaitCall(env, action, before+1, done) {
			_ = cmd.Process.Signal(os.Interrupt)
			<-done
		}
		t.Logf("interrupted apply after %s:\n%s", action, out.String())
		relCLICompare(t, env, cli, "after SIGINT during "+action)
	}
	interrupt("RunInstances")
	interrupt("CreateSnapshotGroup")
	cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	relCLICompare(t, env, cli, "after the final apply")
	if out := cli.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after convergence is not empty:\n%s", out)
	}
	if n := len(env.emu.State().Instances); n != 3 {
		t.Errorf("emulator holds %d instances, want 3", n)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if err := relNothingLeft(env)(nil); err != nil {
		t.Error(err)
	}
	relRecord(t, env, 5)
}

// TestCLIInterruptDuringBoot: a Ctrl-C while terraform waits for a new
// machine to boot says "interrupted" (not "timed out"), and leaves the
// machine in the state untainted and unconfirmed: the next plan reads it.
// While it still boots, the plan shows its status going to Running (the
// apply waits for it before anything that depends on it); once it has
// booted, the plan is empty: it is neither replaced nor changed.
func TestCLIInterruptDuringBoot(t *testing.T) {
	t.Parallel()
	// A boot of 10 minutes of emulator time: it only ends when the test
	// moves the emulator's clock.
	env := newAccEnv(t, emulator.Options{BootTime: 10 * time.Minute})
	c := newInstanceCatalog(t, env)
	cli := newRelCLI(t)
	cli.write(relProvider(env, 5) + instanceHCL(c, ""))
	cmd := cli.command("apply", "-auto-approve", "-input=false", "-no-color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	// The boot wait has polled once: the machine exists and is starting.
	polls := env.emu.Calls()["DescribeInstances"]
	if relWaitCall(env, "RunInstances", 1, done) && relWaitCall(env, "DescribeInstances", polls+1, done) {
		_ = cmd.Process.Signal(os.Interrupt)
		<-done
	}
	text := strings.Join(strings.Fields(out.String()), " ")
	t.Logf("interrupted apply:\n%s", out.String())
	if strings.Contains(text, "timed out") || !strings.Contains(text, "interrupted") {
		t.Errorf("the interrupt is not reported as one:\n%s", out.String())
	}
	s := cli.state()
	for _, r := range s.Resources {
		for _, in := range r.Instances {
			if in.Status == "tainted" {
				t.Errorf("%s is tainted after an interrupt during its boot", r.Type)
			}
		}
	}
	relCLICompare(t, env, cli, "after SIGINT during the boot wait")
	out2, err := cli.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if flat := strings.Join(strings.Fields(out2), " "); err == nil || !regexp.MustCompile(`status = "(Pending|Starting)" -> "Running"`).MatchString(flat) ||
		!strings.Contains(flat, "0 to add, 1 to change, 0 to destroy") {
		t.Errorf("the plan while the machine still boots does not wait for it (%v):\n%s", err, out2)
	}
	env.emu.AdvanceClock(10 * time.Minute) // booted
	if out, err := cli.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil || !strings.Contains(out, "No changes") {
		t.Errorf("the plan after the interrupted boot is not empty (%v):\n%s", err, out)
	}
	cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if err := relNothingLeft(env)(nil); err != nil {
		t.Error(err)
	}
}
