package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*instanceResource)(nil)
	_ resource.ResourceWithConfigure   = (*instanceResource)(nil)
	_ resource.ResourceWithImportState = (*instanceResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*instanceResource)(nil)

	_ resource.ResourceWithConfigValidators = (*instanceResource)(nil)
)

const (
	defaultInstanceCreateTimeout = 10 * time.Minute
	defaultInstanceUpdateTimeout = 10 * time.Minute
	defaultInstanceDeleteTimeout = 20 * time.Minute

	privateKeyClientToken = "client_token"
)

// instanceResource is aliecs_instance.
type instanceResource struct {
	data *providerData
}

// NewInstanceResource is the aliecs_instance constructor the provider registers.
func NewInstanceResource() resource.Resource { return &instanceResource{} }

func (r *instanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

// diskCategories are the cloud disk categories an instance's disks can use.
var diskCategories = []string{"cloud_essd", "cloud_auto", "cloud_essd_entry", "cloud_ssd", "cloud_efficiency", "cloud"}

const (
	stoppedModeKeepCharging = "KeepCharging"
	stoppedModeStopCharging = "StopCharging"
)

func (r *instanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	stableInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}

	resp.Schema = schema.Schema{
		MarkdownDescription: "An ECS instance (a virtual machine). Names, description, host name, tags, deletion " +
			"protection, the password and the running state change in place, and so do the instance type (the " +
			"machine restarts) and larger disks; every other argument replaces the instance, and the plan says so. " +
			"Destroying it stops and releases the machine (optionally after a final snapshot of its disks); " +
			"deletion protection blocks the destroy.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The instance id, e.g. `i-bp67acfmxazb4ph1234`.",
				PlanModifiers:       stable,
			},
			"image_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Image to boot from. Changing it replaces the instance. Exactly one of `image_id` and " +
					"`source_snapshot_id`; with `source_snapshot_id` it reads the id of the intermediate image the " +
					"instance was made from (deleted once the instance runs).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 256), imageIDValidator{}},
			},
			"source_snapshot_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A snapshot group (`ssg-…`, the id of an `aliecs_snapshot` or of a group that " +
					"`aliecs_snapshots` finds) to make the instance from, instead of `image_id`: the new machine gets the " +
					"group's system disk and every data disk of the group, each at least its original size. Changing it " +
					"replaces the instance. See the restore section above for how it works and what is checked at plan time.",
				PlanModifiers: replace,
				Validators:    []validator.String{snapshotGroupIDValidator},
			},
			"instance_type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Instance type, e.g. `ecs.g7.large`. Changes in place (pay-as-you-go instances): the " +
					"instance is stopped (gracefully, powered off if it has not shut down after 5 minutes; in " +
					"`KeepCharging` mode), its type is changed, and it is started again when `status` is `Running`; the " +
					"plan warns that it restarts. A type the zone cannot provide fails the apply with the service's " +
					"reason and leaves the instance as it was, running again if it was.",
				Validators: []validator.String{stringvalidator.RegexMatches(instanceTypePattern,
					"must be an instance type such as ecs.g7.large")},
			},
			"vswitch_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "vSwitch (subnet) the instance is attached to; it decides the zone. Changing it replaces the instance.",
				PlanModifiers:       replace,
				Validators:          []validator.String{vswitchIDValidator},
			},
			"security_group_ids": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Security groups (1 to 5) of the instance's VPC. Changing them replaces the instance.",
				PlanModifiers:       []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 5),
					setvalidator.ValueStringsAre(securityGroupIDValidator),
				},
			},
			"zone_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Zone, e.g. `cn-hangzhou-h`. Derived from the vSwitch when omitted; setting a different zone replaces the instance.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.RegexMatches(zoneIDPattern, "must be a zone id such as cn-hangzhou-h")},
			},
			"instance_name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Name: 2 to 128 characters, starting with a letter (or a Chinese character), then letters, digits, `.`, `_`, `:` and `-`. The service uses the instance id when omitted. Updates in place; removing it from the configuration keeps the current name.",
				PlanModifiers:       stable,
				Validators:          []validator.String{instanceNameValidator},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Description: 2 to 256 characters, not starting with `http://` or `https://`. Updates in place; removing it from the configuration keeps the current description.",
				PlanModifiers:       stable,
				Validators:          []validator.String{descriptionValidator},
			},
			"host_name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Host name of the operating system: 2 to 64 letters, digits, `.` and `-`. Generated when omitted. Updates in place (the guest sees it after a restart).",
				PlanModifiers:       stable,
				Validators:          []validator.String{hostNameValidator},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags: at most 19 (18 with `source_snapshot_id`): ECS allows 20 and the provider adds its own `aliecs:` tags (an ownership tag on every instance it creates, the source group of a restored one), which no plan or import shows; keys of 1 to 128 characters not starting with `aliyun`, `acs:` or `aliecs:`; values of at most 128 characters. Updates in place.",
				Validators:          []validator.Map{instanceTagsValidator{}},
			},
			"system_disk": schema.SingleNestedAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "System disk. A larger `size` grows it in place; a new `category` replaces the instance.",
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"category": schema.StringAttribute{
						Optional: true,
						Computed: true,
						MarkdownDescription: "Disk category: `cloud_essd` (default), `cloud_auto`, `cloud_essd_entry`, " +
							"`cloud_ssd`, `cloud_efficiency` or `cloud`. Snapshots (and `final_snapshot`) need an ESSD-family category.",
						PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
						Validators:    []validator.String{stringvalidator.OneOf(diskCategories...)},
					},
					"size": schema.Int64Attribute{
						Optional: true,
						Computed: true,
						MarkdownDescription: "Size in GiB, 20 to 2048 (at least the image's size). Defaults to the larger of 40 GiB and the image's size, as the service does. " +
							"A larger size grows the disk in place (online while the instance runs, except for the basic " +
							"`cloud` category, which grows offline and restarts the instance); a smaller one is refused: " +
							"disks cannot shrink (a plan warning, and an apply error before any call, so it never blocks `terraform destroy`).",
						PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
						Validators:    []validator.Int64{int64validator.Between(20, 2048)},
					},
				},
			},
			"data_disks": schema.ListNestedAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Data disks of the instance (at most 16). A larger `size` grows a disk in " +
					"place (as for `system_disk`; a smaller one is a plan warning and an apply error); a disk added at " +
					"the end of the list is created and attached in place (`CreateDisk`, `AttachDisk`, no restart); " +
					"removing a disk, or changing another of its arguments, replaces the instance, and the plan says why " +
					"and names each kept disk (`delete_with_instance = false`), which the new machine does not get back. " +
					"Disks attached later, outside this resource, are not tracked.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown(), dataDisksReplaceIf},
				Validators:    []validator.List{listvalidator.SizeAtMost(16)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"size": schema.Int64Attribute{
							Required:            true,
							MarkdownDescription: "Size in GiB, 20 to 32768. Grows in place; cannot shrink.",
							Validators:          []validator.Int64{int64validator.Between(20, 32768)},
						},
						"category": schema.StringAttribute{
							Optional:            true,
							Computed:            true,
							Default:             stringdefault.StaticString(defaultDiskCategory),
							MarkdownDescription: "Disk category, as for `system_disk`. Default `cloud_essd`.",
							Validators:          []validator.String{stringvalidator.OneOf(diskCategories...)},
						},
						"delete_with_instance": schema.BoolAttribute{
							Optional:            true,
							Computed:            true,
							Default:             booldefault.StaticBool(true),
							MarkdownDescription: "Release the disk with the instance. Default `true`; `false` keeps it as a separate, billed disk: when the instance is released or replaced, the disk stays, detached (a replacement does not attach it to the new machine; its plan says so).",
						},
						"snapshot_id": schema.StringAttribute{
							Optional: true,
							Computed: true,
							MarkdownDescription: "A disk snapshot (`s-…`) to make this disk from; `size` must then be at least " +
								"the snapshot's size (checked at plan time). Reads the snapshot the disk was made from, \"\" " +
								"for an empty disk. Changing it replaces the instance.",
							PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
							Validators:    []validator.String{snapshotIDValidator},
						},
					},
				},
			},
			"internet_max_bandwidth_out": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(0),
				MarkdownDescription: "Outbound public bandwidth in Mbit/s, 0 to 100. Above 0 the instance gets a public IP. Default `0`. Changing it replaces the instance.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
			"key_pair_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "SSH key pair to install (Linux). Changing it replaces the instance.",
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthBetween(2, 128)},
			},
			"user_data": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "User data (for example a cloud-init script) as plain text, at most 24 KiB (32 KiB once " +
					"base64-encoded, which the provider does). Sensitive: hidden in plan output, but stored in the state; use " +
					"`user_data_wo` to keep it out of the state. At most one of `user_data` and `user_data_wo`. A different " +
					"user data replaces the instance; moving the same text to `user_data_wo` does not (see the user data " +
					"section above). Not read back on refresh (the service reports it one instance per call); an import " +
					"keeps only a salted hash of it, and the first apply after the import records the configured value.",
				PlanModifiers: []planmodifier.String{userDataReplaceIf{}},
				Validators:    []validator.String{stringvalidator.LengthAtMost(24576)},
			},
			"user_data_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "User data as plain text, write-only (Terraform 1.11 or later): sent when the instance is " +
					"created and never stored in the plan or the state. Same limits as `user_data`, and at most one of the " +
					"two. Terraform cannot see a change of a write-only value: change `user_data_wo_version` to apply a new " +
					"one, which replaces the instance when the user data differs.",
				Validators: []validator.String{stringvalidator.LengthAtMost(24576),
					stringvalidator.ConflictsWith(path.MatchRoot("user_data"))},
			},
			"user_data_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Change this number to apply a new `user_data_wo`: the instance is replaced when the " +
					"configured user data differs from the one it was created with (compared through a salted hash kept in " +
					"the provider's private state).",
				PlanModifiers: []planmodifier.Int64{userDataReplaceIf{}},
				Validators:    []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("user_data_wo"))},
			},
			"password_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "Login password, write-only (Terraform or OpenTofu 1.11 or later): it is sent to the service and never stored in " +
					"the plan or the state. 8 to 30 characters with at least three of: uppercase, lowercase, digits, special characters. " +
					"It is set when the instance is created; to change it later, change `password_wo_version`.",
				Validators: []validator.String{passwordValidator},
			},
			"password_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Change this number to send `password_wo` again (Terraform cannot see a write-only value change). " +
					"The new password applies from the next restart of the instance.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("password_wo"))},
			},
			"deletion_protection": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, the instance cannot be released: a destroy fails and keeps it. Default `false`. Updates in place.",
			},
			"status": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(ecsapi.StatusRunning),
				MarkdownDescription: "`Running` (default) or `Stopped`. Updates in place: the instance is started or stopped. " +
					"Reads `Released` once the machine no longer exists, whatever released it (its auto-release schedule, an " +
					"`aliecs_snapshot` with `release_instance_after_snapshot = true`, the console, the API, a spot reclaim): " +
					"it stays in state as a tombstone, like the console's Released tab. The plan stays empty whatever status " +
					"is configured (a warning names the cause), edits of in-place arguments are recorded in the state only, " +
					"a change that replaces the instance creates a new one (`terraform apply -replace=ADDRESS` does too), " +
					"and a destroy needs no call to the service.",
				Validators: []validator.String{stringvalidator.OneOf(ecsapi.StatusRunning, ecsapi.StatusStopped)},
			},
			"stopped_mode": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How the instance stops when `status = \"Stopped\"`: `KeepCharging` keeps its resources, " +
					"`StopCharging` stops billing for vCPU and memory (the public IP may change on restart). " +
					"Unset: the account's default.",
				Validators: []validator.String{stringvalidator.OneOf(stoppedModeKeepCharging, stoppedModeStopCharging)},
			},
			"spot_strategy": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(ecsapi.SpotNone),
				MarkdownDescription: "`NoSpot` (default: an on-demand machine), `SpotAsPriceGo` (a spot machine at the " +
					"current spot price, at most the on-demand price) or `SpotWithPriceLimit` (a spot machine while the " +
					"spot price stays at or below `spot_price_limit`). A spot machine costs less but the service can " +
					"reclaim it (see `spot_interruption_behavior`). Spot machines are pay-as-you-go, which is what this " +
					"resource creates. Changing it replaces the instance.",
				PlanModifiers: spotReplace,
				Validators:    []validator.String{stringvalidator.OneOf(ecsapi.SpotNone, ecsapi.SpotAsPriceGo, ecsapi.SpotWithLimit)},
			},
			"spot_price_limit": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "The highest price per hour to pay for the spot machine, in the account's currency, " +
					"with at most 3 decimals: above 0 and at most 1000. Required with `spot_strategy = " +
					"\"SpotWithPriceLimit\"`, refused otherwise. A limit below the current spot price is refused at " +
					"creation. Changing it replaces the instance.",
				PlanModifiers: []planmodifier.Float64{float64planmodifier.RequiresReplace()},
				Validators:    []validator.Float64{spotPriceLimitValidator{}},
			},
			"spot_duration": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(1),
				MarkdownDescription: "Hours during which a spot machine is protected from reclaim after it is created: " +
					"`1` (default) or `0` (no protection, usually a lower price). Longer protection (2 to 6 hours) needs " +
					"the service's approval and is not offered here. Changing it replaces a spot instance. No effect on an " +
					"on-demand instance (`NoSpot`): accepted with a warning when not `1`, and recorded in the state only.",
				PlanModifiers: spotSettingReplaceInt,
				Validators:    []validator.Int64{spotDurationValidator{}},
			},
			"spot_interruption_behavior": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(ecsapi.SpotTerminate),
				MarkdownDescription: "What the service does when it reclaims the spot machine (after a 5-minute notice): " +
					"`Terminate` (default) releases it: the instance stays in state as a tombstone (`status = " +
					"\"Released\"`), a warning says it was reclaimed, its snapshots are kept, and `terraform apply " +
					"-replace=ADDRESS` brings a new one. `Stop` stops it in economical mode (disks kept, vCPU and memory " +
					"released): the next plan shows `status` going back to `Running`, with a warning, and the apply " +
					"starts it again, or says clearly that the zone has no stock of the type right now. Changing it " +
					"replaces a spot instance. No effect on an on-demand instance (`NoSpot`, which is never reclaimed): " +
					"accepted with a warning when not `Terminate`, and recorded in the state only.",
				PlanModifiers: spotSettingReplace,
				Validators:    []validator.String{stringvalidator.OneOf(ecsapi.SpotTerminate, ecsapi.SpotStop)},
			},
			"force_delete": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroy releases the instance without stopping it first (a power-off, " +
					"also for data disks that are kept). Default `false`, where destroy stops the instance first: powered " +
					"off when all its disks go with it, gracefully (forced after 5 minutes) when a data disk outlives it. " +
					"Updates in place with no call to the service. Destroy uses the value saved in the state, not the " +
					"configuration: `terraform destroy -var force=true` with `force_delete = var.force` still stops the " +
					"instance first. To release without a stop, set `force_delete = true`, run `terraform apply`, then " +
					"destroy.",
			},
			"final_snapshot": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Take a snapshot group of all the instance's disks on destroy, and release the instance " +
					"only once it is accomplished. If the snapshot fails, the destroy fails and the instance is kept (and " +
					"started again if it was stopped for the snapshot); every destroy takes a new snapshot, so a retried " +
					"destroy never reuses the group of an earlier attempt (a failed one is deleted). The snapshot group " +
					"survives the instance; its id is reported in a warning, with the data disks that are kept " +
					"(`delete_with_instance = false`). Every disk " +
					"must be ESSD-family (`cloud_essd`, `cloud_auto` or `cloud_essd_entry`), which is what ECS accepts in a " +
					"snapshot group: the plan fails when one is not and the instance is being created or `final_snapshot` set " +
					"or changed, and warns when the instance and `final_snapshot` are unchanged (an error there would also " +
					"block `terraform destroy`).",
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Name of the snapshot group: 2 to 128 characters, starting with a letter, not with `auto`.",
						Validators:          []validator.String{snapshotNameValidator},
					},
					"description": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Description of the snapshot group, 2 to 256 characters.",
						Validators:          []validator.String{descriptionValidator},
					},
					"retention_days": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Days to keep each snapshot, 1 to 65536. Unset: kept until deleted.",
						Validators:          []validator.Int64{int64validator.Between(1, 65536)},
					},
					"stop_first": schema.BoolAttribute{
						Optional: true,
						Computed: true,
						Default:  booldefault.StaticBool(true),
						MarkdownDescription: "Stop the instance before the snapshot, so that it is taken of a machine at rest. " +
							"The stop is graceful (the operating system shuts down and flushes its disks); only when it has " +
							"not finished after 5 minutes (or half of the remaining delete timeout, if that is shorter) is " +
							"the instance powered off. Default `true`. `false` snapshots the running machine " +
							"(crash-consistent, like pulling the plug), then stops and releases it.",
					},
				},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),

			"private_ip": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Private IP address in the vSwitch.",
				PlanModifiers:       stable,
			},
			"public_ip": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Public IP address, empty when `internet_max_bandwidth_out` is 0.",
				PlanModifiers:       []planmodifier.String{keepUnlessStatusChanges{}},
			},
			"ssh_command": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`ssh root@<public IP, or the private IP when there is none>`.",
				PlanModifiers:       []planmodifier.String{keepUnlessStatusChanges{}},
			},
			"system_disk_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Id of the system disk.",
				PlanModifiers:       stable,
			},
			"creation_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the instance was created, RFC 3339 UTC.",
				PlanModifiers:       stable,
			},
			"cpu": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Number of vCPUs.",
				PlanModifiers:       stableInt,
			},
			"memory": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Memory in MiB.",
				PlanModifiers:       stableInt,
			},
			"gpu_amount": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Number of GPUs, 0 for none.",
				PlanModifiers:       stableInt,
			},
			"gpu_spec": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "GPU model, e.g. `NVIDIA A10`; empty for none.",
				PlanModifiers:       stable,
			},
		},
	}
	addPriceAttributes(resp.Schema.Attributes) // instance_price.go
}

