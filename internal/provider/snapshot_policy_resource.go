package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithConfigure   = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithImportState = (*snapshotPolicyResource)(nil)
)

const snapshotPolicyDefaultTimeout = 10 * time.Minute

var (
	pathPolicyInstances = path.Root("instance_ids")
)

// snapshotPolicyResource is an automatic snapshot policy applied to every
// disk of some instances (snapshot_policy_disks.go resolves them), with
// DeleteAutoSnapshot=false on those disks so that its snapshots outlive a
// released machine until their retention ends.
type snapshotPolicyResource struct {
	data *providerData
}

type snapshotPolicyModel struct {
	ID             types.String   `tfsdk:"id"`
	Name           types.String   `tfsdk:"name"`
	TimePoints     types.Set      `tfsdk:"time_points"`
	RepeatWeekdays types.Set      `tfsdk:"repeat_weekdays"`
	RetentionDays  types.Int64    `tfsdk:"retention_days"`
	Tags           types.Map      `tfsdk:"tags"`
	InstanceIDs    types.Set      `tfsdk:"instance_ids"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

// NewSnapshotPolicyResource is registered in the provider's Resources().
func NewSnapshotPolicyResource() resource.Resource { return &snapshotPolicyResource{} }

func (r *snapshotPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot_policy"
}

func (r *snapshotPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An automatic snapshot policy: ECS snapshots every disk of the listed instances at the " +
			"given hours (UTC+8) on the given days of the week, whatever the disk category (each disk gets its own " +
			"snapshot, `s-…`; there is no snapshot group), and deletes each snapshot after `retention_days`. The " +
			"provider also sets `DeleteAutoSnapshot=false` on those disks, so the automatic snapshots of a machine " +
			"that is released (by its schedule, a spot reclaim, a destroy) are kept until their retention ends. " +
			"Destroying the policy cancels it on the disks and deletes it; **the snapshots it took are not deleted** " +
			"(they expire after their retention, or delete them yourself). `aliecs_snapshots` lists them " +
			"(`policy_id`), and `aliecs_instance.source_snapshot_id` resumes a machine from its system disk's " +
			"automatic snapshot.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The policy id, `sp-…`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of the policy: 2 to 128 characters, starting with a letter; letters, " +
					"digits, `.`, `_`, `-` and `:`; not starting with `auto`, `http://` or `https://`. Changes in place.",
				Validators: snapshotNameValidators,
			},
			"time_points": schema.SetAttribute{
				Required:    true,
				ElementType: types.Int64Type,
				MarkdownDescription: "Hours of the day at which the snapshots are taken, 0 to 23, in **UTC+8** (China " +
					"Standard Time, as ECS reads them): `[2]` is 02:00 UTC+8, 18:00 UTC the day before. Changes in place.",
				Validators: []validator.Set{setvalidator.SizeBetween(1, 24),
					setvalidator.ValueInt64sAre(int64validator.Between(0, 23))},
			},
			"repeat_weekdays": schema.SetAttribute{
				Required:    true,
				ElementType: types.Int64Type,
				MarkdownDescription: "Days of the week on which the snapshots are taken, 1 (Monday) to 7 (Sunday), in " +
					"UTC+8. Changes in place.",
				Validators: []validator.Set{setvalidator.SizeBetween(1, 7),
					setvalidator.ValueInt64sAre(int64validator.Between(1, 7))},
			},
			"retention_days": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "How many days each automatic snapshot is kept, 1 to 65536, or `-1` to keep them " +
					"until they are deleted (ECS then drops the oldest when a disk reaches its snapshot quota). Changes " +
					"in place: a new value applies to the snapshots taken from then on (whether ECS also changes the existing " +
					"ones is not documented).",
				Validators: []validator.Int64{retentionDaysValidator{}},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the policy (not of its snapshots). Change in place.",
				Validators:          []validator.Map{tagsValidator{}},
			},
			"instance_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Instances whose disks (system and data, every category) the policy applies to. " +
					"Changes in place: the disks of an added instance get the policy, those of a removed one lose it " +
					"(their `DeleteAutoSnapshot=false` stays, so their automatic snapshots are still kept). Each " +
					"instance must exist when it is added (checked at plan). An instance released later is no error: " +
					"its id stays, with nothing left to apply to. A disk attached to a listed instance later, or a " +
					"policy cancelled outside Terraform, shows as a change that applies it again.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(instanceIDValidator)},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *snapshotPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan checks, when instance_ids is set or changed, that every added
