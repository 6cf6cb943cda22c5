package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// Roles and the OIDC provider the credential tests use, in the emulator's account.
const (
	accRoleARN        = "acs:ram::1380000000000000:role/deployer"
	accTargetRoleARN  = "acs:ram::2990000000000000:role/ecs-admin"
	accOIDCProvider   = "acs:ram::1380000000000000:oidc-provider/tfc"
	accOIDCAudience   = "aliyun"
	accTFCSubject     = "organization:acme:project:Default Project:workspace:ecs:run_phase:apply"
	accInstanceRole   = "TerraformAgentRole"
	accCredentialEnvs = "ALIBABA_CLOUD_ACCESS_KEY_ID ALICLOUD_ACCESS_KEY ALIBABA_CLOUD_ACCESS_KEY_SECRET ALICLOUD_SECRET_KEY " +
		"ALIBABA_CLOUD_SECURITY_TOKEN ALICLOUD_SECURITY_TOKEN ALIBABA_CLOUD_PROFILE ALICLOUD_PROFILE " +
		"ALIBABA_CLOUD_CREDENTIALS_FILE ALICLOUD_SHARED_CREDENTIALS_FILE ALIBABA_CLOUD_ROLE_ARN ALICLOUD_ASSUME_ROLE_ARN " +
		"ALIBABA_CLOUD_ROLE_SESSION_NAME ALIBABA_CLOUD_OIDC_PROVIDER_ARN ALIBABA_CLOUD_OIDC_TOKEN ALIBABA_CLOUD_OIDC_TOKEN_FILE " +
		"TFC_WORKLOAD_IDENTITY_TOKEN ALIBABA_CLOUD_ECS_METADATA ALIBABA_CLOUD_ENDPOINT_STS ALIBABA_CLOUD_STS_REGION " +
		"ALIECS_METADATA_ENDPOINT ALIBABA_CLOUD_REGION_ID ALIBABA_CLOUD_REGION ALICLOUD_REGION"
)

// credEnv is an emulator for the credential tests: the emulator's own key
// may call STS only (ECS answers it 403 Forbidden.RAM), so every ECS call
// that succeeds proves it was signed with the keys of a role.
type credEnv struct {
	*accEnv
	issuer *emulator.TestIssuer
}

func newCredEnv(t *testing.T, opts emulator.Options) *credEnv {
	t.Helper()
	for _, name := range strings.Fields(accCredentialEnvs) {
		t.Setenv(name, "")
	}
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	iss, err := emulator.NewTestIssuer("https://app.terraform.io")
	if err != nil {
		t.Fatal(err)
	}
	p := iss.Provider(accOIDCProvider, accOIDCAudience)
	p.Subject = "organization:acme:project:*:workspace:ecs:run_phase:*"
	opts.STS.OIDCProviders = append(opts.STS.OIDCProviders, p)
	opts.STS.STSOnlyKeys = append(opts.STS.STSOnlyKeys, accAccessKey)
	if opts.STS.InstanceRole == "" {
		opts.STS.InstanceRole = accInstanceRole
	}
	opts.STS.RequireIMDSv2 = true
	return &credEnv{accEnv: newAccEnv(t, opts), issuer: iss}
}

// provider is a provider block with the emulator's ECS and STS endpoints.
func (e *credEnv) provider(body string) string {
	return fmt.Sprintf(`
provider "aliecs" {
  region       = %q
  endpoint     = %q
  sts_endpoint = %q
%s
}
`, accRegion, e.server.URL, e.server.URL, body)
}

// keys is the emulator's key, as provider arguments.
func keys() string {
	return fmt.Sprintf("  access_key = %q\n  secret_key = %q\n", accAccessKey, accSecretKey)
}

// readInstances is a configuration whose plan makes one ECS call.
const readInstances = `
data "aliecs_instances" "all" {}
`

// tfcToken is a token shaped like a Terraform Cloud run's.
func (e *credEnv) tfcToken(sub string) string {
	return e.issuer.Token(sub, accOIDCAudience, time.Hour, map[string]any{
		"terraform_organization_name": "acme", "terraform_workspace_name": "ecs", "terraform_run_phase": "apply"})
}

// ok is a step that must succeed with at least these calls; counters start
// from zero at each step.
func (e *credEnv) ok(config string, atLeast map[string]int) resource.TestStep {
	return resource.TestStep{PreConfig: e.emu.ResetCalls, Config: config, Check: e.checkCalls(atLeast)}
}

// fails is a step that must fail with an error matching re. A test's last
// step must succeed (the test destroys with its configuration).
func (e *credEnv) fails(config, re string) resource.TestStep {
	return resource.TestStep{PreConfig: e.emu.ResetCalls, Config: config, ExpectError: regexp.MustCompile(re)}
}

