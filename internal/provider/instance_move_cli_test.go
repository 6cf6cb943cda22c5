package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// Moving in from the official provider needs the real terraform binary: a
// state written by another provider cannot be given to
// terraform-plugin-testing, which serves every in-process provider under
// one namespace. The source provider is a stand-in built from
// testdata/alicloud (it serves the official schema and leaves states as
// they are); the states are the ones the official provider v1.260.0 wrote
// against the emulator (testdata/alicloud/*.tfstate), with the ids of
// machines made in this test's emulator.

var (
	alicloudStubOnce sync.Once
	alicloudStubDir  string
	alicloudStubErr  error
)

// alicloudStubBinary builds the stand-in once per test binary run.
func alicloudStubBinary(t *testing.T) string {
	t.Helper()
	alicloudStubOnce.Do(func() {
		dir, err := os.MkdirTemp("", "alicloud-stub-bin-") //nolint:usetesting // shared by every test of this binary
		if err != nil {
			alicloudStubErr = err
			return
		}
		alicloudStubDir = dir
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-alicloud"),
			"github.com/aliecs/terraform-provider-aliecs/internal/provider/testdata/alicloud").CombinedOutput()
		if err != nil {
			alicloudStubErr = fmt.Errorf("go build of the alicloud stand-in: %w\n%s", err, out)
		}
	})
	if alicloudStubErr != nil {
		t.Fatal(alicloudStubErr)
	}
	return alicloudStubDir
}

