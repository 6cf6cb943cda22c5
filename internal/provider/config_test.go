package provider

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envFrom(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func noHome() (string, error) { return "", errors.New("no home in this test") }

func homeWith(t *testing.T, configJSON string) func() (string, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".aliyun", "config.json"), []byte(configJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	return func() (string, error) { return dir, nil }
}

func nullModel() providerModel {
	return providerModel{
		Region: types.StringNull(), AccessKey: types.StringNull(), SecretKey: types.StringNull(),
		SecurityToken: types.StringNull(), Profile: types.StringNull(), Endpoint: types.StringNull(),
		MaxRetries: types.Int64Null(), MaxRequestsPerSecond: types.Float64Null(),
	}
}

func mustResolve(t *testing.T, m providerModel, env map[string]string, home func() (string, error)) settings {
	t.Helper()
	s, diags := resolveSettings(m, envFrom(env), home)
	if diags.HasError() {
		t.Fatalf("unexpected error: %v", diags)
	}
	return s
}

func TestResolveSettingsPrecedence(t *testing.T) {
	fullEnv := map[string]string{
		"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "ALICLOUD_REGION": "cn-shanghai",
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "ak-new", "ALICLOUD_ACCESS_KEY": "ak-old",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk-new", "ALICLOUD_SECRET_KEY": "sk-old",
		"ALIBABA_CLOUD_SECURITY_TOKEN": "tok-new", "ALICLOUD_SECURITY_TOKEN": "tok-old",
	}

	t.Run("attribute beats environment", func(t *testing.T) {
		m := nullModel()
		m.Region = types.StringValue("ap-southeast-1")
		m.AccessKey = types.StringValue("ak-attr")
		m.SecretKey = types.StringValue("sk-attr")
		m.SecurityToken = types.StringValue("tok-attr")
		s := mustResolve(t, m, fullEnv, noHome)
		if s.region != "ap-southeast-1" || s.accessKey != "ak-attr" || s.secretKey != "sk-attr" || s.securityToken != "tok-attr" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("ALIBABA_CLOUD names beat ALICLOUD names", func(t *testing.T) {
		s := mustResolve(t, nullModel(), fullEnv, noHome)
		if s.region != "cn-beijing" || s.accessKey != "ak-new" || s.secretKey != "sk-new" || s.securityToken != "tok-new" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("ALICLOUD names are used when alone", func(t *testing.T) {
		env := map[string]string{
			"ALICLOUD_REGION": "cn-shanghai", "ALICLOUD_ACCESS_KEY": "ak-old",
			"ALICLOUD_SECRET_KEY": "sk-old", "ALICLOUD_SECURITY_TOKEN": "tok-old",
		}
		s := mustResolve(t, nullModel(), env, noHome)
		if s.region != "cn-shanghai" || s.accessKey != "ak-old" || s.secretKey != "sk-old" || s.securityToken != "tok-old" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		s := mustResolve(t, nullModel(), fullEnv, noHome)
		if s.maxRetries != defaultMaxRetries || s.requestsPerSecond != defaultRequestsPerSecond {
			t.Fatalf("got %+v", s)
		}
		if s.endpointHost != "" || s.endpointScheme != "" {
			t.Fatalf("no endpoint configured, got %q %q", s.endpointScheme, s.endpointHost)
		}
		if s.disableBatching {
			t.Fatal("batching is on by default")
		}
	})
	t.Run("explicit limits and batching switch", func(t *testing.T) {
		m := nullModel()
		m.MaxRetries = types.Int64Value(0)
		m.MaxRequestsPerSecond = types.Float64Value(2.5)
		env := map[string]string{"ALIECS_DISABLE_BATCHING": "true"}
		for k, v := range fullEnv {
			env[k] = v
		}
		s := mustResolve(t, m, env, noHome)
		if s.maxRetries != 0 || s.requestsPerSecond != 2.5 || !s.disableBatching {
			t.Fatalf("got %+v", s)
		}
	})
}

func TestResolveSettingsMissingValuesNameEverySource(t *testing.T) {
	_, diags := resolveSettings(nullModel(), envFrom(nil), noHome)
	if diags.ErrorsCount() != 1 {
		t.Fatalf("want exactly one error, got %v", diags)
	}
	detail := diags.Errors()[0].Detail()
	for _, want := range []string{
		`"region"`, "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION",
		`"access_key"`, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY",
		`"secret_key"`, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY",
		"ALIBABA_CLOUD_PROFILE",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("error detail does not name %s:\n%s", want, detail)
		}
	}
	if strings.Contains(detail, "security_token") {
		t.Errorf("the security token is optional and must not be reported missing:\n%s", detail)
	}
}

func TestResolveSettingsOnlyMissingOnesAreNamed(t *testing.T) {
	env := map[string]string{"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak"}
	_, diags := resolveSettings(nullModel(), envFrom(env), noHome)
	detail := diags.Errors()[0].Detail()
	if !strings.Contains(detail, "secret_key") || strings.Contains(detail, `"region"`) || strings.Contains(detail, `"access_key"`) {
		t.Fatalf("detail should name only secret_key:\n%s", detail)
	}
}

func TestResolveSettingsUnknownValues(t *testing.T) {
	m := nullModel()
	m.Endpoint = types.StringUnknown()
	_, diags := resolveSettings(m, envFrom(nil), noHome)
	assertAttributeError(t, diags, path.Root("endpoint"), "only known after apply")
}

func TestResolveSettingsEndpoint(t *testing.T) {
	base := map[string]string{
		"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk",
	}
	cases := []struct {
		in, scheme, host string
	}{
		{"http://127.0.0.1:8085", "http", "127.0.0.1:8085"},
		{"HTTP://127.0.0.1:8085/", "http", "127.0.0.1:8085"},
		{"https://ecs.cn-hangzhou.aliyuncs.com", "https", "ecs.cn-hangzhou.aliyuncs.com"},
		{"ecs.cn-hangzhou.aliyuncs.com", "https", "ecs.cn-hangzhou.aliyuncs.com"},
		{"localhost:9000", "https", "localhost:9000"},
		{"[::1]:8085", "https", "[::1]:8085"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			m := nullModel()
			m.Endpoint = types.StringValue(c.in)
			s := mustResolve(t, m, base, noHome)
			if s.endpointScheme != c.scheme || s.endpointHost != c.host {
				t.Fatalf("got %q %q, want %q %q", s.endpointScheme, s.endpointHost, c.scheme, c.host)
			}
		})
	}
	t.Run("from environment", func(t *testing.T) {
		env := map[string]string{"ALIBABA_CLOUD_ENDPOINT_ECS": "http://127.0.0.1:1"}
		for k, v := range base {
			env[k] = v
		}
		s := mustResolve(t, nullModel(), env, noHome)
		if s.endpointScheme != "http" || s.endpointHost != "127.0.0.1:1" {
			t.Fatalf("got %+v", s)
		}
	})
	for _, bad := range []string{"ftp://127.0.0.1", "http://", "http://host/path", "http://host:port", "http://u:p@host", "http://host?x=1", "://x"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			m := nullModel()
			m.Endpoint = types.StringValue(bad)
			_, diags := resolveSettings(m, envFrom(base), noHome)
			assertAttributeError(t, diags, path.Root("endpoint"), redactEndpoint(bad))
		})
	}
}

func TestResolveSettingsInvalidRegionFromEnvironment(t *testing.T) {
	env := map[string]string{"ALIBABA_CLOUD_REGION_ID": "Hangzhou!", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk"}
	_, diags := resolveSettings(nullModel(), envFrom(env), noHome)
	assertAttributeError(t, diags, path.Root("region"), "Hangzhou!")
}

const aliyunConfig = `{
  "current": "default",
  "profiles": [
    {"name": "default", "mode": "AK", "access_key_id": "ak-profile", "access_key_secret": "sk-profile", "sts_token": "ignored-in-ak-mode", "region_id": "cn-shenzhen"},
    {"name": "temp", "mode": "StsToken", "access_key_id": "STS.ak", "access_key_secret": "sk-sts", "sts_token": "token-sts", "region_id": "cn-beijing"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "ak", "access_key_secret": "sk", "region_id": "cn-beijing"}
  ]
}`

func TestResolveSettingsProfile(t *testing.T) {
	home := homeWith(t, aliyunConfig)

	t.Run("AK mode", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("default")
		s := mustResolve(t, m, nil, home)
		if s.region != "cn-shenzhen" || s.accessKey != "ak-profile" || s.secretKey != "sk-profile" || s.securityToken != "" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("StsToken mode from the environment's profile name", func(t *testing.T) {
		s := mustResolve(t, nullModel(), map[string]string{"ALIBABA_CLOUD_PROFILE": "temp"}, home)
		if s.region != "cn-beijing" || s.accessKey != "STS.ak" || s.secretKey != "sk-sts" || s.securityToken != "token-sts" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("attribute and environment beat the profile", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("default")
		m.Region = types.StringValue("eu-central-1")
		s := mustResolve(t, m, map[string]string{"ALICLOUD_ACCESS_KEY": "ak-env"}, home)
		if s.region != "eu-central-1" || s.accessKey != "ak-env" || s.secretKey != "sk-profile" {
			t.Fatalf("got %+v", s)
		}
	})
	t.Run("RamRoleArn without a role", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("role")
		_, diags := resolveSettings(m, envFrom(nil), home)
		assertAttributeError(t, diags, path.Root("profile"), "(mode RamRoleArn) has no ram_role_arn")
	})
	t.Run("unknown profile lists the ones there are", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("nope")
		_, diags := resolveSettings(m, envFrom(nil), home)
		assertAttributeError(t, diags, path.Root("profile"), "default, temp, role")
	})
	t.Run("missing file", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("default")
		_, diags := resolveSettings(m, envFrom(nil), func() (string, error) { return t.TempDir(), nil })
		assertAttributeError(t, diags, path.Root("profile"), "config.json")
	})
	t.Run("broken JSON", func(t *testing.T) {
		m := nullModel()
		m.Profile = types.StringValue("default")
		_, diags := resolveSettings(m, envFrom(nil), homeWith(t, "{not json"))
		assertAttributeError(t, diags, path.Root("profile"), "not valid JSON")
	})
}

// assertAttributeError checks that diags holds an error on p whose text contains want.
func assertAttributeError(t *testing.T, diags diag.Diagnostics, p path.Path, want string) {
	t.Helper()
	for _, d := range diags.Errors() {
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(p) {
			continue
		}
		if strings.Contains(d.Summary()+" "+d.Detail(), want) {
			return
		}
	}
	t.Fatalf("no error on %s containing %q in %v", p, want, diags)
}

func TestResolveSettingsVPCEndpoint(t *testing.T) {
	base := map[string]string{
		"ALIBABA_CLOUD_REGION_ID": "cn-shanghai", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk",
	}
	if s := mustResolve(t, nullModel(), base, noHome); s.vpcScheme != "https" || s.vpcHost != "vpc.cn-shanghai.aliyuncs.com" {
		t.Errorf("default: %q %q", s.vpcScheme, s.vpcHost)
	}
	m := nullModel()
	m.Endpoint = types.StringValue("http://127.0.0.1:8085")
	if s := mustResolve(t, m, base, noHome); s.vpcHost != "" {
		t.Errorf("with an ECS endpoint and no VPC endpoint, vSwitches come from ECS; got %q", s.vpcHost)
	}
	env := map[string]string{"ALIBABA_CLOUD_ENDPOINT_VPC": "http://127.0.0.1:8085"}
	for k, v := range base {
		env[k] = v
	}
	if s := mustResolve(t, m, env, noHome); s.vpcScheme != "http" || s.vpcHost != "127.0.0.1:8085" {
		t.Errorf("from the environment: %q %q", s.vpcScheme, s.vpcHost)
	}
	m.VPCEndpoint = types.StringValue("ftp://x")
	_, diags := resolveSettings(m, envFrom(base), noHome)
	assertAttributeError(t, diags, path.Root("vpc_endpoint"), "ftp://x")
}
