package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const chainConfig = `{
  "current": "ci",
  "profiles": [
    {"name": "keys", "mode": "AK", "access_key_id": "ak", "access_key_secret": "sk", "region_id": "cn-shanghai"},
    {"name": "ci", "mode": "RamRoleArn", "access_key_id": "ak", "access_key_secret": "sk", "region_id": "cn-beijing",
     "ram_role_arn": "acs:ram::1:role/ci", "expired_seconds": 900, "sts_region": "cn-beijing", "external_id": "x1"},
    {"name": "prod", "mode": "ChainableRamRoleArn", "source_profile": "ci", "ram_role_arn": "acs:ram::2:role/prod"},
    {"name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": "acs:ram::2:role/a"},
    {"name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": "acs:ram::2:role/b"},
    {"name": "agent", "mode": "EcsRamRole", "ram_role_name": "AgentRole"},
    {"name": "rrsa", "mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/ack", "ram_role_arn": "acs:ram::1:role/pod", "oidc_token_file": "/var/run/token"},
    {"name": "sso", "mode": "CloudSSO"},
    {"name": "oauth", "mode": "OAuth"}
  ]
}`

func TestResolveRegionFromALIBABA_CLOUD_REGION(t *testing.T) {
	env := map[string]string{"ALIBABA_CLOUD_REGION": "cn-shenzhen", "ALICLOUD_REGION": "cn-shanghai",
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk"}
	if s := mustResolve(t, nullModel(), env, noHome); s.region != "cn-shenzhen" {
		t.Fatalf("region %q, want the one from ALIBABA_CLOUD_REGION", s.region)
	}
	env["ALIBABA_CLOUD_REGION_ID"] = "cn-beijing"
	if s := mustResolve(t, nullModel(), env, noHome); s.region != "cn-beijing" {
		t.Fatalf("region %q, want ALIBABA_CLOUD_REGION_ID first", s.region)
	}
}

func TestResolveProfileModes(t *testing.T) {
	home := homeWith(t, chainConfig)
	named := func(name string) providerModel {
		m := nullModel()
		m.Profile = types.StringValue(name)
		return m
	}
	t.Run("current profile when none is named", func(t *testing.T) {
		s := mustResolve(t, nullModel(), nil, home)
		if s.region != "cn-beijing" || s.creds.base.kind != baseStatic || len(s.creds.roles) != 1 {
			t.Fatalf("got %+v", s.creds)
		}
		r := s.creds.roles[0].in
		if r.RoleARN != "acs:ram::1:role/ci" || r.Duration != 900*time.Second || r.ExternalID != "x1" || r.SessionName != "terraform" {
			t.Fatalf("role %+v", r)
		}
		if s.stsHost != "sts.cn-beijing.aliyuncs.com" || s.stsScheme != "https" {
			t.Fatalf("sts endpoint %s://%s, want the profile's sts_region", s.stsScheme, s.stsHost)
		}
	})
	t.Run("profiles disabled", func(t *testing.T) {
		_, diags := resolveSettings(nullModel(), envFrom(map[string]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"}), home)
		if !diags.HasError() {
			t.Fatal("the default file was read although ALIBABA_CLOUD_CLI_PROFILE_DISABLED is true")
		}
	})
	t.Run("ChainableRamRoleArn", func(t *testing.T) {
		s := mustResolve(t, named("prod"), map[string]string{"ALICLOUD_REGION": "cn-hangzhou"}, home)
		if s.creds.base.accessKey != "ak" || len(s.creds.roles) != 2 ||
			s.creds.roles[0].in.RoleARN != "acs:ram::1:role/ci" || s.creds.roles[1].in.RoleARN != "acs:ram::2:role/prod" {
			t.Fatalf("got %+v", s.creds)
		}
		if !s.creds.roles[1].attr.Equal(path.Root("profile")) {
			t.Fatal("errors of a named profile's roles must point at the profile attribute")
		}
	})
	t.Run("ChainableRamRoleArn loop", func(t *testing.T) {
		_, diags := resolveSettings(named("loop-a"), envFrom(map[string]string{"ALICLOUD_REGION": "cn-hangzhou"}), home)
		assertAttributeError(t, diags, path.Root("profile"), "chains back to itself")
	})
	t.Run("EcsRamRole", func(t *testing.T) {
		s := mustResolve(t, named("agent"), map[string]string{"ALICLOUD_REGION": "cn-hangzhou", "ALIBABA_CLOUD_IMDSV1_DISABLED": "true"}, home)
		if s.creds.base.kind != baseInstance || s.creds.base.instanceRole != "AgentRole" || !s.creds.base.disableIMDSv1 {
			t.Fatalf("got %+v", s.creds.base)
		}
	})
	t.Run("OIDC", func(t *testing.T) {
		s := mustResolve(t, named("rrsa"), map[string]string{"ALICLOUD_REGION": "cn-hangzhou"}, home)
		o := s.creds.base.oidc
		if s.creds.base.kind != baseOIDC || o.tokenFile != "/var/run/token" || o.roleARN != "acs:ram::1:role/pod" || o.providerARN != "acs:ram::1:oidc-provider/ack" {
			t.Fatalf("got %+v", s.creds.base)
		}
	})
	t.Run("unsupported mode", func(t *testing.T) {
		_, diags := resolveSettings(named("oauth"), envFrom(nil), home)
		assertAttributeError(t, diags, path.Root("profile"), "supported modes are "+supportedProfileModes)
	})
	t.Run("CloudSSO without its portal", func(t *testing.T) {
		_, diags := resolveSettings(named("sso"), envFrom(nil), home)
		assertAttributeError(t, diags, path.Root("profile"), "needs cloud_sso_sign_in_url")
	})
	t.Run("shared_credentials_file from the environment", func(t *testing.T) {
		file := homeWith(t, `{"current":"k","profiles":[{"name":"k","mode":"AK","access_key_id":"fa","access_key_secret":"fs","region_id":"us-west-1"}]}`)
		dir, _ := file()
		s := mustResolve(t, nullModel(), map[string]string{"ALIBABA_CLOUD_CREDENTIALS_FILE": dir + "/.aliyun/config.json"}, home)
		if s.accessKey != "fa" || s.region != "us-west-1" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("a named file that does not exist", func(t *testing.T) {
		m := nullModel()
		m.SharedCredentialsFile = types.StringValue("/nonexistent/config.json")
		m.Region = types.StringValue("cn-hangzhou")
		_, diags := resolveSettings(m, envFrom(nil), home)
		assertAttributeError(t, diags, path.Root("profile"), "/nonexistent/config.json does not exist")
	})
	t.Run("static keys beat a named role profile, with a warning", func(t *testing.T) {
		s, diags := resolveSettings(named("prod"), envFrom(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-ak",
			"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-sk", "ALICLOUD_REGION": "cn-hangzhou"}), home)
		if diags.HasError() || s.accessKey != "env-ak" || len(s.creds.roles) != 0 {
			t.Fatalf("got %+v %v", s.creds, diags)
		}
		assertWarning(t, diags, path.Root("profile"), "not used for credentials")
	})
}

func TestResolveOIDC(t *testing.T) {
	block := func() *assumeRoleWithOIDCModel {
		return &assumeRoleWithOIDCModel{OIDCProviderARN: types.StringValue("acs:ram::1:oidc-provider/tfc"),
			RoleARN: types.StringValue("acs:ram::1:role/r")}
	}
	region := map[string]string{"ALIBABA_CLOUD_REGION": "cn-hangzhou"}
	withEnv := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range region {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	t.Run("the block beats static keys, and reads TFC_WORKLOAD_IDENTITY_TOKEN", func(t *testing.T) {
		m := nullModel()
		m.AssumeRoleWithOIDC = block()
		s := mustResolve(t, m, withEnv(map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": "jwt-tfc",
			"ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk"}), noHome)
		if s.creds.base.kind != baseOIDC || s.creds.base.oidc.token != "jwt-tfc" || s.creds.base.oidc.tokenSource != "environment variable TFC_WORKLOAD_IDENTITY_TOKEN" {
			t.Fatalf("got %+v", s.creds.base)
		}
	})
	t.Run("token precedence", func(t *testing.T) {
		env := withEnv(map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": "jwt-tfc", "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/f",
			"ALIBABA_CLOUD_OIDC_TOKEN": "jwt-env", "TFC_WORKLOAD_IDENTITY_TOKEN_ALI": "jwt-tagged"})
		m := nullModel()
		m.AssumeRoleWithOIDC = block()
		if s := mustResolve(t, m, env, noHome); s.creds.base.oidc.token != "jwt-env" {
			t.Fatalf("ALIBABA_CLOUD_OIDC_TOKEN first among the environment's tokens, got %+v", s.creds.base.oidc)
		}
		m.AssumeRoleWithOIDC.OIDCTokenEnv = types.StringValue("TFC_WORKLOAD_IDENTITY_TOKEN_ALI")
		if s := mustResolve(t, m, env, noHome); s.creds.base.oidc.token != "jwt-tagged" {
			t.Fatalf("oidc_token_env beats the environment's tokens, got %+v", s.creds.base.oidc)
		}
	})
	t.Run("environment only", func(t *testing.T) {
		s := mustResolve(t, nullModel(), withEnv(map[string]string{"ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/p",
			"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/r", "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/var/token"}), noHome)
		if s.creds.base.kind != baseOIDC || s.creds.base.oidc.tokenFile != "/var/token" || len(s.creds.roles) != 0 {
			t.Fatalf("ALIBABA_CLOUD_ROLE_ARN is the OIDC role, not a role on top: %+v", s.creds)
		}
	})
	t.Run("environment only, incomplete", func(t *testing.T) {
		_, diags := resolveSettings(nullModel(), envFrom(withEnv(map[string]string{"ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::1:oidc-provider/p"})), noHome)
		if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "ALIBABA_CLOUD_ROLE_ARN") {
			t.Fatalf("got %v", diags)
		}
	})
	t.Run("no token", func(t *testing.T) {
		m := nullModel()
		m.AssumeRoleWithOIDC = block()
		_, diags := resolveSettings(m, envFrom(region), noHome)
		assertAttributeError(t, diags, path.Root("assume_role_with_oidc"), "TFC_WORKLOAD_IDENTITY_AUDIENCE")
	})
	t.Run("missing provider and role", func(t *testing.T) {
		m := nullModel()
		m.AssumeRoleWithOIDC = &assumeRoleWithOIDCModel{OIDCToken: types.StringValue("jwt")}
		_, diags := resolveSettings(m, envFrom(region), noHome)
		assertAttributeError(t, diags, path.Root("assume_role_with_oidc").AtName("oidc_provider_arn"), "ALIBABA_CLOUD_OIDC_PROVIDER_ARN")
		assertAttributeError(t, diags, path.Root("assume_role_with_oidc").AtName("role_arn"), "ALIBABA_CLOUD_ROLE_ARN")
	})
	t.Run("a TFC token with nothing else is pointed out", func(t *testing.T) {
		_, diags := resolveSettings(nullModel(), envFrom(withEnv(map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN": "jwt"})), noHome)
		if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "add an assume_role_with_oidc block") {
			t.Fatalf("got %v", diags)
		}
	})
}

func TestResolveAssumeRoleAndInstanceRole(t *testing.T) {
	keys := map[string]string{"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk"}
	t.Run("block with defaults and environment fallbacks", func(t *testing.T) {
		m := nullModel()
		m.AssumeRole = &assumeRoleModel{ExternalID: types.StringValue("ext")}
		env := map[string]string{"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/r", "ALIBABA_CLOUD_ROLE_SESSION_NAME": "job-1"}
		for k, v := range keys {
			env[k] = v
		}
		s := mustResolve(t, m, env, noHome)
		r := s.creds.roles[0].in
		if r.RoleARN != "acs:ram::1:role/r" || r.SessionName != "job-1" || r.Duration != time.Hour || r.ExternalID != "ext" {
			t.Fatalf("role %+v", r)
		}
		if s.stsHost != "sts.aliyuncs.com" {
			t.Fatalf("default STS endpoint %q", s.stsHost)
		}
	})
	t.Run("block without a role", func(t *testing.T) {
		m := nullModel()
		m.AssumeRole = &assumeRoleModel{}
		_, diags := resolveSettings(m, envFrom(keys), noHome)
		assertAttributeError(t, diags, path.Root("assume_role").AtName("role_arn"), "ALIBABA_CLOUD_ROLE_ARN")
	})
	t.Run("ecs_role_name, and sts_endpoint from the environment", func(t *testing.T) {
		m := nullModel()
		m.ECSRoleName = types.StringValue("AgentRole")
		m.AssumeRole = &assumeRoleModel{RoleARN: types.StringValue("acs:ram::2:role/target"), SessionExpiration: types.Int64Value(7200)}
		s := mustResolve(t, m, map[string]string{"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou",
			"ALIBABA_CLOUD_ENDPOINT_STS": "http://127.0.0.1:9999", "ALIECS_METADATA_ENDPOINT": "http://127.0.0.1:9999"}, noHome)
		if s.creds.base.kind != baseInstance || s.creds.roles[0].in.Duration != 2*time.Hour ||
			s.stsScheme != "http" || s.stsHost != "127.0.0.1:9999" || s.metadataEndpoint != "http://127.0.0.1:9999" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("ecs_role_name loses to static keys, with a warning", func(t *testing.T) {
		m := nullModel()
		m.ECSRoleName = types.StringValue("AgentRole")
		s, diags := resolveSettings(m, envFrom(keys), noHome)
		if diags.HasError() || s.creds.base.kind != baseStatic {
			t.Fatalf("got %+v %v", s.creds, diags)
		}
		assertWarning(t, diags, path.Root("ecs_role_name"), "static keys were found first")
	})
	t.Run("unknown nested value", func(t *testing.T) {
		m := nullModel()
		m.AssumeRole = &assumeRoleModel{RoleARN: types.StringUnknown()}
		_, diags := resolveSettings(m, envFrom(keys), noHome)
		assertAttributeError(t, diags, path.Root("assume_role").AtName("role_arn"), "only known after apply")
	})
	t.Run("bad sts_endpoint", func(t *testing.T) {
		m := nullModel()
		m.STSEndpoint = types.StringValue("ftp://sts")
		_, diags := resolveSettings(m, envFrom(keys), noHome)
		assertAttributeError(t, diags, path.Root("sts_endpoint"), "scheme must be http or https")
	})
}

func assertWarning(t *testing.T, diags diag.Diagnostics, p path.Path, want string) {
	t.Helper()
	for _, d := range diags.Warnings() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(p) && strings.Contains(d.Detail(), want) {
			return
		}
	}
	t.Fatalf("no warning on %s containing %q in %v", p, want, diags)
}
