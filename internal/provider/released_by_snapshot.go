package provider

import (
	"context"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Tag keys with this prefix are the provider's own: they are set on the
// resources it creates and hidden from every tags attribute.
const providerTagPrefix = "aliecs:"

// releaseAfterSnapshotTag marks a snapshot group that aliecs_snapshot took
// in order to release its instance. It lets aliecs_instance and
// aliecs_auto_release_schedule tell "released by a snapshot of this
// configuration" from "released outside Terraform".
const releaseAfterSnapshotTag = providerTagPrefix + "release-after-snapshot"

// statusReleased is the status aliecs_instance keeps in state for an
// instance released by an aliecs_snapshot.
const statusReleased = "Released"

// releasedBySnapshot reports whether an instance that no longer exists was
// released by aliecs_snapshot: an accomplished snapshot group of the instance
// carries releaseAfterSnapshotTag. Call it only once the instance is known to
// be gone, so healthy instances cost no extra call.
func releasedBySnapshot(ctx context.Context, client *ecsapi.Client, instanceID string) (groupID string, ok bool, err error) {
	groups, err := client.ListSnapshotGroups(ctx, ecsapi.SnapshotGroupFilter{
		InstanceID: instanceID,
		Statuses:   []string{ecsapi.SnapshotAccomplished},
	})
	if err != nil {
		return "", false, err
	}
	for _, g := range groups {
		if g.InstanceID == instanceID && g.Status == ecsapi.SnapshotAccomplished && g.Tags[releaseAfterSnapshotTag] == "true" {
			return g.ID, true, nil
		}
	}
	return "", false, nil
}

// userTags drops the provider's own tags, so they never show up as drift.
func userTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if !strings.HasPrefix(k, providerTagPrefix) {
			out[k] = v
		}
	}
	return out
}
