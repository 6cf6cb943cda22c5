package provider

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// TestAccReliability_secretsNeverLeak runs a full apply, a failing plan
// (whose diagnostics quote the request) and a destroy with TF_LOG=TRACE,
// DEBUG=sdk (the SDK's own debug switch, which prints every signed URL to
// the provider's stdout, and so into Terraform's log, unless the provider
// ignores it), STS credentials, an instance password and user data, and
// looks for the secret key, the security token, the password, the user data
// and any signature value in the log file, every command's output
// (diagnostics), the state and the plan JSON.
func TestAccReliability_secretsNeverLeak(t *testing.T) {
	t.Parallel()
	const (
		keyID    = "STS.reliability-key"
		secret   = "rel-Secret-9f2c71d0a4"
		token    = "rel-Token-CAIS8b6e4e0f1c2d"
		password = "Rel-Passw0rd-7e1d!"
		// userData is base64 of a script; the SDK's debug output would print it.
		userData = "IyEvYmluL3NoCmVjaG8gcmVsLXVzZXJkYXRhLTQ0Cg=="
		// woSecret is in a write-only user data (from an ephemeral variable):
		// never in the state, the plan JSON, the log or any output.
		woSecret = "rel-WoUserData-c41f9e"
		woScript = "#!/bin/sh\necho " + woSecret + " > /etc/token\n"
	)
	env := newAccEnv(t, emulator.Options{
		Credentials: []emulator.Credential{{AccessKeyID: keyID, AccessKeySecret: secret, SecurityToken: token}},
	})
	c := newInstanceCatalog(t, env)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	// Credentials and the password come from the environment, as users are told to pass them.
	cli := newRelCLI(t, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath,
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+secret,
		"ALIBABA_CLOUD_SECURITY_TOKEN="+token, "TF_VAR_password="+password, "TF_VAR_wo_secret="+woSecret, "DEBUG=sdk")
	cli.write(fmt.Sprintf(`
provider "aliecs" {
  region      = %[1]q
  endpoint    = %[2]q
  max_retries = 0
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
  user_data           = "#!/bin/sh\necho rel-userdata-44\n"
}

variable "wo_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "aliecs_instance" "wo" {
  image_id             = %[3]q
  instance_type        = "ecs.g7.large"
  vswitch_id           = %[4]q
  security_group_ids   = [%[5]q]
  user_data_wo         = "#!/bin/sh\necho ${var.wo_secret} > /etc/token\n"
  user_data_wo_version = 1
}

resource "aliecs_snapshot" "snap" {
  instance_id = aliecs_instance.vm.id
  name        = "secrets-snap"
}
`, accRegion, env.server.URL, c.image, c.vswitch, c.sg))

	var outputs []string
	outputs = append(outputs, cli.mustRun("plan", "-input=false", "-no-color", "-out=tfplan"))
	planJSON := cli.mustRun("show", "-json", "tfplan")
	outputs = append(outputs, cli.mustRun("apply", "-input=false", "-no-color", "tfplan"))
	if n := len(env.emu.State().Instances); n != 2 {
		t.Fatalf("emulator holds %d instances after the apply, want 2", n)
	}
	// The test must be able to fail: the write-only user data reached the service.
	client, err := ecsapi.New(ecsapi.Config{RegionID: accRegion, AccessKeyID: keyID, AccessKeySecret: secret,
		SecurityToken: token, Endpoint: strings.TrimPrefix(env.server.URL, "http://"), Scheme: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	woID := ""
	for _, id := range cli.state().ids("aliecs_instance", "id") {
		if strings.Contains(userDataVia(t, client, id), woSecret) {
			woID = id
		}
	}
	if woID == "" {
		t.Fatalf("no instance in the emulator has the write-only user data")
	}
	// user_data is sensitive: the plan shows it hidden, never its text.
	if !regexp.MustCompile(`\+ user_data\s+= \(sensitive value\)`).MatchString(outputs[0]) {
		t.Errorf("the plan output does not show user_data as (sensitive value):\n%s", outputs[0])
	}
	// A dropped connection: the transport error's diagnostic quotes the
	// signed request URL (with its SecurityToken and Signature parameters).
	env.emu.AddFault(emulator.Fault{Action: "DescribeInstances", ResetConnection: true})
	failed, err := cli.run("plan", "-input=false", "-no-color")
	if err == nil || !strings.Contains(failed, "transport error") {
		t.Fatalf("the plan under a dropped connection should fail with a transport error: %v\n%s", err, failed)
	}
	outputs = append(outputs, failed)
	relClearFaults(env)
	state, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color"))
	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// The test must be able to fail: the log has to show the API traffic.
	if !strings.Contains(string(logBytes), "ecs_action=RunInstances") && !strings.Contains(string(logBytes), `"ecs_action":"RunInstances"`) {
		i := strings.Index(string(logBytes), "ecs_action")
		t.Fatalf("the TRACE log does not show the API calls (%d bytes, ecs_action at %d); the test would prove nothing", len(logBytes), i)
	}
	// The transport error names the endpoint and no longer quotes the
	// signed request at all (secrets below still checks every output).
	if !strings.Contains(failed, env.server.URL) || strings.Contains(failed, "Signature=") {
		t.Fatalf("the failed plan's diagnostic should name the endpoint and not quote the signed request:\n%s", failed)
	}
	// DEBUG=sdk reached the provider (it says it ignores it), and the SDK
	// printed nothing: no request line, no retry line, no user data.
	if !strings.Contains(string(logBytes), "DEBUG=sdk is ignored") {
		t.Errorf("the TRACE log does not show the provider's DEBUG=sdk warning; the test would prove less than it says")
	}
	for _, mark := range []string{"> POST /?", "> GET /?", "Retry Times:"} {
		if i := strings.Index(string(logBytes), mark); i >= 0 {
			t.Errorf("the SDK's debug output is in the TRACE log: …%s…", string(logBytes)[i:min(len(logBytes), i+200)])
		}
	}
	// user_data is in the state (by design) but never in the commands' output.
	if joined := strings.Join(outputs, "\n"); strings.Contains(joined, "rel-userdata-44") {
		t.Errorf("the text of user_data appears in a command's output")
	}
	places := map[string]string{
		"TRACE log":      string(logBytes),
		"state":          string(state),
		"plan JSON":      planJSON,
		"command output": strings.Join(outputs, "\n"),
	}
	signature := regexp.MustCompile(`Signature(?:=|%3D|":\s*"|\\":\s*\\")([A-Za-z0-9%+/=]{8,})`)
	for where, text := range places {
		for name, s := range map[string]string{"secret key": secret, "security token": token, "password": password,
			"base64 user data as sent": strings.TrimRight(userData, "="), "write-only user data": woSecret,
			"write-only user data (base64)": strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(woScript)), "=")} {
			if enc := url.QueryEscape(s); enc != s && strings.Contains(text, enc) {
				i := strings.Index(text, enc)
				t.Errorf("the %s (URL-encoded) appears in the %s: …%s…", name, where, text[max(0, i-80):min(len(text), i+len(enc)+20)])
			}
			if strings.Contains(text, s) {
				i := strings.Index(text, s)
				t.Errorf("the %s appears in the %s: …%s…", name, where, text[max(0, i-80):min(len(text), i+len(s)+20)])
			}
		}
		for _, m := range signature.FindAllStringSubmatch(text, -1) {
			if !strings.HasPrefix(m[1], "REDACTED") {
				t.Errorf("a signature value appears in the %s: %q", where, m[0])
			}
		}
	}
	if err := relNothingLeft(env)(nil); err != nil {
		t.Error(err)
	}
	relRecord(t, env, 2)
}
