package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The journey explorer: randomized, reproducible sequences of steps
// (configuration edits, terraform commands, the clock, outside actions,
// faults) over a small configuration space (explore_config_test.go), run
// with the real terraform CLI and a provider binary against the emulator,
// with the invariants of explore_invariants_test.go checked after every
// step. A failure prints its seed and steps, shrinks them to the shortest
// list that still fails, and prints that as a ready-to-paste test.
//
//	make explore SEED=100 JOURNEYS=20 STEPS=12   # seeds 100..119
//
// In `make test` it runs a fixed budget (exploreDefaultJourneys ×
// exploreDefaultSteps); RELIABILITY.md has the budget and its time.

const (
	exploreDefaultSeed     = 1
	exploreDefaultJourneys = 4
	exploreDefaultSteps    = 8
	// exploreShrinkRuns and exploreShrinkTime bound the replays a shrink
	// may make (a failure in make test stays a few minutes long).
	exploreShrinkRuns = 24
	exploreShrinkTime = 5 * time.Minute
)

// exploreStep is one step of a journey. Kind says what it is; Edit and Arg
// parameterize it (an edit's name and choice, an outside action, a fault,
// minutes of clock).
type exploreStep struct {
	Kind string
	Edit string
	Arg  int
}

// Step kinds.
const (
	stepInit               = "init"        // Arg seeds the first configuration
	stepEdit               = "edit"        // Edit names the change (exploreEdits), Arg picks a value
	stepApply              = "apply"       // terraform apply
	stepPlanLater          = "plan_later"  // plan -out, Arg minutes pass, apply the saved plan
	stepReplace            = "replace"     // apply -replace=aliecs_instance.vm[Arg % count]
	stepDestroy            = "destroy"     // terraform destroy
	stepDestroyInterrupted = "destroy_int" // terraform destroy, SIGINT after Arg ms
	stepImport             = "import"      // state rm + import of aliecs_instance.vm[Arg % count]
	stepGenerateConfig     = "generate"    // import {} + plan -generate-config-out in a scratch copy
	stepClock              = "clock"       // the emulator's clock moves Arg minutes
	stepOutside            = "outside"     // Edit = release, stop, start or reclaim of vm[Arg % count]
	stepFault              = "fault"       // Edit = throttle, 5xx, async_snapshot, lost_answer, sold_out: for the next command
	exploreStateFileName   = "emulator.json"
	exploreTransitionBoot  = 200 * time.Millisecond
	exploreTransitionStop  = 200 * time.Millisecond
	exploreTransitionSnaps = 1500 * time.Millisecond
)

func (s exploreStep) String() string {
	switch {
	case s.Edit != "":
		return fmt.Sprintf("%s %s %d", s.Kind, s.Edit, s.Arg)
	default:
		return fmt.Sprintf("%s %d", s.Kind, s.Arg)
	}
}

// goLiteral writes the step as Go, for the printed regression test.
func (s exploreStep) goLiteral() string {
	if s.Edit != "" {
		return fmt.Sprintf("{Kind: %q, Edit: %q, Arg: %d}", s.Kind, s.Edit, s.Arg)
	}
	return fmt.Sprintf("{Kind: %q, Arg: %d}", s.Kind, s.Arg)
}