// newMoveCLI is a relCLI whose terraform finds both providers through
// dev_overrides: this one and the alicloud stand-in.
func newMoveCLI(t *testing.T) *relCLI {
	t.Helper()
	c := newRelCLI(t)
	rc := filepath.Join(c.dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "aliecs/aliecs"   = %q
    "aliyun/alicloud" = %q
  }
  direct {}
}
`, relProviderBinary(t), alicloudStubBinary(t))), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// alicloudMachines are the machines of testdata/alicloud, made in the
// emulator as the official provider made them.
type alicloudMachines struct {
	web, gpu, group string
	releaseTime     string
	// replace maps each id of the reference states to this emulator's.
	replace map[string]string
}

func makeAlicloudMachines(t *testing.T, env *accEnv) alicloudMachines {
	t.Helper()
	ctx := context.Background()
	c := env.instanceSDKClient()
	cat := newInstanceCatalog(t, env)
	m := alicloudMachines{
		// The minute, as the service keeps it; a day ahead, inside the window.
		releaseTime: env.emu.Now().Add(24 * time.Hour).UTC().Truncate(time.Minute).Format(time.RFC3339),
	}
	run := func(in ecsapi.RunInstanceInput) string {
		in.ClientToken, in.VSwitchID, in.SecurityGroupIDs = newClientToken(), cat.vswitch, []string{cat.sg}
		in.ImageID = "ubuntu_22_04_x64_20G_alibase_20240101.vhd"
		id, err := c.RunInstance(ctx, in)
		if err != nil {
			t.Fatalf("RunInstances %s: %v", in.Name, err)
		}
		if _, err := c.WaitInstanceCreated(ctx, id, ecsapi.StatusRunning); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// The official provider sends a user_data that decodes as base64 as it is.
	m.web = run(ecsapi.RunInstanceInput{InstanceType: "ecs.g7.large", Name: "web-1", HostName: "web-1",
		UserData: base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho hi\n")), InternetMaxBandwidthOut: 10,
		SystemDisk: ecsapi.SystemDiskSpec{Category: "cloud_essd", Size: 40},
		DataDisks:  []ecsapi.DataDiskSpec{{Size: 100, Category: "cloud_essd", DeleteWithInstance: true}},
		Tags:       map[string]string{"team": "ml"}})
	if err := c.ModifyInstanceAutoReleaseTime(ctx, m.web, m.releaseTime); err != nil {
		t.Fatal(err)
	}
	m.gpu = run(ecsapi.RunInstanceInput{InstanceType: "ecs.gn7i-c8g1.2xlarge", Name: "trainer", KeyPairName: "deploy-key",
		UserData:   base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\necho plain\n")),
		SystemDisk: ecsapi.SystemDiskSpec{Category: "cloud_essd", Size: 80, Name: "root"},
		DataDisks:  []ecsapi.DataDiskSpec{{Size: 200, Category: "cloud_essd", DeleteWithInstance: false, Name: "datasets"}},
		Tags:       map[string]string{"team": "ml", "purpose": "training"},
		Spot:       ecsapi.SpotSpec{Strategy: ecsapi.SpotAsPriceGo, Duration: 1}})
	gid, err := c.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{ClientToken: newClientToken(), InstanceID: m.gpu,
		Name: "trainer-checkpoint", Description: "before upgrade", Tags: map[string]string{"team": "ml"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitSnapshotGroupDone(ctx, gid); err != nil {
		t.Fatal(err)
	}
	m.group = gid

	m.replace = map[string]string{
		"i-bp1zkm7clfr3nfzol027": m.web, "i-bp1eb33ckkax3d0hc9wn": m.gpu, "ssg-bp1mlzgeharfdwsge0i7": gid,
		"vsw-bp1ybfpozawwsfamc57q": cat.vswitch, "sg-bp1qp2oi3e696ugzabhe": cat.sg,
		"2026-12-08T04:11:00Z": m.releaseTime, `"cn-hangzhou-h"`: fmt.Sprintf("%q", cat.zone),
	}
	for ref, id := range map[string]string{"web": m.web, "gpu": m.gpu} {
		inst, err := c.GetInstance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		disks, err := c.ListDisks(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sys := ""
		for _, d := range disks {
			if d.Type == "system" {
				sys = d.ID
			}
		}
		refDisk, refIP := "d-bp19nw3mpvpfllqdwsmu", `"172.16.0.2"`
		if ref == "gpu" {
			refDisk, refIP = "d-bp1669eij8ntoutreonu", `"172.16.0.4"`
		} else {
			m.replace[`"47.96.0.1"`] = fmt.Sprintf("%q", inst.PublicIP)
		}
		m.replace[refDisk], m.replace[refIP] = sys, fmt.Sprintf("%q", inst.PrivateIP)
	}
	return m
}

// substitute replaces the reference ids in text by this emulator's.
func (m alicloudMachines) substitute(text string) string {
	keys := make([]string, 0, len(m.replace))
	for k := range m.replace {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text = strings.ReplaceAll(text, k, m.replace[k])
	}
	return text
}

// writeAlicloudState writes, as terraform.tfstate, the resources of the
// given reference state files (the official provider's), with this
// emulator's ids.
func (m alicloudMachines) writeAlicloudState(t *testing.T, c *relCLI, files ...string) {
	t.Helper()
	var merged map[string]any
	var resources []any
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", "alicloud", f))
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal([]byte(m.substitute(string(b))), &s); err != nil {
			t.Fatal(err)
		}
		if merged == nil {
			merged = s
		}
		rs, _ := s["resources"].([]any)
		resources = append(resources, rs...)
	}
	merged["resources"] = resources
	b, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "terraform.tfstate"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// emulatorWrites are the calls of a count that change something: every
// action but the Describe ones.
func emulatorWrites(calls map[string]int) map[string]int {
	out := map[string]int{}
	for action, n := range calls {
		if !strings.HasPrefix(action, "Describe") && n > 0 {
			out[action] = n
		}
	}
	return out
}

// guideProviderBlock is the provider block of the guide's example, which
// the test points at its emulator.
const guideProviderBlock = `provider "aliecs" {
  region = "cn-hangzhou"
}`

// TestAccMove_fromAlicloud is the guide "Moving from alicloud_instance"
// (examples/guides/moving-from-alicloud/main.tf) against the states the
// official provider wrote: both machines and the snapshot group move with
// moved blocks, web's auto-release time comes over by an import block, and
// the first plan replaces nothing, its apply makes no API write, and the
// next plan is empty.
func TestAccMove_fromAlicloud(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	m := makeAlicloudMachines(t, env)
	c := newMoveCLI(t)
	m.writeAlicloudState(t, c, "instance-web.tfstate", "instance-gpu-and-snapshot-group.tfstate")
	body, err := os.ReadFile("../../examples/guides/moving-from-alicloud/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), guideProviderBlock) {
		t.Fatalf("the guide's example no longer has the provider block %q", guideProviderBlock)
	}
	cfg := m.substitute(strings.Replace(string(body), guideProviderBlock, env.providerBlock(), 1))
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	env.emu.ResetCalls()
	out := c.mustRun("plan", "-no-color", "-input=false", "-out=move.tfplan")
	t.Logf("first plan:\n%s", out)
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.",
		"alicloud_instance.web has moved to aliecs_instance.web",
		"alicloud_instance.gpu has moved to aliecs_instance.gpu",
		"alicloud_ecs_snapshot_group.g has moved to aliecs_snapshot.g",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the first plan does not say %q", want)
		}
	}
	if strings.Contains(out, "must be replaced") || strings.Contains(out, "will be updated") {
		t.Errorf("the first plan changes a moved resource")
	}
	for _, unwanted := range []string{"looks base64-encoded", "resource_group_id =", "internet_charge_type =",
		"system_disk_name =", "system_disk_performance_level =", "data_disks[0].name ="} {
		if strings.Contains(flat, unwanted) {
			t.Errorf("the first plan warns about %q", unwanted)
		}
	}
	if w := emulatorWrites(env.emu.Calls()); len(w) != 0 {
		t.Errorf("the plan wrote: %v", w)
	}

	env.emu.ResetCalls()
	out = c.mustRun("apply", "-no-color", "-input=false", "move.tfplan")
	if w := emulatorWrites(env.emu.Calls()); len(w) != 0 {
		t.Errorf("the apply after the move wrote: %v\n%s", w, out)
	}
	t.Logf("apply: calls %v", env.emu.Calls())

	out, err = c.run("plan", "-no-color", "-input=false", "-detailed-exitcode")
	if err != nil {
		t.Errorf("the plan after the move is not empty (%v):\n%s", err, out)
	}
	st := c.state()
	if got := st.ids("aliecs_instance", "id"); strings.Join(got, ",") != strings.Join(sortedIDs(m.web, m.gpu), ",") {
		t.Errorf("aliecs_instance ids in state: %v", got)
	}
	if got := st.ids("aliecs_snapshot", "id"); len(got) != 1 || got[0] != m.group {
		t.Errorf("aliecs_snapshot ids in state: %v", got)
	}
	if got := st.ids("aliecs_auto_release_schedule", "instance_id"); len(got) != 1 || got[0] != m.web {
		t.Errorf("schedules in state: %v", got)
	}
	for _, r := range st.Resources {
		if strings.HasPrefix(r.Type, "alicloud_") {
			t.Errorf("%s is still in the state", r.Type)
		}
	}
	if inst := env.instanceInEmu(m.web); inst == nil || inst.AutoReleaseTime == "" {
		t.Errorf("web lost its release time: %+v", inst)
	}
	// The user data is each machine's script, encoded once.
	for id, want := range map[string]string{m.web: "#!/bin/bash\necho hi\n", m.gpu: "#!/bin/bash\necho plain\n"} {
		if got := emuUserData(t, env, id); got != want {
			t.Errorf("%s has user data %q, want %q", id, got, want)
		}
	}
}

func sortedIDs(ids ...string) []string {
	sort.Strings(ids)
	return ids
}
