// Package provider implements the aliecs Terraform provider.
package provider

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var _ provider.Provider = (*aliecsProvider)(nil)

// aliecsProvider configures one ECS client shared by every resource, so the
// rate limit and the batched reads span the whole run.
type aliecsProvider struct {
	version string
	clock   clock.Clock
	getenv  func(string) string
	homeDir func() (string, error)
}

type providerModel struct {
	Region                types.String             `tfsdk:"region"`
	AccessKey             types.String             `tfsdk:"access_key"`
	SecretKey             types.String             `tfsdk:"secret_key"`
	SecurityToken         types.String             `tfsdk:"security_token"`
	Profile               types.String             `tfsdk:"profile"`
	SharedCredentialsFile types.String             `tfsdk:"shared_credentials_file"`
	ECSRoleName           types.String             `tfsdk:"ecs_role_name"`
	AssumeRole            *assumeRoleModel         `tfsdk:"assume_role"`
	AssumeRoleWithOIDC    *assumeRoleWithOIDCModel `tfsdk:"assume_role_with_oidc"`
	Endpoint              types.String             `tfsdk:"endpoint"`
	STSEndpoint           types.String             `tfsdk:"sts_endpoint"`
	VPCEndpoint           types.String             `tfsdk:"vpc_endpoint"`
	MaxRetries            types.Int64              `tfsdk:"max_retries"`
	MaxRequestsPerSecond  types.Float64            `tfsdk:"max_requests_per_second"`
}

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
	ExternalID        types.String `tfsdk:"external_id"`
	Policy            types.String `tfsdk:"policy"`
}

