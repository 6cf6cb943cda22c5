package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// snapshotCreateError turns a CreateSnapshotGroup failure into a summary and
// a detail that name the instance or disks and say what to do.
func snapshotCreateError(err error, instanceID string, diskIDs []string) (string, string) {
	disks := "its disks"
	if len(diskIDs) > 0 {
		disks = "disks " + strings.Join(diskIDs, ", ")
	}
	code := ecsapi.ErrorCode(err)
	switch {
	case code == "IncorrectDiskStatus.CreatingSnapshot":
		return "A snapshot of the disks is already in progress",
			fmt.Sprintf("The service refused to snapshot %s of instance %s because a previous snapshot of them "+
				"is still being created. Wait for it to finish, then apply again.\n\n%s", disks, instanceID, err)
	case strings.HasPrefix(code, "IncorrectDiskStatus"):
		return "The disks cannot be snapshotted in their current state",
			fmt.Sprintf("The service refused to snapshot %s of instance %s: a disk must be attached (In_use) to a "+
				"Running or Stopped instance, or have been attached before. Check the disks' status, then apply "+
				"again.\n\n%s", disks, instanceID, err)
	case strings.HasPrefix(code, "QuotaExceed"):
		return "Snapshot quota exceeded",
			fmt.Sprintf("The service refused to snapshot %s of instance %s because the account's snapshot quota "+
				"is used up. Delete snapshots you no longer need, or ask for a larger quota, then apply again."+
				"\n\n%s", disks, instanceID, err)
	case strings.HasPrefix(code, "IncorrectInstanceStatus"):
		return "The instance cannot be snapshotted in its current state",
			fmt.Sprintf("The service refused to snapshot instance %s because it is in a transitional state "+
				"(starting, stopping or still being created). Wait until it is Running or Stopped, then apply "+
				"again.\n\n%s", instanceID, err)
	case isDiskCategoryError(code, err):
		return "Only ESSD disks can be snapshotted as a group",
			fmt.Sprintf("The service refused to snapshot %s of instance %s: snapshot groups only support "+
				"ESSD-family disks (cloud_essd, cloud_auto, cloud_essd_entry). Set disk_ids to the instance's "+
				"ESSD disks only, or snapshot the other disks another way.\n\n%s", disks, instanceID, err)
	case code == "InvalidDiskId.NotFound":
		return "Disk not found",
			fmt.Sprintf("One of %s does not exist or is not attached to instance %s. Check disk_ids.\n\n%s",
				disks, instanceID, err)
	case ecsapi.IsNotFound(err):
		return "Instance not found",
			fmt.Sprintf("Instance %s does not exist in this region, so it cannot be snapshotted. Check "+
				"instance_id and the provider's region.\n\n%s", instanceID, err)
	case strings.HasPrefix(code, "IdempotentParameterMismatch"):
		return "Snapshot request token reused with different arguments",
			fmt.Sprintf("The service says this request's client token was already used for a different snapshot "+
				"of instance %s. Apply again: a new token is generated for each apply.\n\n%s", instanceID, err)
	}
	return "Cannot snapshot the instance",
		fmt.Sprintf("Creating a snapshot group of %s of instance %s failed: %s", disks, instanceID, err)
}

// isDiskCategoryError recognises the service's refusal of a disk category
// that snapshot groups do not support (non-ESSD disks).
func isDiskCategoryError(code string, err error) bool {
	if strings.Contains(code, "Category") || strings.Contains(code, "DiskCategory") {
		return true
	}
	var apiErr *ecsapi.APIError
	if errors.As(err, &apiErr) {
		msg := strings.ToLower(apiErr.Message)
		return strings.Contains(msg, "essd") || strings.Contains(msg, "category")
	}
	return false
}
