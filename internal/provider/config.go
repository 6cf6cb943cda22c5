package provider

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const (
	defaultMaxRetries        = 8
	defaultRequestsPerSecond = 50.0

	// envDisableBatching turns batched reads off, to measure what they save.
	envDisableBatching = "ALIECS_DISABLE_BATCHING"
	// envReadTimeout overrides the SDK's per-call read timeout (a Go
	// duration such as "2s"), so that a slow answer is abandoned and retried
	// sooner; the fault tests use it to simulate latency beyond the timeout.
	envReadTimeout = "ALIECS_READ_TIMEOUT"
)

// Environment variables per setting, in precedence order: the first set wins.
var (
	envRegion        = []string{"ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"}
	envAccessKey     = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envSecretKey     = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"}
	envProfile       = []string{"ALIBABA_CLOUD_PROFILE"}
	envEndpoint      = []string{"ALIBABA_CLOUD_ENDPOINT_ECS"}
	envVPCEndpoint   = []string{"ALIBABA_CLOUD_ENDPOINT_VPC"}
)

// settings is the provider configuration after attributes, environment and
// profile have been merged.
type settings struct {
	region            string
	accessKey         string
	secretKey         string
	securityToken     string
	endpointScheme    string
	endpointHost      string
	endpointSource    string // where the endpoint came from, for transport errors
	vpcScheme         string // the VPC API's endpoint; "" host = ECS's DescribeVSwitches
	vpcHost           string
	maxRetries        int
	requestsPerSecond float64
	disableBatching   bool
	readTimeout       time.Duration
}

// resolveSettings merges the configuration: attribute, then environment
// variables in order, then the aliyun CLI profile. Every missing required
// value is reported once, with every place that was looked at.
func resolveSettings(m providerModel, getenv func(string) string, homeDir func() (string, error)) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	for name, v := range map[string]types.String{
		"region": m.Region, "access_key": m.AccessKey, "secret_key": m.SecretKey,
		"security_token": m.SecurityToken, "profile": m.Profile, "endpoint": m.Endpoint,
		"vpc_endpoint": m.VPCEndpoint,
	} {
		if v.IsUnknown() {
			diags.AddAttributeError(attributePath(name), "Provider setting not known at plan time",
				fmt.Sprintf("The provider's %q depends on a value that is only known after apply. "+
					"Set it from a variable, a literal or an environment variable instead.", name))
		}
	}
	if diags.HasError() {
		return settings{}, diags
	}

	s := settings{maxRetries: defaultMaxRetries, requestsPerSecond: defaultRequestsPerSecond}
	if !m.MaxRetries.IsNull() && !m.MaxRetries.IsUnknown() {
		s.maxRetries = int(m.MaxRetries.ValueInt64())
	}
	if !m.MaxRequestsPerSecond.IsNull() && !m.MaxRequestsPerSecond.IsUnknown() {
		s.requestsPerSecond = m.MaxRequestsPerSecond.ValueFloat64()
	}
	s.disableBatching = isTruthy(getenv(envDisableBatching))
	if v := getenv(envReadTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			diags.AddError("Invalid "+envReadTimeout,
				fmt.Sprintf("%s must be a positive Go duration such as \"5s\"; got %q.", envReadTimeout, v))
			return settings{}, diags
		}
		s.readTimeout = d
	}

	profileName, _ := firstSet(m.Profile, getenv, envProfile)
	var prof *aliyunProfile
	if profileName != "" {
		p, err := loadAliyunProfile(homeDir, profileName)
		if err != nil {
			diags.AddAttributeError(attributePath("profile"), "Cannot use the aliyun CLI profile", err.Error())
			return settings{}, diags
		}
		prof = &p
	}
	fromProfile := func(get func(aliyunProfile) string) string {
		if prof == nil {
			return ""
		}
		return get(*prof)
	}

	var missing []string
	pick := func(attr string, v types.String, envs []string, profileValue string, required bool) string {
		if got, _ := firstSet(v, getenv, envs); got != "" {
			return got
		}
		if profileValue != "" {
			return profileValue
		}
		if required {
			missing = append(missing, describeSources(attr, envs))
		}
		return ""
	}
	s.region = pick("region", m.Region, envRegion, fromProfile(func(p aliyunProfile) string { return p.RegionID }), true)
	s.accessKey = pick("access_key", m.AccessKey, envAccessKey, fromProfile(func(p aliyunProfile) string { return p.AccessKeyID }), true)
	s.secretKey = pick("secret_key", m.SecretKey, envSecretKey, fromProfile(func(p aliyunProfile) string { return p.AccessKeySecret }), true)
	s.securityToken = pick("security_token", m.SecurityToken, envSecurityToken, fromProfile(func(p aliyunProfile) string { return p.StsToken }), false)
	if len(missing) > 0 {
		diags.AddError("Missing provider configuration",
			"The provider needs these values and found none of them:\n  - "+strings.Join(missing, "\n  - ")+
				"\nSet them on the provider block, in the environment, or through an aliyun CLI profile "+
				"(attribute `profile` or ALIBABA_CLOUD_PROFILE).")
		return settings{}, diags
	}
	if s.region != "" && !regionIDPattern.MatchString(s.region) {
		diags.AddAttributeError(attributePath("region"), "Invalid region id",
			fmt.Sprintf("Region %q is not a region id; expected lowercase letters, digits and dashes, such as \"cn-hangzhou\".", s.region))
	}

	endpoint, source := firstSet(m.Endpoint, getenv, envEndpoint)
	if endpoint != "" {
		scheme, host, err := parseEndpoint(endpoint)
		if err != nil {
			diags.AddAttributeError(attributePath("endpoint"), "Invalid endpoint",
				fmt.Sprintf("The endpoint %q (from %s) is not usable: %s. Expected a URL such as "+
					"\"http://127.0.0.1:8085\" or a host name such as \"ecs.cn-hangzhou.aliyuncs.com\" (HTTPS).",
					redactEndpoint(endpoint), source, err))
			return settings{}, diags
		}
		s.endpointScheme, s.endpointHost = scheme, host
		s.endpointSource = endpointSourceText(source)
		if scheme == "http" && !loopbackEndpointHost(host) {
			diags.AddAttributeWarning(attributePath("endpoint"), "Credentials sent over plain HTTP",
				fmt.Sprintf("The endpoint %q (from %s) is plain http:// to %s, which is not this machine. Every "+
					"request crosses the network unencrypted: the access key id, the security token, the signed "+
					"parameters (instance passwords and user data among them) and every answer can be read on the "+
					"way. Use https://, or http:// only to a loopback address such as the emulator's.",
					redactEndpoint(endpoint), source, host))
		}
	}
	resolveVPCEndpoint(&s, m, getenv, &diags)
	return s, diags
}

