package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

func renderReport(results, throttled []result, boot, stop time.Duration, throttleP, throttleRPS float64) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "## Benchmark: terraform against the ECS emulator\n\n")
	fmt.Fprintf(&b, "Measured %s on %s (%s/%s, %d CPUs), terraform parallelism as given per row (default 10), emulator boot time %s, stop time %s.\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), boot, stop)
	fmt.Fprintf(&b, "Each instance has an `aliecs_auto_release_schedule` too. \"plan\" is a no-op plan that refreshes everything.\n\n")
	fmt.Fprintf(&b, "| N | phase | wall (batched) | wall (unbatched) | API calls (batched) | API calls (unbatched) | read calls (batched) | read calls (unbatched) | read-call ratio | provider peak RSS (batched) |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	type key struct {
		n, parallelism int
		phase          string
	}
	byKey := map[key][2]*result{}
	var keys []key
	for i := range results {
		r := &results[i]
		k := key{r.n, r.parallelism, r.phase}
		pair, seen := byKey[k]
		if !seen {
			keys = append(keys, k)
		}
		if r.batching {
			pair[0] = r
		} else {
			pair[1] = r
		}
		byKey[k] = pair
	}
	phaseOrder := map[string]int{"plan-create": 0, "apply": 1, "plan": 2, "plan-norefresh": 3, "destroy": 4}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].parallelism != keys[j].parallelism {
			return keys[i].parallelism < keys[j].parallelism
		}
		if keys[i].n != keys[j].n {
			return keys[i].n < keys[j].n
		}
		return phaseOrder[keys[i].phase] < phaseOrder[keys[j].phase]
	})
	for _, k := range keys {
		on, off := byKey[k][0], byKey[k][1]
		if on == nil {
			continue
		}
		if off == nil { // -unbatched=false
			fmt.Fprintf(&b, "| %s | %s | %s | - | %d | - | %d | - | - | %.0f MiB |\n",
				sizeLabel(k.n, k.parallelism), k.phase, round(on.wall), on.totalCalls(), on.readCalls(), float64(on.peakRSSKiB)/1024)
			continue
		}
		ratio := "-"
		if on.readCalls() > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(off.readCalls())/float64(on.readCalls()))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %d | %s | %.0f MiB |\n",
			sizeLabel(k.n, k.parallelism), k.phase, round(on.wall), round(off.wall), on.totalCalls(), off.totalCalls(),
			on.readCalls(), off.readCalls(), ratio, float64(on.peakRSSKiB)/1024)
	}
	fmt.Fprintf(&b, "\nThe provider's CPU (user + system, all its processes of the command), calls per instance and the machine's load when the phase started, batched:\n\n")
	fmt.Fprintf(&b, "| N | phase | wall | calls | calls/instance | provider CPU | provider VmHWM | load (1, 5, 15 min) |\n|---|---|---|---|---|---|---|---|\n")
	for _, k := range keys {
		if on := byKey[k][0]; on != nil {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %.2f | %s | %.0f MiB | %s |\n", sizeLabel(k.n, k.parallelism), k.phase,
				round(on.wall), on.totalCalls(), float64(on.totalCalls())/float64(k.n), round(on.cpu),
				float64(on.peakRSSKiB)/1024, on.loadavg)
		}
	}
	fmt.Fprintf(&b, "\nCalls per action, batched:\n\n")
	for _, k := range keys {
		if on := byKey[k][0]; on != nil {
			fmt.Fprintf(&b, "- N=%s %s: %s\n", sizeLabel(k.n, k.parallelism), k.phase, formatCalls(on.calls))
		}
	}
	if len(throttled) > 0 {
		fmt.Fprintf(&b, "\n### Throttled run\n\nN=%d, the emulator answers `Throttling.User` to %.0f%% of all calls, provider `max_requests_per_second = %g`.\n\n",
			throttled[0].n, throttleP*100, throttleRPS)
		fmt.Fprintf(&b, "| phase | wall | API calls (incl. throttled) | mean request rate | resources in state after |\n|---|---|---|---|---|\n")
		for _, r := range throttled {
			fmt.Fprintf(&b, "| %s | %s | %d | %.1f/s | %d |\n", r.phase, round(r.wall), r.totalCalls(),
				float64(r.totalCalls())/r.wall.Seconds(), r.resourcesOK)
		}
		fmt.Fprintf(&b, "\nEvery phase succeeded: no resource failed.\n")
	}
	return b.String()
}

func formatCalls(calls map[string]int) string {
	var names []string
	for a := range calls {
		names = append(names, a)
	}
	sort.Strings(names)
	var parts []string
	for _, a := range names {
		parts = append(parts, fmt.Sprintf("%s %d", a, calls[a]))
	}
	return strings.Join(parts, ", ")
}

// sizeLabel is N, with the parallelism when it is not terraform's default.
func sizeLabel(n, parallelism int) string {
	if parallelism > 0 {
		return fmt.Sprintf("%d (-parallelism=%d)", n, parallelism)
	}
	return fmt.Sprint(n)
}

func round(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }
