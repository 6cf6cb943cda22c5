package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const benchRegion = "cn-hangzhou"

type scenario struct {
	n                   int
	batching            bool
	bootTime, stopTime  time.Duration
	throttleProbability float64         // > 0: the emulator throttles this share of every action's calls
	requestsPerSecond   float64         // > 0: the provider's max_requests_per_second
	parallelism         int             // > 0: terraform -parallelism (0: its default, 10)
	phases              map[string]bool // nil: every phase
}

// result is one terraform command of one scenario.
type result struct {
	scenario
	phase       string // apply, plan, destroy
	wall        time.Duration
	calls       map[string]int
	peakRSSKiB  int64
	cpu         time.Duration // the provider processes' user + system CPU time
	loadavg     string        // /proc/loadavg (1, 5, 15 min) when the phase started
	resourcesOK int           // resources in state after the phase
}

func (r result) totalCalls() int {
	t := 0
	for _, c := range r.calls {
		t += c
	}
	return t
}

func (r result) readCalls() int {
	t := 0
	for action, c := range r.calls {
		if strings.HasPrefix(action, "Describe") {
			t += c
		}
	}
	return t
}

func runScenario(bins binaries, work string, sc scenario) ([]result, error) {
	emu, err := startEmulator(bins.emulator, sc.bootTime, sc.stopTime)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	ids, err := emu.catalog(benchRegion)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(work, fmt.Sprintf("n%d-", sc.n))
	if err != nil {
		return nil, err
	}
	if err := writeConfig(dir, bins.provider, emu.url, ids, sc); err != nil {
		return nil, err
	}
	if sc.throttleProbability > 0 {
		fault := fmt.Sprintf(`{"action":"*","code":"Throttling.User","http_status":400,"probability":%g}`, sc.throttleProbability)
		if err := emu.admin("POST", "faults", fault, nil); err != nil {
			return nil, err
		}
	}
	if _, err := emu.calls(); err != nil {
		return nil, err
	}

	var results []result
	for _, phase := range []struct {
		name string
		args []string
	}{
		// The plan that creates N instances: its reference checks (vSwitch,
		// groups, image, key pair, type, stock) must stay a handful of calls.
		{"plan-create", []string{"plan", "-input=false"}},
		{"apply", []string{"apply", "-input=false", "-auto-approve"}},
		{"plan", []string{"plan", "-input=false", "-detailed-exitcode"}},
		// Terraform's own share of a no-op plan: the same plan without the
		// provider's reads.
		{"plan-norefresh", []string{"plan", "-input=false", "-detailed-exitcode", "-refresh=false"}},
		{"destroy", []string{"destroy", "-input=false", "-auto-approve"}},
	} {
		if sc.phases != nil && !sc.phases[phase.name] {
			continue
		}
		r := result{scenario: sc, phase: phase.name, loadavg: loadavg()}
		args := phase.args
		if sc.parallelism > 0 {
			args = append(append([]string(nil), args...), fmt.Sprintf("-parallelism=%d", sc.parallelism))
		}
		var runErr error
		var usage processUsage
		r.wall, usage, runErr = runTerraform(dir, sc, bins.provider, args)
		r.peakRSSKiB, r.cpu = usage.peakKiB, usage.cpu()
		if runErr != nil {
			return nil, fmt.Errorf("terraform %s: %w", phase.name, runErr)
		}
		if r.calls, err = emu.calls(); err != nil {
			return nil, err
		}
		r.resourcesOK = stateCount(dir, sc)
		results = append(results, r)
	}
	return results, nil
}

func writeConfig(dir, providerDir, endpoint string, ids catalogIDs, sc scenario) error {
	rps := ""
	if sc.requestsPerSecond > 0 {
		rps = fmt.Sprintf("  max_requests_per_second = %g\n  max_retries = 30\n", sc.requestsPerSecond)
	}
	body := fmt.Sprintf(`
resource "aliecs_instance" "bench" {
  count              = %d
  instance_name      = "bench-${count.index}"
  image_id           = %q
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_auto_release_schedule" "bench" {
  count         = %d
  instance_id   = aliecs_instance.bench[count.index].id
  release_after = "24h"
}
`, sc.n, ids.ImageID, ids.InstanceType, ids.VSwitchID, ids.SecurityGroupID, sc.n)
	return writeWorkdir(dir, providerDir, endpoint, rps, body)
}