// generateJourney draws a journey from a seed: the first configuration,
// applied, then steps, then a destroy.
func generateJourney(seed uint64, steps int) []exploreStep {
	r := rand.New(rand.NewPCG(seed, 0x6a6f75726e6579))
	out := []exploreStep{{Kind: stepInit, Arg: r.IntN(1 << 20)}, {Kind: stepApply}}
	type choice struct {
		weight int
		make   func() []exploreStep
	}
	choices := []choice{
		{30, func() []exploreStep {
			e := exploreStep{Kind: stepEdit, Edit: exploreEdits[r.IntN(len(exploreEdits))], Arg: r.IntN(1000)}
			if r.IntN(10) < 7 {
				return []exploreStep{e, {Kind: stepApply}}
			}
			return []exploreStep{e}
		}},
		{6, func() []exploreStep { return []exploreStep{{Kind: stepApply}} }},
		{12, func() []exploreStep {
			return []exploreStep{{Kind: stepClock, Arg: []int{5, 45, 6 * 60, 26 * 60, 4 * 24 * 60}[r.IntN(5)]}}
		}},
		{7, func() []exploreStep { return []exploreStep{{Kind: stepPlanLater, Arg: []int{0, 20, 50}[r.IntN(3)]}} }},
		{5, func() []exploreStep { return []exploreStep{{Kind: stepReplace, Arg: r.IntN(3)}} }},
		{5, func() []exploreStep { return []exploreStep{{Kind: stepDestroy}} }},
		{6, func() []exploreStep { return []exploreStep{{Kind: stepDestroyInterrupted, Arg: 300 + r.IntN(2500)}} }},
		{5, func() []exploreStep { return []exploreStep{{Kind: stepImport, Arg: r.IntN(3)}} }},
		{3, func() []exploreStep { return []exploreStep{{Kind: stepGenerateConfig, Arg: r.IntN(3)}} }},
		{10, func() []exploreStep {
			return []exploreStep{{Kind: stepOutside, Edit: []string{"release", "stop", "start", "reclaim"}[r.IntN(4)], Arg: r.IntN(3)}}
		}},
		{8, func() []exploreStep {
			f := exploreStep{Kind: stepFault, Edit: []string{"throttle", "5xx", "async_snapshot", "lost_answer", "sold_out"}[r.IntN(5)]}
			next := []exploreStep{{Kind: stepApply}, {Kind: stepDestroy}, {Kind: stepReplace, Arg: r.IntN(3)}}[r.IntN(3)]
			return []exploreStep{f, next}
		}},
	}
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	for len(out) < steps+2 {
		n := r.IntN(total)
		for _, c := range choices {
			if n < c.weight {
				out = append(out, c.make()...)
				break
			}
			n -= c.weight
		}
	}
	return append(out, exploreStep{Kind: stepDestroy})
}

// exploreEnvInt reads a budget from the environment (make explore).
func exploreEnvInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}

// TestAccExplore runs journeys of seeds EXPLORE_SEED … EXPLORE_SEED +
// EXPLORE_JOURNEYS − 1, of EXPLORE_STEPS steps each.
func TestAccExplore(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("the explorer drives terraform: TF_ACC=1")
	}
	seed := exploreEnvInt(t, "EXPLORE_SEED", exploreDefaultSeed)
	journeys := exploreEnvInt(t, "EXPLORE_JOURNEYS", exploreDefaultJourneys)
	steps := exploreEnvInt(t, "EXPLORE_STEPS", exploreDefaultSteps)
	for s := seed; s < seed+journeys; s++ {
		t.Run(fmt.Sprintf("seed=%d", s), func(t *testing.T) {
			t.Parallel()
			journey := generateJourney(uint64(s), steps)
			start := time.Now()
			v := runJourney(t, journey)
			t.Logf("EXPLORE seed=%d steps=%d terraform-runs=%d wall=%s", s, len(journey), v.terraformRuns, time.Since(start).Round(time.Second))
			if v.violation == nil {
				return
			}
			t.Errorf("seed %d: %s\nsteps:\n%s", s, v.violation, stepList(journey[:v.violation.step+1]))
			short := shrinkJourney(t, journey[:v.violation.step+1], v.violation.invariant)
			t.Errorf("shortest failing journey (%d steps), as a regression test:\n\n%s", len(short),
				regressionTest(fmt.Sprintf("%s_seed%d", v.violation.invariant, s), short))
		})
	}
}

// exploreReplay runs a fixed journey (a regression test the explorer printed).
func exploreReplay(t *testing.T, steps []exploreStep) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("the explorer drives terraform: TF_ACC=1")
	}
	if v := runJourney(t, steps); v.violation != nil {
		t.Fatalf("%s\nsteps:\n%s", v.violation, stepList(steps[:v.violation.step+1]))
	}
}

func stepList(steps []exploreStep) string {
	var b strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&b, "  %2d. %s\n", i, s)
	}
	return b.String()
}