// instance exists (a destroy or an unchanged policy makes no call).
func (r *snapshotPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.client == nil {
		return
	}
	var plan, state snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() || plan.InstanceIDs.IsUnknown() {
		return
	}
	added := newStrings(setStrings(plan.InstanceIDs), setStrings(state.InstanceIDs))
	if len(added) == 0 {
		return
	}
	missing, err := missingInstances(ctx, r.data.client, added)
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(pathPolicyInstances, "Cannot check the instances at plan",
			fmt.Sprintf("Reading instances %s failed: %s. They are read again at apply.", strings.Join(added, ", "), err))
		return
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddAttributeError(pathPolicyInstances, "Instance not found",
			fmt.Sprintf("Instance %s does not exist in region %s, the provider's region, so the policy cannot be "+
				"applied to its disks. Check instance_ids. A machine released since stays in state with status "+
				"Released: leave it out of instance_ids, or bring a new one with terraform apply -replace=ADDRESS.%s",
				strings.Join(missing, ", "), r.data.region, destroyHint))
	}
}

func (r *snapshotPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot_policy", plan.Timeouts.Create, snapshotPolicyDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := policyInput(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := r.data.client.CreateSnapshotPolicy(ctx, in)
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the snapshot policy", policyErrorDetail(err))
		return
	}
	plan.ID = types.StringValue(id)
	// In state before the disks: a failure below leaves a policy that the
	// next apply completes (or a destroy deletes), never an unknown one.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	applyPolicyToInstances(ctx, r.data.client, id, setStrings(plan.InstanceIDs), &resp.Diagnostics)
}

