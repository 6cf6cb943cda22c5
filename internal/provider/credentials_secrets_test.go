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

// TestAccReliability_secretsNeverLeakWithRoles extends
// TestAccReliability_secretsNeverLeak to the credential chain: a Terraform
// Cloud token (TFC_WORKLOAD_IDENTITY_TOKEN) exchanged for a role's keys, a
// second role assumed on top with an external id, keys that live 3 s and
// so are renewed during a snapshot wait, TF_LOG=TRACE, and a failing plan
// whose diagnostic quotes the signed request. Neither the OIDC token nor
// the secret or token of any key STS issued may appear in the log, the
// diagnostics, the state or the plan.
func TestAccReliability_secretsNeverLeakWithRoles(t *testing.T) {
	env := newCredEnv(t, emulator.Options{SnapshotTime: 5 * time.Second, STS: emulator.STSOptions{
		TTL:   3 * time.Second,
		Roles: []emulator.STSRole{{ARN: accTargetRoleARN, ExternalID: "ext-id-81c2"}},
	}})
	c := newInstanceCatalog(t, env.accEnv)
	oidcToken := env.tfcToken(accTFCSubject)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	cli := newRelCLI(t, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath,
		"TFC_WORKLOAD_IDENTITY_TOKEN="+oidcToken, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN="+accOIDCProvider,
		"ALIBABA_CLOUD_ROLE_ARN="+accRoleARN, "ALIBABA_CLOUD_ENDPOINT_STS="+env.server.URL)
	cli.write(fmt.Sprintf(`
provider "aliecs" {
  region      = %q
  endpoint    = %q
  max_retries = 0
  assume_role {
    role_arn           = %q
    external_id        = "ext-id-81c2"
    session_expiration = 900
  }
}

resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_snapshot" "snap" {
  instance_id = aliecs_instance.vm.id
  name        = "secrets-roles"
}
`, accRegion, env.server.URL, accTargetRoleARN, c.image, c.vswitch, c.sg))

	var outputs []string
	outputs = append(outputs, cli.mustRun("plan", "-input=false", "-no-color", "-out=tfplan"))
	planJSON := cli.mustRun("show", "-json", "tfplan")
	outputs = append(outputs, cli.mustRun("apply", "-input=false", "-no-color", "tfplan"))
	env.emu.AddFault(emulator.Fault{Action: "DescribeInstances", ResetConnection: true})
	failed, err := cli.run("plan", "-input=false", "-no-color")
	// A transport error names the endpoint and quotes no signed request.
	if err == nil || !strings.Contains(failed, env.server.URL) || strings.Contains(failed, "Signature=") {
		t.Fatalf("the plan under a dropped connection should fail naming the endpoint, quoting no signed request: %v\n%s", err, failed)
	}
	outputs = append(outputs, failed)
	env.emu.ClearFaults()
	state, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, cli.mustRun("destroy", "-auto-approve", "-input=false", "-no-color"))
	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}

	issued := env.emu.IssuedCredentials()
	calls := env.emu.Calls()
	// The test must be able to fail: keys were renewed during the run, and
	// the log shows the credential and API traffic.
	if calls["AssumeRoleWithOIDC"] < 2 || calls["AssumeRole"] < 2 || len(issued) < 4 {
		t.Fatalf("too few keys were issued to prove anything: calls %v, %d keys", calls, len(issued))
	}
	if !strings.Contains(string(logBytes), "Credentials obtained") {
		t.Fatal("the TRACE log does not show the credential renewals; the test would prove nothing")
	}
	secrets := map[string]string{"OIDC token": oidcToken, "emulator key secret": accSecretKey}
	for i, k := range issued {
		secrets[fmt.Sprintf("issued secret %d", i)] = k.AccessKeySecret
		secrets[fmt.Sprintf("issued token %d", i)] = k.SecurityToken
	}
	places := map[string]string{
		"TRACE log":      string(logBytes),
		"state":          string(state),
		"plan JSON":      planJSON,
		"command output": strings.Join(outputs, "\n"),
	}
	signature := regexp.MustCompile(`Signature(?:=|%3D|":\s*"|\\":\s*\\")([A-Za-z0-9%+/=]{8,})`)
	for where, text := range places {
		for name, s := range secrets {
			if strings.Contains(text, s) {
				i := strings.Index(text, s)
				t.Errorf("the %s appears in the %s: …%s…", name, where, text[max(0, i-80):min(len(text), i+40)])
			}
		}
		for _, m := range signature.FindAllStringSubmatch(text, -1) {
			if !strings.HasPrefix(m[1], "REDACTED") {
				t.Errorf("a signature value appears in the %s: %q", where, m[0])
			}
		}
	}
	if err := relNothingLeft(env.accEnv)(nil); err != nil {
		t.Error(err)
	}
}
