package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// The release-safety matrix: every path that can release a machine, each
// run where it must release (exactly once, and for the snapshot paths only
// after the snapshot group is accomplished) and where it must not.

// Paths that release a machine.
const (
	pathDestroy  = "destroy"
	pathForce    = "force_delete"
	pathSnapshot = "release_after_snapshot"
	pathFinal    = "final_snapshot"
	pathSchedule = "schedule"
)

// relFaultMix is throttling and 5xx on every action, 30 % in all; and so
// that every faulted row retries the release call and the snapshot call
// whatever the dice say, their first attempt is refused.
var relFaultMix = []emulator.Fault{
	{Action: "*", Code: "Throttling.User", Probability: 0.10},
	{Action: "*", Code: "Throttling.Api", Probability: 0.05},
	{Action: "*", Code: "ServiceUnavailable", Probability: 0.10},
	{Action: "*", Code: "InternalError", Probability: 0.05},
	{Action: "DeleteInstance", Code: "ServiceUnavailable", Count: 1},
	{Action: "CreateSnapshotGroup", Code: "Throttling.User", Count: 1},
}

// relSyncSnapshotFaults are CreateSnapshotGroup refusals (nothing created).
var relSyncSnapshotFaults = map[string]emulator.Fault{
	"QuotaExceed": {Action: "CreateSnapshotGroup", Code: "QuotaExceed.Snapshot", HTTPStatus: 403,
		Message: "The snapshot quota is exceeded."},
	"IncorrectDiskStatus": {Action: "CreateSnapshotGroup", Code: "IncorrectDiskStatus",
		Message: "The current disk status does not support this operation."},
}

// relRun is one row being run.
type relRun struct {
	t   *testing.T
	env *accEnv
	cat instanceCatalog
	id  string // the instance the path acts on
	// Taken at the verdict, for the figures.
	fired, releases, deleteCalls int
}

// releaseRow is one row of the matrix.
type releaseRow struct {
	name    string
	path    string
	release bool // the path must release the instance
	// opts: transition times. Rows that check the snapshot comes first use a
	// non-zero SnapshotTime, so a release that did not wait would meet a
	// "progressing" group.
	opts emulator.Options
	// sdkInstance: the instance is created through the SDK (managed
	// elsewhere), not by aliecs_instance.
	sdkInstance bool
	// steps run the path; the verdict is taken after them.
	steps func(r *relRun) []resource.TestStep
	// beforeVerdict runs just before the verdict (the clock moves).
	beforeVerdict func(r *relRun)
	// cleanup is the configuration applied after the verdict; afterCleanup
	// runs before it (protection off).
	cleanup      func(r *relRun) string
	afterVerdict func(r *relRun)
	faulted      bool // faults were injected: at least one must have fired
}

// The configurations.

func (r *relRun) instanceConfig(protect bool, extra string) string {
	return relProvider(r.env, 30) + fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id            = %q
  instance_type       = "ecs.g7.large"
  vswitch_id          = %q
  security_group_ids  = [%q]
  instance_name       = "release-safety"
  deletion_protection = %t
%s
}
`, r.cat.image, r.cat.vswitch, r.cat.sg, protect, extra)
}

const (
	relForceDelete   = "  force_delete = true"
	relFinalSnapshot = "  final_snapshot = {\n    name = \"rel-final\"\n  }"
)

func (r *relRun) snapshotConfig(release bool) string {
	return relProvider(r.env, 30) + fmt.Sprintf(`
resource "aliecs_snapshot" "snap" {
  instance_id                     = %q
  name                            = "rel-snap"
  release_instance_after_snapshot = %t
}
`, r.id, release)
}

func (r *relRun) scheduleConfig() string {
	return relProvider(r.env, 30) + fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "at" {
  instance_id   = %q
  release_after = "1h"
}
`, r.id)
}

func (r *relRun) emptyConfig() string { return relProvider(r.env, 30) }

// Step pieces.

// captureID records the id of the Terraform-managed instance.
func (r *relRun) captureID() resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids := relStateIDs(s, "aliecs_instance")
		if len(ids) != 1 {
			return fmt.Errorf("want one aliecs_instance in state, have %v", ids)
		}
		r.id = ids[0]
		return relConverged(r.env)(s)
	}
}

