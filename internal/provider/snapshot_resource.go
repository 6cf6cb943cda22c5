package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*snapshotResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*snapshotResource)(nil)
)

const (
	snapshotDefaultCreateTimeout = 60 * time.Minute
	snapshotDefaultUpdateTimeout = 10 * time.Minute
	snapshotDefaultDeleteTimeout = 20 * time.Minute
)

// snapshotResource manages one snapshot group: a snapshot of some or all of
// an instance's disks, taken at the same moment.
type snapshotResource struct {
	data *providerData
}

// NewSnapshotResource is the aliecs_snapshot constructor.
func NewSnapshotResource() resource.Resource { return &snapshotResource{} }

type snapshotResourceModel struct {
	ID                           types.String   `tfsdk:"id"`
	InstanceID                   types.String   `tfsdk:"instance_id"`
	Name                         types.String   `tfsdk:"name"`
	Description                  types.String   `tfsdk:"description"`
	DiskIDs                      types.Set      `tfsdk:"disk_ids"`
	RetentionDays                types.Int64    `tfsdk:"retention_days"`
	Tags                         types.Map      `tfsdk:"tags"`
	StopBeforeSnapshot           types.Bool     `tfsdk:"stop_before_snapshot"`
	ReleaseInstanceAfterSnapshot types.Bool     `tfsdk:"release_instance_after_snapshot"`
	Status                       types.String   `tfsdk:"status"`
	Progress                     types.Int64    `tfsdk:"progress"`
	Snapshots                    types.List     `tfsdk:"snapshots"`
	CreationTime                 types.String   `tfsdk:"creation_time"`
	InstanceReleased             types.Bool     `tfsdk:"instance_released"`
	KeepOnDestroy                types.Bool     `tfsdk:"keep_on_destroy"`
	Timeouts                     timeouts.Value `tfsdk:"timeouts"`
}

func (r *snapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot"
}