func regressionTest(name string, steps []exploreStep) string {
	var b strings.Builder
	fmt.Fprintf(&b, "func TestAccExploreRegression_%s(t *testing.T) {\n\tt.Parallel()\n\texploreReplay(t, []exploreStep{\n", name)
	for _, s := range steps {
		fmt.Fprintf(&b, "\t\t%s,\n", s.goLiteral())
	}
	b.WriteString("\t})\n}\n")
	return b.String()
}

// shrinkJourney removes steps one at a time (the first configuration stays)
// while the journey still breaks the same invariant, within
// exploreShrinkRuns replays and exploreShrinkTime.
func shrinkJourney(t *testing.T, steps []exploreStep, invariant string) []exploreStep {
	runs, deadline := 0, time.Now().Add(exploreShrinkTime)
	more := func() bool { return runs < exploreShrinkRuns && time.Now().Before(deadline) }
	for changed := true; changed && more(); {
		changed = false
		for i := len(steps) - 1; i >= 1 && more(); i-- {
			candidate := append(append([]exploreStep(nil), steps[:i]...), steps[i+1:]...)
			runs++
			v := runJourney(t, candidate)
			if v.violation != nil && v.violation.invariant == invariant {
				steps = candidate[:v.violation.step+1]
				changed = true
				break
			}
		}
	}
	return steps
}

// exploreViolation is the first invariant a journey broke.
type exploreViolation struct {
	step      int
	invariant string
	err       error
}

func (v *exploreViolation) String() string {
	return fmt.Sprintf("invariant %s broken after step %d: %v", v.invariant, v.step, v.err)
}

type journeyResult struct {
	violation     *exploreViolation
	terraformRuns int
}

// explorer is one journey's world: an emulator with a state file, a
// terraform working directory, and what the journey has done so far.
type explorer struct {
	t         *testing.T
	env       *accEnv
	cli       *relCLI
	cat       exploreCatalog
	stateFile string
	cfg       exploreConfig
	// mayRelease: a replacement or a count decrease was asked since the
	// last successful apply (the next apply may release machines).
	mayRelease bool
	// edited: the configuration changed since the last successful apply.
	edited bool
	// reclaimed: instances a spot reclaim was started on.
	reclaimed map[string]bool
	// soldOut: the stock a sold_out fault took, given back after the next command.
	soldOut []emulator.StockEntry
	runs    int
}

func runJourney(t *testing.T, steps []exploreStep) journeyResult {
	t.Helper()
	x := newExplorer(t)
	for i, s := range steps {
		rec := x.run(s)
		t.Logf("step %2d. %-24s ran=%v failed=%v applied=%v instances=%d groups=%d", i, s, rec.ran, rec.failed, rec.applied,
			len(rec.after.instances), len(rec.after.groups))
		for _, inv := range exploreInvariants {
			if err := inv.check(rec); err != nil {
				return journeyResult{violation: &exploreViolation{step: i, invariant: inv.name, err: err}, terraformRuns: x.runs}
			}
		}
	}
	return journeyResult{terraformRuns: x.runs}
}

func newExplorer(t *testing.T) *explorer {
	t.Helper()
	stateFile := filepath.Join(t.TempDir(), exploreStateFileName)
	env := newAccEnv(t, exploreEmulatorOptions(stateFile))
	c := newInstanceCatalog(t, env)
	x := &explorer{
		t: t, env: env, stateFile: stateFile, reclaimed: map[string]bool{},
		cat: exploreCatalog{images: [2]string{c.image, c.image2}, vswitch: c.vswitch, sgs: [2]string{c.sg, c.sg2}, instanceType: "ecs.g7.large"},
	}
	x.cli = newRelCLI(t, exploreProviderEnv(env.server.URL)...)
	return x
}

func exploreEmulatorOptions(stateFile string) emulator.Options {
	return emulator.Options{
		StateFile: stateFile, ClockOffset: -72 * time.Hour,
		BootTime: exploreTransitionBoot, StopTime: exploreTransitionStop, SnapshotTime: exploreTransitionSnaps,
	}
}

