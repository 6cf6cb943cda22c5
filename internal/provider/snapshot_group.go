package provider

import (
	"context"
	"fmt"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// setRetention sets how many days each snapshot of a group is kept. The
// service has no call for the whole group: one ModifySnapshotAttribute per
// snapshot, stopping at the first failure, which names the snapshot.
func setRetention(ctx context.Context, client *ecsapi.Client, snapshots []ecsapi.Snapshot, days int) error {
	for _, s := range snapshots {
		if err := client.ModifySnapshotAttribute(ctx, s.ID, ecsapi.ModifySnapshotInput{RetentionDays: &days}); err != nil {
			return fmt.Errorf("setting the retention of snapshot %s to %d days: %w", s.ID, days, err)
		}
	}
	return nil
}

// deleteSnapshotGroup deletes a group and its snapshots and waits until it is
// gone; a group already gone counts as deleted.
func deleteSnapshotGroup(ctx context.Context, client *ecsapi.Client, id string) error {
	if err := client.DeleteSnapshotGroup(ctx, id); err != nil && !ecsapi.IsNotFound(err) {
		return err
	}
	return client.WaitSnapshotGroupGone(ctx, id)
}