// checkCalls checks that the emulator saw at least these calls, and that no
// ECS call was refused for its credentials.
func (e *credEnv) checkCalls(atLeast map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		calls := e.emu.Calls()
		for action, n := range atLeast {
			if calls[action] < n {
				return fmt.Errorf("%s called %d times, want at least %d (calls: %v)", action, calls[action], n, calls)
			}
		}
		for _, r := range e.emu.CallLog() {
			if r.Code == "Forbidden.RAM" || strings.HasPrefix(r.Code, "InvalidSecurityToken") {
				return fmt.Errorf("%s was refused with %s", r.Action, r.Code)
			}
		}
		return nil
	}
}

func TestAccCredentials_assumeRoleFromKeys(t *testing.T) {
	env := newCredEnv(t, emulator.Options{STS: emulator.STSOptions{Roles: []emulator.STSRole{
		{ARN: accRoleARN, ExternalID: "ci-7f3a"},
		{ARN: "acs:ram::1380000000000000:role/gone", Refuse: "EntityNotExist.Role"},
		{ARN: "acs:ram::1380000000000000:role/locked", Refuse: "NoPermission"},
	}}})
	assume := func(arn, ext string) string {
		b := keys() + "  assume_role {\n    role_arn = \"" + arn + "\"\n"
		if ext != "" {
			b += "    external_id = \"" + ext + "\"\n"
		}
		return env.provider(b+"    session_expiration = 900\n  }") + readInstances
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			// The key alone: ECS refuses it (it may only assume roles).
			env.fails(env.provider(keys())+readInstances, `Forbidden\.RAM`),
			env.fails(assume(accRoleARN, "wrong-id"), `(?s)wrong external id.*assume_role\.external_id.*NoPermission`),
			env.fails(assume(accRoleARN, ""), `(?s)not trusted.*set assume_role\.external_id`),
			env.fails(assume("acs:ram::1380000000000000:role/gone", ""), `(?s)does not exist.*assume_role\.role_arn.*EntityNotExist\.Role`),
			env.fails(assume("acs:ram::1380000000000000:role/locked", ""), `Cannot assume the role: the caller is not trusted`),
			env.fails(env.provider(keys()+"  assume_role {\n  }")+readInstances, `(?s)Missing assume_role\.role_arn.*ALIBABA_CLOUD_ROLE_ARN`),
			env.fails(assume("arn:aws:iam::1:role/x", ""), `must be a RAM role ARN`),
			env.ok(assume(accRoleARN, "ci-7f3a"), map[string]int{"AssumeRole": 1, "DescribeInstances": 1}),
		},
	})
}

// ALIBABA_CLOUD_ROLE_ARN alone (no block) assumes the role too.
func TestAccCredentials_assumeRoleFromEnvironment(t *testing.T) {
	env := newCredEnv(t, emulator.Options{})
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", accAccessKey)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", accSecretKey)
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", accRoleARN)
	t.Setenv("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci-job-42")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			env.ok(env.provider("")+readInstances, map[string]int{"AssumeRole": 1, "DescribeInstances": 1}),
		},
	})
}

func TestAccCredentials_oidcTokenFile(t *testing.T) {
	env := newCredEnv(t, emulator.Options{})
	file := filepath.Join(t.TempDir(), "token")
	write := func(tok string) {
		if err := os.WriteFile(file, []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other, err := emulator.NewTestIssuer("https://app.terraform.io")
	if err != nil {
		t.Fatal(err)
	}
	oidc := func(provider string) string {
		return env.provider(fmt.Sprintf(`  assume_role_with_oidc {
    oidc_provider_arn = %q
    role_arn          = %q
    oidc_token_file   = %q
  }`, provider, accRoleARN, file)) + readInstances
	}
	withToken := func(tok string, step resource.TestStep) resource.TestStep {
		reset := step.PreConfig
		step.PreConfig = func() { reset(); write(tok) }
		return step
	}
	good := env.tfcToken(accTFCSubject)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			// A token signed by another key: not trusted, and the error names the file.
			withToken(other.Token(accTFCSubject, accOIDCAudience, time.Hour, nil),
				env.fails(oidc(accOIDCProvider), `(?s)OIDC token not trusted.*oidc_token_file.*InvalidSignature`)),
			withToken(env.issuer.Token(accTFCSubject, "sts.aliyuncs.com", time.Hour, nil),
				env.fails(oidc(accOIDCProvider), `(?s)OIDC token not trusted.*AudienceNotMatch`)),
			// A workspace the role's trust policy does not name.
			withToken(env.tfcToken("organization:acme:project:Default Project:workspace:other:run_phase:apply"),
				env.fails(oidc(accOIDCProvider), `(?s)The role does not trust this OIDC token.*oidc:sub`)),
			withToken(good, env.fails(oidc("acs:ram::1380000000000000:oidc-provider/unknown"), `(?s)Unknown OIDC provider.*oidc-provider/unknown`)),
			withToken(good, env.ok(oidc(accOIDCProvider), map[string]int{"AssumeRoleWithOIDC": 1, "DescribeInstances": 1})),
		},
	})
}