// exploreProviderEnv configures the provider through the environment, so
// the same configuration runs against a copy of the emulator.
func exploreProviderEnv(endpoint string) []string {
	return []string{
		"ALIBABA_CLOUD_REGION_ID=" + accRegion,
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + accAccessKey,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + accSecretKey,
		"ALIBABA_CLOUD_ENDPOINT_ECS=" + endpoint,
	}
}

// exploreRecord is what one step did: the world before and after, and the
// results of the checks that need terraform (the plan after an apply, a
// destroy of a copy).
type exploreRecord struct {
	step                exploreStep
	before, after       exploreView
	cfgBefore, cfgAfter exploreConfig
	mayRelease          bool            // replacements or a count decrease were asked for (before the step)
	edited              bool            // the configuration was edited since the last successful apply
	reclaimed           map[string]bool // spot reclaims started so far
	startedAt           time.Time       // the emulator's clock when the step began
	output              string          // what terraform printed (every command of the step)
	ran, failed         bool            // a terraform command ran; one failed
	applied             bool            // an apply that succeeded
	imported            string          // the address a successful import wrote
	planAfter           *exploreCheck   // plan after a successful apply or import
	destroyCopy         *exploreCheck   // destroy of a copy of the world
	generated           *exploreCheck   // plan of a configuration -generate-config-out wrote
}

// exploreCheck is the outcome of a terraform command run for an invariant.
type exploreCheck struct {
	ok     bool
	output string
}

func (x *explorer) terraform(rec *exploreRecord, args ...string) bool {
	x.runs++
	rec.ran = true
	out, err := x.cli.run(append(args, "-no-color")...)
	rec.output += fmt.Sprintf("$ terraform %s\n%s\n", strings.Join(args, " "), out)
	if err != nil {
		rec.failed = true
		return false
	}
	return true
}

func (x *explorer) write() { x.cli.write(x.cfg.hcl(x.cat)) }

// run performs one step and the checks that need terraform.
func (x *explorer) run(s exploreStep) exploreRecord {
	rec := exploreRecord{step: s, cfgBefore: x.cfg, before: x.view(), mayRelease: x.mayRelease, startedAt: x.env.emu.Now()}
	switch s.Kind {
	case stepInit:
		r := rand.New(rand.NewPCG(uint64(s.Arg), 7))
		x.cfg = randomConfig(r, x.env.emu.Now())
		x.write()
	case stepEdit:
		var replaces bool
		x.cfg, replaces = x.cfg.edit(s.Edit, s.Arg, x.env.emu.Now(), x.accomplishedGroup())
		x.mayRelease = x.mayRelease || replaces
		x.edited = true
		x.write()
	case stepApply:
		rec.applied = x.terraform(&rec, "apply", "-auto-approve", "-input=false")
	case stepPlanLater:
		if x.terraform(&rec, "plan", "-out=later.tfplan", "-input=false") {
			x.env.emu.AdvanceClock(time.Duration(s.Arg) * time.Minute)
			rec.applied = x.terraform(&rec, "apply", "-input=false", "later.tfplan")
		}
	case stepReplace:
		if addr := x.instanceAddress(s.Arg); addr != "" {
			rec.mayRelease = true
			rec.applied = x.terraform(&rec, "apply", "-auto-approve", "-input=false", "-replace="+addr)
		}
	case stepDestroy:
		// The configuration stays, as a user's does: a later apply brings
		// the machines back.
		x.terraform(&rec, "destroy", "-auto-approve", "-input=false")
	case stepDestroyInterrupted:
		x.interruptedDestroy(&rec, time.Duration(s.Arg)*time.Millisecond)
	case stepImport:
		if addr := x.instanceAddress(s.Arg); addr != "" {
			id := x.view().tf.id(addr)
			if x.terraform(&rec, "state", "rm", addr) && x.terraform(&rec, "import", "-input=false", addr, id) {
				rec.imported = addr
			}
		}
	case stepGenerateConfig:
		rec.generated = x.generateConfig(&rec, s.Arg)
	case stepClock:
		x.env.emu.AdvanceClock(time.Duration(s.Arg) * time.Minute)
	case stepOutside:
		x.outside(s.Edit, s.Arg)
	case stepFault:
		x.fault(s.Edit)
	}
	if rec.ran {
		x.env.emu.ClearFaults()
		x.restoreStock()
	}
	rec.edited = x.edited
	if rec.applied {
		x.mayRelease, x.edited = false, false
	}
	if rec.applied || rec.imported != "" {
		out, err := x.cli.run("plan", "-detailed-exitcode", "-input=false", "-no-color")
		x.runs++
		rec.planAfter = &exploreCheck{ok: err == nil, output: out}
	}
	rec.cfgAfter = x.cfg
	rec.reclaimed = x.reclaimed
	rec.after = x.view()
	rec.destroyCopy = x.destroyCopy()
	return rec
}

