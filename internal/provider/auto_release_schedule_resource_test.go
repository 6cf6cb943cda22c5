package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

const scheduleAddr = "aliecs_auto_release_schedule.test"

// scheduleEnv is an acceptance environment whose provider runs on a fake
// clock set to the emulator's time, so a test can move both clocks together
// (or only the provider's, to apply a saved plan "late").
type scheduleEnv struct {
	*accEnv
	fake *clock.Fake // nil when the provider runs on the real clock
	sdk  *ecs.Client
}

func newScheduleEnv(t *testing.T) *scheduleEnv {
	t.Helper()
	env := newScheduleEnvRealClock(t)
	env.fake = clock.NewFake(env.emu.Now())
	env.clock = env.fake
	return env
}

// config is accEnv.config with the client-side rate limit off: ecsapi
// measures context deadlines with the injected clock, so a fake clock moved
// ahead of the wall clock must never make it wait for a token.
func (e *scheduleEnv) config(body string) string {
	if e.fake == nil {
		return e.accEnv.config(body)
	}
	return e.providerBlock("max_requests_per_second = 0") + body
}

// newScheduleEnvRealClock leaves the provider on the wall clock, for tests
// that also run aliecs_instance, whose waiters need a clock that agrees
// with their context deadlines.
func newScheduleEnvRealClock(t *testing.T) *scheduleEnv {
	t.Helper()
	env := newAccEnv(t, emulator.Options{})
	u, err := url.Parse(env.server.URL)
	if err != nil {
		t.Fatal(err)
	}
	// A real SDK client, signing real requests: the "outside Terraform"
	// actor (console, script) of the drift tests.
	sdk, err := ecs.NewClientWithAccessKey(accRegion, accAccessKey, accSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	sdk.Domain = u.Host
	return &scheduleEnv{accEnv: env, sdk: sdk}
}

// advance moves the emulator's and the provider's clocks forward together
// (only the emulator's when the provider runs on the real clock).
func (e *scheduleEnv) advance(d time.Duration) {
	e.emu.AdvanceClock(d)
	if e.fake != nil {
		e.fake.Set(e.emu.Now())
	}
}

// runInstance creates a pay-as-you-go instance outside Terraform, through the SDK.
func (e *scheduleEnv) runInstance() string {
	e.t.Helper()
	cat := e.emu.State().Catalog
	req := ecs.CreateRunInstancesRequest()
	req.Scheme = "http"
	req.RegionId = accRegion
	req.Amount = "1"
	req.InstanceName = "scheduled"
	for _, im := range cat.Images {
		req.ImageId = im.ImageId
		break
	}
	for _, it := range cat.InstanceTypes {
		if it.GPUAmount == 0 {
			req.InstanceType = it.InstanceTypeId
			break
		}
	}
	for _, v := range cat.VSwitches {
		if v.RegionID == accRegion {
			req.VSwitchId = v.ID
			for _, sg := range cat.SecurityGroups {
				if sg.VpcID == v.VpcID {
					req.SecurityGroupId = sg.ID
					break
				}
			}
			break
		}
	}
	resp, err := e.sdk.RunInstances(req)
	if err != nil {
		e.t.Fatalf("RunInstances through the SDK: %v", err)
	}
	if len(resp.InstanceIdSets.InstanceIdSet) != 1 {
		e.t.Fatalf("RunInstances returned %v", resp.InstanceIdSets.InstanceIdSet)
	}
	return resp.InstanceIdSets.InstanceIdSet[0]
}

// setOutside changes (or with "" cancels) an instance's schedule through the SDK.
func (e *scheduleEnv) setOutside(id, releaseTime string) {
	e.t.Helper()
	req := ecs.CreateModifyInstanceAutoReleaseTimeRequest()
	req.Scheme = "http"
	req.RegionId = accRegion
	req.InstanceId = id
	req.AutoReleaseTime = releaseTime
	if _, err := e.sdk.ModifyInstanceAutoReleaseTime(req); err != nil {
		e.t.Fatalf("ModifyInstanceAutoReleaseTime through the SDK: %v", err)
	}
}

// apiReleaseTime is the instance's AutoReleaseTime as DescribeInstances
// reports it through the SDK ("" = none); ok is false when the instance is gone.
func (e *scheduleEnv) apiReleaseTime(id string) (string, bool, error) {
	req := ecs.CreateDescribeInstancesRequest()
	req.Scheme = "http"
	req.RegionId = accRegion
	req.InstanceIds = fmt.Sprintf("[%q]", id)
	resp, err := e.sdk.DescribeInstances(req)
	if err != nil {
		return "", false, err
	}
	if len(resp.Instances.Instance) == 0 {
		return "", false, nil
	}
	return resp.Instances.Instance[0].AutoReleaseTime, true, nil
}

// at is a release time relative to the emulator's clock, on a whole minute.
func (e *scheduleEnv) at(d time.Duration) string {
	return formatReleaseTime(e.emu.Now().Truncate(time.Minute).Add(d))
}

// checkAPI asserts the schedule ECS reports, in API format (yyyy-MM-ddTHH:mmZ).
func (e *scheduleEnv) checkAPI(id string, want func() string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, exists, err := e.apiReleaseTime(id)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("instance %s is gone", id)
		}
		w := want()
		if w != "" {
			t, _ := parseReleaseTime(w)
			w = t.Format(apiReleaseTimeLayout)
		}
		if got != w {
			return fmt.Errorf("instance %s: AutoReleaseTime = %q, want %q", id, got, w)
		}
		return nil
	}
}

