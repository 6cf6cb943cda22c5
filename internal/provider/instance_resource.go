package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var (
	_ resource.Resource                = (*instanceResource)(nil)
	_ resource.ResourceWithConfigure   = (*instanceResource)(nil)
	_ resource.ResourceWithImportState = (*instanceResource)(nil)
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

func (r *instanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
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

func (r *instanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// Write-only: the password is only ever in the configuration.
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	timeout, d := plan.Timeouts.Create(ctx, defaultInstanceCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := r.data.client

	// One token per create: ecsapi sends it on every retry of RunInstances,
	// so a retried call returns the first machine instead of making a second.
	token := newClientToken()
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyClientToken, []byte(`"`+token+`"`))...)

	in, d := plan.runInput(ctx, token, password.ValueString())
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := client.RunInstance(ctx, in)
	createdAt := r.data.clock.Now()
	if id == "" && err != nil {
		id, err = recoverRunInstance(ctx, client, in, err)
	}
	if id == "" {
		if err == nil {
			err = errors.New("the service returned no instance id")
		}
		resp.Diagnostics.AddError("Cannot create the instance", err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	r.data.markCreated(id)
	seen := false
	if err == nil {
		seen, err = r.finishCreate(ctx, id, plan.Status.ValueString(), plan.StoppedMode.ValueString())
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
			fmt.Sprintf("Instance %s was created, but %v. It is saved in the state as tainted: the next apply "+
				"replaces it, and a destroy releases it.", id, err))
		return
	}
	inst, d := r.refresh(ctx, &plan, false)
	resp.Diagnostics.Append(d...)
	if inst == nil {
		resp.Diagnostics.AddError("Instance disappeared",
			fmt.Sprintf("Instance %s was created but the service no longer reports it (released by something else?).", id))
		return
	}
	if resp.Diagnostics.HasError() {
		plan.nullUnknowns()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, nil, resp.Private, inst.AutoReleaseTime)...)
}

// finishCreate waits for a new instance to run, then stops it when the
// configuration asks for a stopped machine. seen says whether the instance
// was ever returned by the service (see instance_unconfirmed.go).
func (r *instanceResource) finishCreate(ctx context.Context, id, status, stoppedMode string) (seen bool, err error) {
	client := r.data.client
	inst, err := client.WaitInstanceCreated(ctx, id, ecsapi.StatusRunning)
	if err != nil {
		return createWaitSaw(err), fmt.Errorf("waiting for it to run failed: %w", err)
	}
	if status == ecsapi.StatusStopped {
		if err := stopInstance(ctx, client, inst, ecsapi.StopInput{StoppedMode: stoppedMode}); err != nil {
			return true, fmt.Errorf("stopping it (status = \"Stopped\") failed: %w", err)
		}
	}
	return true, nil
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
		diags.AddError("Cannot read the instance", fmt.Sprintf("Reading instance %s failed: %v", id, err))
		return &ecsapi.Instance{ID: id}, diags
	}
	// Disks are read once, when the instance is new to the state (create,
	// import): they cannot change without replacing the instance, and one
	// DescribeDisks per instance on every refresh would cost more calls than
	// all the batched instance reads together.
	var disks []ecsapi.Disk
	knowsDisks := !m.SystemDiskID.IsNull() && !m.SystemDiskID.IsUnknown() && m.SystemDiskID.ValueString() != ""
	if !knowsDisks {
		if disks, err = r.data.client.ListDisks(ctx, id); err != nil {
			diags.AddError("Cannot read the instance's disks", fmt.Sprintf("Reading the disks of instance %s failed: %v", id, err))
			return inst, diags
		}
	}
	m.applyInstance(inst, disks, knowsDisks)
	return inst, diags
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
		resp.Diagnostics.Append(clearUnconfirmed(ctx, resp.Private)...)
	}
	if importing {
		resp.Diagnostics.Append(r.readImportedUserData(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, req.Private, resp.Private, inst.AutoReleaseTime)...)
}

// readImportedUserData reads the user data of an instance being imported
// (DescribeUserData takes one instance per call: never on every refresh)
// and keeps it as the plain text the configuration would hold.
func (r *instanceResource) readImportedUserData(ctx context.Context, m *instanceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	encoded, err := r.data.client.GetUserData(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddError("Cannot read the instance's user data",
			fmt.Sprintf("Reading the user data of instance %s failed: %v", m.ID.ValueString(), err))
		return diags
	}
	m.UserData = types.StringNull()
	if encoded != "" {
		m.UserData = types.StringValue(decodeUserData(encoded))
	}
	return diags
}

