package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var endpointTestBase = map[string]string{
	"ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk",
}

// An endpoint with user:password@ is refused, and the error must not repeat
// the password (issue #17, item 7).
func TestEndpointErrorRedactsPassword(t *testing.T) {
	for _, ep := range []string{
		"http://admin:hunter2-pw@127.0.0.1:8085",
		"admin:hunter2-pw@ecs.example.com",
		"https://ak:hunter2-pw@ecs.example.com/path?Signature=sig-leak#frag-leak",
		"http://ak:hunter2-pw@host:port",
		"ftp://ak:hunter2-pw@host",
	} {
		t.Run(ep, func(t *testing.T) {
			for _, fromEnv := range []bool{false, true} {
				m, env := nullModel(), map[string]string{}
				for k, v := range endpointTestBase {
					env[k] = v
				}
				if fromEnv {
					env["ALIBABA_CLOUD_ENDPOINT_ECS"] = ep
				} else {
					m.Endpoint = types.StringValue(ep)
				}
				_, diags := resolveSettings(m, envFrom(env), noHome)
				if !diags.HasError() {
					t.Fatalf("endpoint %q accepted", ep)
				}
				text := diagText(diags)
				for _, leak := range []string{"hunter2-pw", "sig-leak", "frag-leak"} {
					if strings.Contains(text, leak) {
						t.Errorf("the diagnostics repeat %q: %s", leak, text)
					}
				}
				if !strings.Contains(text, "REDACTED@") {
					t.Errorf("the diagnostics do not show where the user info was: %s", text)
				}
			}
		})
	}
}

// Credentials over plain http:// to a host that is not this machine get a
// warning on endpoint (issue #17, item 9); loopback and HTTPS do not.
func TestEndpointPlainHTTPToRemoteHostWarns(t *testing.T) {
	for _, c := range []struct {
		endpoint string
		warn     bool
	}{
		{"http://10.0.0.5:8085", true},
		{"http://ecs.cn-hangzhou.aliyuncs.com", true},
		{"HTTP://emulator.lan", true},
		{"http://[2001:db8::1]:8085", true},
		{"http://127.0.0.1:8085", false},
		{"http://127.8.9.10", false},
		{"http://localhost:8085", false},
		{"http://[::1]:8085", false},
		{"https://ecs.cn-hangzhou.aliyuncs.com", false},
		{"ecs.cn-hangzhou.aliyuncs.com", false},
	} {
		t.Run(c.endpoint, func(t *testing.T) {
			env := map[string]string{"ALIBABA_CLOUD_ENDPOINT_ECS": c.endpoint}
			for k, v := range endpointTestBase {
				env[k] = v
			}
			s, diags := resolveSettings(nullModel(), envFrom(env), noHome)
			if diags.HasError() {
				t.Fatalf("error: %v", diags)
			}
			var warned bool
			for _, d := range diags.Warnings() {
				if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(path.Root("endpoint")) &&
					strings.Contains(d.Detail(), "unencrypted") && strings.Contains(d.Detail(), "ALIBABA_CLOUD_ENDPOINT_ECS") {
					warned = true
				}
			}
			if warned != c.warn {
				t.Fatalf("warning %v, want %v: %v", warned, c.warn, diags)
			}
			if s.endpointHost == "" {
				t.Fatal("the endpoint was not used")
			}
		})
	}
}

func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// One rule for every endpoint attribute and its environment variable:
// plain http:// to a host that is not this machine warns on that attribute
// (issue #24, item 2: sts_endpoint and vpc_endpoint did not).
func TestEndpointPlainHTTPWarnsOnEveryEndpoint(t *testing.T) {
	for _, c := range []struct {
		attr, env string
		set       func(m *providerModel, v string)
	}{
		{"endpoint", "ALIBABA_CLOUD_ENDPOINT_ECS", func(m *providerModel, v string) { m.Endpoint = types.StringValue(v) }},
		{"sts_endpoint", "ALIBABA_CLOUD_ENDPOINT_STS", func(m *providerModel, v string) { m.STSEndpoint = types.StringValue(v) }},
		{"vpc_endpoint", "ALIBABA_CLOUD_ENDPOINT_VPC", func(m *providerModel, v string) { m.VPCEndpoint = types.StringValue(v) }},
	} {
		for _, tc := range []struct {
			value   string
			viaEnv  bool
			warn    bool
			wantSrc string
		}{
			{"http://10.0.0.5:8085", false, true, "provider attribute"},
			{"http://10.0.0.5:8085", true, true, c.env},
			{"http://sts.example.lan", true, true, c.env},
			{"http://127.0.0.1:8085", false, false, ""},
			{"http://[::1]:8085", true, false, ""},
			{"https://10.0.0.5", false, false, ""},
		} {
			t.Run(c.attr+"/"+tc.value+"/env="+map[bool]string{true: "yes", false: "no"}[tc.viaEnv], func(t *testing.T) {
				env := map[string]string{}
				for k, v := range endpointTestBase {
					env[k] = v
				}
				m := nullModel()
				if tc.viaEnv {
					env[c.env] = tc.value
				} else {
					c.set(&m, tc.value)
				}
				_, diags := resolveSettings(m, envFrom(env), noHome)
				if diags.HasError() {
					t.Fatalf("error: %v", diags)
				}
				var warned bool
				for _, d := range diags.Warnings() {
					wp, ok := d.(diag.DiagnosticWithPath)
					if ok && wp.Path().Equal(path.Root(c.attr)) && strings.Contains(d.Detail(), "unencrypted") {
						warned = true
						if !strings.Contains(d.Detail(), tc.wantSrc) {
							t.Errorf("the warning does not name its source %q: %s", tc.wantSrc, d.Detail())
						}
					}
				}
				if warned != tc.warn {
					t.Fatalf("warning on %s: %v, want %v: %v", c.attr, warned, tc.warn, diags)
				}
			})
		}
	}
}
