package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Schema of aliecs_instance (its home, instance_resource.go, holds the
// model, CRUD, ModifyPlan and import).
func (r *instanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	stableInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}

	resp.Schema = schema.Schema{
		MarkdownDescription: "An ECS instance (a virtual machine). Names, description, host name, tags, deletion " +
			"protection, the password, the running state, security groups, public bandwidth and its " +
			"charge type, resource group and RAM role change in place, and so do the instance type (the machine " +
			"restarts), larger disks and the disks' names, descriptions and performance levels; every other " +
			"argument replaces the instance, and the plan says so. " +
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
				MarkdownDescription: "A snapshot group (`ssg-…`) or per-disk snapshot set (`sset-…`): the id of an " +
					"`aliecs_snapshot` or of a group or set that " +
					"`aliecs_snapshots` finds) to make the instance from, instead of `image_id`: the new machine gets the " +
					"group's system disk and every data disk of the group, each at least its original size. It also takes " +
					"one snapshot of a system disk (`s-…`, such as an automatic snapshot of an `aliecs_snapshot_policy`, " +
					"`aliecs_snapshots.latest_system_snapshot_id`): the machine gets that system disk, and its data disks " +
					"come from `data_disks[*].snapshot_id`. Changing it " +
					"replaces the instance. See the restore section above for how it works and what is checked at plan time.",
				PlanModifiers: replace,
				Validators:    []validator.String{sourceSnapshotIDValidator},
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
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Security groups (1 to 5) of the instance's VPC. Change in place, with no restart: the " +
					"instance joins the new groups first (JoinSecurityGroup), then leaves the ones removed " +
					"(LeaveSecurityGroup), so it is never without a group.",
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
				Validators:          instanceNameValidators,
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Description: 2 to 256 characters, not starting with `http://` or `https://`. Updates in place; removing it from the configuration keeps the current description.",
				PlanModifiers:       stable,
				Validators:          descriptionValidators,
			},
			"host_name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Host name of the operating system: 2 to 64 letters, digits, `.` and `-`. Generated when omitted. Updates in place (the guest sees it after a restart).",
				PlanModifiers:       stable,
				Validators:          hostNameValidators,
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
				MarkdownDescription: "System disk. A larger `size` grows it in place, and so change its `name`, `description` and `performance_level`; a new `category` replaces the instance.",
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
					"name":              diskNameAttribute("Changes in place (ModifyDiskAttribute)."),
					"description":       diskDescriptionAttribute(),
					"performance_level": diskPerformanceLevelAttribute(" (higher levels need larger disks). \"\" for other categories."),
				},
			},
			"data_disks": schema.ListNestedAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Data disks of the instance (at most 16). A larger `size` grows a disk in " +
					"place (as for `system_disk`; a smaller one is a plan warning and an apply error), and so change its " +
					"`name`, `description` and `performance_level`; a disk added at " +
					"the end of the list is created and attached in place (`CreateDisk`, `AttachDisk`, no restart); " +
					"removing a disk, or changing another of its arguments (`category`, `delete_with_instance`, " +
					"`snapshot_id`, `encrypted`, `kms_key_id`), replaces the instance, and the plan says why " +
					"and names each kept disk (`delete_with_instance = false`), which the new machine does not get back. " +
					"Disks attached later, outside this resource, are not tracked.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown(), dataDisksReplaceIf},
				Validators:    []validator.List{listvalidator.SizeAtMost(16), dataDiskSettingsValidator{}},
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
						"name":        diskNameAttribute("Changes in place (ModifyDiskAttribute); removing it keeps the current name."),
						"description": diskDescriptionAttribute(),
						"performance_level": diskPerformanceLevelAttribute(
							"; \"\" for other categories, where setting it is an error."),
						"encrypted": schema.BoolAttribute{
							Optional: true,
							Computed: true,
							Default:  booldefault.StaticBool(false),
							MarkdownDescription: "Encrypt the disk (with `kms_key_id`, or the service's default key). Default " +
								"`false`. Set when the disk is made: changing it replaces the instance.",
						},
						"kms_key_id": schema.StringAttribute{
							Optional: true,
							Computed: true,
							MarkdownDescription: "KMS key that encrypts the disk; needs `encrypted = true`. Reads the key the " +
								"service reports (\"\" for none). Set when the disk is made: changing it replaces the instance.",
							PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
							Validators:    []validator.String{stringvalidator.LengthBetween(1, 128)},
						},
						"device": schema.StringAttribute{
							Computed:            true,
							MarkdownDescription: "Device name of the disk on the instance, e.g. `/dev/xvdb`, as the service reports it.",
							PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
						},
					},
				},
			},
			"internet_max_bandwidth_out": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(0),
				MarkdownDescription: "Outbound public bandwidth in Mbit/s, 0 to 100. Above 0 the instance gets a public IP. " +
					"Default `0`. Changes in place, with no restart (ModifyInstanceNetworkSpec): between two values above " +
					"0 the public IP stays; from 0 the instance is given a new public IP (AllocatePublicIpAddress), which " +
					"`public_ip` shows after the apply; to 0 the public IP is released and `public_ip` becomes empty " +
					"(the service's documentation does not say what happens to it: this provider counts on it going, " +
					"as the emulator does). An IP given up this way cannot be had back.",
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"internet_charge_type": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "How public traffic is billed: `PayByTraffic` (by the GB sent; the service's default) or " +
					"`PayByBandwidth` (by the bandwidth reserved). Read back when unset. Changes in place " +
					"(ModifyInstanceNetworkSpec), with no restart.",
				PlanModifiers: stable,
				Validators:    []validator.String{stringvalidator.OneOf(internetChargeTypes...)},
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
					"`user_data_wo` to keep it out of the state, and `user_data_base64` for a value that is already base64 (a value that looks so gets a plan warning: it would be encoded twice). At most one of `user_data`, `user_data_base64` and `user_data_wo`. A different " +
					"user data replaces the instance; moving the same text to `user_data_wo` does not (see the user data " +
					"section above). Not read back on refresh (the service reports it one instance per call); an import " +
					"keeps only a salted hash of it, and the first apply after the import records the configured value.",
				PlanModifiers: []planmodifier.String{userDataReplaceIf{}},
				Validators:    []validator.String{stringvalidator.LengthAtMost(24576), userDataLooksEncoded{}},
			},
			"user_data_base64": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "User data already base64-encoded (for example `base64encode(file(\"init.sh\"))` or " +
					"`data.cloudinit_config.x.rendered`), sent as it is, at most 32 KiB. At most one of `user_data`, " +
					"`user_data_base64` and `user_data_wo`. Otherwise as `user_data`: sensitive, kept in the state, set when " +
					"the instance is created, a different user data replaces the instance (the same script moved between " +
					"the three attributes does not). An instance moved from `alicloud_instance` whose `user_data` was " +
					"base64 gets it here.",
				PlanModifiers: []planmodifier.String{userDataReplaceIf{}},
				Validators: []validator.String{stringvalidator.LengthAtMost(32768), userDataBase64Validator{},
					stringvalidator.ConflictsWith(path.MatchRoot("user_data"), path.MatchRoot("user_data_wo"))},
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
					"(`delete_with_instance = false`). When a disk is not ESSD-family (`cloud_efficiency`, `cloud_ssd`, " +
					"`cloud`: ECS groups take only `cloud_essd`, `cloud_auto` and `cloud_essd_entry`), the final snapshot " +
					"is a per-disk snapshot set (`sset-…`, one snapshot per disk) with the same rules: the instance is " +
					"released only once every disk's snapshot is accomplished, and a failed one fails the destroy (the " +
					"set's other snapshots are deleted). `stop_first` (the default) matters more then: per-disk " +
					"snapshots are not crash-consistent across disks.",
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Name of the snapshot group: 2 to 128 characters, starting with a letter, not with `auto`.",
						Validators:          snapshotNameValidators,
					},
					"description": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Description of the snapshot group, 2 to 256 characters.",
						Validators:          descriptionValidators,
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
				Optional: true,
				Computed: true,
				MarkdownDescription: "Private IPv4 address in the vSwitch's block. The service picks a free one when " +
					"omitted. Set when the instance is created; a different address replaces the instance.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{ipv4Validator{}},
			},
			"resource_group_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Resource group (`rg-…`) of the instance; the account's default group when omitted. " +
					"Changes in place (JoinResourceGroup).",
				PlanModifiers: stable,
				Validators: []validator.String{stringvalidator.RegexMatches(resourceGroupIDPattern,
					"must be a resource group id such as rg-acfmzabcdefghij")},
			},
			"role_name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The instance RAM role, whose temporary credentials programs on the machine get from " +
					"its metadata service; `\"\"` for none. Changes in place (DetachInstanceRamRole, then " +
					"AttachInstanceRamRole), with no restart. Read back on every refresh of an instance that has a role, " +
					"so a role detached or replaced outside Terraform shows in the plan (the instances refreshed together " +
					"share one DescribeInstanceRamRole call per 50); an instance without one costs no call, so a role " +
					"attached to it outside Terraform is seen after an import.",
				PlanModifiers: stable,
				Validators: []validator.String{stringvalidator.RegexMatches(ramRoleNamePattern,
					"must be a RAM role name: 1 to 64 letters, digits, '.' and '-', or \"\" for none")},
			},
			"instance_charge_type": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "How the instance is billed, as the service reports it: `PostPaid` (pay-as-you-go), " +
					"the only billing this resource creates and manages; an import of a `PrePaid` (subscription) " +
					"instance reads `PrePaid`.",
				PlanModifiers: stable,
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

// The name, description and performance level of a disk: the same rules and
// the same in-place calls for the system disk and each data disk.

func diskNameAttribute(change string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		MarkdownDescription: "Name of the disk, with the rules of `instance_name`; \"\" when it has none. " + change,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:          instanceNameValidators,
	}
}

func diskDescriptionAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		MarkdownDescription: "Description of the disk, 2 to 256 characters. Changes in place (ModifyDiskAttribute).",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:          descriptionValidators,
	}
}

func diskPerformanceLevelAttribute(otherCategories string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: "Performance level of a `cloud_essd` disk: `PL0`, `PL1` (the service's default), `PL2` or " +
			"`PL3`" + otherCategories + " Changes in place, online (ModifyDiskSpec).",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		Validators:    []validator.String{stringvalidator.OneOf("PL0", "PL1", "PL2", "PL3")},
	}
}
