package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// A machine that disappears is a tombstone: it stays in state with status
// "Released", like the console's Released tab, whatever released it. The
// plan after a release is then empty (a GPU machine is never re-created
// behind the user's back), the snapshots that hold its disks keep their
// instance_id, `terraform destroy` makes no call, and `terraform apply
// -replace=ADDRESS` brings a new machine when the user wants one.

// privateKeyAutoRelease remembers the last automatic release time the
// service reported, so a machine that disappears after it can be named as
// released by its schedule (ECS keeps no record of why a machine is gone).
const privateKeyAutoRelease = "auto_release_time"

// instanceReplacingAttributes are the arguments whose change can replace
// the instance (their schema has RequiresReplace or RequiresReplaceIf);
// TestInstanceReplaceRules checks this list against the schema. Of
// system_disk and data_disks only some changes replace (diskReplaceReasons):
// a larger size does not.
var instanceReplacingAttributes = []string{
	"data_disks", "image_id", "key_pair_name", "private_ip", "source_snapshot_id", "system_disk", "user_data", "user_data_base64", "user_data_wo_version", "vswitch_id", "zone_id",
	"spot_strategy", "spot_price_limit", "spot_duration", "spot_interruption_behavior",
}

// tombstoneReplaced reports whether the plan of a released machine asks for
// a new one: a replacing argument changes (for the disks, a change that
// replaces, not a larger size).
func tombstoneReplaced(ctx context.Context, req resource.ModifyPlanRequest, plan, state instanceModel) (bool, diag.Diagnostics) {
	var whole []string
	for _, a := range instanceReplacingAttributes {
		if a != "system_disk" && a != "data_disks" && !spotSettingAbsent(state, a) {
			whole = append(whole, a)
		}
	}
	replacing, diags := plannedReplacement(req.Config.Raw, req.Plan.Raw, req.State.Raw, whole)
	if replacing || diags.HasError() {
		return replacing, diags
	}
	configDisks := types.ListNull(dataDiskObjectType)
	diags.Append(req.Config.GetAttribute(ctx, path.Root("data_disks"), &configDisks)...)
	return len(diskReplaceReasons(ctx, plan, state, configDisks)) > 0, diags
}

// instanceInPlaceAttributes are the arguments an update sends to the
// service; on a tombstone their change is recorded in the state only.
var instanceInPlaceAttributes = []string{
	"data_disks", "deletion_protection", "description", "host_name", "instance_name", "instance_type",
	"internet_charge_type", "internet_max_bandwidth_out", "password_wo_version", "resource_group_id", "role_name", "security_group_ids",
	"system_disk", "tags",
}

// keepTombstone turns an instance that is no longer found into a tombstone
// and says why it went, as far as there is evidence.
func (r *instanceResource) keepTombstone(ctx context.Context, state *instanceModel, private privateGetter, resp *resource.ReadResponse) {
	id := state.ID.ValueString()
	cause := r.releaseCause(ctx, id, *state, private)
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
func (r *instanceResource) releaseCause(ctx context.Context, id string, state instanceModel, private privateGetter) string {
	if cause := r.spotReleaseCause(ctx, id, state); cause != "" { // instance_spot.go
		return cause
	}
	if groupID, bySnapshot, err := releasedBySnapshot(ctx, r.data.client, id); err == nil && bySnapshot {
		return fmt.Sprintf("an aliecs_snapshot with release_instance_after_snapshot = true released it after "+
			"saving snapshot group %s.", groupID)
	}
	if at := lastAutoReleaseTime(ctx, private); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		now := r.data.clock.Now()
		switch {
		case err == nil && !t.After(now):
			return fmt.Sprintf("its automatic release time, %s, has passed: ECS released it as scheduled.", at)
		case err == nil:
			// "now" is the service's time as last learnt (to within a
			// second or so), so a time not yet come points elsewhere.
			return fmt.Sprintf("its automatic release time, %s, has not come yet (the service's time is about %s), "+
				"so it was most likely released outside Terraform (the console, the API, a script).",
				at, formatReleaseTime(now.Truncate(time.Second)))
		}
	}
	return "ECS keeps no record of why. Its automatic release time may have passed (the warning of its " +
		"aliecs_auto_release_schedule, if it has one, names that time: a release time set since this instance was " +
		"last read is not known to it), or it was released outside Terraform (the console, the API, a script), " +
		"or reclaimed by the service (a spot instance)."
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

// statusReleased is the status aliecs_instance keeps in state for an
// instance released by an aliecs_snapshot.
const statusReleased = "Released"

// releasedBySnapshot reports whether an instance that no longer exists was
// released by aliecs_snapshot: an accomplished snapshot group of the instance
// carries releaseAfterSnapshotTag. Call it only once the instance is known to
// be gone, so healthy instances cost no extra call.
func releasedBySnapshot(ctx context.Context, client *ecsapi.Client, instanceID string) (groupID string, ok bool, err error) {
	groups, err := client.ListSnapshotGroups(ctx, ecsapi.SnapshotGroupFilter{
		InstanceID: instanceID,
		Statuses:   []string{ecsapi.SnapshotAccomplished},
	})
	if err != nil {
		return "", false, err
	}
	for _, g := range groups {
		if g.InstanceID == instanceID && g.Status == ecsapi.SnapshotAccomplished && g.Tags[releaseAfterSnapshotTag] == "true" {
			return g.ID, true, nil
		}
	}
	return "", false, nil
}
