package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccServiceClock_skew: the service's clock is 3 hours off this
// machine's, ahead or behind. The provider (on the wall clock, as in
// production) checks release windows and resolves release_after against the
// service's time, learnt from the Date of its answers: a time that is only
// in this machine's future is refused at plan, a time that only looks too
// soon here is accepted, and release_after counts from the service's now.
func TestAccServiceClock_skew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		skew time.Duration
	}{
		{"ahead", 3 * time.Hour},
		{"behind", -3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, emulator.Options{ClockOffset: tc.skew})
			cat := newInstanceCatalog(t, env)
			id := env.instanceCreateOutside(cat, "skewed", nil)
			literal := func(serviceAhead time.Duration) string {
				// Written once the step runs: "now" moves while the test does.
				return time.Now().UTC().Add(serviceAhead).Truncate(time.Minute).Format(time.RFC3339)
			}
			// 2 h ahead of this machine: in the service's past when it is 3 h
			// ahead, 5 h in its future when it is 3 h behind.
			local2h := literal(2 * time.Hour)
			// 20 min ahead of this machine: too soon here, yet 3 h 20 min
			// ahead of a service that is 3 h behind.
			local20m := literal(20 * time.Minute)
			var effective string
			steps := []resource.TestStep{}
			if tc.skew > 0 {
				steps = append(steps, resource.TestStep{
					Config:      env.config(scheduleOn(fmt.Sprintf("%q", id), fmt.Sprintf("release_time = %q", local2h))),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)release_time.*too soon|(?s)in the past`),
				})
			} else {
				steps = append(steps, resource.TestStep{
					Config: env.config(scheduleOn(fmt.Sprintf("%q", id), fmt.Sprintf("release_time = %q", local20m))),
					Check: func(*terraform.State) error {
						if got := env.instanceInEmu(id).AutoReleaseTime; !sameMinute(got, local20m) {
							return fmt.Errorf("emulator auto-release time %q, want %q", env.instanceInEmu(id).AutoReleaseTime, local20m)
						}
						return nil
					},
				})
			}
			steps = append(steps, resource.TestStep{
				Config: env.config(scheduleOn(fmt.Sprintf("%q", id), `release_after = "2h"`)),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith("aliecs_auto_release_schedule.test", "effective_release_time", func(v string) error {
						effective = v
						at, err := time.Parse(time.RFC3339, v)
						if err != nil {
							return err
						}
						want := env.emu.Now().Add(2 * time.Hour)
						if d := at.Sub(want); d < -3*time.Minute || d > 3*time.Minute {
							return fmt.Errorf("release_after = 2h resolved to %s, %v from the service's now + 2h (%s): not the service's clock",
								v, d.Round(time.Second), want.Format(time.RFC3339))
						}
						return nil
					}),
					func(*terraform.State) error {
						if got := env.instanceInEmu(id).AutoReleaseTime; !sameMinute(got, effective) {
							return fmt.Errorf("emulator auto-release time %q, state says %q", got, effective)
						}
						return nil
					},
				),
			})
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
		})
	}
}

// sameMinute compares the service's yyyy-MM-ddTHH:mmZ with RFC 3339.
func sameMinute(service, rfc3339 string) bool {
	a, err1 := time.Parse("2006-01-02T15:04Z", service)
	b, err2 := time.Parse(time.RFC3339, rfc3339)
	return err1 == nil && err2 == nil && a.Equal(b)
}
