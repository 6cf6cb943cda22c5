package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The explorer's invariants: what "safe" means, checked after every step of
// every journey (explore_test.go). Each is a function of one step's record,
// so each is also tested on hand-made records, a violation among them
// (TestExploreInvariants).

type exploreInvariant struct {
	name  string
	check func(exploreRecord) error
}

var exploreInvariants = []exploreInvariant{
	{"destroySucceeds", destroySucceeds},
	{"snapshotsOutliveTheirMachines", snapshotsOutliveTheirMachines},
	{"autoSnapshotsLastTheirRetention", autoSnapshotsLastTheirRetention},
	{"finalSnapshotTakenByThatDestroy", finalSnapshotTakenByThatDestroy},
	{"scheduledMachinesKeepAReleaseTime", scheduledMachinesKeepAReleaseTime},
	{"noReleaseUnasked", noReleaseUnasked},
	{"planEmptyAfterApply", planEmptyAfterApply},
	{"errorsSayWhatToDo", errorsSayWhatToDo},
	{"generatedConfigPlans", generatedConfigPlans},
}

// 1. terraform destroy succeeds from the state reached (without
// -refresh=false), run against a copy of the world. Two refusals are by
// design: deletion protection (which must not cancel a release time), and
// a reference that no longer exists in an argument being created or
// changed, whose error names terraform destroy -refresh=false (which must
// then succeed); see destroyCopy.
func destroySucceeds(rec exploreRecord) error {
	if rec.destroyCopy == nil || rec.destroyCopy.ok {
		return nil
	}
	return fmt.Errorf("terraform destroy fails from this state:\n%s", summarize(rec.destroyCopy.output))
}

// 2. No snapshot group is deleted while its machine, or the only copy of a
// released machine, needs it; the one exception is the user's own destroy
// or removal of that aliecs_snapshot (a replacement is not). Groups no
// aliecs_snapshot manages (final snapshots) are never deleted; failed ones
// hold nothing.
func snapshotsOutliveTheirMachines(rec exploreRecord) error {
	userDestroy := rec.step.Kind == stepDestroy || rec.step.Kind == stepDestroyInterrupted
	var problems []string
	for id, g := range rec.before.groups {
		if _, kept := rec.after.groups[id]; kept || g.Status == "failed" {
			continue
		}
		addr := ""
		for _, r := range rec.before.tf.byType("aliecs_snapshot") {
			if r.attrs.id() == id {
				addr = r.address
			}
		}
		switch {
		case addr == "":
			problems = append(problems, fmt.Sprintf("snapshot group %s of instance %s, which no aliecs_snapshot manages (a final snapshot), was deleted", id, g.InstanceId))
		case userDestroy:
		case rec.cfgAfter.hasSnapshot(snapshotAddress(addr)):
			problems = append(problems, fmt.Sprintf("snapshot group %s of instance %s was deleted although %s is still configured (a replacement is not the user's delete)", id, g.InstanceId, addr))
		}
	}
	return joinProblems(problems)
}

// 2b. An automatic snapshot (aliecs_snapshot_policy) is deleted only by its
// retention: no apply, destroy, release or removal of the policy deletes
// one earlier, whether its machine still runs or not (the provider sets
// DeleteAutoSnapshot=false on the policy's disks).
func autoSnapshotsLastTheirRetention(rec exploreRecord) error {
	var problems []string
	for id, s := range rec.before.autos {
		if _, kept := rec.after.autos[id]; kept {
			continue
		}
		created, err := time.Parse(time.RFC3339, s.CreationTime)
		if err == nil && s.RetentionDays > 0 && !created.Add(time.Duration(s.RetentionDays)*24*time.Hour).After(rec.after.now) {
			continue // expired
		}
		problems = append(problems, fmt.Sprintf("automatic snapshot %s of disk %s (taken %s, kept %d days) was deleted at %s, before its retention ended",
			id, s.SourceDiskId, s.CreationTime, s.RetentionDays, rec.after.now.Format(time.RFC3339)))
	}
	return joinProblems(problems)
}

// snapshotAddress splits aliecs_snapshot.a[1] into "a" and 1.
func snapshotAddress(addr string) (string, int) {
	m := regexp.MustCompile(`^aliecs_snapshot\.(\w+)\[(\d+)\]$`).FindStringSubmatch(addr)
	if m == nil {
		return "", 0
	}
	i, _ := strconv.Atoi(m[2])
	return m[1], i
}