// instanceModel is the aliecs_instance resource's data.
type instanceModel struct {
	ID                      types.String `tfsdk:"id"`
	ImageID                 types.String `tfsdk:"image_id"`
	SourceSnapshotID        types.String `tfsdk:"source_snapshot_id"`
	InstanceType            types.String `tfsdk:"instance_type"`
	VSwitchID               types.String `tfsdk:"vswitch_id"`
	SecurityGroupIDs        types.Set    `tfsdk:"security_group_ids"`
	ZoneID                  types.String `tfsdk:"zone_id"`
	InstanceName            types.String `tfsdk:"instance_name"`
	Description             types.String `tfsdk:"description"`
	HostName                types.String `tfsdk:"host_name"`
	Tags                    types.Map    `tfsdk:"tags"`
	SystemDisk              types.Object `tfsdk:"system_disk"`
	DataDisks               types.List   `tfsdk:"data_disks"`
	InternetMaxBandwidthOut types.Int64  `tfsdk:"internet_max_bandwidth_out"`
	KeyPairName             types.String `tfsdk:"key_pair_name"`
	UserData                types.String `tfsdk:"user_data"`
	UserDataWO              types.String `tfsdk:"user_data_wo"`
	UserDataWOVersion       types.Int64  `tfsdk:"user_data_wo_version"`
	PasswordWO              types.String `tfsdk:"password_wo"`
	PasswordWOVersion       types.Int64  `tfsdk:"password_wo_version"`
	DeletionProtection      types.Bool   `tfsdk:"deletion_protection"`
	Status                  types.String `tfsdk:"status"`
	StoppedMode             types.String `tfsdk:"stopped_mode"`
	ForceDelete             types.Bool   `tfsdk:"force_delete"`

	SpotStrategy             types.String   `tfsdk:"spot_strategy"`
	SpotPriceLimit           types.Float64  `tfsdk:"spot_price_limit"`
	SpotDuration             types.Int64    `tfsdk:"spot_duration"`
	SpotInterruptionBehavior types.String   `tfsdk:"spot_interruption_behavior"`
	FinalSnapshot            types.Object   `tfsdk:"final_snapshot"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`

	PrivateIP    types.String `tfsdk:"private_ip"`
	PublicIP     types.String `tfsdk:"public_ip"`
	SystemDiskID types.String `tfsdk:"system_disk_id"`
	CreationTime types.String `tfsdk:"creation_time"`
	SSHCommand   types.String `tfsdk:"ssh_command"`
	CPU          types.Int64  `tfsdk:"cpu"`
	Memory       types.Int64  `tfsdk:"memory"`
	GPUAmount    types.Int64  `tfsdk:"gpu_amount"`
	GPUSpec      types.String `tfsdk:"gpu_spec"`

	PricePerHour  types.Float64 `tfsdk:"price_per_hour"` // instance_price.go
	PriceCurrency types.String  `tfsdk:"price_currency"`
}