// checkCancelled is the CheckDestroy of every test: destroying the schedule
// cancels it and leaves the instance alone.
func (e *scheduleEnv) checkCancelled(id string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, exists, err := e.apiReleaseTime(id)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("instance %s was released; destroying a schedule must leave it alone", id)
		}
		if got != "" {
			return fmt.Errorf("instance %s still has AutoReleaseTime %q after destroy", id, got)
		}
		return nil
	}
}

func scheduleConfig(id, attr, value string) string {
	return fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id = %q
  %s = %q
}
`, id, attr, value)
}

func TestAccAutoReleaseSchedule_releaseTime(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	first := env.at(2 * time.Hour)
	second := env.at(3 * time.Hour)
	secondWithSeconds := second[:len(second)-3] + "42Z"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_time", first)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(scheduleAddr, tfjsonpath.New("effective_release_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("release_time"), knownvalue.StringExact(first)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("release_after"), knownvalue.Null()),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("effective_release_time"), knownvalue.StringExact(first)),
				},
				Check: env.checkAPI(id, func() string { return first }),
			},
			{
				ResourceName:      scheduleAddr,
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
				// An imported schedule has no time it was set: no estimate.
				ImportStateVerifyIgnore: []string{"estimated_cost_until_release"},
			},
			{
				// Seconds: a warning, the user's string kept in state, the
				// truncated time applied, no "inconsistent result".
				Config: env.config(scheduleConfig(id, "release_time", secondWithSeconds)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(scheduleAddr, tfjsonpath.New("effective_release_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("release_time"), knownvalue.StringExact(secondWithSeconds)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("effective_release_time"), knownvalue.StringExact(second)),
				},
				Check: env.checkAPI(id, func() string { return second }),
			},
		},
	})
}

func TestAccAutoReleaseSchedule_releaseAfter(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	var before time.Time
	var resolved string
	later := env.at(100 * time.Hour)
	inRange := func(d time.Duration) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			got := s.RootModule().Resources[scheduleAddr].Primary.Attributes["effective_release_time"]
			t, err := parseReleaseTime(got)
			if err != nil {
				return err
			}
			lo, hi := before.Add(d), env.fake.Now().Add(d+time.Minute)
			if t.Before(lo) || t.After(hi) || t.Second() != 0 {
				return fmt.Errorf("effective_release_time %s is not on a minute between %s and %s", got, lo, hi)
			}
			resolved = got
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { before = env.fake.Now() },
				Config:    env.config(scheduleConfig(id, "release_after", "36h")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("release_after"), knownvalue.StringExact("36h")),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("release_time"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(inRange(36*time.Hour), env.checkAPI(id, func() string { return resolved })),
			},
			{
				// Hours later, an unchanged release_after is not recomputed.
				PreConfig: func() { env.advance(5 * time.Hour) },
				Config:    env.config(scheduleConfig(id, "release_after", "36h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[scheduleAddr].Primary.Attributes["effective_release_time"]; got != resolved {
							return fmt.Errorf("effective_release_time moved from %s to %s", resolved, got)
						}
						return nil
					},
					env.checkAPI(id, func() string { return resolved })),
			},
			{
				PreConfig: func() { before = env.fake.Now() },
				Config:    env.config(scheduleConfig(id, "release_after", "2d")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(inRange(48*time.Hour), env.checkAPI(id, func() string { return resolved })),
			},
			{
				// Switching to release_time.
				Config: env.config(scheduleConfig(id, "release_time", later)),
				Check:  env.checkAPI(id, func() string { return later }),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_validateErrors: bad input is refused by
// terraform validate/plan, on the attribute, before any API call.
func TestAccAutoReleaseSchedule_validateErrors(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	const id = "i-abcdefgh12345678"
	var steps []resource.TestStep
	for _, tc := range []struct {
		body string
		want string
	}{
		{scheduleConfig(id, "release_time", "2027-01-30"), `"2027-01-30" is not a time in the format`},
		{scheduleConfig(id, "release_time", "2027-01-30T08:00:00+08:00"), `(?s)UTC offset \+08:00.*"2027-01-30T00:00:00Z"`},
		{scheduleConfig(id, "release_time", "2027-01-30T00:00:00z"), `lowercase`},
		{scheduleConfig(id, "release_time", "2027-02-29T00:00:00Z"), `February 2027 has days 01 to 28`},
		{scheduleConfig(id, "release_time", "2027-01-30T00:00:00.5Z"), `fractional seconds`},
		{scheduleConfig(id, "release_after", "10m"), `"10m" is less than 30 minutes`},
		{scheduleConfig(id, "release_after", "1096d"), `more than 3 years \(1095d\)`},
		{scheduleConfig(id, "release_after", "2w"), `"2w" is not a duration`},
		{`
