package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

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
// group, waits until the group is accomplished and applies the retention.
// It returns the group id; on any error the instance must not be released.
func takeFinalSnapshot(ctx context.Context, client *ecsapi.Client, instanceID string, fs finalSnapshotModel) (string, error) {
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
		days := int(fs.RetentionDays.ValueInt64())
		for _, s := range group.Snapshots {
			if err := client.ModifySnapshotAttribute(ctx, s.ID, ecsapi.ModifySnapshotInput{RetentionDays: &days}); err != nil {
				return groupID, fmt.Errorf("snapshot group %s was accomplished, but setting the retention of snapshot %s "+
					"to %d days failed: %w", groupID, s.ID, days, err)
			}
		}
	}
	return groupID, nil
}