type systemDiskModel struct {
	Category types.String `tfsdk:"category"`
	Size     types.Int64  `tfsdk:"size"`
}

type dataDiskModel struct {
	Size               types.Int64  `tfsdk:"size"`
	Category           types.String `tfsdk:"category"`
	DeleteWithInstance types.Bool   `tfsdk:"delete_with_instance"`
	SnapshotID         types.String `tfsdk:"snapshot_id"`
}

type finalSnapshotModel struct {
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	StopFirst     types.Bool   `tfsdk:"stop_first"`
}

var (
	systemDiskAttrTypes = map[string]attr.Type{
		"category": types.StringType,
		"size":     types.Int64Type,
	}
	dataDiskAttrTypes = map[string]attr.Type{
		"size":                 types.Int64Type,
		"category":             types.StringType,
		"delete_with_instance": types.BoolType,
		"snapshot_id":          types.StringType,
	}
	dataDiskObjectType = types.ObjectType{AttrTypes: dataDiskAttrTypes}
)

// ConfigValidators: an instance boots from an image or from a snapshot group.
func (r *instanceResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("image_id"), path.MatchRoot("source_snapshot_id")),
		spotConfigValidator{}, // instance_spot.go
	}
}

func (r *instanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *instanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// Write-only: the password is only ever in the configuration.
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_instance", plan.Timeouts.Create, defaultInstanceCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client

	// One token per create: ecsapi sends it on every retry of RunInstances,
	// so a retried call returns the first machine instead of making a second.
	token := newClientToken()
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyClientToken, []byte(`"`+token+`"`))...)

	in, d := plan.runInput(ctx, token, password.ValueString())
	resp.Diagnostics.Append(d...)
	in.Tags = withOwnershipTag(in.Tags)                 // finds orphans (instance_ownership_tag.go)
	userData, d := userDataToSend(ctx, req.Config, &in) // user_data or user_data_wo (instance_user_data.go)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(rememberUserData(ctx, resp.Private, userData)...)
	resp.Diagnostics.Append(r.referenceApplyDiagnostics(ctx, plan, req.Config)...) // before RunInstances (instance_references.go)
	if resp.Diagnostics.HasError() {
		return
	}
	var restore *restoreRun // source_snapshot_id: an intermediate image (instance_restore.go)
	if knownString(plan.SourceSnapshotID) {
		var err error
		if restore, err = r.prepareRestore(ctx, plan, &in, token); err != nil {
			resp.Diagnostics.AddAttributeError(pathSourceSnapshot, "Cannot create the instance from the snapshot group", err.Error())
			return
		}
	}
	id, err := client.RunInstance(ctx, in)
	createdAt := r.data.clock.Now()
	if id == "" && err != nil {
		id, err = recoverCreate(ctx, "RunInstances", err, func(rctx context.Context) (string, error) {
			return client.RunInstance(rctx, in)
		})
	}
	if id == "" {
		if err == nil {
			err = errors.New("the service returned no instance id")
		}
		if summary, detail, refused := spotLimitRefused(plan, err); refused { // instance_spot.go
			resp.Diagnostics.AddAttributeError(path.Root("spot_price_limit"), summary, detail+restore.cleanup(ctx))
			return
		}
		resp.Diagnostics.AddError("Cannot create the instance", err.Error()+restore.cleanup(ctx))
		return
	}
	plan.ID = types.StringValue(id)
	r.data.markCreated(id)
	seen := false
	var ready *ecsapi.Instance // what the waiter saw last, when nothing changed since
	if err == nil {
		ready, seen, err = r.finishCreate(ctx, id, plan.Status.ValueString(), plan.StoppedMode.ValueString())
	}
	if restore != nil {
		ready = nil // the restore may resize disks: read again
	}
	r.finishRestore(ctx, restore, id, plan, resp.Private, &resp.Diagnostics)
	if err != nil && errors.Is(err, context.Canceled) {
		// Ctrl-C during the boot wait: the machine is most likely booting
		// fine. Tainting it would replace it on the next apply; saved
		// unconfirmed instead, the next plan reads it (instance_unconfirmed.go).
		plan.nullUnknowns()
		resp.Diagnostics.Append(markUnconfirmed(ctx, resp.Private, createdAt)...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.AddWarning("Interrupted while the instance was starting",
			fmt.Sprintf("Instance %s was created, but %s. It is saved in the state as unconfirmed, not tainted: "+
				"the next plan reads it and changes nothing if it came up as configured.", id, err))
		return
	}
	if err != nil {
		// The machine exists: keep it in state (Terraform marks it tainted)
		// so it is neither leaked nor duplicated by the next apply.
		plan.nullUnknowns()
		if !seen {
			resp.Diagnostics.Append(markUnconfirmed(ctx, resp.Private, createdAt)...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.AddError("Instance created but not ready",
			fmt.Sprintf("Instance %s was created, but %s. It is saved in the state as tainted: the next apply "+
				"replaces it, and a destroy releases it.", id, err))
		return
	}
	inst, d := r.refreshFrom(ctx, &plan, ready)
	resp.Diagnostics.Append(d...)
	if inst == nil {
		resp.Diagnostics.AddError("Instance disappeared",
			fmt.Sprintf("Instance %s was created but the service no longer reports it (released by something else?).", id))
		return
	}
	r.settlePrice(ctx, &plan, &resp.Diagnostics) // instance_price.go
	if resp.Diagnostics.HasError() {
		plan.nullUnknowns()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, nil, resp.Private, inst.AutoReleaseTime)...)
}

func (r *instanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || isTombstone(state) {
		return // a released instance never comes back: nothing to read
	}
	if !requireConfigured(r.data, "aliecs_instance", &resp.Diagnostics) {
		return
	}
	importing := state.Status.IsNull()
	inst, d := r.refresh(ctx, &state, !importing)
	resp.Diagnostics.Append(d...)
	unconfirmed, d := unconfirmedOf(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	switch {
	case inst == nil && unconfirmed != nil:
		readUnconfirmed(id, unconfirmed, resp)
		return
	case inst == nil && importing:
		resp.Diagnostics.AddError("Instance not found",
			fmt.Sprintf("Instance %s does not exist in this region, so it cannot be imported. Check the id and the "+
				"provider's region.", id))
		return
	case inst == nil:
		r.keepTombstone(ctx, &state, req.Private, resp)
		return
	case unconfirmed != nil:
		if inst.Status == ecsapi.StatusPending || inst.Status == ecsapi.StatusStarting {
			// Still booting after an interrupted create: the plan shows
			// the status going to Running, and the apply waits for it
			// before anything that depends on the machine.
			state.Status = types.StringValue(inst.Status)
		} else {
			resp.Diagnostics.Append(clearUnconfirmed(ctx, resp.Private)...)
		}
		if state.PricePerHour.IsNull() && !importing {
			// A create cut short before it priced the machine: priced once now.
			state.PricePerHour, state.PriceCurrency = types.Float64Unknown(), types.StringUnknown()
			r.settlePrice(ctx, &state, &resp.Diagnostics)
		}
	}
	if importing {
		resp.Diagnostics.Append(r.readImportedUserData(ctx, &state, resp.Private)...)
		if resp.Diagnostics.HasError() {
			return
		}
		state.PricePerHour, state.PriceCurrency = types.Float64Unknown(), types.StringUnknown()
		r.settlePrice(ctx, &state, &resp.Diagnostics) // priced once, at import (instance_price.go)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, req.Private, resp.Private, inst.AutoReleaseTime)...)
	spotReclaimWarning(inst, &resp.Diagnostics) // instance_spot.go
}

func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isTombstone(state) {
		// A tombstone: ModifyPlan kept what the service reported, and the
		// arguments are recorded in the state only.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	ctx, cancel := operationContext(ctx, r.data, "aliecs_instance", plan.Timeouts.Update, defaultInstanceUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	plan.ID = state.ID
	if refuseShrink(ctx, plan, state, &resp.Diagnostics) { // instance_resize.go
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}

	err := r.applyChanges(ctx, req.Config, req.Private, &plan, &state)
	var refused *resizeError
	if errors.As(err, &refused) {
		resp.Diagnostics.AddAttributeError(refused.attr, refused.summary, refused.detail)
	} else if err != nil {
		resp.Diagnostics.AddError("Cannot update the instance", fmt.Sprintf("Updating instance %s failed: %s", id, err))
	}
	if err != nil {
		// Save what the instance really is now, so the next plan retries
		// only what is left.
		_, _ = r.refresh(ctx, &state, false)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	inst, d := r.refresh(ctx, &plan, false)
	resp.Diagnostics.Append(d...)
	if unconfirmed, _ := unconfirmedOf(ctx, req.Private); inst == nil && unconfirmed != nil {
		resp.Diagnostics.AddError("Instance not visible yet", unconfirmedGoneDetail(id, unconfirmed))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if inst == nil {
		resp.Diagnostics.AddError("Instance disappeared",
			fmt.Sprintf("Instance %s no longer exists (released outside Terraform, or by its automatic release): "+
				"it is kept in the state with status = \"Released\". Run terraform apply -replace=ADDRESS to get "+
				"a new machine.", id))
		state.Status = types.StringValue(statusReleased)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	r.settlePrice(ctx, &plan, &resp.Diagnostics) // instance_price.go
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, req.Private, resp.Private, inst.AutoReleaseTime)...)
}

func (r *instanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || isTombstone(state) {
		return // a tombstone: nothing left to release, no call
	}
	ctx, cancel := operationContext(ctx, r.data, "aliecs_instance", state.Timeouts.Delete, defaultInstanceDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client
	id := state.ID.ValueString()
	// A schedule destroyed before this instance in the same run cancelled
	// its release time: set it again if the instance stays (instance_release_kept.go).
	defer r.keepCancelledRelease(ctx, id, &resp.Diagnostics)

	unconfirmed, d := unconfirmedOf(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	inst, err := client.GetInstance(ctx, id)
	if ecsapi.IsNotFound(err) && unconfirmed != nil {
		// Never seen: not found means not visible yet, not released.
		if inst = awaitUnconfirmed(ctx, client, id, unconfirmed, &resp.Diagnostics); inst == nil {
			return
		}
		err = nil
	}
	if ecsapi.IsNotFound(err) {
		if !state.FinalSnapshot.IsNull() {
			resp.Diagnostics.AddWarning("No final snapshot taken",
				fmt.Sprintf("Instance %s was already gone, so no final snapshot could be taken.", id))
		}
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot release the instance", fmt.Sprintf("Reading instance %s failed: %s.%s", id, err,
			retryDestroyAdvice(ctx)))
		return
	}
	// Check before the final snapshot: a protected instance is left alone.
	if inst.DeletionProtection {
		resp.Diagnostics.AddError("Instance is protected from deletion", deletionProtectedDetail(id))
		return
	}
	deleteRestoreImage(ctx, client, req.Private, &resp.Diagnostics)

	// Read once: the release decides by them how to stop the instance, and
	// the warning names the disks that are kept. Not fatal: the release
	// reads them again.
	disks, derr := client.ListDisks(ctx, id)
	if derr != nil {
		disks = nil
	}

	groupID := ""
	if !state.FinalSnapshot.IsNull() && !state.FinalSnapshot.IsUnknown() {
		var fs finalSnapshotModel
		resp.Diagnostics.Append(state.FinalSnapshot.As(ctx, &fs, objectAsOptions)...)
		if resp.Diagnostics.HasError() {
			return
		}
		// One token for this attempt: its retries reuse it, a later destroy does not.
		groupID, err = finalSnapshotBeforeRelease(ctx, client, inst, fs, newFinalSnapshotToken())
		if err != nil {
			resp.Diagnostics.AddError("Final snapshot failed; the instance was kept",
				fmt.Sprintf("The final snapshot of instance %s did not complete, so the instance was not released: %s. "+
					"Fix the cause if there is one (a timeout: a longer timeouts.delete) and run terraform destroy "+
					"again: each destroy takes a new final snapshot, nothing of this attempt is reused. Only if you "+
					"want no copy of its disks at all, remove final_snapshot from the configuration and apply first.",
					id, err))
			return
		}
	}

	goneBefore := false // released by something else while its final snapshot was taken
	if groupID == "" {
		err = releaseReadInstance(ctx, client, inst, state.ForceDelete.ValueBool(), disks)
	} else { // the final snapshot took a while: read the instance again
		inst, err = client.GetInstance(ctx, id)
		switch {
		case ecsapi.IsNotFound(err):
			goneBefore, err = true, nil
		case err == nil:
			err = releaseReadInstance(ctx, client, inst, state.ForceDelete.ValueBool(), disks)
		}
	}
	if errors.Is(err, errDeletionProtected) {
		resp.Diagnostics.AddError("Instance is protected from deletion", deletionProtectedDetail(id)+unusedFinalSnapshotNote(groupID))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot release the instance", fmt.Sprintf("Releasing instance %s failed: %s.%s%s", id, err,
			retryDestroyAdvice(ctx), unusedFinalSnapshotNote(groupID)))
		return
	}
	kept := keptDisksNote(outlivingDisks(disks))
	if groupID != "" && goneBefore {
		r.reclaimedDuringFinalSnapshot(ctx, state, groupID, kept, &resp.Diagnostics) // instance_spot.go
		return
	}
	switch {
	case groupID != "":
		resp.Diagnostics.AddWarning("Final snapshot kept",
			fmt.Sprintf("Instance %s was released after its final snapshot group %s was accomplished. The snapshot "+
				"group is not managed by Terraform: it is kept (and billed) until you delete it.%s", id, groupID, kept))
	case kept != "":
		resp.Diagnostics.AddWarning("Data disks kept",
			fmt.Sprintf("Instance %s was released.%s", id, kept))
	}
}

// ModifyPlan keeps a tombstone as it is: status stays "Released", what the
// service last reported stays known, and edits of in-place arguments are
// recorded in the state only (a warning says so). A change that replaces the
// instance plans a new machine as usual: the user asked for it.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	resp.Diagnostics.Append(finalSnapshotPlanDiagnostics(ctx, req)...)    // final_snapshot's disk categories (instance_final_snapshot_plan.go)
	resizePlanDiagnostics(ctx, req, resp)                                 // type and disk sizes in place (instance_resize.go)
	r.restorePlanDiagnostics(ctx, req, resp)                              // source_snapshot_id, data_disks[*].snapshot_id (instance_restore.go)
	r.referencePlanDiagnostics(ctx, req, resp)                            // vSwitch, groups, image, key pair, type, stock (instance_references.go)
	r.pricePlan(ctx, req, resp)                                           // price_per_hour, price_currency (instance_price.go)
	r.spotPlanDiagnostics(ctx, req, resp)                                 // a spot machine reclaimed and stopped (instance_spot.go)
	resp.Diagnostics.Append(protectedDestroyPlanDiagnostics(ctx, req)...) // a destroy that protection refuses (instance_release_kept.go)
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var state, plan instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.keptDisksWarning(ctx, req, plan, state, &resp.Diagnostics) // data disks a replacement leaves behind (instance_data_disks.go)
	if !isTombstone(state) {
		return
	}
	if replacing, d := tombstoneReplaced(ctx, req, plan, state); d.HasError() || replacing {
		resp.Diagnostics.Append(d...)
		return // a new instance: Terraform plans it from a null prior state
	}
	changed, d := changedAttributes(req.Plan.Raw, req.State.Raw, instanceInPlaceAttributes)
	resp.Diagnostics.Append(d...)
	if len(changed) > 0 {
		resp.Diagnostics.AddWarning("Change recorded in the state only",
			fmt.Sprintf("Instance %s was released, so the change to %s is recorded in the state only: there is no "+
				"machine left to change. To get a new machine, run terraform apply -replace=ADDRESS with the "+
				"address of this aliecs_instance.", state.ID.ValueString(), strings.Join(changed, ", ")))
	}
	// What the service reported stays; the arguments follow the configuration.
	next := state
	next.InstanceName, next.Description, next.HostName = plan.InstanceName, plan.Description, plan.HostName
	next.Tags, next.DeletionProtection, next.PasswordWOVersion = plan.Tags, plan.DeletionProtection, plan.PasswordWOVersion
	next.Timeouts, next.ForceDelete, next.StoppedMode = plan.Timeouts, plan.ForceDelete, plan.StoppedMode
	next.FinalSnapshot, next.PasswordWO = plan.FinalSnapshot, plan.PasswordWO
	next.UserDataWO = plan.UserDataWO
	next.InstanceType, next.SystemDisk, next.DataDisks = plan.InstanceType, plan.SystemDisk, plan.DataDisks
	next.SpotStrategy, next.SpotDuration = plan.SpotStrategy, plan.SpotDuration // null in a state from before spot (instance_spot.go)
	next.SpotInterruptionBehavior, next.SpotPriceLimit = plan.SpotInterruptionBehavior, plan.SpotPriceLimit
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
}

func (r *instanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !instanceIDValidator.pattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an instance id. Import an aliecs_instance by its id, such as %q.",
				req.ID, "i-bp67acfmxazb4ph1234"))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	// password_wo_version cannot be read back: the first apply after the
	// import records the configured version without sending the password.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, []byte(`true`))...)
}