resource "aliecs_auto_release_schedule" "test" {
  instance_id   = "` + id + `"
  release_time  = "2027-01-30T00:00:00Z"
  release_after = "2h"
}`, `(?s)Invalid Attribute Combination.*release_after`},
		{`
resource "aliecs_auto_release_schedule" "test" {
  instance_id = "` + id + `"
}`, `(?s)Missing Attribute Configuration.*Exactly\s+one\s+of.*release_time,release_after`},
		{scheduleConfig("vm-1", "release_after", "2h"), `"vm-1" is not a valid instance id`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      env.config(tc.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
	if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"]; n != 0 {
		t.Errorf("ModifyInstanceAutoReleaseTime was called %d times for invalid configurations", n)
	}
}

// TestAccAutoReleaseSchedule_windowErrors: outside the window is a plan-time
// error when the schedule is set or changed, naming the value and the window.
func TestAccAutoReleaseSchedule_windowErrors(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	good := env.at(2 * time.Hour)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config:      env.config(scheduleConfig(id, "release_time", env.at(10*time.Minute))),
				PlanOnly:    true,
				ExpectError: expectWords("release_time is too soon", "earliest allowed release time"),
			},
			{
				Config:      env.config(scheduleConfig(id, "release_time", env.at(3*366*24*time.Hour))),
				PlanOnly:    true,
				ExpectError: expectWords("release_time is too far ahead", "latest allowed release time"),
			},
			{
				Config: env.config(scheduleConfig(id, "release_time", good)),
				Check:  env.checkAPI(id, func() string { return good }),
			},
			{
				Config:      env.config(scheduleConfig(id, "release_time", env.at(-time.Hour))),
				PlanOnly:    true,
				ExpectError: expectWords("release_time is too soon", "right now"),
			},
			{
				Config:      env.config(scheduleConfig(id, "release_time", env.at(4*366*24*time.Hour))),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`release_time is too far ahead`),
			},
			{
				// Still scheduled as before.
				Config: env.config(scheduleConfig(id, "release_time", good)),
				Check:  env.checkAPI(id, func() string { return good }),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_timePasses: an unchanged schedule never errors
// because its time came near or passed, and destroy is not blocked.
func TestAccAutoReleaseSchedule_timePasses(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	when := env.at(45 * time.Minute)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_time", when)),
				Check:  env.checkAPI(id, func() string { return when }),
			},
			{
				// 25 minutes later the time is ~20 minutes ahead: it could not
				// be set now, but it is unchanged, so the plan is empty.
				PreConfig: func() { env.advance(25 * time.Minute) },
				Config:    env.config(scheduleConfig(id, "release_time", when)),
				PlanOnly:  true,
			},
			{
				// Only the provider's clock passes the time (the release has
				// not fired yet): still no error and no diff.
				PreConfig: func() { env.fake.Advance(time.Hour) },
				Config:    env.config(scheduleConfig(id, "release_time", when)),
				PlanOnly:  true,
			},
			// The destroy at the end of the test runs here, with the time near.
		},
	})
}

// TestAccAutoReleaseSchedule_savedPlanAppliedLate: a plan made inside the
// window and applied after it closed fails before any API call.
func TestAccAutoReleaseSchedule_savedPlanAppliedLate(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	when := env.at(40 * time.Minute)
	var callsAtPlan int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_time", when)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionCreate),
					// Between plan and apply: 15 minutes pass.
					sideEffect(func() {
						callsAtPlan = env.emu.Calls()["ModifyInstanceAutoReleaseTime"]
						env.advance(15 * time.Minute)
					}),
				}},
				ExpectError: expectWords("release_time is too soon", "right now", "saved plan", "No call was made for this schedule"),
			},
		},
	})
	if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"]; n != callsAtPlan {
		t.Errorf("ModifyInstanceAutoReleaseTime calls went from %d to %d: the late apply reached the API", callsAtPlan, n)
	}
}

// expectWords matches phrases in order, whatever the line wrapping of
// Terraform's output.
func expectWords(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// sideEffect is a plan check that does something between plan and apply.
type sideEffect func()

func (f sideEffect) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// TestAccAutoReleaseSchedule_drift: a schedule cancelled or changed outside
// Terraform shows as an update that applies it again.
func TestAccAutoReleaseSchedule_drift(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	when := env.at(5 * time.Hour)
	reapplies := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectUnknownValue(scheduleAddr, tfjsonpath.New("effective_release_time")),
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_time", when)),
				Check:  env.checkAPI(id, func() string { return when }),
			},
			{
				PreConfig:        func() { env.setOutside(id, "") },
				Config:           env.config(scheduleConfig(id, "release_time", when)),
				ConfigPlanChecks: reapplies,
				Check:            env.checkAPI(id, func() string { return when }),
			},
			{
				PreConfig:        func() { env.setOutside(id, env.at(9*time.Hour)) },
				Config:           env.config(scheduleConfig(id, "release_time", when)),
				ConfigPlanChecks: reapplies,
				Check:            env.checkAPI(id, func() string { return when }),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_driftReleaseAfter: release_after re-applies the
// time it resolved to, not a new one.
func TestAccAutoReleaseSchedule_driftReleaseAfter(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	var resolved string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_after", "3h")),
				Check: func(s *terraform.State) error {
					resolved = s.RootModule().Resources[scheduleAddr].Primary.Attributes["effective_release_time"]
					return nil
				},
			},
			{
				PreConfig: func() {
					env.advance(time.Hour)
					env.setOutside(id, "")
				},
				Config: env.config(scheduleConfig(id, "release_after", "3h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: env.checkAPI(id, func() string { return resolved }),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_released: the release fires; the schedule
// stays in state as fired (a warning says so), the plan is empty, and
// destroying it makes no call.
func TestAccAutoReleaseSchedule_released(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	var calls int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_after", "40m")),
			},
			{
				PreConfig: func() {
					env.advance(45 * time.Minute)
					if _, exists, err := env.apiReleaseTime(id); err != nil || exists {
						t.Fatalf("instance %s should have been released (exists=%v, err=%v)", id, exists, err)
					}
				},
				Config:   env.config(scheduleConfig(id, "release_after", "40m")),
				PlanOnly: true,
			},
			{
				// Time passes; still nothing to plan, nothing to check.
				PreConfig: func() { env.advance(72 * time.Hour) },
				Config:    env.config(scheduleConfig(id, "release_after", "40m")),
			},
			{
				// Removing it from the configuration: a destroy with no call.
				PreConfig: func() { calls = env.emu.Calls()["ModifyInstanceAutoReleaseTime"] },
				Config:    env.config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionDestroy),
				}},
				Check: func(*terraform.State) error {
					if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"]; n != calls {
						return fmt.Errorf("destroying the schedule of a released instance sent %d ModifyInstanceAutoReleaseTime", n-calls)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAutoReleaseSchedule_importWithoutSchedule: importing an instance
// that has no schedule is a clear error.
func TestAccAutoReleaseSchedule_importErrors(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:        env.config(scheduleConfig(id, "release_after", "2h")),
				ResourceName:  scheduleAddr,
				ImportState:   true,
				ImportStateId: id,
				ExpectError:   regexp.MustCompile(`(?s)No auto-release schedule to import.*` + id),
			},
			{
				Config:        env.config(scheduleConfig(id, "release_after", "2h")),
				ResourceName:  scheduleAddr,
				ImportState:   true,
				ImportStateId: "i-doesnotexist0000",
				ExpectError:   regexp.MustCompile(`Instance i-doesnotexist0000 does not exist`),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_missingInstance: scheduling a missing instance
// names it and the service's code.
func TestAccAutoReleaseSchedule_missingInstance(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{
				Config:      env.config(scheduleConfig("i-doesnotexist0000", "release_after", "2h")),
				ExpectError: regexp.MustCompile(`(?s)Instance i-doesnotexist0000 does not exist \(ECS code NoSuchResource\)`),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_unknownAtPlan: a time unknown at plan
// (timestamp()) is checked when applied.
func TestAccAutoReleaseSchedule_unknownAtPlan(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	config := func(offset string) string {
		return env.config(fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id  = %q
  release_time = timeadd(timestamp(), %q)
}
`, id, offset))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config:      config("10m"),
				ExpectError: expectWords("release_time is too soon"),
			},
			{
				Config: config("2h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(scheduleAddr, tfjsonpath.New("release_time")),
				}},
				// timestamp() changes on every run, so the next plan has a diff.
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"]; n < 1 {
		t.Errorf("ModifyInstanceAutoReleaseTime calls = %d, want the 2h schedule applied", n)
	}
}

