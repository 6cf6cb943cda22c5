package provider

import (
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestExploreInvariants: each invariant passes a hand-made safe record and
// fails a hand-made violation of it, so none of them is a check that cannot
// fail.
func TestExploreInvariants(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	machine := func(id, release string) emulator.Instance {
		return emulator.Instance{InstanceId: id, Status: "Running", AutoReleaseTime: release}
	}
	group := func(id, instance, status string, created time.Time) emulator.SnapshotGroup {
		return emulator.SnapshotGroup{SnapshotGroupId: id, InstanceId: instance, Status: status, CreationTime: created.Format(time.RFC3339)}
	}
	state := func(resources ...exploreResource) exploreState { return exploreState{resources: resources} }
	vm := func(i int, id string, attrs exploreAttrs) exploreResource {
		if attrs == nil {
			attrs = exploreAttrs{}
		}
		attrs["id"] = id
		return exploreResource{address: "aliecs_instance.vm[" + string(rune('0'+i)) + "]", typ: "aliecs_instance", attrs: attrs}
	}
	snap := func(name string, i int, id string) exploreResource {
		return exploreResource{address: "aliecs_snapshot." + name + "[" + string(rune('0'+i)) + "]", typ: "aliecs_snapshot", attrs: exploreAttrs{"id": id}}
	}
	view := func(now time.Time, instances []emulator.Instance, groups []emulator.SnapshotGroup, tf exploreState) exploreView {
		v := exploreView{now: now, instances: map[string]emulator.Instance{}, groups: map[string]emulator.SnapshotGroup{}, tf: tf}
		for _, in := range instances {
			v.instances[in.InstanceId] = in
		}
		for _, g := range groups {
			v.groups[g.SnapshotGroupId] = g
		}
		return v
	}
	withSnapshot := exploreConfig{Count: 1, Snapshots: 1}
	withSchedule := exploreConfig{Count: 1, Schedule: "after"}
	withFinal := exploreConfig{Count: 1, Final: true}

	for _, tc := range []struct {
		invariant string
		name      string
		rec       exploreRecord
		broken    bool
	}{
		{"destroySucceeds", "destroy of the copy works", exploreRecord{destroyCopy: &exploreCheck{ok: true}}, false},
		{"destroySucceeds", "destroy of the copy fails", exploreRecord{destroyCopy: &exploreCheck{output: "Error: Cannot shrink a disk"}}, true},

		{"snapshotsOutliveTheirMachines", "the user destroys the snapshot", exploreRecord{
			step: exploreStep{Kind: stepDestroy}, cfgAfter: withSnapshot,
			before: view(t0, nil, []emulator.SnapshotGroup{group("ssg-1", "i-1", "accomplished", t0)}, state(snap("a", 0, "ssg-1"))),
			after:  view(t0, nil, nil, state()),
		}, false},
		{"snapshotsOutliveTheirMachines", "a replacement deletes the backup", exploreRecord{
			step: exploreStep{Kind: stepApply}, cfgAfter: withSnapshot, ran: true,
			before: view(t0, nil, []emulator.SnapshotGroup{group("ssg-1", "i-1", "accomplished", t0)}, state(snap("a", 0, "ssg-1"))),
			after:  view(t0, nil, []emulator.SnapshotGroup{group("ssg-2", "i-2", "accomplished", t0)}, state(snap("a", 0, "ssg-2"))),
		}, true},
		{"snapshotsOutliveTheirMachines", "a final snapshot is deleted", exploreRecord{
			step:   exploreStep{Kind: stepDestroy},
			before: view(t0, nil, []emulator.SnapshotGroup{group("ssg-9", "i-1", "accomplished", t0)}, state()),
			after:  view(t0, nil, nil, state()),
		}, true},

		{"autoSnapshotsLastTheirRetention", "an automatic snapshot expires", exploreRecord{
			before: exploreView{autos: map[string]emulator.Snapshot{"s-1": {SnapshotId: "s-1", CreationTime: t0.Format(time.RFC3339), RetentionDays: 1}}},
			after:  exploreView{now: t0.Add(25 * time.Hour), autos: map[string]emulator.Snapshot{}},
		}, false},
		{"autoSnapshotsLastTheirRetention", "a release deletes an automatic snapshot", exploreRecord{
			before: exploreView{autos: map[string]emulator.Snapshot{"s-1": {SnapshotId: "s-1", CreationTime: t0.Format(time.RFC3339), RetentionDays: 1}}},
			after:  exploreView{now: t0.Add(2 * time.Hour), autos: map[string]emulator.Snapshot{}},
		}, true},

		{"finalSnapshotTakenByThatDestroy", "a new final snapshot", exploreRecord{
			step: exploreStep{Kind: stepDestroy}, ran: true, startedAt: t0.Add(24 * time.Hour), cfgBefore: withFinal,
			before: view(t0.Add(24*time.Hour), []emulator.Instance{machine("i-1", "")}, nil, state(vm(0, "i-1", exploreAttrs{"final_snapshot": map[string]any{}}))),
			after:  view(t0.Add(25*time.Hour), nil, []emulator.SnapshotGroup{group("ssg-2", "i-1", "accomplished", t0.Add(24*time.Hour+time.Minute))}, state()),
		}, false},
		{"finalSnapshotTakenByThatDestroy", "yesterday's snapshot reused", exploreRecord{
			step: exploreStep{Kind: stepDestroy}, ran: true, startedAt: t0.Add(24 * time.Hour), cfgBefore: withFinal,
			before: view(t0.Add(24*time.Hour), []emulator.Instance{machine("i-1", "")}, []emulator.SnapshotGroup{group("ssg-1", "i-1", "accomplished", t0)}, state(vm(0, "i-1", exploreAttrs{"final_snapshot": map[string]any{}}))),
			after:  view(t0.Add(25*time.Hour), nil, []emulator.SnapshotGroup{group("ssg-1", "i-1", "accomplished", t0)}, state()),
		}, true},

		{"scheduledMachinesKeepAReleaseTime", "the time stays", exploreRecord{
			step: exploreStep{Kind: stepDestroy}, ran: true, failed: true, cfgAfter: withSchedule,
			before: view(t0, []emulator.Instance{machine("i-1", "2030-01-03T00:00Z")}, nil, state(vm(0, "i-1", nil))),
			after:  view(t0, []emulator.Instance{machine("i-1", "2030-01-03T00:00Z")}, nil, state(vm(0, "i-1", nil))),
		}, false},
		{"scheduledMachinesKeepAReleaseTime", "a failed destroy cancels the release", exploreRecord{
			step: exploreStep{Kind: stepDestroy}, ran: true, failed: true, cfgAfter: withSchedule,
			before: view(t0, []emulator.Instance{machine("i-1", "2030-01-03T00:00Z")}, nil, state(vm(0, "i-1", nil))),
			after:  view(t0, []emulator.Instance{machine("i-1", "")}, nil, state(vm(0, "i-1", nil))),
		}, true},
		{"scheduledMachinesKeepAReleaseTime", "an apply leaves a new machine without one", exploreRecord{
			step: exploreStep{Kind: stepApply}, ran: true, applied: true, cfgAfter: withSchedule,
			before: view(t0, nil, nil, state()),
			after:  view(t0, []emulator.Instance{machine("i-1", "")}, nil, state(vm(0, "i-1", nil))),
		}, true},

		{"noReleaseUnasked", "the schedule fires", exploreRecord{
			step:   exploreStep{Kind: stepClock, Arg: 120},
			before: view(t0, []emulator.Instance{machine("i-1", "2030-01-02T04:00Z")}, nil, state(vm(0, "i-1", nil))),
			after:  view(t0.Add(2*time.Hour), nil, nil, state(vm(0, "i-1", nil))),
		}, false},
		{"noReleaseUnasked", "an in-place edit releases the machine", exploreRecord{
			step: exploreStep{Kind: stepApply}, ran: true, applied: true,
			before: view(t0, []emulator.Instance{machine("i-1", "")}, nil, state(vm(0, "i-1", nil))),
			after:  view(t0, []emulator.Instance{machine("i-2", "")}, nil, state(vm(0, "i-2", nil))),
		}, true},

		{"planEmptyAfterApply", "empty", exploreRecord{applied: true, planAfter: &exploreCheck{ok: true}}, false},
		{"planEmptyAfterApply", "changes after apply", exploreRecord{applied: true, planAfter: &exploreCheck{output: "Plan: 0 to add, 1 to change"}}, true},
		{"planEmptyAfterApply", "import then replace", exploreRecord{imported: "aliecs_instance.vm[0]", planAfter: &exploreCheck{output: "# aliecs_instance.vm[0] must be replaced"}}, true},

		{"errorsSayWhatToDo", "an error with advice", exploreRecord{output: "Error: Instance is protected\n\nSet deletion_protection = false, apply, then destroy.\n\n\n"}, false},
		{"errorsSayWhatToDo", "an inconsistent final plan", exploreRecord{output: "Error: Provider produced inconsistent final plan\n\nWhen expanding the plan for x to include new values learned so far during apply, provider produced an invalid new value for .estimated_cost_until_release: was known, but now unknown.\n"}, true},
		{"errorsSayWhatToDo", "an error without advice", exploreRecord{output: "Error: Something went wrong\n\nInternal problem.\n\n\n"}, true},

		{"generatedConfigPlans", "plans", exploreRecord{generated: &exploreCheck{ok: true}}, false},
		{"generatedConfigPlans", "refused", exploreRecord{generated: &exploreCheck{output: "Error: spot_duration without a spot strategy"}}, true},
	} {
		t.Run(tc.invariant+"/"+tc.name, func(t *testing.T) {
			var inv *exploreInvariant
			for i := range exploreInvariants {
				if exploreInvariants[i].name == tc.invariant {
					inv = &exploreInvariants[i]
				}
			}
			if inv == nil {
				t.Fatalf("no invariant %q", tc.invariant)
			}
			err := inv.check(tc.rec)
			if tc.broken && err == nil {
				t.Errorf("%s accepts a violation", tc.invariant)
			}
			if !tc.broken && err != nil {
				t.Errorf("%s refuses a safe step: %v", tc.invariant, err)
			}
		})
	}
}

// TestExploreJourneysAreReproducible: a seed always gives the same steps,
// and different seeds explore different journeys.
func TestExploreJourneysAreReproducible(t *testing.T) {
	a, b := generateJourney(42, 10), generateJourney(42, 10)
	if stepList(a) != stepList(b) {
		t.Fatalf("seed 42 gave two journeys:\n%s\n%s", stepList(a), stepList(b))
	}
	if stepList(a) == stepList(generateJourney(43, 10)) {
		t.Fatal("seeds 42 and 43 gave the same journey")
	}
	if a[0].Kind != stepInit || a[len(a)-1].Kind != stepDestroy {
		t.Fatalf("a journey starts with a configuration and ends with a destroy:\n%s", stepList(a))
	}
}
