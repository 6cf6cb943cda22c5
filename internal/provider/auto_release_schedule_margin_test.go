package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// release_after = "30m" with this machine's clock 2 s behind the service's
// (and on a whole minute, where rounding up adds nothing): the provider
// resolves it at least 31 minutes ahead, so ECS accepts it.
func TestAccAutoReleaseSchedule_releaseAfterMinimumWithClockSkew(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	var emuAtApply time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The service at hh:mm:02, the provider at hh:mm:00.
				now := env.emu.Now()
				env.emu.AdvanceClock((2*time.Minute + 2*time.Second - now.Sub(now.Truncate(time.Minute))) % time.Minute)
				emuAtApply = env.emu.Now()
				env.fake.Set(emuAtApply.Truncate(time.Minute))
			},
			Config: env.config(scheduleConfig(id, "release_after", "30m")),
			Check: resource.TestCheckResourceAttrWith(scheduleAddr, "effective_release_time", func(v string) error {
				got, err := time.Parse(releaseTimeLayout, v)
				if err != nil {
					return err
				}
				if least := emuAtApply.Add(30 * time.Minute); got.Before(least) {
					return fmt.Errorf("effective_release_time %s is less than 30 minutes after the service's clock (%s)",
						v, formatReleaseTime(emuAtApply))
				}
				return nil
			}),
		}},
	})
}
