// Package provider implements the aliecs Terraform provider.
package provider

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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
	Region               types.String  `tfsdk:"region"`
	AccessKey            types.String  `tfsdk:"access_key"`
	SecretKey            types.String  `tfsdk:"secret_key"`
	SecurityToken        types.String  `tfsdk:"security_token"`
	Profile              types.String  `tfsdk:"profile"`
	Endpoint             types.String  `tfsdk:"endpoint"`
	VPCEndpoint          types.String  `tfsdk:"vpc_endpoint"`
	MaxRetries           types.Int64   `tfsdk:"max_retries"`
	MaxRequestsPerSecond types.Float64 `tfsdk:"max_requests_per_second"`
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
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the lifecycle of Alibaba Cloud ECS instances: create, stop and release them safely, " +
			"snapshot them, and schedule their automatic release with the allowed window checked at plan time.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Region id, e.g. `cn-hangzhou`. Falls back to `ALIBABA_CLOUD_REGION_ID`, " +
					"then `ALICLOUD_REGION`, then the profile's region.",
				Validators: []validator.String{regionIDValidator{}},
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
				MarkdownDescription: "STS security token, for temporary credentials. Falls back to " +
					"`ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`, then the profile.",
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of a profile in the aliyun CLI's `~/.aliyun/config.json` (modes `AK` and " +
					"`StsToken`). Falls back to `ALIBABA_CLOUD_PROFILE`. Values set on the provider or in the " +
					"environment take precedence over the profile's.",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ECS API endpoint URL, e.g. `http://127.0.0.1:8085` for the bundled emulator. " +
					"A host without a scheme means HTTPS. Falls back to `ALIBABA_CLOUD_ENDPOINT_ECS`; by default " +
					"the region's public endpoint.",
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
				MarkdownDescription: "Client-side rate limit shared by every resource of this provider. `0` turns " +
					"it off. Default `" + ftoa(defaultRequestsPerSecond) + "`.",
				Validators: []validator.Float64{float64validator.Between(0, 10000)},
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
	// ecsapi's waits (backoff, rate limit, polling) run on the wall clock,
	// because context deadlines are wall-clock times; the injected clock is
	// for the resources' time rules.
	client, err := ecsapi.New(ecsapi.Config{
		RegionID:          settings.region,
		AccessKeyID:       settings.accessKey,
		AccessKeySecret:   settings.secretKey,
		SecurityToken:     settings.securityToken,
		Endpoint:          settings.endpointHost,
		EndpointSource:    settings.endpointSource,
		VPCEndpoint:       settings.vpcHost,
		VPCScheme:         settings.vpcScheme,
		Scheme:            settings.endpointScheme,
		MaxRetries:        settings.maxRetries,
		RequestsPerSecond: settings.requestsPerSecond,
		UserAgent:         "terraform-provider-aliecs/" + p.version,
		DisableBatching:   settings.disableBatching,
		ReadTimeout:       settings.readTimeout,
		// Waiters poll on a shared 100 ms grid, at most a second apart: a
		// state change is seen within about a second, and concurrent
		// waiters' polls fold into one batched DescribeInstances.
		WaitMaxDelay: time.Second,
		WaitAlign:    100 * time.Millisecond,
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the ECS client", err.Error())
		return
	}
	data := &providerData{client: client, clock: p.clock, region: settings.region}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *aliecsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewInstanceResource,
		NewAutoReleaseScheduleResource,
		NewSnapshotResource,
	}
}

func (p *aliecsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewInstancesDataSource,
		NewSnapshotsDataSource,
	}
}

// attributePath names a provider attribute in diagnostics.
func attributePath(name string) path.Path { return path.Root(name) }