// resolveVPCEndpoint sets where the VPC API is: vpc_endpoint, else
// ALIBABA_CLOUD_ENDPOINT_VPC; with neither, nowhere when an ECS endpoint is
// set (ECS's own DescribeVSwitches there, as the emulator serves it), else
// the region's public VPC endpoint (cn-hangzhou's is vpc.aliyuncs.com).
func resolveVPCEndpoint(s *settings, m providerModel, getenv func(string) string, diags *diag.Diagnostics) {
	raw, source := firstSet(m.VPCEndpoint, getenv, envVPCEndpoint)
	if raw == "" {
		switch {
		case s.endpointHost != "":
		case s.region == "cn-hangzhou":
			s.vpcScheme, s.vpcHost = "https", "vpc.aliyuncs.com"
		case s.region != "":
			s.vpcScheme, s.vpcHost = "https", "vpc."+s.region+".aliyuncs.com"
		}
		return
	}
	scheme, host, err := parseEndpoint(raw)
	if err != nil {
		diags.AddAttributeError(attributePath("vpc_endpoint"), "Invalid VPC endpoint",
			fmt.Sprintf("The VPC endpoint %q (from %s) is not usable: %s. Expected a URL such as "+
				"\"http://127.0.0.1:8085\" or a host name such as \"vpc.cn-shanghai.aliyuncs.com\" (HTTPS).",
				redactEndpoint(raw), source, err))
		return
	}
	s.vpcScheme, s.vpcHost = scheme, host
}

// firstSet returns the attribute's value when set, else the first non-empty
// environment variable, with the name of where it came from.
func firstSet(v types.String, getenv func(string) string, envs []string) (string, string) {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString(), "the provider attribute"
	}
	for _, name := range envs {
		if got := getenv(name); got != "" {
			return got, "environment variable " + name
		}
	}
	return "", ""
}

func describeSources(attr string, envs []string) string {
	return fmt.Sprintf("%s: provider attribute %q, environment variables %s, or the profile",
		attr, attr, strings.Join(envs, ", "))
}

func isTruthy(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
