package provider

import "testing"

// Journeys the explorer found failing on the main of issue #22, as it
// printed them once shrunk (see RELIABILITY.md). Each broke the invariant
// in its name before the fix.

// A replacement deleted the backup of the machine it released.
func TestAccExploreRegression_snapshotsOutliveTheirMachines_seed33(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 777666},
		{Kind: "apply", Arg: 0},
		{Kind: "replace", Arg: 1},
	})
}

// Turning release_instance_after_snapshot on replaced the snapshot: its
// group was deleted before a new one was taken.
func TestAccExploreRegression_snapshotsOutliveTheirMachines_releaseTurnedOn(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 932313},
		{Kind: "edit", Edit: "snapshots", Arg: 1},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "snap_release", Arg: 0},
		{Kind: "apply", Arg: 0},
	})
}

// Adding a kept data disk replaced the machine.
func TestAccExploreRegression_noReleaseUnasked_seed27(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 820759},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "disk", Arg: 867},
		{Kind: "apply", Arg: 0},
	})
}

// The refused destroy of a protected machine cancelled its release time.
func TestAccExploreRegression_destroySucceeds_seed20(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 338369},
		{Kind: "edit", Edit: "protect", Arg: 377},
		{Kind: "apply", Arg: 0},
	})
}

// -generate-config-out wrote spot settings an on-demand machine refused.
func TestAccExploreRegression_generatedConfigPlans_seed7(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 562437},
		{Kind: "apply", Arg: 0},
		{Kind: "generate", Arg: 2},
	})
}

// An interrupted destroy said "timed out after 190ms", and nothing of what
// to do next.
func TestAccExploreRegression_errorsSayWhatToDo_seed16(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 732321},
		{Kind: "apply", Arg: 0},
		{Kind: "destroy_int", Arg: 1755},
	})
}

// Found by `make explore` after the fixes above (seeds 100–179): a literal
// release_time set for a machine whose tombstone is in the state (its
// schedule removed by an interrupted destroy) was a plan error once the time
// passed, and so blocked terraform destroy.
func TestAccExploreRegression_destroySucceeds_seed101(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 423277},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "move", Arg: 765},
		{Kind: "destroy_int", Arg: 390},
		{Kind: "edit", Edit: "final", Arg: 556},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "schedule", Arg: 446},
		{Kind: "clock", Arg: 1560},
	})
}

// A literal release_time changed in the configuration and not applied, then
// passed: the plan error blocked terraform destroy without naming the way out.
func TestAccExploreRegression_destroySucceeds_seed159(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 64041},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "schedule_time", Arg: 62},
		{Kind: "clock", Arg: 1560},
		{Kind: "edit", Edit: "schedule", Arg: 437},
	})
}

// Not a regression: the policy's journey through the explorer's invariants,
// pinned so that it runs on every change. Checkpoints are taken and expire
// as the clock moves, a machine is released outside Terraform, the policy
// is removed: no automatic snapshot goes before its retention ends.
func TestAccExplorePolicy_checkpointsOnTheClock(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 777666},
		{Kind: "edit", Edit: "policy", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "clock", Arg: 26 * 60},
		{Kind: "outside", Edit: "release", Arg: 0},
		{Kind: "clock", Arg: 6 * 60},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "policy", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "clock", Arg: 26 * 60},
	})
}

// The settings of issue #23 that change in place, through the explorer's
// invariants: a kept data disk renamed, the public bandwidth from 0 and back
// (the public IP comes and goes), an import and a generated configuration
// between them, and a stop outside Terraform before the last change.
func TestAccExploreJourney_dataDiskNameAndBandwidth(t *testing.T) {
	t.Parallel()
	exploreReplay(t, []exploreStep{
		{Kind: "init", Arg: 16},
		{Kind: "edit", Edit: "disk", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "edit", Edit: "disk_name", Arg: 0},
		{Kind: "edit", Edit: "bandwidth", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "import", Arg: 0},
		{Kind: "generate", Arg: 0},
		{Kind: "edit", Edit: "bandwidth", Arg: 0},
		{Kind: "edit", Edit: "disk_name", Arg: 0},
		{Kind: "apply", Arg: 0},
		{Kind: "outside", Edit: "stop", Arg: 0},
		{Kind: "edit", Edit: "bandwidth", Arg: 0},
		{Kind: "apply", Arg: 0},
	})
}