// finishCreate waits for a new instance to run, then stops it when the
// configuration asks for a stopped machine. seen says whether the instance
// was ever returned by the service (see instance_unconfirmed.go); ready is
// the running instance as the waiter last read it, nil after a stop.
func (r *instanceResource) finishCreate(ctx context.Context, id, status, stoppedMode string) (ready *ecsapi.Instance, seen bool, err error) {
	client := r.data.client
	inst, err := client.WaitInstanceCreated(ctx, id, ecsapi.StatusRunning)
	if err != nil {
		return nil, createWaitSaw(err), fmt.Errorf("waiting for it to run failed: %w", err)
	}
	if status == ecsapi.StatusStopped {
		if err := stopInstance(ctx, client, inst, ecsapi.StopInput{StoppedMode: stoppedMode}); err != nil {
			return nil, true, fmt.Errorf("stopping it (status = \"Stopped\") failed: %w", err)
		}
		return nil, true, nil
	}
	return inst, true, nil
}

// refresh reads the instance and its disks into m. It returns nil when the
// instance no longer exists. Terraform's refresh (fromListing) may be
// answered from the client's listing of the region; reads after a change
// always ask for the instance itself.
func (r *instanceResource) refresh(ctx context.Context, m *instanceModel, fromListing bool) (*ecsapi.Instance, diag.Diagnostics) {
	var diags diag.Diagnostics
	id := m.ID.ValueString()
	get := r.data.client.GetInstance
	if fromListing {
		get = r.data.client.RefreshInstance
	}
	inst, err := get(ctx, id)
	if ecsapi.IsNotFound(err) {
		return nil, diags
	}
	if err != nil {
		diags.AddError("Cannot read the instance", fmt.Sprintf("Reading instance %s failed: %s", id, err))
		return &ecsapi.Instance{ID: id}, diags
	}
	return r.refreshFrom(ctx, m, inst)
}