// instanceAddress is aliecs_instance.<name>[i % count] when it is in the
// state and its machine exists (a tombstone cannot be imported or acted on).
func (x *explorer) instanceAddress(i int) string {
	if x.cfg.Count == 0 {
		return ""
	}
	addr := fmt.Sprintf("aliecs_instance.%s[%d]", x.cfg.name(), i%x.cfg.Count)
	v := x.view()
	if _, alive := v.instances[v.tf.id(addr)]; !alive {
		return ""
	}
	return addr
}

// accomplishedGroup is the newest accomplished snapshot group, for a restore.
func (x *explorer) accomplishedGroup() string {
	var best emulator.SnapshotGroup
	st := x.env.emu.State()
	for _, g := range append(st.SnapshotGroups, setsAsGroups(st)...) {
		if g.Status == "accomplished" && g.CreationTime >= best.CreationTime {
			best = g
		}
	}
	return best.SnapshotGroupId
}

func (x *explorer) interruptedDestroy(rec *exploreRecord, after time.Duration) {
	x.runs++
	rec.ran = true
	cmd := x.cli.command("destroy", "-auto-approve", "-input=false", "-no-color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		x.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(after):
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			err = <-done
			out.WriteString("\n(killed: terraform did not stop within 2 minutes of SIGINT)\n")
		}
	}
	rec.output += "$ terraform destroy (SIGINT after " + after.String() + ")\n" + out.String()
	// An interrupted command fails by design: its errors are still checked
	// (invariant 7), its exit code is not.
	_ = err
}

// generateConfig imports vm[i] under a new address in a scratch copy of the
// working directory, lets terraform write its configuration, and plans it.
func (x *explorer) generateConfig(rec *exploreRecord, i int) *exploreCheck {
	addr := x.instanceAddress(i)
	if addr == "" {
		return nil
	}
	id := x.view().tf.id(addr)
	scratch := newRelCLI(x.t, exploreProviderEnv(x.env.server.URL)...)
	scratch.write(x.cfg.hcl(x.cat) + fmt.Sprintf("\nimport {\n  to = aliecs_instance.generated\n  id = %q\n}\n", id))
	copyFile(x.t, filepath.Join(x.cli.dir, "terraform.tfstate"), filepath.Join(scratch.dir, "terraform.tfstate"))
	x.runs += 2
	out, err := scratch.run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	rec.output += "$ terraform plan -generate-config-out=generated.tf (scratch copy)\n" + out
	if err != nil {
		return &exploreCheck{ok: false, output: out}
	}
	out, err = scratch.run("plan", "-input=false", "-no-color")
	rec.output += "$ terraform plan (with generated.tf)\n" + out
	return &exploreCheck{ok: err == nil, output: out}
}

// outside acts on vm[i] as the console or another tool would.
func (x *explorer) outside(action string, i int) {
	addr := x.instanceAddress(i)
	if addr == "" {
		return
	}
	id := x.view().tf.id(addr)
	ctx := x.t.Context()
	client := x.env.instanceSDKClient()
	switch action {
	case "release":
		_ = client.DeleteInstance(ctx, id, true)
	case "stop":
		_ = client.StopInstance(ctx, id, ecsapi.StopInput{})
	case "start":
		_ = client.StartInstance(ctx, id)
	case "reclaim":
		if _, err := x.env.emu.ReclaimSpot(id); err == nil {
			x.reclaimed[id] = true
		}
	}
}