// A Terraform Cloud run with workload identity: no Alibaba key anywhere,
// only the run's TFC_WORKLOAD_IDENTITY_TOKEN.
func TestAccCredentials_terraformCloudWorkloadIdentity(t *testing.T) {
	env := newCredEnv(t, emulator.Options{})
	t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", env.tfcToken(accTFCSubject))
	t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN_ALIBABA", env.tfcToken(accTFCSubject))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			env.fails(env.provider(fmt.Sprintf(`  assume_role_with_oidc {
    oidc_provider_arn = %q
    role_arn          = %q
    oidc_token_env    = "TFC_WORKLOAD_IDENTITY_TOKEN_MISSING"
  }`, accOIDCProvider, accRoleARN))+readInstances, `(?s)OIDC token variable not set.*TFC_WORKLOAD_IDENTITY_TOKEN_MISSING`),
			// The block with nothing but the provider and the role.
			env.ok(env.provider(fmt.Sprintf(`  assume_role_with_oidc {
    oidc_provider_arn = %q
    role_arn          = %q
  }`, accOIDCProvider, accRoleARN))+readInstances, map[string]int{"AssumeRoleWithOIDC": 1, "DescribeInstances": 1}),
			// A tagged token, then another role assumed on top (cross-account).
			env.ok(env.provider(fmt.Sprintf(`  assume_role_with_oidc {
    oidc_provider_arn = %q
    role_arn          = %q
    oidc_token_env    = "TFC_WORKLOAD_IDENTITY_TOKEN_ALIBABA"
  }
  assume_role {
    role_arn = %q
  }`, accOIDCProvider, accRoleARN, accTargetRoleARN))+readInstances, map[string]int{"AssumeRoleWithOIDC": 1, "AssumeRole": 1}),
		},
	})
}

// The same with environment variables only (workspace variables), and no block.
func TestAccCredentials_oidcFromEnvironment(t *testing.T) {
	env := newCredEnv(t, emulator.Options{})
	t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", env.tfcToken(accTFCSubject))
	t.Setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", accOIDCProvider)
	t.Setenv("ALIBABA_CLOUD_ROLE_ARN", accRoleARN)
	t.Setenv("ALIBABA_CLOUD_ENDPOINT_STS", env.server.URL)
	t.Setenv("ALIBABA_CLOUD_REGION", accRegion)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			env.ok(fmt.Sprintf("provider \"aliecs\" {\n  endpoint = %q\n}\n", env.server.URL)+readInstances,
				map[string]int{"AssumeRoleWithOIDC": 1, "DescribeInstances": 1}),
		},
	})
}

// A self-hosted agent on ECS: the machine's RAM role through the metadata
// service (IMDSv2, required here), alone and with a role assumed on top.
func TestAccCredentials_instanceRole(t *testing.T) {
	env := newCredEnv(t, emulator.Options{})
	t.Setenv("ALIECS_METADATA_ENDPOINT", env.server.URL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			env.fails(env.provider(`  ecs_role_name = "SomeoneElsesRole"`)+readInstances,
				`(?s)Cannot get the machine's RAM role credentials.*SomeoneElsesRole`),
			env.ok(env.provider(`  ecs_role_name = "`+accInstanceRole+`"`)+readInstances,
				map[string]int{"MetadataToken": 1, "MetadataCredentials": 1, "DescribeInstances": 1}),
			env.ok(env.provider(`  ecs_role_name = "`+accInstanceRole+`"
  assume_role {
    role_arn = "`+accTargetRoleARN+`"
  }`)+readInstances, map[string]int{"MetadataCredentials": 1, "AssumeRole": 1}),
		},
	})
}

