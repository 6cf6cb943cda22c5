package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccProgressLog_infoShowsTheWaits runs the real CLI with
// TF_LOG_PROVIDER=INFO, as the README tells users to, through every long
// wait: a boot, a snapshot with release_instance_after_snapshot, a restore
// (its intermediate image), a resize (stop and start) and a destroy. The
// log must show each wait, the snapshot's percentage as the emulator
// reports it, and no secret.
func TestAccProgressLog_infoShowsTheWaits(t *testing.T) {
	t.Parallel()
	const (
		keyID    = "progress-key"
		secret   = "progress-Secret-51c0ae"
		password = "Progress-Passw0rd-3!"
	)
	env := newAccEnv(t, emulator.Options{
		Credentials:  []emulator.Credential{{AccessKeyID: keyID, AccessKeySecret: secret}},
		BootTime:     2 * time.Second,
		StopTime:     time.Second,
		SnapshotTime: 4 * time.Second,
		ImageTime:    2 * time.Second,
	})
	c := newInstanceCatalog(t, env)
	logPath := filepath.Join(t.TempDir(), "info.log")
	cli := newRelCLI(t, "TF_LOG_PROVIDER=INFO", "TF_LOG_PATH="+logPath,
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+secret, "TF_VAR_password="+password)
	config := func(restoredType string) string {
		return fmt.Sprintf(`
provider "aliecs" {
  region   = %[1]q
  endpoint = %[2]q
}

variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "aliecs_instance" "vm" {
  image_id            = %[3]q
  instance_type       = "ecs.g7.large"
  vswitch_id          = %[4]q
  security_group_ids  = [%[5]q]
  password_wo         = var.password
  password_wo_version = 1
}

resource "aliecs_snapshot" "snap" {
  instance_id                     = aliecs_instance.vm.id
  name                            = "progress-snap"
  release_instance_after_snapshot = true
}

resource "aliecs_instance" "restored" {
  source_snapshot_id = aliecs_snapshot.snap.id
  instance_type      = %[6]q
  vswitch_id         = %[4]q
  security_group_ids = [%[5]q]
}
`, accRegion, env.server.URL, c.image, c.vswitch, c.sg, restoredType)
	}
	cli.write(config("ecs.g7.large"))
	outputs := []string{cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color")}
	cli.write(config("ecs.g7.xlarge"))
	outputs = append(outputs, cli.mustRun("apply", "-auto-approve", "-input=false", "-no-color"))
	outputs = append(outputs, cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color"))

	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	for _, want := range []string{
		`\[INFO\] +provider\.terraform-provider-aliecs: Instance i-\S+ created; waiting for it to boot`,
		`Waiting for instance i-\S+ to reach status Running: \w+ after `,
		`Done waiting for instance i-\S+ to reach status Running after `,
		// The snapshot's percentage as the service reports it, below 100.
		`Waiting for snapshot group ssg-\S+ to be accomplished: progressing, s-\S+ [0-9]{1,2}%`,
		`Snapshot ssg-\S+ accomplished; releasing i-\S+`,
		`Releasing instance i-\S+`,
		`Restore: making an image of snapshot s-\S+ \(the system disk of group ssg-\S+\)`,
		`Waiting for image m-\S+ to be Available`,
		`Resize: stopping instance i-\S+ to change its type from ecs\.g7\.large to ecs\.g7\.xlarge`,
		`Waiting for instance i-\S+ to reach status Stopped`,
		`Resize: starting instance i-\S+ again after the change`,
		`Done waiting for instance i-\S+ to be released after `,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Errorf("the INFO log has no line matching %q", want)
		}
	}
	// INFO leaves the per-call DEBUG lines out: the log is the waits.
	if strings.Contains(log, "ECS call") {
		t.Errorf("the INFO log shows the DEBUG per-call lines")
	}
	for _, s := range append(outputs, log) {
		for _, secretText := range []string{secret, password, "Signature="} {
			if strings.Contains(s, secretText) {
				t.Errorf("%q appears in the log or an output", secretText)
			}
		}
	}
	if t.Failed() {
		t.Logf("the INFO log:\n%s", log)
	}
}