func (r *relRun) addFaults(faults ...emulator.Fault) {
	for _, f := range faults {
		r.env.emu.AddFault(f)
	}
}

func (r *relRun) setProtection(on bool) {
	r.t.Helper()
	if err := r.env.instanceSDKClient().ModifyInstanceAttribute(context.Background(), r.id,
		ecsapi.ModifyInstanceInput{DeletionProtection: &on}); err != nil {
		r.t.Fatalf("setting deletion protection of %s to %t: %v", r.id, on, err)
	}
}

// createInstanceStep applies an aliecs_instance configuration.
func (r *relRun) createInstanceStep(protect bool, extra string) resource.TestStep {
	return resource.TestStep{Config: r.instanceConfig(protect, extra), Check: r.captureID()}
}

// The matrix.

var errProtected = regexp.MustCompile(`protected from deletion`)

// destroyRows are the rows of a path that runs on terraform destroy of
// aliecs_instance (destroy, force_delete, final_snapshot).
func destroyRows(path, extra string) []releaseRow {
	snap := path == pathFinal
	var opts emulator.Options
	if snap {
		opts.SnapshotTime = time.Second
	}
	destroyStep := func(r *relRun, expectErr *regexp.Regexp, faults ...emulator.Fault) resource.TestStep {
		return resource.TestStep{
			PreConfig:   func() { r.addFaults(faults...) },
			Config:      r.instanceConfig(false, extra),
			Destroy:     true,
			ExpectError: expectErr,
		}
	}
	kept := func(r *relRun) string { return r.instanceConfig(false, "") } // protection off, no final snapshot
	rows := []releaseRow{
		{
			name: "releases", path: path, release: true, opts: opts,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{r.createInstanceStep(false, extra), destroyStep(r, nil)}
			},
			cleanup: (*relRun).emptyConfig,
		},
		{
			name: "faults30", path: path, release: true, opts: opts, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{r.createInstanceStep(false, extra), destroyStep(r, nil, relFaultMix...)}
			},
			cleanup: (*relRun).emptyConfig,
		},
		{
			name: "protected", path: path,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{
					r.createInstanceStep(true, extra),
					{Config: r.instanceConfig(true, extra), Destroy: true, ExpectError: errProtected},
				}
			},
			cleanup: kept,
		},
		{
			name: "plainApplyPlanRefresh", path: path,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{
					r.createInstanceStep(false, extra),
					{Config: r.instanceConfig(false, extra), PlanOnly: true},
					{RefreshState: true},
					{Config: r.instanceConfig(false, extra)}, // apply again: nothing to do
				}
			},
			cleanup: func(r *relRun) string { return r.instanceConfig(false, extra) },
		},
	}
	if snap {
		rows = append(rows, releaseRow{
			name: "snapshotFailsAsync", path: path, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{
					r.createInstanceStep(false, extra),
					destroyStep(r, regexp.MustCompile(`(?s)Final snapshot failed.*instance was kept`),
						emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true}),
				}
			},
			cleanup: kept,
		})
		for _, name := range []string{"QuotaExceed", "IncorrectDiskStatus"} {
			f := relSyncSnapshotFaults[name]
			rows = append(rows, releaseRow{
				name: "snapshotFails" + name, path: path, faulted: true,
				steps: func(r *relRun) []resource.TestStep {
					return []resource.TestStep{
						r.createInstanceStep(false, extra),
						destroyStep(r, regexp.MustCompile(`(?s)Final snapshot failed.*`+regexp.QuoteMeta(f.Code)), f),
					}
				},
				cleanup: kept,
			})
		}
	}
	return rows
}

