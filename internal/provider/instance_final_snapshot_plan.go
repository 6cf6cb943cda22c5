package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshotGroupCategories are the disk categories ECS accepts in a snapshot
// group, which is what final_snapshot takes.
var snapshotGroupCategories = []string{"cloud_essd", "cloud_auto", "cloud_essd_entry"}

func snapshotGroupCategory(c string) bool {
	for _, ok := range snapshotGroupCategories {
		if c == ok {
			return true
		}
	}
	return false
}

// finalSnapshotPlanDiagnostics checks at plan time that every disk of an
// aliecs_instance with final_snapshot can be part of a snapshot group, so
// that a destroy does not fail there. It is an error on final_snapshot when
// the instance is being created, its disks change (a new instance), or
// final_snapshot is being set or changed. Otherwise (an existing instance,
// final_snapshot unchanged) it is only a warning: Terraform runs a normal
// plan before a destroy, and an error there would block the destroy.
// Instance.ModifyPlan calls it first.
func finalSnapshotPlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest) diag.Diagnostics {
	var diags diag.Diagnostics
	if req.Plan.Raw.IsNull() {
		return nil // destroy
	}
	var plan instanceModel
	diags.Append(req.Plan.Get(ctx, &plan)...)
	if diags.HasError() || plan.FinalSnapshot.IsNull() || plan.FinalSnapshot.IsUnknown() {
		return diags
	}
	var state *instanceModel
	if !req.State.Raw.IsNull() {
		state = &instanceModel{}
		diags.Append(req.State.Get(ctx, state)...)
		if diags.HasError() {
			return diags
		}
	}
	newDisks := state == nil || !plan.SystemDisk.Equal(state.SystemDisk) || !plan.DataDisks.Equal(state.DataDisks)
	if !newDisks && isTombstone(*state) {
		return diags // released by a snapshot: a destroy takes no snapshot
	}
	bad := unsnapshottableDisks(ctx, plan, state, newDisks)
	if len(bad) == 0 {
		return diags
	}
	allowed := strings.Join(snapshotGroupCategories, ", ")
	list := strings.Join(bad, "; ")
	if newDisks || finalSnapshotChanged(ctx, plan.FinalSnapshot, state.FinalSnapshot) {
		diags.AddAttributeError(path.Root("final_snapshot"), "final_snapshot cannot snapshot this instance's disks",
			fmt.Sprintf("final_snapshot takes one snapshot group of all the instance's disks on destroy, and ECS "+
				"accepts only %s disks in a snapshot group, but %s. Use one of those categories for every disk "+
				"(changing a disk's category replaces the instance), or remove final_snapshot.", allowed, list))
		return diags
	}
	diags.AddAttributeWarning(path.Root("final_snapshot"), "final_snapshot will fail on destroy",
		fmt.Sprintf("final_snapshot takes one snapshot group of all the instance's disks on destroy, and ECS accepts "+
			"only %s disks in a snapshot group, but %s. A destroy of instance %s would fail at the snapshot and keep "+
			"the instance. To release it without a snapshot, remove final_snapshot from the configuration and apply "+
			"before destroying.", allowed, list, state.ID.ValueString()))
	return diags
}

// unsnapshottableDisks describes each known disk whose category a snapshot
// group refuses, e.g. "the system disk (d-bp1…) is cloud_efficiency". The
// disks are the planned ones; an unknown category (set from a value not yet
// known, or left to the default) is not reported.
func unsnapshottableDisks(ctx context.Context, plan instanceModel, state *instanceModel, newDisks bool) []string {
	var bad []string
	if !plan.SystemDisk.IsNull() && !plan.SystemDisk.IsUnknown() {
		var sd systemDiskModel
		if d := plan.SystemDisk.As(ctx, &sd, objectAsOptions); !d.HasError() && knownString(sd.Category) &&
			!snapshotGroupCategory(sd.Category.ValueString()) {
			name := "the system disk"
			if !newDisks && state != nil && knownString(state.SystemDiskID) && state.SystemDiskID.ValueString() != "" {
				name += " (" + state.SystemDiskID.ValueString() + ")"
			}
			bad = append(bad, fmt.Sprintf("%s is %s", name, sd.Category.ValueString()))
		}
	}
	if !plan.DataDisks.IsNull() && !plan.DataDisks.IsUnknown() {
		var dds []dataDiskModel
		if d := plan.DataDisks.ElementsAs(ctx, &dds, false); !d.HasError() {
			for i, dd := range dds {
				if knownString(dd.Category) && !snapshotGroupCategory(dd.Category.ValueString()) {
					bad = append(bad, fmt.Sprintf("data_disks[%d] is %s", i, dd.Category.ValueString()))
				}
			}
		}
	}
	return bad
}

func knownString(s types.String) bool { return !s.IsNull() && !s.IsUnknown() }

// finalSnapshotChanged reports whether final_snapshot is being set or
// changed. A stop_first absent from a state written before it existed
// counts as its default, so that upgrading the provider changes nothing.
func finalSnapshotChanged(ctx context.Context, planned, prior types.Object) bool {
	if prior.IsNull() || prior.IsUnknown() {
		return true
	}
	var p, s finalSnapshotModel
	if planned.As(ctx, &p, objectAsOptions).HasError() || prior.As(ctx, &s, objectAsOptions).HasError() {
		return true
	}
	if p.Name.IsUnknown() || p.Description.IsUnknown() || p.RetentionDays.IsUnknown() {
		return true
	}
	return !p.Name.Equal(s.Name) || !p.Description.Equal(s.Description) || !p.RetentionDays.Equal(s.RetentionDays) ||
		p.stopFirst() != s.stopFirst()
}