type assumeRoleWithOIDCModel struct {
	OIDCProviderARN   types.String `tfsdk:"oidc_provider_arn"`
	RoleARN           types.String `tfsdk:"role_arn"`
	OIDCToken         types.String `tfsdk:"oidc_token"`
	OIDCTokenFile     types.String `tfsdk:"oidc_token_file"`
	OIDCTokenEnv      types.String `tfsdk:"oidc_token_env"`
	RoleSessionName   types.String `tfsdk:"role_session_name"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
	Policy            types.String `tfsdk:"policy"`
}

// stringValues are the model's string settings by attribute path, to find
// the unknown ones.
func (m providerModel) stringValues() map[string]types.String {
	out := map[string]types.String{
		"region": m.Region, "access_key": m.AccessKey, "secret_key": m.SecretKey, "security_token": m.SecurityToken,
		"profile": m.Profile, "shared_credentials_file": m.SharedCredentialsFile, "ecs_role_name": m.ECSRoleName,
		"endpoint": m.Endpoint, "sts_endpoint": m.STSEndpoint, "vpc_endpoint": m.VPCEndpoint,
	}
	if r := m.AssumeRole; r != nil {
		for k, v := range map[string]types.String{"role_arn": r.RoleARN, "session_name": r.SessionName,
			"external_id": r.ExternalID, "policy": r.Policy} {
			out["assume_role."+k] = v
		}
	}
	if o := m.AssumeRoleWithOIDC; o != nil {
		for k, v := range map[string]types.String{"oidc_provider_arn": o.OIDCProviderARN, "role_arn": o.RoleARN,
			"oidc_token": o.OIDCToken, "oidc_token_file": o.OIDCTokenFile, "oidc_token_env": o.OIDCTokenEnv,
			"role_session_name": o.RoleSessionName, "policy": o.Policy} {
			out["assume_role_with_oidc."+k] = v
		}
	}
	return out
}

// New returns the provider factory that main serves.
func New(version string) func() provider.Provider {
	return newWithClock(version, clock.Real{})
}

func newWithClock(version string, clk clock.Clock) func() provider.Provider {
	return func() provider.Provider {
		return &aliecsProvider{version: version, clock: clk, getenv: os.Getenv, homeDir: os.UserHomeDir}
	}
}

func (p *aliecsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aliecs"
	resp.Version = p.version
}

func (p *aliecsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	roleARN := stringvalidator.RegexMatches(roleARNPattern, "must be a RAM role ARN: acs:ram::<account id>:role/<role name>")
	sessionName := stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 64 letters, digits and the characters . @ - _")
	sessionExpiration := int64validator.Between(900, 43200)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the lifecycle of Alibaba Cloud ECS instances: create, stop and release them safely, " +
			"snapshot them, and schedule their automatic release with the allowed window checked at plan time.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Region id, e.g. `cn-hangzhou`. Falls back to `ALIBABA_CLOUD_REGION_ID`, " +
					"`ALIBABA_CLOUD_REGION`, `ALICLOUD_REGION`, then the profile's region.",
				Validators: []validator.String{regionIDValidator},
			},
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Access key id. Falls back to `ALIBABA_CLOUD_ACCESS_KEY_ID`, then `ALICLOUD_ACCESS_KEY`, " +
					"then the profile.",
			},
			"secret_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Access key secret. Falls back to `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, then " +
					"`ALICLOUD_SECRET_KEY`, then the profile.",
			},
			"security_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "STS security token, for temporary credentials (never renewed: prefer `assume_role`). " +
					"Falls back to `ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`, then the profile.",
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of a profile of the aliyun CLI's configuration file (see " +
					"`shared_credentials_file`), in any of the modes `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, " +
					"`ChainableRamRoleArn`, `OIDC` and `CloudSSO` (signed in with `aliyun configure --mode CloudSSO`). Falls back to `ALIBABA_CLOUD_PROFILE`, then `ALICLOUD_PROFILE`; " +
					"with none of them, the file's `current` profile is used when no other credentials are found.",
			},
			"shared_credentials_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the aliyun CLI's configuration file (JSON). Falls back to " +
					"`ALIBABA_CLOUD_CREDENTIALS_FILE`, then `ALICLOUD_SHARED_CREDENTIALS_FILE`; default `~/.aliyun/config.json`.",
			},
			"ecs_role_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of the RAM role attached to the ECS machine that runs Terraform (a self-hosted " +
					"agent): its keys come from the instance metadata service (session token first, IMDSv2) and are " +
					"renewed before they expire. Falls back to `ALIBABA_CLOUD_ECS_METADATA`.",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ECS API endpoint URL, e.g. `http://127.0.0.1:8085` for the bundled emulator. " +
					"A host without a scheme means HTTPS. Falls back to `ALIBABA_CLOUD_ENDPOINT_ECS`; by default " +
					"the region's public endpoint.",
			},
			"sts_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "STS endpoint URL, used to assume roles, e.g. `http://127.0.0.1:8085` for the " +
					"bundled emulator. A host without a scheme means HTTPS. Falls back to `ALIBABA_CLOUD_ENDPOINT_STS`; " +
					"by default `sts.aliyuncs.com` (`sts.<region>.aliyuncs.com` with a profile's `sts_region` or " +
					"`ALIBABA_CLOUD_STS_REGION`).",
			},
			"vpc_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "VPC API endpoint URL, shaped like `endpoint`; the plan-time checks read vSwitches " +
					"from it. Falls back to `ALIBABA_CLOUD_ENDPOINT_VPC`. When neither is set: with `endpoint` set (such " +
					"as the emulator's), ECS's own DescribeVSwitches at that endpoint; otherwise the region's public VPC " +
					"endpoint.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a throttled or transiently failed API call is retried, with " +
					"exponential backoff. Default `" + itoa(defaultMaxRetries) + "`.",
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"max_requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "Client-side rate limit shared by every resource of this provider, for the " +
					"reads (`Describe*` calls) and for the writes each on its own: ECS throttles each API separately, " +
					"so a destroy's status polls never hold back its writes, and no one API is called faster than " +
					"this. `0` turns it off. Default `" + ftoa(defaultRequestsPerSecond) + "`. Up to a fifth of a " +
					"second's worth of calls (at most 10, one per Terraform slot) may go at once, then the rate applies.",
				Validators: []validator.Float64{float64validator.Between(0, 10000)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume a RAM role with the credentials found otherwise (keys, profile, the " +
					"machine's role or OIDC). Its keys are renewed before they expire, however long the apply.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "ARN of the role, `acs:ram::<account id>:role/<role name>`. Falls back to " +
							"`ALIBABA_CLOUD_ROLE_ARN`, then `ALICLOUD_ASSUME_ROLE_ARN`.",
						Validators: []validator.String{roleARN},
					},
					"session_name": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Role session name, shown in ActionTrail. Falls back to " +
							"`ALIBABA_CLOUD_ROLE_SESSION_NAME`; default `" + defaultSessionName + "`.",
						Validators: []validator.String{sessionName},
					},
					"session_expiration": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "Life of the role's keys in seconds, 900–43200 (at most the role's " +
							"maximum session duration). Default `3600`.",
						Validators: []validator.Int64{sessionExpiration},
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External id the role's trust policy requires, if it requires one.",
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
					},
					"policy": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A RAM policy (JSON) that narrows the session's permissions.",
						Validators:          []validator.String{stringvalidator.LengthAtMost(2048)},
					},
				},
			},
			"assume_role_with_oidc": schema.SingleNestedBlock{
				MarkdownDescription: "Assume a RAM role with an OIDC token, with no stored key: RRSA, or a Terraform " +
					"Cloud run with workload identity, whose `TFC_WORKLOAD_IDENTITY_TOKEN` is used when no other token " +
					"is given. Its keys are renewed before they expire (a token file is read again each time).",
				Attributes: map[string]schema.Attribute{
					"oidc_provider_arn": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "ARN of the OIDC provider registered in RAM, " +
							"`acs:ram::<account id>:oidc-provider/<name>`. Falls back to `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`.",
						Validators: []validator.String{stringvalidator.RegexMatches(oidcProviderARNPattern,
							"must be an OIDC provider ARN: acs:ram::<account id>:oidc-provider/<name>")},
					},
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the role to assume. Falls back to `ALIBABA_CLOUD_ROLE_ARN`.",
						Validators:          []validator.String{roleARN},
					},
					"oidc_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "The OIDC token itself. Prefer `oidc_token_file` or the environment: a " +
							"token in the configuration is easily committed. Falls back to `ALIBABA_CLOUD_OIDC_TOKEN`.",
						Validators: []validator.String{stringvalidator.ConflictsWith(
							path.MatchRelative().AtParent().AtName("oidc_token_file"),
							path.MatchRelative().AtParent().AtName("oidc_token_env"))},
					},
					"oidc_token_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "A file holding the OIDC token, read again at every renewal (RRSA rotates " +
							"it). Falls back to `ALIBABA_CLOUD_OIDC_TOKEN_FILE`.",
						Validators: []validator.String{stringvalidator.ConflictsWith(
							path.MatchRelative().AtParent().AtName("oidc_token_env"))},
					},
					"oidc_token_env": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Name of the environment variable that holds the token, e.g. " +
							"`TFC_WORKLOAD_IDENTITY_TOKEN_ALIBABA` for a tagged Terraform Cloud token. Without any token " +
							"setting the provider reads `ALIBABA_CLOUD_OIDC_TOKEN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`, " +
							"then `" + envTFCToken + "`.",
					},
					"role_session_name": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Role session name. Falls back to `ALIBABA_CLOUD_ROLE_SESSION_NAME`; " +
							"default `" + defaultSessionName + "`.",
						Validators: []validator.String{sessionName},
					},
					"session_expiration": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Life of the role's keys in seconds, 900–43200. Default `3600`.",
						Validators:          []validator.Int64{sessionExpiration},
					},
					"policy": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A RAM policy (JSON) that narrows the session's permissions.",
						Validators:          []validator.String{stringvalidator.LengthAtMost(2048)},
					},
				},
			},
		},
	}
}