func (r *snapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot of an ECS instance's disks, taken together as one snapshot group " +
			"(`CreateSnapshotGroup`). Creation waits until every snapshot is `accomplished`. The instance can be " +
			"stopped first for a consistent copy, and released once, and only once, the snapshot is saved " +
			"(`release_instance_after_snapshot`). Only ESSD-family disks can be snapshotted this way.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The snapshot group id (`ssg-…`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The instance whose disks are snapshotted. Changing it forces a new snapshot " +
					"while that instance exists. Once the instance is released (by this resource, its schedule, or " +
					"outside Terraform), the snapshot is the only copy of the machine: a change of `instance_id` (for " +
					"example to `known after apply` when its `aliecs_instance` is replaced) keeps the old id and the " +
					"snapshot, with a warning. To snapshot another machine, declare another `aliecs_snapshot`.",
				Validators:    []validator.String{instanceIDValidator},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "Name of the snapshot group: 2 to 128 characters, starting with a letter; " +
					"letters, digits, `.`, `_`, `-` and `:`; not starting with `auto`, `http://` or `https://`. Updated in place; removing it from the configuration keeps the current value.",
				Validators: []validator.String{snapshotNameValidator},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				MarkdownDescription: "Description of the snapshot group: 2 to 256 characters, not starting with `http://` or `https://`. Updated in place; removing it from the configuration keeps the current value.",
				Validators:          []validator.String{descriptionValidator},
			},
			"disk_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The disks to snapshot (`d-…`), a subset of the instance's disks (at most 16). " +
					"Unset means every disk of the instance at creation time. Changing the set of disks forces a " +
					"new snapshot; writing down the disks the snapshot already holds does not.",
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 16),
					setvalidator.ValueStringsAre(diskIDValidator),
				},
				PlanModifiers: []planmodifier.Set{r.diskIDsReplaceModifier()},
			},
			"retention_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many days each snapshot is kept before the service deletes it (1 to 65536); " +
					"unset keeps them until the resource is destroyed. Set once the snapshot is accomplished. The " +
					"service only allows extending it, so a larger value is applied in place and a smaller value " +
					"(or removing it) is refused at plan time.",
				Validators:    []validator.Int64{int64validator.Between(1, 65536)},
				PlanModifiers: []planmodifier.Int64{retentionDaysExtendOnly{}},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Tags of the snapshot group: at most 20 (19 with " +
					"`release_instance_after_snapshot`); keys starting with `aliecs:` are reserved for the provider, which " +
					"tags a group that releases its instance with `aliecs:release-after-snapshot = \"true\"` (not shown " +
					"here, and never removed by a tag change). Updated in place (`TagResources` / `UntagResources`).",
				Validators: []validator.Map{snapshotTagsValidator{}},
			},
			"stop_before_snapshot": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Stop the instance before the snapshot for a consistent copy, and start it " +
					"again afterwards (unless it is being released). Default `false`. Only used when the snapshot " +
					"is created: changing it later changes nothing.",
			},
			"release_instance_after_snapshot": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Release the instance once, and only once, the snapshot is `accomplished` " +
					"(stop it, release it, wait until it is gone; the stop is graceful when a data disk outlives the " +
					"instance). A failed snapshot never releases anything. A deletion-protected instance is refused " +
					"before anything is done (no stop, no snapshot). " +
					"Default `false`. Turning it on for an existing snapshot whose instance was not released forces " +
					"a new snapshot, so the machine is released only right after a fresh copy of its disks; " +
					"turning it off changes nothing.",
				PlanModifiers: []planmodifier.Bool{releaseAfterSnapshotReplaceModifier()},
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Status of the snapshot group: `progressing`, `accomplished` or `failed`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"progress": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Progress of the snapshot group in percent (the mean over its snapshots).",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"snapshots": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The snapshots in the group, one per disk.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"snapshot_id": schema.StringAttribute{Computed: true, MarkdownDescription: "The snapshot id (`s-…`)."},
						"disk_id":     schema.StringAttribute{Computed: true, MarkdownDescription: "The disk it was taken from."},
						"disk_type":   schema.StringAttribute{Computed: true, MarkdownDescription: "`system` or `data`."},
						"size":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the source disk in GiB."},
					},
				},
			},
			"creation_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the snapshot group was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_released": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether this resource released the instance after the snapshot. Once `true`, " +
					"the snapshot is the saved copy of a machine that no longer exists, and the provider refuses " +
					"any change that would replace (delete) it.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"keep_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, destroying this resource only removes it from the state: the snapshot " +
					"group is kept (and billed) until deleted elsewhere. Default `false`: destroy deletes the group, " +
					"and when its instance was released the plan warns that this deletes the only copy of the machine.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *snapshotResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !snapshotGroupIDValidator.pattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a snapshot group id. Import an aliecs_snapshot by its snapshot group id, "+
				"%q followed by lowercase letters and digits, such as %q.", req.ID, "ssg-", "ssg-bp67acfmxazb4ph1234"))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	// Only used at creation: an imported snapshot was neither stopped for
	// nor followed by a release done by this resource.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("stop_before_snapshot"), false)...)
	released := r.importedReleased(ctx, req.ID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("release_instance_after_snapshot"), released)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("instance_released"), released)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("keep_on_destroy"), false)...)
}

// importedReleased reports whether the group being imported released its
// instance: it carries the provider's marker tag and the instance is gone.
// Any doubt (a failed call) means false, as for any other import.
func (r *snapshotResource) importedReleased(ctx context.Context, id string) bool {
	if r.data == nil {
		return false
	}
	g, err := r.data.client.GetSnapshotGroup(ctx, id)
	if err != nil || g.Tags[releaseAfterSnapshotTag] != "true" || g.InstanceID == "" {
		return false
	}
	_, err = r.data.client.GetInstance(ctx, g.InstanceID)
	return ecsapi.IsNotFound(err)
}

// snapshotObjectType is the element type of the snapshots list.
var snapshotObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"snapshot_id": types.StringType,
	"disk_id":     types.StringType,
	"disk_type":   types.StringType,
	"size":        types.Int64Type,
}}