// 3. A machine with final_snapshot released by the provider has a snapshot
// taken by that step: accomplished, created after the step began.
func finalSnapshotTakenByThatDestroy(rec exploreRecord) error {
	if !rec.ran {
		return nil
	}
	var problems []string
	for _, r := range rec.before.tf.byType("aliecs_instance") {
		id := r.attrs.id()
		if _, alive := rec.before.instances[id]; !alive || r.attrs["final_snapshot"] == nil {
			continue
		}
		if _, still := rec.after.instances[id]; still || releasedByOthers(rec, id) {
			continue
		}
		fresh := false
		for _, g := range rec.after.groups {
			created, err := time.Parse(time.RFC3339, g.CreationTime)
			if g.InstanceId == id && g.Status == "accomplished" && err == nil && !created.Before(rec.startedAt.Add(-time.Second).Truncate(time.Second)) {
				fresh = true
			}
		}
		if !fresh {
			problems = append(problems, fmt.Sprintf("instance %s (final_snapshot set) was released with no snapshot taken by this step (began %s); its groups: %s",
				id, rec.startedAt.Format(time.RFC3339), groupsOfInstance(rec.after, id)))
		}
	}
	return joinProblems(problems)
}

// releasedByOthers: the machine's release is not the provider's Delete:
// its schedule came due, a spot reclaim, an outside release, or its
// snapshot's release_instance_after_snapshot.
func releasedByOthers(rec exploreRecord, id string) bool {
	if rec.reclaimed[id] || (rec.step.Kind == stepOutside && rec.step.Edit == "release") {
		return true
	}
	if at := rec.before.instances[id].AutoReleaseTime; at != "" {
		if t, err := time.Parse("2006-01-02T15:04Z", at); err == nil && !t.After(rec.after.now) {
			return true
		}
	}
	return rec.cfgAfter.SnapRelease && rec.cfgAfter.Snapshots > 0
}

