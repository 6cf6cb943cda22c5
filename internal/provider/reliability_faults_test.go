package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// relFaultCase is one way the API or the network misbehaves during a whole
// create / refresh / destroy cycle of the workload.
type relFaultCase struct {
	name   string
	opts   emulator.Options
	faults []emulator.Fault
	env    map[string]string // environment for the in-process provider (accEnv.providerEnv)
}

// relFaultCases: every action ("*") fails at 20–50 %, the answer is slow,
// the connection drops, the answer is lost after the action took effect,
// new instances are invisible for a while, transitions are slow.
var relFaultCases = []relFaultCase{
	{name: "ThrottlingUser50", faults: []emulator.Fault{{Action: "*", Code: "Throttling.User", Probability: 0.5}}},
	{name: "ThrottlingApi40", faults: []emulator.Fault{{Action: "*", Code: "Throttling.Api", Probability: 0.4}}},
	{name: "ServiceUnavailable30", faults: []emulator.Fault{{Action: "*", Code: "ServiceUnavailable", Probability: 0.3}}},
	{name: "InternalError20", faults: []emulator.Fault{{Action: "*", Code: "InternalError", Probability: 0.2}}},
	{name: "Mixed", faults: []emulator.Fault{
		{Action: "*", Code: "Throttling.User", Probability: 0.1},
		{Action: "*", Code: "Throttling.Api", Probability: 0.1},
		{Action: "*", Code: "ServiceUnavailable", Probability: 0.1},
		{Action: "*", Code: "InternalError", Probability: 0.1},
	}},
	{name: "ConnectionReset25", faults: []emulator.Fault{{Action: "*", ResetConnection: true, Probability: 0.25}}},
	// The action takes effect and the answer is lost: a retry must not
	// make a second instance or snapshot group, nor fail on "already done".
	{name: "LostResponse30", faults: []emulator.Fault{{Action: "*", LoseResponse: true, Probability: 0.3}}},
	// Slower than the read timeout: the client abandons the call and retries.
	{
		name:   "LatencyBeyondReadTimeout",
		faults: []emulator.Fault{{Action: "*", DelayMS: 1500, Probability: 0.2}},
		env:    map[string]string{envReadTimeout: "500ms"},
	},
	// New instances are not in DescribeInstances for a while.
	{
		name:   "EventualConsistency",
		faults: []emulator.Fault{{Action: "RunInstances", InvisibleForCalls: 3}},
		opts:   emulator.Options{InvisibleFor: 1500 * time.Millisecond},
	},
	// Transitions take longer than usual (seconds instead of instant).
	{
		name: "SlowTransitions",
		opts: emulator.Options{BootTime: 2 * time.Second, StopTime: time.Second, SnapshotTime: 2 * time.Second},
	},
}

// TestAccReliability_faults applies, re-plans and destroys the workload
// under each fault: the apply succeeds (retries absorb the faults), the
// next plan is empty, and at every point the emulator holds exactly what
// the state says; after destroy nothing is left.
func TestAccReliability_faults(t *testing.T) {
	t.Parallel()
	for _, fc := range relFaultCases {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, fc.opts)
			env.providerEnv = fc.env
			c := newInstanceCatalog(t, env)
			cfg := relProvider(env, 30) + relWorkload(c, 3)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				CheckDestroy:             relNothingLeft(env),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							for _, f := range fc.faults {
								env.emu.AddFault(f)
							}
						},
						Config: cfg,
						Check:  relConverged(env),
					},
					{
						// Refresh under the same faults: nothing to change.
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: relConverged(env),
					},
				},
			})
			relRecord(t, env, 3)
		})
	}
}

// TestAccReliability_failedCreateConverges: when retries run out the apply
// fails with a clear error naming what failed; the state still records
// every machine that exists (tainted), and the next apply converges with
// no duplicate and no leak.
func TestAccReliability_failedCreateConverges(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := relProvider(env, 0) + relWorkload(c, 2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             relNothingLeft(env),
		Steps: []resource.TestStep{
			{
				// The machines are made but cannot be read afterwards (a
				// permanent error): they are kept in state as tainted.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "DescribeInstances", Code: "Forbidden.RAM", HTTPStatus: 403})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Instance created but not ready.*tainted`),
			},
			{
				// The replacement's RunInstances is refused once (throttled:
				// certainly not acted on, so not replayed): a clear error, no
				// machine made by that call. (A 5xx is ambiguous and is
				// replayed with the same ClientToken: see lostAnswersBeyondRetries.)
				PreConfig: func() {
					relClearFaults(env)
					env.emu.AddFault(emulator.Fault{Action: "RunInstances", Code: "Throttling.User", Count: 1})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Cannot create the instance.*Throttling.User`),
			},
			{
				// Faults gone: the tainted machines are replaced, nothing else made.
				PreConfig: func() { relClearFaults(env) },
				Config:    cfg,
				Check:     relConverged(env),
			},
			{
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
	relRecord(t, env, 4)
}

// TestAccReliability_lostAnswersBeyondRetries: every RunInstances answer is
// lost until the retry budget is spent. The machine exists although the
// client never saw its id; the create replays the call with the same
// ClientToken, learns the id and records it: one machine, no leak.
func TestAccReliability_lostAnswersBeyondRetries(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := relProvider(env, 1) + relWorkload(c, 2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             relNothingLeft(env),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// Two instances × (first attempt + one retry) = 4 lost answers.
					env.emu.AddFault(emulator.Fault{Action: "RunInstances", LoseResponse: true, Count: 4})
				},
				Config: cfg,
				Check:  relConverged(env),
			},
		},
	})
	relRecord(t, env, 2)
}
