package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// newFinalSnapshotToken draws the CreateSnapshotGroup ClientToken of one
// destroy's final snapshot. A token identifies one attempt, never the
// instance: a destroy retried later (after a failed snapshot, an interrupt,
// a delete timeout) takes a new snapshot instead of being handed the group
// of an earlier attempt, which may be days old or failed. Within the attempt
// the token stays the same, so a retried or replayed call whose answer was
// lost returns the group the first call made instead of a second one.
func newFinalSnapshotToken() string { return "tf-final-" + newClientToken() }

// takeFinalSnapshot snapshots every disk of an instance as one snapshot
// group, waits until the group is accomplished, applies the retention and
// tags the group with what a restore needs (snapshot_restore_facts.go).
// It returns the group id; on any error the instance must not be released.
// What a failed attempt leaves behind is never reused (see
// abandonFinalSnapshot): a failed group is deleted, and a group still
// being taken is named in the error.
func takeFinalSnapshot(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, fs finalSnapshotModel, token string) (string, error) {
	instanceID := inst.ID
	in := ecsapi.SnapshotGroupInput{
		ClientToken: token,
		InstanceID:  instanceID,
		Name:        fs.Name.ValueString(),
		Description: fs.Description.ValueString(),
	}
	setDisks, err := setDisksFor(ctx, client, instanceID, nil)
	if err != nil {
		return "", err
	}
	// The call may have made a group whose id we never saw: it is learnt, so
	// that it is not left behind unnamed (client_token.go). Disks a group
	// cannot take get a per-disk set, one ClientToken per disk per attempt.
	groupID, err := createSnapshots(ctx, client, in, setDisks)
	if err != nil {
		return "", fmt.Errorf("creating the snapshot group: %w", err)
	}
	group, err := client.WaitSnapshotGroupDone(ctx, groupID)
	if err != nil {
		return groupID, fmt.Errorf("snapshot group %s: %w%s", groupID, err, abandonFinalSnapshot(ctx, client, groupID, err))
	}
	if group != nil && group.Status != ecsapi.SnapshotAccomplished {
		return groupID, fmt.Errorf("snapshot group %s ended %s, not accomplished", groupID, group.Status)
	}
	if !fs.RetentionDays.IsNull() && !fs.RetentionDays.IsUnknown() && group != nil {
		if err := setRetention(ctx, client, group.Snapshots, int(fs.RetentionDays.ValueInt64())); err != nil {
			return groupID, fmt.Errorf("snapshot group %s was accomplished, but %w. The group is kept, not managed "+
				"by Terraform, and billed until you delete it", groupID, err)
		}
	}
	// Without the facts a restore still works (with defaults): not an error.
	_ = tagRestoreFacts(ctx, client, inst, group)
	return groupID, nil
}

// abandonFinalSnapshot deals with the group of a final snapshot attempt that
// did not complete, and says what became of it. A failed group holds
// nothing usable and is not the user's backup: it is deleted (with its own
// deadline, so even after the delete timeout). A group still being taken
// (the attempt timed out or was interrupted) is a copy in the making: it is
// kept and named, since deleting it is not ours to decide and leaking it
// silently would bill the user for something they never hear of. Neither is
// ever reused: the next destroy takes a new snapshot.
func abandonFinalSnapshot(ctx context.Context, client *ecsapi.Client, groupID string, err error) string {
	var failed *ecsapi.SnapshotFailedError
	if !errors.As(err, &failed) {
		if ecsapi.IsNotFound(err) {
			return ""
		}
		return fmt.Sprintf(". Snapshot group %s of this attempt was still being taken: it is kept, not managed by "+
			"Terraform, and billed until you delete it", groupID)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	if _, derr := client.DeleteSnapshotGroup(dctx, groupID); derr != nil && !ecsapi.IsNotFound(derr) {
		return fmt.Sprintf(". Deleting the failed group failed too (%s): delete snapshot group %s yourself", derr, groupID)
	}
	return ". The failed group, which holds nothing usable, was deleted"
}

// finalSnapshotBeforeRelease takes an instance's final snapshot at destroy:
// with stop_first, after a graceful stop (powered off only when that takes
// too long, see stopGracefully). When the snapshot fails, an instance that
// was running is started again, so a failed destroy leaves it as it was.
// It returns the snapshot group id.
func finalSnapshotBeforeRelease(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, fs finalSnapshotModel, token string) (string, error) {
	id := inst.ID
	wasRunning := inst.Status != ecsapi.StatusStopped && inst.Status != ecsapi.StatusStopping
	stopped := false
	if fs.stopFirst() {
		if err := stopGracefully(ctx, client, inst); err != nil {
			return "", fmt.Errorf("stopping it before the snapshot (stop_first) failed: %w%s", err,
				restartNote(ctx, client, id, wasRunning))
		}
		stopped = true
	}
	groupID, err := takeFinalSnapshot(ctx, client, inst, fs, token)
	if err != nil {
		return groupID, fmt.Errorf("%w%s", err, restartNote(ctx, client, id, wasRunning && stopped))
	}
	return groupID, nil
}

// restartNote starts an instance again after a failed destroy step, when it
// was running before the destroy stopped it, and says how that went. It has
// its own deadline, so it runs even when the delete timeout has run out.
func restartNote(ctx context.Context, client *ecsapi.Client, id string, restart bool) string {
	if !restart {
		return ""
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	inst, err := client.GetInstance(rctx, id)
	if err == nil {
		err = startInstance(rctx, client, inst)
	}
	if err != nil {
		return fmt.Sprintf(". It was stopped for the snapshot, and starting it again failed: %s; start it yourself "+
			"(or set status = \"Running\" and apply)", err)
	}
	return ". It was stopped for the snapshot and has been started again"
}

// keptDisksNote names the data disks that outlive a released instance
// (delete_with_instance = false), "" when there are none.
func keptDisksNote(kept []ecsapi.Disk) string {
	if len(kept) == 0 {
		return ""
	}
	names := make([]string, 0, len(kept))
	for _, d := range kept {
		names = append(names, fmt.Sprintf("%s (%d GiB, %s)", d.ID, d.Size, d.Category))
	}
	return fmt.Sprintf(" Its data disks with delete_with_instance = false were kept, detached, and are still billed "+
		"until you delete them: %s. Terraform does not manage them.", strings.Join(names, ", "))
}

// unusedFinalSnapshotNote names the final snapshot group of an attempt whose
// release then failed: it is a good copy, kept, and not reused by the next
// destroy (which takes its own). "" when there was none.
func unusedFinalSnapshotNote(groupID string) string {
	if groupID == "" {
		return ""
	}
	return fmt.Sprintf(". Its final snapshot group %s was accomplished before that and is kept, not managed by "+
		"Terraform (billed until you delete it); the next destroy takes a new final snapshot", groupID)
}