// Every mode of the aliyun CLI's config.json, through shared_credentials_file,
// and the file's current profile when none is named.
func TestAccCredentials_profiles(t *testing.T) {
	// The keys the CloudSSO portal stand-in hands out, which the emulator
	// accepts for ECS (its own key may call STS only).
	ssoKey := emulator.Credential{AccessKeyID: "STS.cloudsso", AccessKeySecret: "cloudsso-secret", SecurityToken: "cloudsso-token"}
	env := newCredEnv(t, emulator.Options{Credentials: []emulator.Credential{{AccessKeyID: accAccessKey, AccessKeySecret: accSecretKey}, ssoKey}})
	portal := cloudSSOPortal(t, "sso-access-token", ssoKey)
	t.Setenv("ALIECS_METADATA_ENDPOINT", env.server.URL)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "oidc-token")
	if err := os.WriteFile(tokenFile, []byte(env.tfcToken(accTFCSubject)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{
  "current": "role",
  "profiles": [
    {"name": "keys", "mode": "AK", "access_key_id": %[1]q, "access_key_secret": %[2]q, "region_id": %[3]q},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": %[1]q, "access_key_secret": %[2]q, "region_id": %[3]q,
     "ram_role_arn": %[4]q, "ram_session_name": "cli", "expired_seconds": 900},
    {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": %[5]q},
    {"name": "machine", "mode": "EcsRamRole", "ram_role_name": %[6]q, "region_id": %[3]q},
    {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": %[7]q, "ram_role_arn": %[4]q, "oidc_token_file": %[8]q},
    {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": %[9]q, "cloud_sso_account_id": "1380000000000000",
     "cloud_sso_access_config": "ac-admin", "access_token": "sso-access-token", "cloud_sso_access_token_expire": %[10]d},
    {"name": "sso-expired", "mode": "CloudSSO", "cloud_sso_sign_in_url": %[9]q, "cloud_sso_account_id": "1380000000000000",
     "cloud_sso_access_config": "ac-admin", "access_token": "sso-access-token", "cloud_sso_access_token_expire": %[11]d},
    {"name": "oauth", "mode": "OAuth"}
  ]
}`, accAccessKey, accSecretKey, accRegion, accRoleARN, accTargetRoleARN, accInstanceRole, accOIDCProvider, tokenFile,
		portal.URL, time.Now().Add(time.Hour).Unix(), time.Now().Add(-time.Hour).Unix())), 0o600); err != nil {
		t.Fatal(err)
	}
	withProfile := func(name string) string {
		body := fmt.Sprintf("  shared_credentials_file = %q\n", cfg)
		if name != "" {
			body += fmt.Sprintf("  profile = %q\n", name)
		}
		return env.provider(body) + readInstances
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			env.fails(withProfile("keys"), `Forbidden\.RAM`),
			env.fails(withProfile("oauth"), `(?s)mode "OAuth".*supported modes are AK, StsToken`),
			env.ok(withProfile("sso"), map[string]int{"DescribeInstances": 1}),
			env.fails(withProfile("sso-expired"), `(?s)Cannot get the CloudSSO credentials.*aliyun configure --profile\s+sso-expired\s+--mode CloudSSO.*expired`),
			env.ok(withProfile("role"), map[string]int{"AssumeRole": 1}),
			env.ok(withProfile("chained"), map[string]int{"AssumeRole": 2}),
			env.ok(withProfile("machine"), map[string]int{"MetadataCredentials": 1}),
			env.ok(withProfile("oidc"), map[string]int{"AssumeRoleWithOIDC": 1}),
			env.ok(withProfile(""), map[string]int{"AssumeRole": 1}), // the current profile, "role"
		},
	})
}

// cloudSSOPortal stands in for a CloudSSO sign-in portal: POST
// /cloud-credentials with the access token answers key, for an hour.
func cloudSSOPortal(t *testing.T, token string, key emulator.Credential) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/cloud-credentials" || r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"RequestId": "r-1", "CloudCredential": map[string]string{
			"AccessKeyId": key.AccessKeyID, "AccessKeySecret": key.AccessKeySecret, "SecurityToken": key.SecurityToken,
			"Expiration": time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Keys that expire during a long apply are renewed: a snapshot that takes
// several lifetimes of the role's keys completes, and no call is refused
// for an expired token.
func TestAccCredentials_renewedDuringLongApply(t *testing.T) {
	env := newCredEnv(t, emulator.Options{SnapshotTime: 12 * time.Second, STS: emulator.STSOptions{TTL: 4 * time.Second}})
	c := newInstanceCatalog(t, env.accEnv)
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.provider(keys()+"  assume_role {\n    role_arn = \""+accRoleARN+"\"\n    session_expiration = 900\n  }") +
				fmt.Sprintf(`
resource "aliecs_instance" "vm" {
  image_id           = %q
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}

resource "aliecs_snapshot" "snap" {
  instance_id = aliecs_instance.vm.id
  name        = "long-snapshot"
}
`, c.image, c.vswitch, c.sg),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr("aliecs_snapshot.snap", "status", "accomplished"),
				env.checkCalls(map[string]int{"AssumeRole": 3}),
				func(*terraform.State) error {
					if time.Since(start) < 12*time.Second {
						return fmt.Errorf("the apply took %s, shorter than the snapshot; the test proves nothing", time.Since(start))
					}
					return nil
				},
			),
		}},
	})
}
