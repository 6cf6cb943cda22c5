package provider

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

const (
	defaultMaxRetries        = 8
	defaultRequestsPerSecond = 50.0
	// defaultSessionSeconds is the life of an assumed role's keys when
	// session_expiration is not set (the service's default).
	defaultSessionSeconds = 3600
	// defaultSessionName names role sessions (ActionTrail shows it).
	defaultSessionName = "terraform"

	// envDisableBatching turns batched reads off, to measure what they save.
	envDisableBatching = "ALIECS_DISABLE_BATCHING"
	// envReadTimeout overrides the SDK's per-call read timeout (a Go
	// duration such as "2s"), so that a slow answer is abandoned and retried
	// sooner; the fault tests use it to simulate latency beyond the timeout.
	envReadTimeout = "ALIECS_READ_TIMEOUT"
	// envMetadataEndpoint points the instance metadata client elsewhere
	// than http://100.100.100.200. For tests against the emulator only.
	envMetadataEndpoint = "ALIECS_METADATA_ENDPOINT"
	// envTFCToken is the token of a Terraform Cloud run whose workspace sets
	// TFC_WORKLOAD_IDENTITY_AUDIENCE.
	envTFCToken = "TFC_WORKLOAD_IDENTITY_TOKEN"
)

// Environment variables per setting, in precedence order: the first set wins.
var (
	envRegion          = []string{"ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"}
	envAccessKey       = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envSecretKey       = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken   = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"}
	envProfile         = []string{"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"}
	envCredentialsFile = []string{"ALIBABA_CLOUD_CREDENTIALS_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE"}
	envEndpoint        = []string{"ALIBABA_CLOUD_ENDPOINT_ECS"}
	envSTSEndpoint     = []string{"ALIBABA_CLOUD_ENDPOINT_STS"}
	envVPCEndpoint     = []string{"ALIBABA_CLOUD_ENDPOINT_VPC"}
	envRoleARN         = []string{"ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN"}
	envSessionName     = []string{"ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALICLOUD_ASSUME_ROLE_SESSION_NAME"}
	envOIDCProviderARN = []string{"ALIBABA_CLOUD_OIDC_PROVIDER_ARN"}
	envOIDCToken       = []string{"ALIBABA_CLOUD_OIDC_TOKEN"}
	envOIDCTokenFile   = []string{"ALIBABA_CLOUD_OIDC_TOKEN_FILE"}
	envECSRole         = []string{"ALIBABA_CLOUD_ECS_METADATA"}
)