// refreshFrom is refresh with the instance already read: a create's waiter
// has just read it, and a second DescribeInstances would only repeat that
// answer. A nil inst is read.
func (r *instanceResource) refreshFrom(ctx context.Context, m *instanceModel, inst *ecsapi.Instance) (*ecsapi.Instance, diag.Diagnostics) {
	if inst == nil {
		return r.refresh(ctx, m, false)
	}
	var diags diag.Diagnostics
	id := m.ID.ValueString()
	var err error
	// Disks are read once, when the instance is new to the state (create,
	// import): they cannot change without replacing the instance, and one
	// DescribeDisks per instance on every refresh would cost more calls than
	// all the batched instance reads together.
	var disks []ecsapi.Disk
	knowsDisks := !m.SystemDiskID.IsNull() && !m.SystemDiskID.IsUnknown() && m.SystemDiskID.ValueString() != ""
	if !knowsDisks {
		if disks, err = r.data.client.ListDisks(ctx, id); err != nil {
			diags.AddError("Cannot read the instance's disks", fmt.Sprintf("Reading the disks of instance %s failed: %s", id, err))
			return inst, diags
		}
	}
	m.applyInstance(inst, disks, knowsDisks)
	return inst, diags
}

// privateKeyImported marks an instance imported and not yet updated.
const privateKeyImported = "imported"

func importedMark(ctx context.Context, p privateGetter) (bool, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateKeyImported)
	return string(raw) == "true", diags
}
