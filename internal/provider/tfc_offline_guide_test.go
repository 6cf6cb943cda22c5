package provider

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAccGuide_terraformCloudOffline runs the "Trying it offline" section
// of the Terraform Cloud guide as written: its shell block in bash, with
// its terraform block as main.tf, the ecs-emulator command built from this
// repository and the CLI under test on PATH. The only changes, both of the
// environment and not of the steps: the emulator listens on a free port
// instead of 8085 (other tests share the machine), and terraform answers
// its own apply and destroy prompts (TF_CLI_ARGS_apply=-auto-approve).
// The run must create the instance with keys obtained for the token, and
// destroy it.
func TestAccGuide_terraformCloudOffline(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 (make testacc)")
	}
	t.Parallel()
	root := filepath.Join("..", "..")
	page := string(must(os.ReadFile(filepath.Join(root, "templates", "guides", "terraform-cloud.md.tmpl"))))
	i := strings.Index(page, "## Trying it offline")
	if i < 0 {
		t.Fatal("the guide has no \"Trying it offline\" section")
	}
	section := page[i:]
	script := regexp.MustCompile("(?s)```shell\n(.*?)```").FindStringSubmatch(section)
	config := regexp.MustCompile("(?s)```terraform\n(.*?)```").FindStringSubmatch(section)
	if script == nil || config == nil {
		t.Fatal("the offline section needs a shell block and a terraform block")
	}

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "ecs-emulator"), "./cmd/ecs-emulator")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ecs-emulator: %v\n%s", err, out)
	}
	if err := os.Symlink(cliPath(t), filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	steps := strings.ReplaceAll(script[1], "127.0.0.1:8085", addr)
	steps = strings.Replace(steps, "ecs-emulator --sts-config", "ecs-emulator --listen "+addr+" --sts-config", 1)
	if steps == script[1] {
		t.Fatal("the steps name no emulator at 127.0.0.1:8085; this test would not run them")
	}

	cli := newRelCLI(t) // a directory for the configuration
	// terraform init installs this build from a filesystem mirror, as a
	// user's CI installs a release: dev_overrides would make init fail.
	mirror := filepath.Join(t.TempDir(), "mirror")
	pkg := filepath.Join(mirror, cliRegistryHost(), "aliecs", "aliecs")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	writeProviderZip(t, filepath.Join(pkg, fmt.Sprintf("terraform-provider-aliecs_%s_%s_%s.zip", mirrorVersion, runtime.GOOS, runtime.GOARCH)),
		filepath.Join(relProviderBinary(t), "terraform-provider-aliecs"), "terraform-provider-aliecs_v"+mirrorVersion)
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cli.dir, "main.tf"), []byte(config[1]), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", "set -euo pipefail\n"+steps)
	cmd.Dir = cli.dir
	cmd.Env = append(cli.env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TF_CLI_ARGS_apply=-auto-approve", "TF_CLI_ARGS_destroy=-auto-approve",
		// Nothing else may supply credentials.
		"ALIBABA_CLOUD_ACCESS_KEY_ID=", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=", "ALIBABA_CLOUD_PROFILE=",
		"HOME="+t.TempDir(), "TF_CLI_CONFIG_FILE="+rc)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The emulator runs in the background of the script: whatever happens,
	// its process group ends with the test.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A failed step leaves the emulator holding the output pipe: do not
	// wait for it once bash has exited.
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatalf("the offline steps failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{"Apply complete! Resources: 1 added", "Destroy complete! Resources: 1 destroyed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the steps' output lacks %q:\n%s", want, out.String())
		}
	}
}
