package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type binaries struct {
	provider string // the directory holding terraform-provider-aliecs, for dev_overrides
	emulator string
}

func buildBinaries(work string) (binaries, error) {
	bin := filepath.Join(work, "bin")
	b := binaries{provider: bin, emulator: filepath.Join(bin, "ecs-emulator")}
	for _, build := range [][]string{
		{"build", "-o", filepath.Join(bin, "terraform-provider-aliecs"), "."},
		{"build", "-o", b.emulator, "./cmd/ecs-emulator"},
	} {
		cmd := exec.Command("go", build...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go %s: %w", strings.Join(build, " "), err)
		}
	}
	return b, nil
}

// emulatorProcess is a running ecs-emulator command.
type emulatorProcess struct {
	cmd *exec.Cmd
	url string
}

func startEmulator(path string, boot, stop time.Duration) (*emulatorProcess, error) {
	cmd := exec.Command(path, "--listen", "127.0.0.1:0",
		"--boot-time", boot.String(), "--stop-time", stop.String(), "--snapshot-time", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	// BENCH_EMULATOR_LOG=FILE keeps the emulator's request log (one line per
	// call, with its time), to see when the calls of a run were made.
	if path := os.Getenv("BENCH_EMULATOR_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		cmd.Stderr = f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stdout)
	ready := make(chan string, 1)
	go func() {
		sent := false
		for lines.Scan() {
			if !sent && strings.HasPrefix(lines.Text(), "ecs-emulator listening on ") {
				ready <- strings.Fields(strings.TrimPrefix(lines.Text(), "ecs-emulator listening on "))[0]
				sent = true
			}
		}
	}()
	select {
	case url := <-ready:
		return &emulatorProcess{cmd: cmd, url: url}, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the emulator did not report that it listens")
	}
}

func (e *emulatorProcess) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
	}
}

func (e *emulatorProcess) admin(method, path string, body string, into any) error {
	req, err := http.NewRequest(method, e.url+"/_emulator/"+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s /_emulator/%s: %s: %s", method, path, resp.Status, b)
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// calls returns and zeroes the emulator's per-action call counts.
func (e *emulatorProcess) calls() (map[string]int, error) {
	var counts map[string]int
	if err := e.admin(http.MethodGet, "calls", "", &counts); err != nil {
		return nil, err
	}
	return counts, e.admin(http.MethodDelete, "calls", "", nil)
}

// catalogIDs picks the ids a configuration needs from the emulator's catalog.
type catalogIDs struct {
	ImageID, InstanceType, VSwitchID, SecurityGroupID string
}

func (e *emulatorProcess) catalog(region string) (catalogIDs, error) {
	var st struct {
		Catalog struct {
			Images []struct {
				ImageID string `json:"ImageId"`
			} `json:"images"`
			InstanceTypes []struct {
				InstanceTypeID string `json:"InstanceTypeId"`
			} `json:"instance_types"`
			VSwitches []struct {
				ID       string `json:"id"`
				RegionID string `json:"region_id"`
				VpcID    string `json:"vpc_id"`
			} `json:"vswitches"`
			SecurityGroups []struct {
				ID       string `json:"id"`
				RegionID string `json:"region_id"`
				VpcID    string `json:"vpc_id"`
			} `json:"security_groups"`
		} `json:"catalog"`
	}
	if err := e.admin(http.MethodGet, "state", "", &st); err != nil {
		return catalogIDs{}, err
	}
	var ids catalogIDs
	if len(st.Catalog.Images) > 0 {
		ids.ImageID = st.Catalog.Images[0].ImageID
	}
	if len(st.Catalog.InstanceTypes) > 0 {
		ids.InstanceType = st.Catalog.InstanceTypes[0].InstanceTypeID
	}
	for _, v := range st.Catalog.VSwitches {
		if v.RegionID != region {
			continue
		}
		for _, sg := range st.Catalog.SecurityGroups {
			if sg.RegionID == region && sg.VpcID == v.VpcID {
				ids.VSwitchID, ids.SecurityGroupID = v.ID, sg.ID
			}
		}
		if ids.VSwitchID != "" {
			break
		}
	}
	if ids.ImageID == "" || ids.InstanceType == "" || ids.VSwitchID == "" {
		return ids, fmt.Errorf("the emulator's catalog lacks an image, instance type or vSwitch in %s: %+v", region, ids)
	}
	return ids, nil
}