func groupsOfInstance(v exploreView, id string) string {
	var out []string
	for _, g := range v.groups {
		if g.InstanceId == id {
			out = append(out, g.SnapshotGroupId+" "+g.Status+" "+g.CreationTime)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// 4. A machine whose configuration has a schedule is never left without a
// release time: one it had stays (through any apply, failed or not, and any
// failed destroy), and a successful apply gives one to every machine. One
// exception, the known limit: an interrupt that stops Terraform after a
// schedule's destroy and before its instance's.
func scheduledMachinesKeepAReleaseTime(rec exploreRecord) error {
	if rec.cfgAfter.Schedule == "" {
		return nil
	}
	var problems []string
	for _, r := range rec.after.tf.byType("aliecs_instance") {
		id := r.attrs.id()
		in, alive := rec.after.instances[id]
		if !alive || in.AutoReleaseTime != "" || !configuredMachine(rec.cfgAfter, r.address) {
			continue
		}
		if rec.step.Kind == stepDestroyInterrupted && !scheduledIn(rec.after.tf, id) {
			// The known limit (RELIABILITY.md): the interrupt stopped
			// Terraform after the schedule's destroy and before the
			// instance's; the next apply schedules it again.
			continue
		}
		if rec.before.instances[id].AutoReleaseTime != "" {
			problems = append(problems, fmt.Sprintf("instance %s (%s) had release time %s before this step and has none after it",
				id, r.address, rec.before.instances[id].AutoReleaseTime))
		} else if rec.applied {
			problems = append(problems, fmt.Sprintf("instance %s (%s) has no release time after a successful apply of a configuration with a schedule", id, r.address))
		}
	}
	return joinProblems(problems)
}

// scheduledIn: the state holds a schedule of the instance.
func scheduledIn(s exploreState, id string) bool {
	for _, r := range s.byType("aliecs_auto_release_schedule") {
		if r.attrs.id() == id {
			return true
		}
	}
	return false
}

// configuredMachine: aliecs_instance.<name>[i] with i < count.
func configuredMachine(cfg exploreConfig, addr string) bool {
	m := regexp.MustCompile(`^aliecs_instance\.(\w+)\[(\d+)\]$`).FindStringSubmatch(addr)
	if m == nil || (m[1] != cfg.name() && m[1] != cfg.otherName()) { // a moved {} block maps one to the other
		return false
	}
	i, _ := strconv.Atoi(m[2])
	return i < cfg.Count
}

// 5. No machine is released unless a destroy, a replacement, a count
// decrease, its schedule, a snapshot with release_instance_after_snapshot,
// a reclaim or an outside release asked for it.
func noReleaseUnasked(rec exploreRecord) error {
	var problems []string
	for id := range rec.before.instances {
		if _, still := rec.after.instances[id]; still {
			continue
		}
		switch {
		case rec.step.Kind == stepDestroy || rec.step.Kind == stepDestroyInterrupted:
		case releasedByOthers(rec, id):
		case rec.ran && rec.mayRelease:
		case rec.ran && taintedIn(rec.before.tf, id):
		default:
			problems = append(problems, fmt.Sprintf("instance %s was released by step %q, which asked for no release", id, rec.step))
		}
	}
	return joinProblems(problems)
}

func taintedIn(s exploreState, id string) bool {
	for _, r := range s.byType("aliecs_instance") {
		if r.attrs.id() == id && r.tainted {
			return true
		}
	}
	return false
}

// 6. After a successful apply the next plan is empty; after an import (of
// a configuration with no edit waiting to be applied) it replaces nothing.
func planEmptyAfterApply(rec exploreRecord) error {
	if rec.planAfter == nil || rec.planAfter.ok {
		return nil
	}
	if rec.imported != "" && !rec.applied {
		if rec.edited {
			return nil // the plan also carries edits not applied yet
		}
		if strings.Contains(rec.planAfter.output, "must be replaced") || strings.Contains(rec.planAfter.output, "Error:") {
			return fmt.Errorf("the plan after importing %s replaces or fails:\n%s", rec.imported, summarize(rec.planAfter.output))
		}
		return nil
	}
	return fmt.Errorf("the plan after a successful apply is not empty:\n%s", summarize(rec.planAfter.output))
}

// Terraform's own words for an interrupted run; not the provider's errors.
var terraformInterruptErrors = regexp.MustCompile(`(?i)execution halted|operation canceled|interrupt received`)

// An error names what to do next when it says one of these.
var whatToDoNext = regexp.MustCompile(`(?i)\b(run|re-?run|apply|retry|set|remove|change|use|wait|import|add|choose|delete|start|stop|fix|check|try|replace|raise|lower|pick|give|rename|upgrade)\b`)

// Phrases of a provider bug Terraform detected.
var providerBugs = regexp.MustCompile(`(?i)inconsistent final plan|Provider produced invalid plan|produced an unexpected new value|inconsistent result after apply|panic:|Plugin did not respond|provider crashed`)

// 7. No error is a provider bug Terraform detected, and every error says
// what to do next.
func errorsSayWhatToDo(rec exploreRecord) error {
	outputs := []string{rec.output}
	for _, c := range []*exploreCheck{rec.planAfter, rec.destroyCopy, rec.generated} {
		if c != nil {
			outputs = append(outputs, c.output)
		}
	}
	var problems []string
	for _, out := range outputs {
		if m := providerBugs.FindString(out); m != "" {
			problems = append(problems, fmt.Sprintf("terraform reports a provider bug (%q):\n%s", m, summarize(out)))
		}
		for _, block := range errorBlocks(out) {
			if terraformInterruptErrors.MatchString(block) || whatToDoNext.MatchString(block) {
				continue
			}
			problems = append(problems, "an error that does not say what to do next:\n"+block)
		}
	}
	return joinProblems(problems)
}

// errorBlocks cuts terraform's output into its "Error:" diagnostics.
func errorBlocks(out string) []string {
	var blocks []string
	parts := strings.Split(out, "Error: ")
	for _, p := range parts[1:] {
		if i := strings.Index(p, "\n\n\n"); i >= 0 {
			p = p[:i]
		}
		if len(p) > 2000 {
			p = p[:2000]
		}
		blocks = append(blocks, "Error: "+p)
	}
	return blocks
}

// 8. A configuration -generate-config-out wrote plans without an error.
func generatedConfigPlans(rec exploreRecord) error {
	if rec.generated == nil || rec.generated.ok {
		return nil
	}
	return fmt.Errorf("the configuration -generate-config-out wrote does not plan:\n%s", summarize(rec.generated.output))
}

func joinProblems(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

// summarize keeps what explains a failure: the lines of a plan that change
// something, and every error and warning, not the whole output.
func summarize(out string) string {
	var keep []string
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "# ") || strings.HasPrefix(t, "Plan:") || strings.Contains(t, "forces replacement") ||
			strings.HasPrefix(t, "~ ") && !strings.HasSuffix(t, "{") {
			keep = append(keep, line)
		}
	}
	keep = append(keep, errorBlocks(out)...)
	for _, p := range strings.Split(out, "Warning: ")[1:] {
		if i := strings.Index(p, "\n\n\n"); i >= 0 {
			p = p[:i]
		}
		if !strings.HasPrefix(p, "Provider development overrides") {
			keep = append(keep, "Warning: "+tail(p, 800))
		}
	}
	return tail(strings.Join(keep, "\n"), 4000)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
