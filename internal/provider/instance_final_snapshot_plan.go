package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// snapshotGroupCategories are the disk categories ECS accepts in a snapshot
// group. A snapshot (aliecs_snapshot, final_snapshot) of any other disk is a
// per-disk set instead (setDisksFor in snapshot_group.go).
var snapshotGroupCategories = []string{"cloud_essd", "cloud_auto", "cloud_essd_entry"}

func snapshotGroupCategory(c string) bool {
	for _, ok := range snapshotGroupCategories {
		if c == ok {
			return true
		}
	}
	return false
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
