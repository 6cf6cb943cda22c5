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
	throttleProbability float64 // > 0: the emulator throttles this share of every action's calls
	requestsPerSecond   float64 // > 0: the provider's max_requests_per_second
}

// result is one terraform command of one scenario.
type result struct {
	scenario
	phase       string // apply, plan, destroy
	wall        time.Duration
	calls       map[string]int
	peakRSSKiB  int64
	resourcesOK int // resources in state after the phase
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
		{"destroy", []string{"destroy", "-input=false", "-auto-approve"}},
	} {
		r := result{scenario: sc, phase: phase.name}
		var runErr error
		r.wall, r.peakRSSKiB, runErr = runTerraform(dir, sc, bins.provider, phase.args)
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
	return env
}

// runTerraform runs one terraform command and samples the provider process's
// peak resident memory (VmHWM) while it runs.
func runTerraform(dir string, sc scenario, providerDir string, args []string) (time.Duration, int64, error) {
	cmd := exec.Command("terraform", args...)
	cmd.Dir = dir
	cmd.Env = terraformEnv(dir, sc)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	stopSampling := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		binary := filepath.Join(providerDir, "terraform-provider-aliecs")
		for {
			if kib := providerPeakKiB(binary); kib > peak {
				peak = kib
			}
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
		return wall, peak, fmt.Errorf("%w\n%s", err, tail(out.String(), 4000))
	}
	return wall, peak, nil
}

// providerPeakKiB returns the largest VmHWM of running processes whose
// executable is binary (Linux /proc), or 0.
func providerPeakKiB(binary string) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var peak int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != binary {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if v, err := strconv.ParseInt(f[1], 10, 64); err == nil && v > peak {
						peak = v
					}
				}
			}
		}
	}
	return peak
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
