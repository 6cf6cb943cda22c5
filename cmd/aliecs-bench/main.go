// Command aliecs-bench measures the provider end to end: terraform apply, a
// no-op plan (refresh) and destroy of N instances, each with an auto-release
// schedule, against the ECS emulator with realistic transition times. For
// each scenario it reports wall time, API calls per action (from the
// emulator's /_emulator/calls) and the provider's peak memory, with batched
// reads on and off side by side.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	var (
		sizes      = flag.String("n", "1,10,100", "comma-separated instance counts")
		bootTime   = flag.Duration("boot-time", 5*time.Second, "emulator boot time of an instance")
		stopTime   = flag.Duration("stop-time", time.Second, "emulator stop time of an instance")
		throttleN  = flag.Int("throttle-n", 200, "instance count of the throttled run (0 skips it)")
		throttleP  = flag.Float64("throttle-probability", 0.3, "share of calls the emulator throttles in the throttled run")
		throttleRP = flag.Float64("throttle-rps", 20, "provider max_requests_per_second in the throttled run")
		out        = flag.String("out", "", "also write the markdown report to this file")
		typesRow   = flag.Bool("types", true, "also measure the aliecs_instance_types data source")
		unbatched  = flag.Bool("unbatched", true, "also run every size with batched reads off (ALIECS_DISABLE_BATCHING=1)")
		parallel   = flag.String("parallelism", "0", "comma-separated terraform -parallelism values, each run for every size (0: terraform's default, 10)")
		phaseList  = flag.String("phases", "", "comma-separated phases to run (plan-create, apply, plan, plan-norefresh, destroy; default all): plan-create alone measures a plan of N new instances cheaply")
	)
	flag.Parse()

	counts, err := parseCounts(*sizes, 1)
	if err != nil {
		fail(err)
	}
	work, err := os.MkdirTemp("", "aliecs-bench-")
	if err != nil {
		fail(err)
	}
	defer func() { _ = os.RemoveAll(work) }()

	bins, err := buildBinaries(work)
	if err != nil {
		fail(err)
	}

	pars, err := parseCounts(*parallel, 0)
	if err != nil {
		fail(fmt.Errorf("-parallelism: %w", err))
	}
	var phases map[string]bool
	if *phaseList != "" {
		phases = map[string]bool{}
		for _, ph := range strings.Split(*phaseList, ",") {
			phases[strings.TrimSpace(ph)] = true
		}
	}
	var results []result
	for _, p := range pars {
		for _, n := range counts {
			modes := []bool{true, false}
			if !*unbatched {
				modes = modes[:1]
			}
			for _, batching := range modes {
				r, err := runScenario(bins, work, scenario{
					n: n, batching: batching, bootTime: *bootTime, stopTime: *stopTime, parallelism: p, phases: phases,
				})
				if err != nil {
					fail(fmt.Errorf("scenario n=%d parallelism=%d batching=%v: %w", n, p, batching, err))
				}
				results = append(results, r...)
			}
		}
	}
	var throttled []result
	if *throttleN > 0 {
		throttled, err = runScenario(bins, work, scenario{
			n: *throttleN, batching: true, bootTime: *bootTime, stopTime: *stopTime,
			throttleProbability: *throttleP, requestsPerSecond: *throttleRP,
		})
		if err != nil {
			fail(fmt.Errorf("throttled run: %w", err))
		}
	}

	var types []typesResult
	if *typesRow {
		if types, err = runTypesScenario(bins, work); err != nil {
			fail(err)
		}
	}

	report := renderReport(results, throttled, *bootTime, *stopTime, *throttleP, *throttleRP)
	var tb strings.Builder
	renderTypes(&tb, types)
	report += tb.String()
	fmt.Print(report)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			fail(err)
		}
	}
}

func parseCounts(s string, least int) ([]int, error) {
	var counts []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < least {
			return nil, fmt.Errorf("%q is not a count of at least %d", f, least)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "aliecs-bench:", err)
	os.Exit(1)
}