func (r *snapshotPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireConfigured(r.data, "aliecs_snapshot_policy", &resp.Diagnostics) {
		return
	}
	id := state.ID.ValueString()
	p, err := r.data.client.GetSnapshotPolicy(ctx, id)
	if ecsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Snapshot policy removed from state",
			fmt.Sprintf("Automatic snapshot policy %s no longer exists (deleted outside Terraform), so it was removed "+
				"from state. The next apply creates a new one. The snapshots it took are not affected.", id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the snapshot policy", fmt.Sprintf("Reading policy %s failed: %s", id, err))
		return
	}
	flattenPolicy(&state, p)
	ids, err := policyInstances(ctx, r.data.client, id, setStrings(state.InstanceIDs))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the disks of the snapshot policy", fmt.Sprintf("Reading the disks of policy %s failed: %s", id, err))
		return
	}
	if len(ids) > 0 || !state.InstanceIDs.IsNull() {
		state.InstanceIDs = stringSet(ids)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *snapshotPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot_policy", plan.Timeouts.Update, snapshotPolicyDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	client := r.data.client
	id := state.ID.ValueString()
	plan.ID = state.ID
	var mod ecsapi.ModifySnapshotPolicyInput
	if !plan.Name.Equal(state.Name) {
		name := plan.Name.ValueString()
		mod.Name = &name
	}
	if !plan.TimePoints.Equal(state.TimePoints) {
		mod.TimePoints = setInts(plan.TimePoints)
	}
	if !plan.RepeatWeekdays.Equal(state.RepeatWeekdays) {
		mod.RepeatWeekdays = setInts(plan.RepeatWeekdays)
	}
	if !plan.RetentionDays.Equal(state.RetentionDays) {
		days := int(plan.RetentionDays.ValueInt64())
		mod.RetentionDays = &days
	}
	if err := client.ModifySnapshotPolicy(ctx, id, mod); err != nil {
		resp.Diagnostics.AddError("Cannot change the snapshot policy", policyErrorDetail(err))
		return
	}
	if !plan.Tags.Equal(state.Tags) {
		have, d1 := tagsFromMap(ctx, state.Tags)
		want, d2 := tagsFromMap(ctx, plan.Tags)
		resp.Diagnostics.Append(d1...)
		resp.Diagnostics.Append(d2...)
		set, remove := tagChanges(have, want)
		if err := client.UpdateSnapshotPolicyTags(ctx, id, set, remove); err != nil {
			resp.Diagnostics.AddError("Cannot change the tags of the snapshot policy", policyErrorDetail(err))
			return
		}
	}
	// Saved before the disks, so a failure there keeps the policy's new settings.
	next := plan
	next.InstanceIDs = state.InstanceIDs
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
	removed := newStrings(setStrings(state.InstanceIDs), setStrings(plan.InstanceIDs))
	if !cancelPolicyOnInstances(ctx, client, id, removed, &resp.Diagnostics) {
		return
	}
	// Every listed instance, not only the added ones: a disk that lost the
	// policy outside Terraform, or was attached since, gets it again.
	if !applyPolicyToInstances(ctx, client, id, setStrings(plan.InstanceIDs), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete cancels the policy on its disks and deletes it. Its snapshots stay.
func (r *snapshotPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel := operationContext(ctx, r.data, "aliecs_snapshot_policy", state.Timeouts.Delete, snapshotPolicyDefaultTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if !cancelPolicyOnInstances(ctx, r.data.client, id, setStrings(state.InstanceIDs), &resp.Diagnostics) {
		return
	}
	if err := r.data.client.DeleteSnapshotPolicy(ctx, id); err != nil {
		resp.Diagnostics.AddError("Cannot delete the snapshot policy", policyErrorDetail(err))
	}
}

func (r *snapshotPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !snapshotPolicyIDValidator.pattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an automatic snapshot policy id. Import an aliecs_snapshot_policy by its id, %q "+
				"followed by lowercase letters and digits, such as %q.", req.ID, "sp-", "sp-bp14yziiuvu3s6jn1234"))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// policyInput is the CreateAutoSnapshotPolicy input of a plan.
func policyInput(ctx context.Context, m snapshotPolicyModel) (ecsapi.SnapshotPolicyInput, diag.Diagnostics) {
	tags, diags := tagsFromMap(ctx, m.Tags)
	return ecsapi.SnapshotPolicyInput{
		Name: m.Name.ValueString(), TimePoints: setInts(m.TimePoints), RepeatWeekdays: setInts(m.RepeatWeekdays),
		RetentionDays: int(m.RetentionDays.ValueInt64()), Tags: tags,
	}, diags
}

// flattenPolicy writes what DescribeAutoSnapshotPolicyEx reports into m.
func flattenPolicy(m *snapshotPolicyModel, p *ecsapi.SnapshotPolicy) {
	m.ID = types.StringValue(p.ID)
	m.Name = optionalString(p.Name)
	m.TimePoints = intSet(p.TimePoints)
	m.RepeatWeekdays = intSet(p.RepeatWeekdays)
	m.RetentionDays = types.Int64Value(int64(p.RetentionDays))
	m.Tags = tagsValue(userTags(p.Tags), m.Tags)
}

// policyErrorDetail says what a refused policy call means.
func policyErrorDetail(err error) string {
	code := ecsapi.ErrorCode(err)
	switch {
	case strings.HasPrefix(code, "QuotaExceed"):
		return fmt.Sprintf("The region's quota of automatic snapshot policies (100) is used up: delete policies "+
			"you no longer need.\n\n%s", err)
	case strings.HasSuffix(code, ".Malformed"):
		return fmt.Sprintf("The service refused a value of the policy (%s).\n\n%s", code, err)
	}
	return err.Error()
}

// retentionDaysValidator: -1 (kept until deleted) or 1 to 65536.
type retentionDaysValidator struct{}

var _ validator.Int64 = retentionDaysValidator{}

func (retentionDaysValidator) Description(context.Context) string {
	return "-1 (kept until deleted) or 1 to 65536 days"
}

func (v retentionDaysValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (retentionDaysValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if v := req.ConfigValue.ValueInt64(); v != -1 && (v < 1 || v > 65536) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid retention",
			fmt.Sprintf("retention_days is %d; ECS keeps automatic snapshots 1 to 65536 days, or until they are "+
				"deleted with -1.", v))
	}
}

// setStrings returns a set of strings sorted; null or unknown gives nil.
func setStrings(s types.Set) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	for _, v := range s.Elements() {
		if str, ok := v.(types.String); ok && !str.IsNull() && !str.IsUnknown() {
			out = append(out, str.ValueString())
		}
	}
	sort.Strings(out)
	return out
}

// setInts returns a set of numbers sorted.
func setInts(s types.Set) []int {
	out := []int{}
	for _, v := range s.Elements() {
		if n, ok := v.(types.Int64); ok && !n.IsNull() && !n.IsUnknown() {
			out = append(out, int(n.ValueInt64()))
		}
	}
	sort.Ints(out)
	return out
}

func intSet(list []int) types.Set {
	elems := make([]attr.Value, 0, len(list))
	for _, n := range list {
		elems = append(elems, types.Int64Value(int64(n)))
	}
	return types.SetValueMust(types.Int64Type, elems)
}

// newStrings are the entries of a that are not in b.
func newStrings(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	return out
}
