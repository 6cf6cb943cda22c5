package provider

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// relFigures collects what the reliability tests did, for RELIABILITY.md:
// every test logs its share with a "RELIABILITY" line (go test -v).
var relFigures struct {
	sync.Mutex
	faults, applies int
}

// relRecord logs the faults that fired in env and the applies a test ran.
func relRecord(t *testing.T, env *accEnv, applies int) {
	t.Helper()
	fired := 0
	for _, f := range env.emu.Faults() {
		fired += f.Fired
	}
	relFigures.Lock()
	relFigures.faults += fired
	relFigures.applies += applies
	totalFaults, totalApplies := relFigures.faults, relFigures.applies
	relFigures.Unlock()
	t.Logf("RELIABILITY %s: faults fired %d, applies %d (running total: faults %d, applies %d)",
		t.Name(), fired, applies, totalFaults, totalApplies)
}

// relClearFaults removes env's faults, counting those that fired first.
func relClearFaults(env *accEnv) {
	fired := 0
	for _, f := range env.emu.Faults() {
		fired += f.Fired
	}
	relFigures.Lock()
	relFigures.faults += fired
	relFigures.Unlock()
	env.emu.ClearFaults()
}

// relProvider is a provider block for env with a given retry budget.
func relProvider(env *accEnv, maxRetries int) string {
	return env.providerBlock(fmt.Sprintf("max_retries = %d", maxRetries))
}

// relWorkload is the configuration the fault tests apply: n instances, a
// schedule on the first, a snapshot of the second (n >= 2).
func relWorkload(c instanceCatalog, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
resource "aliecs_instance" "vm" {
  count              = %d
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  instance_name      = "rel-${count.index}"
  tags = {
    suite = "reliability"
  }
}

resource "aliecs_auto_release_schedule" "first" {
  instance_id   = aliecs_instance.vm[0].id
  release_after = "2h"
}

resource "aliecs_snapshot" "second" {
  instance_id = aliecs_instance.vm[1].id
  name        = "rel-snap"
}
`, n, c.image, c.vswitch, c.sg)
	return b.String()
}

// relStateIDs lists the ids of every resource of a type in the state.
// Tombstones (instances kept in state as Released) are not counted: the
// emulator no longer has them.
func relStateIDs(s *terraform.State, typ string) []string {
	var ids []string
	for _, rs := range s.RootModule().Resources {
		if rs.Type == typ && rs.Primary != nil && rs.Primary.Attributes["status"] != statusReleased {
			ids = append(ids, rs.Primary.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// relEmuIDs lists what the emulator holds: instances, instances with an
// auto-release time (schedules), snapshot groups.
func relEmuIDs(st emulator.State) (instances, scheduled, groups []string) {
	for _, in := range st.Instances {
		instances = append(instances, in.InstanceId)
		if in.AutoReleaseTime != "" {
			scheduled = append(scheduled, in.InstanceId)
		}
	}
	for _, g := range st.SnapshotGroups {
		groups = append(groups, g.SnapshotGroupId)
	}
	sort.Strings(instances)
	sort.Strings(scheduled)
	sort.Strings(groups)
	return instances, scheduled, groups
}

// relConverged is the promise of the whole suite: the emulator holds
// exactly the instances, schedules and snapshot groups the state says (no
// duplicate, no leak, nothing released that the state still holds).
func relConverged(env *accEnv) func(*terraform.State) error {
	return func(s *terraform.State) error {
		return relCompare(env.emu.State(), s)
	}
}

func relCompare(st emulator.State, s *terraform.State) error {
	instances, scheduled, groups := relEmuIDs(st)
	released := map[string]bool{}
	for _, rs := range s.RootModule().Resources {
		if rs.Type == "aliecs_instance" && rs.Primary.Attributes["status"] == statusReleased {
			released[rs.Primary.ID] = true
		}
	}
	var schedules []string // a schedule's id is its instance's id; fired ones stay with their tombstone
	for _, rs := range s.RootModule().Resources {
		if rs.Type == "aliecs_auto_release_schedule" && !released[rs.Primary.Attributes["instance_id"]] {
			schedules = append(schedules, rs.Primary.Attributes["instance_id"])
		}
	}
	sort.Strings(schedules)
	var errs []string
	for _, c := range []struct {
		what      string
		state, em []string
	}{
		{"instances", relStateIDs(s, "aliecs_instance"), instances},
		{"schedules", schedules, scheduled},
		{"snapshot groups", relStateIDs(s, "aliecs_snapshot"), groups},
	} {
		if strings.Join(c.state, ",") != strings.Join(c.em, ",") {
			errs = append(errs, fmt.Sprintf("%s: state %v, emulator %v", c.what, c.state, c.em))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("state and emulator disagree: %s", strings.Join(errs, "; "))
	}
	return nil
}

// relNothingLeft is a CheckDestroy: no instance, no snapshot group, no
// snapshot left.
func relNothingLeft(env *accEnv) func(*terraform.State) error {
	return func(*terraform.State) error {
		st := env.emu.State()
		if len(st.Instances)+len(st.SnapshotGroups)+len(st.Snapshots) != 0 {
			instances, _, groups := relEmuIDs(st)
			return fmt.Errorf("left after destroy: instances %v, snapshot groups %v, %d snapshots",
				instances, groups, len(st.Snapshots))
		}
		return nil
	}
}
