package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A machine that disappears is a tombstone: it stays in state with status
// "Released", like the console's Released tab, whatever released it. The
// plan after a release is then empty (a GPU machine is never re-created
// behind the user's back), the snapshots that hold its disks keep their
// instance_id, `terraform destroy` makes no call, and `terraform apply
// -replace=ADDRESS` brings a new machine when the user wants one.

var _ resource.ResourceWithModifyPlan = (*instanceResource)(nil)

// privateKeyAutoRelease remembers the last automatic release time the
// service reported, so a machine that disappears after it can be named as
// released by its schedule (ECS keeps no record of why a machine is gone).
const privateKeyAutoRelease = "auto_release_time"

// instanceReplacingAttributes are the arguments whose change replaces the
// instance (their schema has RequiresReplace); TestInstanceReplaceRules
// checks this list against the schema.
var instanceReplacingAttributes = []string{
	"data_disks", "image_id", "instance_type", "internet_max_bandwidth_out", "key_pair_name",
	"security_group_ids", "system_disk", "user_data", "vswitch_id", "zone_id",
}

// instanceInPlaceAttributes are the arguments an update sends to the
// service; on a tombstone their change is recorded in the state only.
var instanceInPlaceAttributes = []string{
	"deletion_protection", "description", "host_name", "instance_name", "password_wo_version", "tags",
}

// keepTombstone turns an instance that is no longer found into a tombstone
// and says why it went, as far as there is evidence.
func (r *instanceResource) keepTombstone(ctx context.Context, state *instanceModel, private privateGetter, resp *resource.ReadResponse) {
	id := state.ID.ValueString()
	cause := r.releaseCause(ctx, id, private)
	state.Status = types.StringValue(statusReleased)
	resp.Diagnostics.AddWarning(fmt.Sprintf("Instance %s was released", id),
		fmt.Sprintf("Instance %s no longer exists: %s It stays in the state with status = \"Released\" (a "+
			"tombstone, like the console's Released tab): the plan does not create a new machine, the snapshots "+
			"of its disks are kept, and terraform destroy needs no call to the service. To get a new machine, "+
			"run terraform apply -replace=ADDRESS with the address of this aliecs_instance.", id, cause))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// releaseCause names what released a machine that is gone: the snapshot
// that released it, its automatic release time once passed, or else the
// possible causes.
func (r *instanceResource) releaseCause(ctx context.Context, id string, private privateGetter) string {
	if groupID, bySnapshot, err := releasedBySnapshot(ctx, r.data.client, id); err == nil && bySnapshot {
		return fmt.Sprintf("an aliecs_snapshot with release_instance_after_snapshot = true released it after "+
			"saving snapshot group %s.", groupID)
	}
	if at := lastAutoReleaseTime(ctx, private); at != "" {
		if t, err := time.Parse(time.RFC3339, at); err == nil && !t.After(r.data.clock.Now()) {
			return fmt.Sprintf("its automatic release time, %s, has passed: ECS released it as scheduled.", at)
		}
	}
	return "ECS keeps no record of why. It was released outside Terraform (the console, the API, a script), " +
		"by an automatic release time set outside Terraform, or reclaimed by the service (a spot instance)."
}

// lastAutoReleaseTime is the release time remembered by rememberAutoRelease.
func lastAutoReleaseTime(ctx context.Context, private privateGetter) string {
	if private == nil {
		return ""
	}
	raw, diags := private.GetKey(ctx, privateKeyAutoRelease)
	var s string
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// rememberAutoRelease records the release time the service reports (RFC
// 3339, "" for none) when it differs from the one remembered.
func rememberAutoRelease(ctx context.Context, req privateGetter, resp privateSetter, apiTime string) diag.Diagnostics {
	at := apiTimeToRFC3339(apiTime)
	if at == lastAutoReleaseTime(ctx, req) {
		return nil
	}
	raw, _ := json.Marshal(at)
	return resp.SetKey(ctx, privateKeyAutoRelease, raw)
}

// ModifyPlan keeps a tombstone as it is: status stays "Released", what the
// service last reported stays known, and edits of in-place arguments are
// recorded in the state only (a warning says so). A change that replaces the
// instance plans a new machine as usual: the user asked for it.
func (r *instanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	resp.Diagnostics.Append(finalSnapshotPlanDiagnostics(ctx, req)...) // final_snapshot's disk categories (instance_final_snapshot_plan.go)
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var state, plan instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !isTombstone(state) {
		return
	}
	if replacing, d := plannedReplacement(req.Config.Raw, req.Plan.Raw, req.State.Raw, instanceReplacingAttributes); d.HasError() || replacing {
		resp.Diagnostics.Append(d...)
		return // a new instance: Terraform plans it from a null prior state
	}
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
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
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
}

// plannedReplacement reports whether one of the replacing attributes
// changes between state and plan, the way Terraform decides it: an unknown
// planned value counts when the configuration sets it (a computed value left
// out of the configuration is only "known after apply").
func plannedReplacement(config, plan, state tftypes.Value, replacing []string) (bool, diag.Diagnostics) {
	var cfg, planned, prior map[string]tftypes.Value
	var diags diag.Diagnostics
	for _, v := range []struct {
		raw tftypes.Value
		dst *map[string]tftypes.Value
	}{{config, &cfg}, {plan, &planned}, {state, &prior}} {
		if err := v.raw.As(v.dst); err != nil {
			diags.AddError("Cannot read the plan", err.Error())
			return false, diags
		}
	}
	for _, name := range replacing {
		p := planned[name]
		if !p.IsFullyKnown() {
			if c, ok := cfg[name]; ok && !c.IsNull() {
				return true, diags
			}
			continue
		}
		if !p.Equal(prior[name]) {
			return true, diags
		}
	}
	return false, diags
}

// changedAttributes lists the attributes whose planned value differs from
// the state (unknown counts as a change).
func changedAttributes(plan, state tftypes.Value, names []string) ([]string, diag.Diagnostics) {
	var planned, prior map[string]tftypes.Value
	var diags diag.Diagnostics
	if err := plan.As(&planned); err != nil {
		diags.AddError("Cannot read the plan", err.Error())
		return nil, diags
	}
	if err := state.As(&prior); err != nil {
		diags.AddError("Cannot read the state", err.Error())
		return nil, diags
	}
	var changed []string
	for _, name := range names {
		if p := planned[name]; !p.IsFullyKnown() || !p.Equal(prior[name]) {
			changed = append(changed, name)
		}
	}
	return changed, diags
}

// isTombstone reports whether the instance in state is gone: there is
// nothing to read, change or release.
func isTombstone(state instanceModel) bool {
	return state.Status.ValueString() == statusReleased
}