// snapshotRows: aliecs_snapshot with release_instance_after_snapshot on an
// instance managed elsewhere (created through the SDK).
func snapshotRows() []releaseRow {
	slow := emulator.Options{SnapshotTime: time.Second}
	applyStep := func(r *relRun, expectErr *regexp.Regexp, faults ...emulator.Fault) resource.TestStep {
		st := resource.TestStep{
			PreConfig:   func() { r.addFaults(faults...) },
			Config:      r.snapshotConfig(true),
			ExpectError: expectErr,
		}
		if expectErr == nil {
			// Right after the apply: gone, and the state says so.
			st.Check = resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("aliecs_snapshot.snap", "instance_released", "true"),
				resource.TestCheckResourceAttr("aliecs_snapshot.snap", "status", "accomplished"),
				func(*terraform.State) error { return checkInstanceStatus(r.env, r.id, "")(nil) },
			)
		}
		return st
	}
	rows := []releaseRow{
		{
			name: "releases", path: pathSnapshot, release: true, opts: slow, sdkInstance: true,
			steps:   func(r *relRun) []resource.TestStep { return []resource.TestStep{applyStep(r, nil)} },
			cleanup: (*relRun).emptyConfig,
		},
		{
			name: "faults30", path: pathSnapshot, release: true, opts: slow, sdkInstance: true, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{applyStep(r, nil, relFaultMix...)}
			},
			cleanup: (*relRun).emptyConfig,
		},
		{
			name: "protected", path: pathSnapshot, sdkInstance: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{{
					PreConfig:   func() { r.setProtection(true) },
					Config:      r.snapshotConfig(true),
					ExpectError: errProtected, // before any stop or snapshot
				}}
			},
			afterVerdict: func(r *relRun) { r.setProtection(false) },
			cleanup:      (*relRun).emptyConfig,
		},
		{
			name: "snapshotFailsAsync", path: pathSnapshot, sdkInstance: true, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{applyStep(r, regexp.MustCompile(`(?s)The snapshot failed.*instance was not released`),
					emulator.Fault{Action: "CreateSnapshotGroup", AsyncFailure: true})}
			},
			cleanup: (*relRun).emptyConfig,
		},
		{
			name: "plainPlanApplyRefresh", path: pathSnapshot, sdkInstance: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{
					// A plan of the releasing configuration releases nothing.
					{Config: r.snapshotConfig(true), PlanOnly: true, ExpectNonEmptyPlan: true},
					{Config: r.snapshotConfig(false)},
					{RefreshState: true},
					{Config: r.snapshotConfig(false), PlanOnly: true},
				}
			},
			cleanup: (*relRun).emptyConfig,
		},
	}
	for _, name := range []string{"QuotaExceed", "IncorrectDiskStatus"} {
		f := relSyncSnapshotFaults[name]
		rows = append(rows, releaseRow{
			name: "snapshotFails" + name, path: pathSnapshot, sdkInstance: true, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{applyStep(r,
					regexp.MustCompile(`(?s)`+regexp.QuoteMeta(f.Code)+`.*instance was not released`), f)}
			},
			cleanup: (*relRun).emptyConfig,
		})
	}
	return rows
}

// scheduleRows: aliecs_auto_release_schedule on an instance managed
// elsewhere; the emulator's clock moves.
func scheduleRows() []releaseRow {
	apply := func(r *relRun) resource.TestStep {
		return resource.TestStep{Config: r.scheduleConfig(), Check: func(*terraform.State) error {
			for _, in := range r.env.emu.State().Instances {
				if in.InstanceId == r.id && in.AutoReleaseTime != "" {
					return nil
				}
			}
			return fmt.Errorf("instance %s has no auto-release time after the apply", r.id)
		}}
	}
	advance := func(d time.Duration) func(r *relRun) {
		return func(r *relRun) { r.env.emu.AdvanceClock(d) }
	}
	return []releaseRow{
		{
			name: "fires", path: pathSchedule, release: true, sdkInstance: true,
			steps:         func(r *relRun) []resource.TestStep { return []resource.TestStep{apply(r)} },
			beforeVerdict: advance(61 * time.Minute),
			cleanup:       (*relRun).emptyConfig,
		},
		{
			name: "faults30", path: pathSchedule, release: true, sdkInstance: true, faulted: true,
			steps: func(r *relRun) []resource.TestStep {
				// Faults through the apply, a refresh and a plan.
				st := apply(r)
				st.PreConfig = func() { r.addFaults(relFaultMix...) }
				return []resource.TestStep{st, {RefreshState: true}, {Config: r.scheduleConfig(), PlanOnly: true}}
			},
			beforeVerdict: advance(61 * time.Minute),
			cleanup:       (*relRun).emptyConfig,
		},
		{
			name: "cancelled", path: pathSchedule, sdkInstance: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{apply(r), {Config: r.emptyConfig()}} // destroys the schedule
			},
			beforeVerdict: advance(3 * time.Hour),
			cleanup:       (*relRun).emptyConfig,
		},
		{
			name: "notYet", path: pathSchedule, sdkInstance: true,
			steps:         func(r *relRun) []resource.TestStep { return []resource.TestStep{apply(r)} },
			beforeVerdict: advance(50 * time.Minute),
			cleanup:       (*relRun).scheduleConfig,
		},
		{
			name: "plainApplyPlanRefresh", path: pathSchedule, sdkInstance: true,
			steps: func(r *relRun) []resource.TestStep {
				return []resource.TestStep{
					apply(r),
					{Config: r.scheduleConfig(), PlanOnly: true},
					{RefreshState: true},
					{Config: r.scheduleConfig()},
				}
			},
			cleanup: (*relRun).scheduleConfig,
		},
	}
}