// fault arms a fault for the next terraform command (cleared after it).
func (x *explorer) fault(kind string) {
	switch kind {
	case "throttle":
		x.env.emu.AddFault(emulator.Fault{Action: "*", Code: "Throttling.User", Probability: 0.3})
	case "5xx":
		x.env.emu.AddFault(emulator.Fault{Action: "*", Code: "ServiceUnavailable", Probability: 0.2})
	case "async_snapshot":
		x.env.emu.AddFault(emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true, Count: 1})
	case "lost_answer":
		x.env.emu.AddFault(emulator.Fault{Action: "*", LoseResponse: true, Probability: 0.2, Count: 3})
	case "sold_out":
		for _, z := range x.env.emu.State().Catalog.Zones {
			entry := emulator.StockEntry{ZoneID: z.ZoneId, InstanceType: x.cat.instanceType, SoldOut: true}
			if x.env.emu.SetStock(entry) == nil {
				x.soldOut = append(x.soldOut, entry)
			}
		}
	}
}

// restoreStock ends a sold_out fault: the stock the fault took comes back.
func (x *explorer) restoreStock() {
	for _, s := range x.soldOut {
		s.SoldOut = false
		_ = x.env.emu.SetStock(s)
	}
	x.soldOut = nil
}

// destroyCopy runs terraform destroy against a second emulator loaded from
// a copy of the first one's state file, with a copy of the Terraform state
// (invariant 1); the journey goes on with the original.
func (x *explorer) destroyCopy() *exploreCheck {
	dir := x.t.TempDir()
	copyState := filepath.Join(dir, exploreStateFileName)
	copyFile(x.t, x.stateFile, copyState)
	emu, err := emulator.New(exploreEmulatorOptions(copyState))
	if err != nil {
		return &exploreCheck{ok: false, output: "loading the copy of the emulator's state: " + err.Error()}
	}
	server := httptest.NewServer(emu)
	defer func() { server.Close(); _ = emu.Close() }()
	c := newRelCLI(x.t, exploreProviderEnv(server.URL)...)
	c.write(x.cfg.hcl(x.cat))
	copyFile(x.t, filepath.Join(x.cli.dir, "terraform.tfstate"), filepath.Join(c.dir, "terraform.tfstate"))
	x.runs++
	out, err := c.run("destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil && onlyReferenceErrors(out) {
		// The one exception the design makes: a reference that no longer
		// exists (a deleted snapshot group), or a release time set or
		// changed and not applied that has passed, is a plan error, and
		// terraform destroy plans first; the error says so and names the
		// way out, which must then work.
		x.runs++
		out2, err2 := c.run("destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false")
		out += "\n$ terraform destroy -refresh=false\n" + out2
		if err2 == nil {
			return &exploreCheck{ok: true, output: out}
		}
		err = err2
	}
	if err != nil && onlyProtectionErrors(out) {
		// Refused by design: deletion protection is the user's "no". What
		// it must not do on the way is cancel a release time.
		original := x.env.emu.State()
		for _, in := range emu.State().Instances {
			if had := releaseTimeOf(original, in.InstanceId); had != "" && in.AutoReleaseTime == "" {
				return &exploreCheck{ok: false, output: fmt.Sprintf("%s\nThe refused destroy of protected instance %s cancelled its release time (%s).",
					out, in.InstanceId, had)}
			}
		}
		return &exploreCheck{ok: true, output: out}
	}
	if err != nil {
		return &exploreCheck{ok: false, output: out}
	}
	// What terraform thinks it destroyed must be gone from the copy.
	if left := x.instancesOfState(c, emu); len(left) > 0 {
		return &exploreCheck{ok: false, output: fmt.Sprintf("destroy succeeded, but instances of the state are still there: %v\n%s", left, out)}
	}
	return &exploreCheck{ok: true, output: out}
}