func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isTombstone(state) {
		// ModifyPlan let through only settings that live in Terraform alone.
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultInstanceUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	plan.ID = state.ID

	err := r.applyChanges(ctx, req.Config, req.Private, &plan, &state)
	if err != nil {
		resp.Diagnostics.AddError("Cannot update the instance", fmt.Sprintf("Updating instance %s failed: %v", id, err))
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
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
	resp.Diagnostics.Append(rememberAutoRelease(ctx, req.Private, resp.Private, inst.AutoReleaseTime)...)
}

// privateKeyImported marks an instance imported and not yet updated.
const privateKeyImported = "imported"

func importedMark(ctx context.Context, p privateGetter) (bool, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateKeyImported)
	return string(raw) == "true", diags
}

// applyChanges sends the in-place changes between state and plan.
func (r *instanceResource) applyChanges(ctx context.Context, config tfsdk.Config, private privateGetter, plan, state *instanceModel) error {
	client := r.data.client
	id := state.ID.ValueString()

	var mod ecsapi.ModifyInstanceInput
	changed := false
	setString := func(p, s types.String, dst **string) {
		if !p.IsUnknown() && !p.IsNull() && !p.Equal(s) {
			v := p.ValueString()
			*dst = &v
			changed = true
		}
	}
	setString(plan.InstanceName, state.InstanceName, &mod.Name)
	setString(plan.Description, state.Description, &mod.Description)
	setString(plan.HostName, state.HostName, &mod.HostName)
	if !plan.DeletionProtection.IsUnknown() && !plan.DeletionProtection.Equal(state.DeletionProtection) {
		v := plan.DeletionProtection.ValueBool()
		mod.DeletionProtection = &v
		changed = true
	}
	imported, _ := importedMark(ctx, private)
	if !plan.PasswordWOVersion.IsNull() && !plan.PasswordWOVersion.Equal(state.PasswordWOVersion) &&
		!(imported && state.PasswordWOVersion.IsNull()) {
		var pw types.String
		if d := config.GetAttribute(ctx, path.Root("password_wo"), &pw); d.HasError() || pw.IsNull() || pw.IsUnknown() {
			return errors.New("password_wo_version changed but password_wo is not set in the configuration")
		}
		v := pw.ValueString()
		mod.Password = &v
		changed = true
	}
	if changed {
		if err := client.ModifyInstanceAttribute(ctx, id, mod); err != nil {
			return err
		}
	}

	if !plan.Tags.Equal(state.Tags) {
		want, d := tagsFromMap(ctx, plan.Tags)
		if d.HasError() {
			return errors.New("reading the planned tags failed")
		}
		have, _ := tagsFromMap(ctx, state.Tags)
		set, remove := tagChanges(have, want)
		if len(set) > 0 || len(remove) > 0 {
			if err := client.UpdateInstanceTags(ctx, id, set, remove); err != nil {
				return err
			}
		}
	}

	if want := plan.Status.ValueString(); !plan.Status.IsUnknown() && !plan.Status.Equal(state.Status) {
		inst, err := client.GetInstance(ctx, id)
		if err != nil {
			return err
		}
		switch want {
		case ecsapi.StatusStopped:
			err = stopInstance(ctx, client, inst, ecsapi.StopInput{StoppedMode: plan.StoppedMode.ValueString()})
		case ecsapi.StatusRunning:
			err = startInstance(ctx, client, inst)
		}
		if err != nil {
			return fmt.Errorf("changing its status to %s: %w", want, err)
		}
	}
	return nil
}

// tagChanges computes the tags to set (new or changed) and to remove.
func tagChanges(have, want map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if old, ok := have[k]; !ok || old != v {
			set[k] = v
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	return set, remove
}

func (r *instanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || isTombstone(state) {
		return // released by its snapshot: nothing left to release
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultInstanceDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := r.data.client
	id := state.ID.ValueString()

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
		resp.Diagnostics.AddError("Cannot release the instance", fmt.Sprintf("Reading instance %s failed: %v", id, err))
		return
	}
	// Check before the final snapshot: a protected instance is left alone.
	if inst.DeletionProtection {
		resp.Diagnostics.AddError("Instance is protected from deletion", deletionProtectedDetail(id))
		return
	}

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
		groupID, err = finalSnapshotBeforeRelease(ctx, client, inst, fs)
		if err != nil {
			resp.Diagnostics.AddError("Final snapshot failed; the instance was kept",
				fmt.Sprintf("The final snapshot of instance %s did not complete, so the instance was not released: %v. "+
					"Fix the cause and destroy again, or remove final_snapshot from the configuration and apply first "+
					"to release it without a snapshot.", id, err))
			return
		}
	}

	err = releaseInstanceWithDisks(ctx, client, id, state.ForceDelete.ValueBool(), disks)
	if errors.Is(err, errDeletionProtected) {
		resp.Diagnostics.AddError("Instance is protected from deletion", deletionProtectedDetail(id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot release the instance", fmt.Sprintf("Releasing instance %s failed: %v", id, err))
		return
	}
	kept := keptDisksNote(outlivingDisks(disks))
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
