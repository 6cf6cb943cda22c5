package provider

import (
	"context"
	"fmt"
)

// changeSystemDiskAttributes applies a new name, description or
// performance level of the system disk, in place: ModifyDiskAttribute for
// the first two, ModifyDiskSpec (online) for the level.
func (r *instanceResource) changeSystemDiskAttributes(ctx context.Context, plan, state *instanceModel) error {
	if !knownObject(plan.SystemDisk) || !knownObject(state.SystemDisk) || !knownString(state.SystemDiskID) {
		return nil
	}
	var ps, ss systemDiskModel
	if plan.SystemDisk.As(ctx, &ps, objectAsOptions).HasError() || state.SystemDisk.As(ctx, &ss, objectAsOptions).HasError() {
		return nil
	}
	diskID := state.SystemDiskID.ValueString()
	var name, description *string
	if knownString(ps.Name) && !ps.Name.Equal(ss.Name) && ps.Name.ValueString() != "" {
		v := ps.Name.ValueString()
		name = &v
	}
	if !ps.Description.IsUnknown() && !ps.Description.IsNull() && !ps.Description.Equal(ss.Description) {
		v := ps.Description.ValueString()
		description = &v
	}
	if err := r.data.client.ModifyDiskAttribute(ctx, diskID, name, description); err != nil {
		return fmt.Errorf("renaming system disk %s: %w", diskID, err)
	}
	if knownString(ps.PerformanceLevel) && ps.PerformanceLevel.ValueString() != "" && !ps.PerformanceLevel.Equal(ss.PerformanceLevel) {
		if err := r.data.client.ModifyDiskPerformanceLevel(ctx, diskID, ps.PerformanceLevel.ValueString()); err != nil {
			return fmt.Errorf("changing the performance level of system disk %s: %w", diskID, err)
		}
	}
	return nil
}