// instancesOfState lists instances in the copy's emulator that the state
// file held before the destroy (the destroy emptied the state).
func (x *explorer) instancesOfState(_ *relCLI, emu *emulator.Emulator) []string {
	ids := map[string]bool{}
	for _, r := range x.view().tf.resources {
		if r.typ == "aliecs_instance" {
			ids[r.attrs.id()] = true
		}
	}
	var left []string
	for _, in := range emu.State().Instances {
		if ids[in.InstanceId] {
			left = append(left, in.InstanceId)
		}
	}
	return left
}

// onlyReferenceErrors: every error of the output is a reference check's
// that names terraform destroy -refresh=false.
func onlyReferenceErrors(out string) bool {
	blocks := errorBlocks(out)
	for _, b := range blocks {
		if !strings.Contains(strings.Join(strings.Fields(b), " "), "terraform destroy -refresh=false") {
			return false
		}
	}
	return len(blocks) > 0
}

// onlyProtectionErrors: every error of the output's last command is
// deletion protection's.
func onlyProtectionErrors(out string) bool {
	if i := strings.LastIndex(out, "$ terraform destroy -refresh=false"); i >= 0 {
		out = out[i:]
	}
	blocks := errorBlocks(out)
	for _, b := range blocks {
		if !strings.HasPrefix(b, "Error: Instance is protected from deletion") {
			return false
		}
	}
	return len(blocks) > 0
}

func releaseTimeOf(st emulator.State, id string) string {
	for _, in := range st.Instances {
		if in.InstanceId == id {
			return in.AutoReleaseTime
		}
	}
	return ""
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// exploreView is the world at one moment: the emulator's instances and
// snapshot groups, and the Terraform state.
type exploreView struct {
	now       time.Time
	instances map[string]emulator.Instance
	groups    map[string]emulator.SnapshotGroup
	autos     map[string]emulator.Snapshot // automatic snapshots (aliecs_snapshot_policy)
	tf        exploreState
}

func (x *explorer) view() exploreView {
	st := x.env.emu.State()
	v := exploreView{instances: map[string]emulator.Instance{}, groups: map[string]emulator.SnapshotGroup{},
		autos: map[string]emulator.Snapshot{}}
	v.now, _ = time.Parse(time.RFC3339, st.Now)
	for _, in := range st.Instances {
		v.instances[in.InstanceId] = in
	}
	for _, g := range append(st.SnapshotGroups, setsAsGroups(st)...) {
		v.groups[g.SnapshotGroupId] = g
	}
	for _, s := range st.Snapshots {
		if s.SnapshotType == "auto" {
			v.autos[s.SnapshotId] = s
		}
	}
	v.tf = readExploreState(x.t, filepath.Join(x.cli.dir, "terraform.tfstate"))
	return v
}

// exploreState is the Terraform state by resource address.
type exploreState struct{ resources []exploreResource }

type exploreResource struct {
	address string // e.g. aliecs_instance.vm[0]
	typ     string
	tainted bool
	attrs   exploreAttrs
}

type exploreAttrs map[string]any

// id is the resource's id attribute.
func (a exploreAttrs) id() string {
	s, _ := a["id"].(string)
	return s
}

func (s exploreState) id(address string) string {
	for _, r := range s.resources {
		if r.address == address {
			return r.attrs.id()
		}
	}
	return ""
}

func (s exploreState) byType(typ string) []exploreResource {
	var out []exploreResource
	for _, r := range s.resources {
		if r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

func readExploreState(t *testing.T, file string) exploreState {
	var raw struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				IndexKey   any            `json:"index_key"`
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return exploreState{}
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var s exploreState
	for _, r := range raw.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			addr := r.Type + "." + r.Name
			if f, ok := in.IndexKey.(float64); ok {
				addr += fmt.Sprintf("[%d]", int(f))
			}
			s.resources = append(s.resources, exploreResource{address: addr, typ: r.Type, tainted: in.Status == "tainted", attrs: in.Attributes})
		}
	}
	sort.Slice(s.resources, func(i, j int) bool { return s.resources[i].address < s.resources[j].address })
	return s
}
