package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// snapshotGroupCategories are the disk categories ECS accepts in a snapshot
// group. A snapshot (aliecs_snapshot, final_snapshot) of any other disk is a
// per-disk set instead (setDisksFor).
var snapshotGroupCategories = []string{"cloud_essd", "cloud_auto", "cloud_essd_entry"}

func snapshotGroupCategory(c string) bool { return slices.Contains(snapshotGroupCategories, c) }

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

// setDisksFor decides how the disks of a snapshot are taken: nil when every
// one can be in a snapshot group (the service's crash-consistent group,
// CreateSnapshotGroup), otherwise the disks (all of the instance's, or
// diskIDs) for a per-disk snapshot set (ecsapi.CreateSnapshotSet), the
// system disk first. Snapshot groups take only cloud_essd, cloud_auto and
// cloud_essd_entry; machines moved in often have cloud_efficiency or
// cloud_ssd disks.
func setDisksFor(ctx context.Context, client *ecsapi.Client, instanceID string, diskIDs []string) ([]string, error) {
	disks, err := client.ListDisks(ctx, instanceID)
	if err != nil {
		return nil, fmt.Errorf("listing the disks of instance %s: %w", instanceID, err)
	}
	wanted := map[string]bool{}
	for _, id := range diskIDs {
		wanted[id] = true
	}
	var ids []string
	grouped := true
	for _, d := range disks {
		if len(wanted) > 0 && !wanted[d.ID] {
			continue
		}
		if !snapshotGroupCategory(d.Category) {
			grouped = false
		}
		if d.Type == "system" {
			ids = append([]string{d.ID}, ids...)
		} else {
			ids = append(ids, d.ID)
		}
	}
	if grouped || len(ids) == 0 {
		return nil, nil
	}
	return ids, nil
}

// createSnapshots makes the group, or with setDisks the per-disk set, of a
// snapshot. A lost answer is replayed with the same ClientToken (see
// recoverCreate). A set that could not be completed is deleted, so that no
// snapshot of it is left unnamed.
func createSnapshots(ctx context.Context, client *ecsapi.Client, in ecsapi.SnapshotGroupInput, setDisks []string) (string, error) {
	action := "CreateSnapshotGroup"
	create := func(cctx context.Context) (string, error) { return client.CreateSnapshotGroup(cctx, in) }
	if setDisks != nil {
		action = "CreateSnapshot"
		create = func(cctx context.Context) (string, error) { return client.CreateSnapshotSet(cctx, in, setDisks) }
	}
	id, err := create(ctx)
	if id == "" && err != nil {
		id, err = recoverCreate(ctx, action, err, create)
	}
	if err != nil && setDisks != nil && in.ClientToken != "" {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
		defer cancel()
		setID := ecsapi.SnapshotSetID(in.ClientToken)
		if _, derr := client.DeleteSnapshotGroup(dctx, setID); derr != nil && !ecsapi.IsNotFound(derr) {
			err = fmt.Errorf("%w (deleting the snapshots already taken of set %s failed too: %s; delete the "+
				"snapshots tagged %s = %s yourself)", err, setID, derr, ecsapi.SnapshotSetTag, setID)
		}
	}
	return id, err
}