func releaseMatrix() []releaseRow {
	var rows []releaseRow
	rows = append(rows, destroyRows(pathDestroy, "")...)
	rows = append(rows, destroyRows(pathForce, relForceDelete)...)
	rows = append(rows, snapshotRows()...)
	rows = append(rows, destroyRows(pathFinal, relFinalSnapshot)...)
	rows = append(rows, scheduleRows()...)
	return rows
}

// The verdict.

// relVerdict checks, at the end of a row's path, that the instance exists
// or not as the row says, how often it was released, and for the snapshot
// paths that every release call came after the group was accomplished.
func relVerdict(r *relRun, row releaseRow) error {
	st := r.env.emu.State()
	var inst *emulator.Instance
	for i := range st.Instances {
		if st.Instances[i].InstanceId == r.id {
			inst = &st.Instances[i]
		}
	}
	var attempts, released int
	var deletes []emulator.CallRecord
	for _, c := range r.env.emu.CallLog() {
		if !isRelease(c.Action) {
			continue
		}
		attempts++
		if c.InstanceID == r.id && c.Code == "" {
			released++
			deletes = append(deletes, c)
		}
	}
	r.releases, r.deleteCalls = released, attempts
	var errs []string
	wantReleases := 0
	if row.release && row.path != pathSchedule {
		wantReleases = 1 // the schedule releases by the service's clock, no call
	}
	switch {
	case row.release && inst != nil:
		errs = append(errs, fmt.Sprintf("instance %s still exists (%s), want released", r.id, inst.Status))
	case !row.release && inst == nil:
		errs = append(errs, fmt.Sprintf("instance %s was RELEASED, want kept", r.id))
	case !row.release && inst.Status != "Running":
		errs = append(errs, fmt.Sprintf("instance %s is %s, want it left Running", r.id, inst.Status))
	}
	if released != wantReleases {
		errs = append(errs, fmt.Sprintf("DeleteInstance answered OK %d times, want %d", released, wantReleases))
	}
	if !row.release && attempts != 0 {
		errs = append(errs, fmt.Sprintf("DeleteInstance was called %d times, want 0", attempts))
	}
	calls := r.env.emu.Calls()
	if row.path == pathForce && row.release && calls["StopInstance"] != 0 {
		errs = append(errs, fmt.Sprintf("force_delete stopped the instance first (%d StopInstance)", calls["StopInstance"]))
	}
	if (row.path == pathSnapshot || row.path == pathFinal) && row.release {
		errs = append(errs, relSnapshotFirst(st, r.id, deletes)...)
	}
	if (row.path == pathDestroy || row.path == pathForce || row.path == pathFinal || row.path == pathSnapshot) && !row.release &&
		strings.HasPrefix(row.name, "protected") && calls["CreateSnapshotGroup"]+calls["StopInstance"] != 0 {
		errs = append(errs, fmt.Sprintf("a protected instance was touched: %d CreateSnapshotGroup, %d StopInstance",
			calls["CreateSnapshotGroup"], calls["StopInstance"]))
	}
	for _, f := range r.env.emu.Faults() {
		r.fired += f.Fired
	}
	if row.faulted {
		if r.fired == 0 {
			errs = append(errs, "no injected fault fired")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// relSnapshotFirst: the instance's snapshot group is accomplished (and
// kept), and when the release call ran every group of the instance was
// already accomplished.
func relSnapshotFirst(st emulator.State, id string, deletes []emulator.CallRecord) []string {
	var errs []string
	var groups []string
	for _, g := range st.SnapshotGroups {
		if g.InstanceId != id {
			continue
		}
		groups = append(groups, g.SnapshotGroupId)
		if g.Status != "accomplished" {
			errs = append(errs, fmt.Sprintf("snapshot group %s is %s", g.SnapshotGroupId, g.Status))
		}
	}
	if len(groups) != 1 {
		errs = append(errs, fmt.Sprintf("want one snapshot group of %s, emulator has %v", id, groups))
	}
	for _, d := range deletes {
		if len(d.Groups) == 0 {
			errs = append(errs, fmt.Sprintf("DeleteInstance (call %d) ran before any snapshot group existed", d.Seq))
		}
		var ids []string
		for g := range d.Groups {
			ids = append(ids, g)
		}
		sort.Strings(ids)
		for _, g := range ids {
			if d.Groups[g] != "accomplished" {
				errs = append(errs, fmt.Sprintf("DeleteInstance (call %d) ran while snapshot group %s was %s",
					d.Seq, g, d.Groups[g]))
			}
		}
	}
	return errs
}

// relMatrixFigures are the figures of the matrix, for RELIABILITY.md.
var relMatrixFigures struct {
	sync.Mutex
	rows, released, kept, steps       int
	faults, releases, keptDeleteCalls int
}

// TestAccReliability_releaseSafety runs the matrix.
func TestAccReliability_releaseSafety(t *testing.T) {
	t.Parallel()
	rows := releaseMatrix()
	for _, row := range rows {
		t.Run(row.path+"/"+row.name, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, row.opts)
			r := &relRun{t: t, env: env, cat: newInstanceCatalog(t, env)}
			if row.sdkInstance {
				r.id = accCreateInstance(t, env).id
			}
			env.emu.ResetCalls()
			steps := row.steps(r)
			steps = append(steps, resource.TestStep{
				PreConfig: func() {
					if row.beforeVerdict != nil {
						row.beforeVerdict(r)
					}
					if err := relVerdict(r, row); err != nil {
						t.Errorf("release safety, %s/%s: %v", row.path, row.name, err)
					}
					relClearFaults(env)
					if row.afterVerdict != nil {
						row.afterVerdict(r)
					}
				},
				Config: row.cleanup(r),
			})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy: func(*terraform.State) error {
					if row.sdkInstance {
						return nil // the machine is not Terraform's
					}
					if n := len(env.emu.State().Instances); n != 0 {
						return fmt.Errorf("%d instances left after destroy", n)
					}
					return nil
				},
				Steps: steps,
			})
			relFigures.Lock() // the suite-wide figures (faults were counted when cleared)
			relFigures.applies += len(steps) + 1
			relFigures.Unlock()
			relMatrixFigures.Lock()
			relMatrixFigures.rows++
			relMatrixFigures.steps += len(steps) + 1
			relMatrixFigures.faults += r.fired
			relMatrixFigures.releases += r.releases
			if row.release {
				relMatrixFigures.released++
			} else {
				relMatrixFigures.kept++
				relMatrixFigures.keptDeleteCalls += r.deleteCalls
			}
			f := []int{relMatrixFigures.rows, relMatrixFigures.released, relMatrixFigures.kept, relMatrixFigures.steps,
				relMatrixFigures.faults, relMatrixFigures.releases, relMatrixFigures.keptDeleteCalls}
			relMatrixFigures.Unlock()
			t.Logf("RELIABILITY %s: faults fired %d, DeleteInstance OK %d (calls %d)", t.Name(), r.fired, r.releases, r.deleteCalls)
			t.Logf("RELIABILITY release matrix so far: rows %d (must release %d, must keep %d), terraform runs %d, "+
				"faults fired %d, DeleteInstance OK %d, DeleteInstance calls in must-keep rows %d", f[0], f[1], f[2], f[3], f[4], f[5], f[6])
		})
	}
}