func (p *aliecsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveSettings(model, p.getenv, p.homeDir)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	transport := ecsapi.NewTransport(ecsapi.DefaultConnectTimeout)
	userAgent := "terraform-provider-aliecs/" + p.version
	creds, err := buildCredentials(settings, transport, userAgent)
	var credErr *ecsapi.CredentialError
	if errors.As(err, &credErr) { // a CloudSSO token that expired
		addCredentialError(&resp.Diagnostics, settings.creds, err)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot set up the credentials", err.Error())
		return
	}
	// Get the first keys now, so that a refused role or token is reported
	// here, on the attribute that configured it, rather than by every
	// resource.
	if _, err := creds.Retrieve(ctx); err != nil {
		addCredentialError(&resp.Diagnostics, settings.creds, err)
		return
	}
	// Time rules use the service's clock, learnt from the Date of its
	// answers (the local clock until a first answer), so a skewed machine or
	// an emulator whose clock was moved gets the service's window. A test's
	// injected fake clock is kept as it is: it sets "now" itself.
	clk := p.clock
	var observe func(date, sent, received time.Time)
	if _, wall := clk.(clock.Real); wall {
		service := clock.NewService(clk)
		clk, observe = service, service.Observe
	}
	// ecsapi's waits (backoff, rate limit, polling) run on the wall clock,
	// because context deadlines are wall-clock times; the injected clock is
	// for the resources' time rules.
	client, err := ecsapi.New(ecsapi.Config{
		RegionID:          settings.region,
		Credentials:       creds,
		Endpoint:          settings.endpointHost,
		EndpointSource:    settings.endpointSource,
		VPCEndpoint:       settings.vpcHost,
		VPCScheme:         settings.vpcScheme,
		Scheme:            settings.endpointScheme,
		Transport:         transport,
		MaxRetries:        settings.maxRetries,
		RequestsPerSecond: settings.requestsPerSecond,
		Burst:             requestBurst(settings.requestsPerSecond),
		UserAgent:         userAgent,
		DisableBatching:   settings.disableBatching,
		ReadTimeout:       settings.readTimeout,
		ObserveServerTime: observe,
		// Waiters poll on a shared 100 ms grid, at most a second apart: a
		// state change is seen within about a second, and concurrent
		// waiters' polls fold into one batched DescribeInstances.
		WaitMaxDelay: time.Second,
		WaitAlign:    100 * time.Millisecond,
		// Every half second during the first 5 s of a wait: a boot or a
		// stop the process has not learnt yet is seen at most 0.5 s late.
		WaitRelativeCap: 0.1,
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the ECS client", err.Error())
		return
	}
	data := &providerData{client: client, clock: clk, region: settings.region}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *aliecsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewInstanceResource,
		NewAutoReleaseScheduleResource,
		NewSnapshotResource,
		NewSnapshotPolicyResource,
	}
}

func (p *aliecsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewInstancesDataSource,
		NewInstanceTypesDataSource,
		NewSnapshotsDataSource,
	}
}