// writeWorkdir writes a configuration (the provider block against the
// emulator, then body) and a CLI configuration that uses the provider built
// in providerDir.
func writeWorkdir(dir, providerDir, endpoint, providerExtra, body string) error {
	main := fmt.Sprintf(`
terraform {
  required_providers {
    aliecs = { source = "aliecs/aliecs" }
  }
}

provider "aliecs" {
  region     = %q
  endpoint   = %q
  access_key = "emulator"
  secret_key = "emulator-secret"
%s}
%s`, benchRegion, endpoint, providerExtra, body)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		return err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"aliecs/aliecs\" = %q\n  }\n  direct {}\n}\n", providerDir)
	return os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o644)
}

func terraformEnv(dir string, sc scenario) []string {
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1")
	if !sc.batching {
		env = append(env, "ALIECS_DISABLE_BATCHING=1")
	}
	// BENCH_PROVIDER_LOG=DIR keeps the provider's DEBUG log of each command
	// (its "ECS batched read" lines show how many ids each read carried).
	// Logging at DEBUG slows the provider: profile runs only.
	if logDir := os.Getenv("BENCH_PROVIDER_LOG"); logDir != "" {
		env = append(env, "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+filepath.Join(logDir, fmt.Sprintf("n%d-p%d-%d.log", sc.n, sc.parallelism, time.Now().UnixNano())))
	}
	return env
}

// runTerraform runs one terraform command and samples the provider process's
// peak resident memory (VmHWM) and CPU time while it runs.
func runTerraform(dir string, sc scenario, providerDir string, args []string) (time.Duration, processUsage, error) {
	cmd := exec.Command("terraform", args...)
	cmd.Dir = dir
	cmd.Env = terraformEnv(dir, sc)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, processUsage{}, err
	}
	stopSampling := make(chan struct{})
	usage := processUsage{ticks: map[string]int64{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		binary := filepath.Join(providerDir, "terraform-provider-aliecs")
		for {
			usage.sample(binary)
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(stopSampling)
	wg.Wait()
	if err != nil {
		// plan -detailed-exitcode exits 2 when there are changes: a no-op plan must not have any.
		return wall, usage, fmt.Errorf("%w\n%s", err, tail(out.String(), 4000))
	}
	return wall, usage, nil
}

// processUsage is what sampling the provider's processes saw: the largest
// VmHWM, and the last CPU time (utime + stime, in clock ticks) of each
// process. A process's CPU in its last sampling interval (50 ms) is missed.
type processUsage struct {
	peakKiB int64
	ticks   map[string]int64 // by pid
}

func (u processUsage) cpu() time.Duration {
	var t int64
	for _, v := range u.ticks {
		t += v
	}
	return time.Duration(t) * 10 * time.Millisecond // USER_HZ = 100 on Linux
}

func (u *processUsage) sample(binary string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != binary {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			// Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
				f := strings.Fields(string(stat[i+1:]))
				if len(f) > 12 {
					ut, _ := strconv.ParseInt(f[11], 10, 64)
					st, _ := strconv.ParseInt(f[12], 10, 64)
					u.ticks[e.Name()] = ut + st
				}
			}
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if v, err := strconv.ParseInt(f[1], 10, 64); err == nil && v > u.peakKiB {
						u.peakKiB = v
					}
				}
			}
		}
	}
}

// loadavg is the machine's load (1, 5 and 15 minutes), to judge a wall time
// measured on a shared machine.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "-"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "-"
	}
	return strings.Join(f[:3], " ")
}

// stateCount is the number of resources in the state; no state yet counts 0.
func stateCount(dir string, sc scenario) int {
	cmd := exec.Command("terraform", "state", "list")
	cmd.Dir = dir
	cmd.Env = terraformEnv(dir, sc)
	out, err := cmd.Output()
	if err != nil {
		return 0
	}
	return len(strings.Fields(string(out)))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
