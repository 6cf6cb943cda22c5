package provider

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
	InternetChargeType      types.String `tfsdk:"internet_charge_type"`
	KeyPairName             types.String `tfsdk:"key_pair_name"`
	UserData                types.String `tfsdk:"user_data"`
	UserDataBase64          types.String `tfsdk:"user_data_base64"`
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

	PrivateIP          types.String `tfsdk:"private_ip"`
	ResourceGroupID    types.String `tfsdk:"resource_group_id"`
	RoleName           types.String `tfsdk:"role_name"`
	InstanceChargeType types.String `tfsdk:"instance_charge_type"`
	PublicIP           types.String `tfsdk:"public_ip"`
	SystemDiskID       types.String `tfsdk:"system_disk_id"`
	CreationTime       types.String `tfsdk:"creation_time"`
	SSHCommand         types.String `tfsdk:"ssh_command"`
	CPU                types.Int64  `tfsdk:"cpu"`
	Memory             types.Int64  `tfsdk:"memory"`
	GPUAmount          types.Int64  `tfsdk:"gpu_amount"`
	GPUSpec            types.String `tfsdk:"gpu_spec"`

	PricePerHour  types.Float64 `tfsdk:"price_per_hour"` // instance_price.go
	PriceCurrency types.String  `tfsdk:"price_currency"`
}

type systemDiskModel struct {
	Category         types.String `tfsdk:"category"`
	Size             types.Int64  `tfsdk:"size"`
	Name             types.String `tfsdk:"name"`
	Description      types.String `tfsdk:"description"`
	PerformanceLevel types.String `tfsdk:"performance_level"`
}

type dataDiskModel struct {
	Size               types.Int64  `tfsdk:"size"`
	Category           types.String `tfsdk:"category"`
	DeleteWithInstance types.Bool   `tfsdk:"delete_with_instance"`
	SnapshotID         types.String `tfsdk:"snapshot_id"`
	Name               types.String `tfsdk:"name"`
	Description        types.String `tfsdk:"description"`
	PerformanceLevel   types.String `tfsdk:"performance_level"`
	Encrypted          types.Bool   `tfsdk:"encrypted"`
	KMSKeyID           types.String `tfsdk:"kms_key_id"`
	Device             types.String `tfsdk:"device"`
}

type finalSnapshotModel struct {
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	StopFirst     types.Bool   `tfsdk:"stop_first"`
}

var (
	systemDiskAttrTypes = map[string]attr.Type{
		"category":          types.StringType,
		"size":              types.Int64Type,
		"name":              types.StringType,
		"description":       types.StringType,
		"performance_level": types.StringType,
	}
	dataDiskAttrTypes = map[string]attr.Type{
		"size":                 types.Int64Type,
		"category":             types.StringType,
		"delete_with_instance": types.BoolType,
		"snapshot_id":          types.StringType,
		"name":                 types.StringType,
		"description":          types.StringType,
		"performance_level":    types.StringType,
		"encrypted":            types.BoolType,
		"kms_key_id":           types.StringType,
		"device":               types.StringType,
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

	if plan.RoleName.IsUnknown() {
		plan.RoleName = types.StringValue("") // none asked for: the machine has none
	}
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
	resp.Diagnostics.Append(publicIPPending(ctx, req.Private, resp.Private, inst, &state)...) // instance_network.go
	if !importing && knownString(state.RoleName) && state.RoleName.ValueString() != "" {
		// Only an instance with a role pays for the call: drift is a role gone or changed.
		resp.Diagnostics.Append(r.readRoleName(ctx, &state)...) // instance_network.go
	}
	if importing {
		resp.Diagnostics.Append(r.readRoleName(ctx, &state)...) // instance_network.go
		resp.Diagnostics.Append(r.readImportedUserData(ctx, &state, resp.Private)...)
		if resp.Diagnostics.HasError() {
			return
		}
		state.PricePerHour, state.PriceCurrency = types.Float64Unknown(), types.StringUnknown()
		r.settlePrice(ctx, &state, &resp.Diagnostics) // priced once, at import (instance_price.go)
	}
	if moved, _ := movedMark(ctx, req.Private); moved {
		// Moved in from alicloud_instance (instance_move.go): priced once, as at import.
		state.PricePerHour, state.PriceCurrency = types.Float64Unknown(), types.StringUnknown()
		r.settlePrice(ctx, &state, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyMoved, nil)...)
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
		if pe := (*publicIPError)(nil); errors.As(err, &pe) {
			// The public IP is still to come: refreshes show 0 Mbit/s until
			// it is there, so the next apply tries again (instance_network.go).
			state.InternetMaxBandwidthOut = types.Int64Value(0)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyPublicIPPending, []byte(`true`))...)
		}
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
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyPublicIPPending, nil)...)
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

	// The disks the release leaves behind, read once: the release decides
	// by them how to stop the instance, and the warning names them. Not
	// fatal: the release reads them again.
	kept, derr := client.ListKeptDisks(ctx, id)
	if derr != nil {
		kept = nil
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
		err = releaseReadInstance(ctx, client, inst, state.ForceDelete.ValueBool(), kept)
	} else { // the final snapshot took a while: read the instance again
		inst, err = client.GetInstance(ctx, id)
		switch {
		case ecsapi.IsNotFound(err):
			goneBefore, err = true, nil
		case err == nil:
			err = releaseReadInstance(ctx, client, inst, state.ForceDelete.ValueBool(), kept)
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
	keptNote := keptDisksNote(outlivingDisks(kept))
	if groupID != "" && goneBefore {
		r.reclaimedDuringFinalSnapshot(ctx, state, groupID, keptNote, &resp.Diagnostics) // instance_spot.go
		return
	}
	switch {
	case groupID != "":
		resp.Diagnostics.AddWarning("Final snapshot kept",
			fmt.Sprintf("Instance %s was released after its final snapshot group %s was accomplished. The snapshot "+
				"group is not managed by Terraform: it is kept (and billed) until you delete it.%s", id, groupID, keptNote))
	case keptNote != "":
		resp.Diagnostics.AddWarning("Data disks kept",
			fmt.Sprintf("Instance %s was released.%s", id, keptNote))
	}
}

// ModifyPlan keeps a tombstone as it is: status stays "Released", what the
// service last reported stays known, and edits of in-place arguments are
// recorded in the state only (a warning says so). A change that replaces the
// instance plans a new machine as usual: the user asked for it.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
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
	next.SecurityGroupIDs, next.InternetChargeType = plan.SecurityGroupIDs, plan.InternetChargeType
	next.InternetMaxBandwidthOut, next.ResourceGroupID = plan.InternetMaxBandwidthOut, plan.ResourceGroupID
	next.RoleName = plan.RoleName
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
	tflog.Info(ctx, fmt.Sprintf("Instance %s created; waiting for it to boot", id), map[string]any{"instance_id": id})
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
	knowsDisks := !m.SystemDiskID.IsNull() && !m.SystemDiskID.IsUnknown() && m.SystemDiskID.ValueString() != "" &&
		!dataDisksNeedRead(m.DataDisks) // a state from before the data disks' settings: read once
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
