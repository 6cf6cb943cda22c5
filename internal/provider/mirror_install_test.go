package provider

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// mirrorVersion is the version the packaging test builds and installs.
const mirrorVersion = "0.2.0"

// TestAccMirrorInstall installs the provider the way a registry user (and
// Terraform Cloud) does: the binary is built with goreleaser's flags
// (.goreleaser.yml: CGO off, -trimpath, -s -w, main.version) and name, zipped
// under the release's archive name, laid out as a packed filesystem_mirror;
// `terraform init` (no dev_overrides, no network) installs it and writes a
// lock file with the package's h1: hash; then the quick start is applied
// against the emulator, planned again (empty) and destroyed.
func TestAccMirrorInstall(t *testing.T) {
	env := newAccEnv(t, emulator.Options{})
	cli, host := cliPath(t), cliRegistryHost()
	work := t.TempDir()

	// The binary, as goreleaser builds it.
	binName := "terraform-provider-aliecs_v" + mirrorVersion
	bin := filepath.Join(work, binName)
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+mirrorVersion,
		"-o", bin, "github.com/aliecs/terraform-provider-aliecs")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The release archive, in the packed mirror layout:
	// <mirror>/<registry host>/aliecs/aliecs/terraform-provider-aliecs_<version>_<os>_<arch>.zip
	// (registry.opentofu.org for OpenTofu: "aliecs/aliecs" means its own registry).
	mirror := filepath.Join(work, "mirror")
	dir := filepath.Join(mirror, host, "aliecs", "aliecs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, fmt.Sprintf("terraform-provider-aliecs_%s_%s_%s.zip", mirrorVersion, runtime.GOOS, runtime.GOARCH))
	h1 := writeProviderZip(t, zipPath, bin, binName)

	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["%s/aliecs/aliecs"]
  }
}
`, mirror, host)), 0o600); err != nil {
		t.Fatal(err)
	}
	project := filepath.Join(work, "quickstart")
	if err := os.MkdirAll(project, 0o755); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "main.tf"), main, 0o600); err != nil {
		t.Fatal(err)
	}

	tfEnv := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_LOG=", "TF_LOG_PATH=", "TF_PLUGIN_CACHE_DIR=",
		"ALIBABA_CLOUD_ENDPOINT_ECS="+env.server.URL, "ALIBABA_CLOUD_REGION_ID="+accRegion,
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+accAccessKey, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accSecretKey,
		"ALIBABA_CLOUD_SECURITY_TOKEN=", "ALIBABA_CLOUD_ROLE_ARN=", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN=")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cli, args...)
		cmd.Dir, cmd.Env = project, tfEnv
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	out := run("init", "-input=false", "-no-color")
	if !strings.Contains(out, "Installed aliecs/aliecs v"+mirrorVersion) {
		t.Fatalf("terraform init did not install the provider from the mirror:\n%s", out)
	}
	lock, err := os.ReadFile(filepath.Join(project, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`provider "` + host + `/aliecs/aliecs"`, `version = "` + mirrorVersion + `"`,
		`"` + h1 + `"`} {
		if !strings.Contains(strings.Join(strings.Fields(string(lock)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the lock file lacks %s:\n%s", want, lock)
		}
	}
	if v := run("version"); !strings.Contains(v, "provider "+host+"/aliecs/aliecs v"+mirrorVersion) {
		t.Errorf("terraform version does not show the installed provider:\n%s", v)
	}

	run("apply", "-auto-approve", "-input=false", "-no-color")
	st := env.emu.State()
	if len(st.Instances) != 1 || st.Instances[0].AutoReleaseTime == "" {
		t.Fatalf("after the apply the emulator holds %d instances (want 1, with a release time)", len(st.Instances))
	}
	if plan := run("plan", "-detailed-exitcode", "-input=false", "-no-color"); !strings.Contains(plan, "No changes") {
		t.Errorf("the plan after the apply is not empty:\n%s", plan)
	}
	run("destroy", "-auto-approve", "-input=false", "-no-color")
	if n := len(env.emu.State().Instances); n != 0 {
		t.Fatalf("%d instances left after destroy", n)
	}
}

// writeProviderZip zips the binary as the release archive does and returns
// the package's h1: hash, as Terraform computes it for the lock file: the
// base64 SHA-256 of the lines "<hex sha256 of a file>  <name>\n" of every
// file in the package (here one).
func writeProviderZip(t *testing.T, zipPath, bin, name string) string {
	t.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fileSum := sha256.Sum256(data)
	summary := sha256.Sum256([]byte(hex.EncodeToString(fileSum[:]) + "  " + name + "\n"))
	return "h1:" + base64.StdEncoding.EncodeToString(summary[:])
}