// TestAccAutoReleaseSchedule_driftTooLateToRestore: a schedule cancelled
// outside whose time can no longer be set gets a warning, not an error, and
// an unrelated change (timeouts) still applies.
func TestAccAutoReleaseSchedule_driftTooLateToRestore(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	when := env.at(45 * time.Minute)
	withTimeouts := fmt.Sprintf(`
resource "aliecs_auto_release_schedule" "test" {
  instance_id  = %q
  release_time = %q
  timeouts = {
    update = "10m"
  }
}
`, id, when)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(id, "release_time", when)),
			},
			{
				PreConfig: func() {
					env.setOutside(id, "")
					env.advance(20 * time.Minute) // 25 minutes left: too soon to set again
				},
				Config:   env.config(scheduleConfig(id, "release_time", when)),
				PlanOnly: true,
			},
			{
				Config: env.config(withTimeouts),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("effective_release_time"), knownvalue.Null()),
				}},
				Check: env.checkAPI(id, func() string { return "" }),
			},
		},
	})
}

// TestAccAutoReleaseSchedule_lostAnswerKeptTainted: the service applies the
// schedule but its answer is lost (no retry left). The schedule is saved
// tainted, so the state knows the release time the service has; the next
// apply sets it again and the destroy cancels it.
func TestAccAutoReleaseSchedule_lostAnswerKeptTainted(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	id := env.runInstance()
	config := env.providerBlock("max_requests_per_second = 0", "max_retries = 0") +
		scheduleConfig(id, "release_after", "2h")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkCancelled(id),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "ModifyInstanceAutoReleaseTime", LoseResponse: true, Count: 1})
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`Cannot schedule the automatic release`),
			},
			{
				// Saved tainted: the next apply replaces it.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// TestAccAutoReleaseSchedule_movesToAnotherInstance: a schedule whose
// instance_id changes is replaced, and the old instance's release time is
// cancelled (only a replacement on the same instance keeps it for the new
// schedule to overwrite); a -replace on the same instance keeps a release
// time throughout.
func TestAccAutoReleaseSchedule_movesToAnotherInstance(t *testing.T) {
	t.Parallel()
	env := newScheduleEnv(t)
	a, b := env.runInstance(), env.runInstance()
	var calls int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             resource.ComposeTestCheckFunc(env.checkCancelled(a), env.checkCancelled(b)),
		Steps: []resource.TestStep{
			{
				Config: env.config(scheduleConfig(a, "release_after", "2h")),
				Check:  func(*terraform.State) error { calls = env.emu.Calls()["ModifyInstanceAutoReleaseTime"]; return nil },
			},
			{
				Config: env.config(scheduleConfig(a, "release_after", "2h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				PreConfig: func() { calls = env.emu.Calls()["ModifyInstanceAutoReleaseTime"] },
				Taint:     []string{scheduleAddr},
				Check: func(*terraform.State) error {
					if n := env.emu.Calls()["ModifyInstanceAutoReleaseTime"] - calls; n != 1 {
						return fmt.Errorf("replacing a schedule on the same instance made %d calls, want 1 (no cancel)", n)
					}
					if got, _, _ := env.apiReleaseTime(a); got == "" {
						return fmt.Errorf("instance %s has no release time after the replacement", a)
					}
					return nil
				},
			},
			{
				Config: env.config(scheduleConfig(b, "release_after", "2h")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(*terraform.State) error {
					if got, _, _ := env.apiReleaseTime(a); got != "" {
						return fmt.Errorf("instance %s kept its release time %q after its schedule moved to %s", a, got, b)
					}
					if got, _, _ := env.apiReleaseTime(b); got == "" {
						return fmt.Errorf("instance %s has no release time", b)
					}
					return nil
				},
			},
		},
	})
}
