package provider

import (
	"context"
	"fmt"
	"strings"

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
// gone; a group already gone counts as deleted. It returns the snapshots the
// service kept (an image uses them, or disks were created from them).
func deleteSnapshotGroup(ctx context.Context, client *ecsapi.Client, id string) ([]ecsapi.SnapshotNotDeleted, error) {
	kept, err := client.DeleteSnapshotGroup(ctx, id)
	if err != nil && !ecsapi.IsNotFound(err) {
		return nil, err
	}
	return kept, client.WaitSnapshotGroupGone(ctx, id)
}

// keptSnapshotsDetail names each snapshot that the deletion of a group kept,
// why, and what to do about it.
func keptSnapshotsDetail(groupID string, kept []ecsapi.SnapshotNotDeleted) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Snapshot group %s was deleted, but the service kept %d of its snapshots, which are billed "+
		"until they are deleted:", groupID, len(kept))
	for _, k := range kept {
		why := k.Message
		switch k.Code {
		case "SnapshotCreatedImage":
			why = "a custom image uses it: delete the image first (DeleteImage), then the snapshot"
		case "SnapshotCreatedDisk":
			why = "disks were created from it (for example an instance restored from this snapshot): it can be " +
				"deleted with DeleteSnapshot Force=true, after which those disks cannot be re-initialised from it; " +
				"the disks themselves are not affected"
		}
		fmt.Fprintf(&b, "\n- %s (%s): %s", k.SnapshotID, k.Code, why)
	}
	return b.String()
}