// settings is the provider configuration after attributes, environment and
// profile have been merged.
type settings struct {
	region string
	// accessKey, secretKey and securityToken are the static keys when the
	// credentials are static (creds.base.kind == baseStatic).
	accessKey         string
	secretKey         string
	securityToken     string
	creds             credentialChain
	endpointScheme    string
	endpointHost      string
	stsScheme         string
	stsHost           string
	metadataEndpoint  string
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
// value is reported once, with every place that was looked at. It reads
// files (the profile) but calls no service.
func resolveSettings(m providerModel, getenv func(string) string, homeDir func() (string, error)) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	for name, v := range m.stringValues() {
		if v.IsUnknown() {
			diags.AddAttributeError(dottedPath(name), "Provider setting not known at plan time",
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

	profiles := newProfileLoader(m, getenv, homeDir)
	// A profile named explicitly must exist, whether or not it ends up used.
	if profiles.named != "" {
		if _, err := profiles.load(); err != nil {
			diags.AddAttributeError(path.Root("profile"), "Cannot use the aliyun CLI profile", err.Error())
			return settings{}, diags
		}
	}

	var missing []string
	region, _ := firstSet(m.Region, getenv, envRegion)
	if region == "" {
		if p, err := profiles.load(); err == nil && p != nil {
			region = p.RegionID
		} else if err != nil && !errors.Is(err, errNoConfigFile) {
			diags.AddAttributeError(path.Root("profile"), "Cannot use the aliyun CLI profile", err.Error())
			return settings{}, diags
		}
	}
	if region == "" {
		missing = append(missing, describeSources("region", envRegion)+", or the profile")
	}
	s.region = region

	chain, credMissing, cdiags := resolveCredentials(m, getenv, profiles)
	diags.Append(cdiags...)
	if diags.HasError() {
		return settings{}, diags
	}
	missing = append(missing, credMissing...)
	if len(missing) > 0 {
		diags.AddError("Missing provider configuration",
			"The provider needs these values and found none of them:\n  - "+strings.Join(missing, "\n  - ")+
				"\nSet them on the provider block, in the environment, or through an aliyun CLI profile "+
				"(attribute `profile`, ALIBABA_CLOUD_PROFILE, or the `current` profile of ~/.aliyun/config.json).")
		return settings{}, diags
	}
	s.creds = chain
	if chain.base.kind == baseStatic {
		s.accessKey, s.secretKey, s.securityToken = chain.base.accessKey, chain.base.secretKey, chain.base.securityToken
	}
	if s.region != "" && !regionIDPattern.MatchString(s.region) {
		diags.AddAttributeError(path.Root("region"), "Invalid region id",
			fmt.Sprintf("Region %q is not a region id; expected lowercase letters, digits and dashes, such as \"cn-hangzhou\".", s.region))
	}

	if scheme, host, endpoint, source, ok := resolveEndpoint(m.Endpoint, getenv, envEndpoint, "endpoint",
		"\"http://127.0.0.1:8085\" or a host name such as \"ecs.cn-hangzhou.aliyuncs.com\" (HTTPS)", &diags); ok {
		s.endpointScheme, s.endpointHost = scheme, host
		s.endpointSource = endpointSourceText(source)
		warnPlainHTTP(&diags, "endpoint", endpoint, source, scheme, host)
	}
	if scheme, host, endpoint, source, ok := resolveEndpoint(m.STSEndpoint, getenv, envSTSEndpoint, "sts_endpoint",
		"\"http://127.0.0.1:8085\" or a host name such as \"sts.cn-hangzhou.aliyuncs.com\" (HTTPS)", &diags); ok {
		s.stsScheme, s.stsHost = scheme, host
		warnPlainHTTP(&diags, "sts_endpoint", endpoint, source, scheme, host)
	} else {
		s.stsScheme, s.stsHost = "https", defaultSTSHost(chain.stsRegion, getenv)
	}
	s.metadataEndpoint = getenv(envMetadataEndpoint)
	resolveVPCEndpoint(&s, m, getenv, &diags)
	if profiles.cfg != nil && profiles.cfg.warning != "" {
		if profiles.fileFrom == "the provider attribute" {
			diags.AddAttributeWarning(path.Root("shared_credentials_file"), "Credentials file not private", profiles.cfg.warning)
		} else {
			diags.AddWarning("Credentials file not private", profiles.cfg.warning)
		}
	}
	if diags.HasError() {
		return settings{}, diags
	}
	return s, diags
}

// resolveEndpoint reads an endpoint attribute or its environment variables.
func resolveEndpoint(v types.String, getenv func(string) string, envs []string, attr, example string, diags *diag.Diagnostics) (scheme, host, raw, source string, ok bool) {
	raw, source = firstSet(v, getenv, envs)
	if raw == "" {
		return "", "", "", "", false
	}
	scheme, host, err := parseEndpoint(raw)
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
			fmt.Sprintf("The %s %q (from %s) is not usable: %s. Expected a URL such as %s.",
				attr, redactEndpoint(raw), source, err, example))
		return "", "", "", "", false
	}
	return scheme, host, raw, source, true
}

// defaultSTSHost is the public STS endpoint, regional when a profile or
// ALIBABA_CLOUD_STS_REGION names a region, in the VPC when
// ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED is true.
func defaultSTSHost(profileRegion string, getenv func(string) string) string {
	region := profileRegion
	if region == "" {
		region = getenv("ALIBABA_CLOUD_STS_REGION")
	}
	if region == "" {
		return ecsapi.DefaultSTSEndpoint
	}
	if isTruthy(getenv("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")) {
		return "sts-vpc." + region + ".aliyuncs.com"
	}
	return "sts." + region + ".aliyuncs.com"
}

// profileLoader loads the profile to use at most once: the one named by the
// attribute or the environment, else the file's current one (only if the
// file exists).
type profileLoader struct {
	named     string
	namedFrom string
	file      string
	fileFrom  string // "" = the default path
	getenv    func(string) string
	homeDir   func() (string, error)

	done bool
	cfg  *cliConfig
	p    *aliyunProfile
	err  error
}

func newProfileLoader(m providerModel, getenv func(string) string, homeDir func() (string, error)) *profileLoader {
	l := &profileLoader{getenv: getenv, homeDir: homeDir}
	l.named, l.namedFrom = firstSet(m.Profile, getenv, envProfile)
	l.file, l.fileFrom = firstSet(m.SharedCredentialsFile, getenv, envCredentialsFile)
	return l
}

// load returns the profile, nil when none is named and the default file
// does not exist or ALIBABA_CLOUD_CLI_PROFILE_DISABLED is true (which
// applies to the default file only, not to one named explicitly).
func (l *profileLoader) load() (*aliyunProfile, error) {
	if l.done {
		return l.p, l.err
	}
	l.done = true
	if l.named == "" && l.file == "" && isTruthy(l.getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")) {
		return nil, nil
	}
	file := l.file
	if file == "" {
		var err error
		if file, err = defaultAliyunConfigPath(l.homeDir); err != nil {
			if l.named == "" {
				return nil, nil
			}
			l.err = err
			return nil, err
		}
	}
	cfg, err := loadAliyunConfig(file)
	if err != nil {
		if l.named == "" && l.fileFrom == "" && errors.Is(err, errNoConfigFile) {
			return nil, nil // no CLI configuration: nothing to use
		}
		if l.named != "" {
			err = fmt.Errorf("profile %q was asked for (from %s), but %w", l.named, l.namedFrom, err)
		} else if l.fileFrom != "" {
			err = fmt.Errorf("shared_credentials_file (from %s): %w", l.fileFrom, err)
		}
		l.err = err
		return nil, err
	}
	p, err := cfg.profile(l.named)
	if err != nil {
		if l.named == "" && len(cfg.cfg.Profiles) == 0 {
			return nil, nil
		}
		l.err = err
		return nil, err
	}
	l.cfg, l.p = cfg, &p
	return l.p, nil
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
		diags.AddAttributeError(path.Root("vpc_endpoint"), "Invalid VPC endpoint",
			fmt.Sprintf("The VPC endpoint %q (from %s) is not usable: %s. Expected a URL such as "+
				"\"http://127.0.0.1:8085\" or a host name such as \"vpc.cn-shanghai.aliyuncs.com\" (HTTPS).",
				redactEndpoint(raw), source, err))
		return
	}
	s.vpcScheme, s.vpcHost = scheme, host
	warnPlainHTTP(diags, "vpc_endpoint", raw, source, scheme, host)
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
	return fmt.Sprintf("%s: provider attribute %q, environment variables %s",
		attr, attr, strings.Join(envs, ", "))
}

// dottedPath turns "assume_role.role_arn" into its attribute path.
func dottedPath(name string) path.Path {
	parts := strings.Split(name, ".")
	p := path.Root(parts[0])
	for _, part := range parts[1:] {
		p = p.AtName(part)
	}
	return p
}

func isTruthy(v string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	return err == nil && b
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// requestBurst is the rate limiter's bucket for rps calls a second: a fifth
// of a second's worth, between 1 and 10 (Terraform's default parallelism).
// The calls of one wave (ten RunInstances, or ten stops) then go at once
// instead of 20 ms apart; the average rate stays rps.
func requestBurst(rps float64) int {
	return max(1, min(10, int(rps/5)))
}
