package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// finalSnapshotToken is the CreateSnapshotGroup ClientToken of an instance's
// final snapshot. It is derived from the instance id, so a destroy that is
// retried (interrupted while waiting, say) finds the group the first attempt
// started instead of taking a second one; and from the name and description,
// so after a failed snapshot a user who changes them gets a fresh attempt.
func finalSnapshotToken(instanceID string, fs finalSnapshotModel) string {
	sum := sha256.Sum256([]byte(fs.Name.ValueString() + "\x00" + fs.Description.ValueString()))
	return "tf-final-" + instanceID + "-" + hex.EncodeToString(sum[:4])
}

// takeFinalSnapshot snapshots every disk of an instance as one snapshot
// group, waits until the group is accomplished, applies the retention and
// tags the group with what a restore needs (snapshot_restore_facts.go).
// It returns the group id; on any error the instance must not be released.
func takeFinalSnapshot(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, fs finalSnapshotModel) (string, error) {
	instanceID := inst.ID
	groupID, err := client.CreateSnapshotGroup(ctx, ecsapi.SnapshotGroupInput{
		ClientToken: finalSnapshotToken(instanceID, fs),
		InstanceID:  instanceID,
		Name:        fs.Name.ValueString(),
		Description: fs.Description.ValueString(),
	})
	if err != nil {
		return "", fmt.Errorf("creating the snapshot group: %w", err)
	}
	group, err := client.WaitSnapshotGroupDone(ctx, groupID)
	if err != nil {
		return groupID, fmt.Errorf("snapshot group %s: %w", groupID, err)
	}
	if group != nil && group.Status != ecsapi.SnapshotAccomplished {
		return groupID, fmt.Errorf("snapshot group %s ended %s, not accomplished", groupID, group.Status)
	}
	if !fs.RetentionDays.IsNull() && !fs.RetentionDays.IsUnknown() && group != nil {
		if err := setRetention(ctx, client, group.Snapshots, int(fs.RetentionDays.ValueInt64())); err != nil {
			return groupID, fmt.Errorf("snapshot group %s was accomplished, but %w", groupID, err)
		}
	}
	// Without the facts a restore still works (with defaults): not an error.
	_ = tagRestoreFacts(ctx, client, inst, group)
	return groupID, nil
}

// finalSnapshotBeforeRelease takes an instance's final snapshot at destroy:
// with stop_first, after a graceful stop (powered off only when that takes
// too long, see stopGracefully). When the snapshot fails, an instance that
// was running is started again, so a failed destroy leaves it as it was.
// It returns the snapshot group id.
func finalSnapshotBeforeRelease(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, fs finalSnapshotModel) (string, error) {
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
	groupID, err := takeFinalSnapshot(ctx, client, inst, fs)
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
