package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// tagChanges computes the tags to set (new or changed) and to remove.
func tagChanges(have, want map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if old, ok := have[k]; !ok || old != v {
			set[k] = v
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	return set, remove
}

// tagsFromMap turns a tags attribute into a Go map; null or unknown gives nil.
func tagsFromMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	out := map[string]string{}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// tagsValue is the state value of an instance's tags: null when it has none,
// unless the configuration said `tags = {}` (kept, so the result matches the plan).
func tagsValue(tags map[string]string, prior types.Map) types.Map {
	if len(tags) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return prior
		}
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(tags))
	for k, v := range tags {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// Tag keys with this prefix are the provider's own: they are set on the
// resources it creates and hidden from every tags attribute.
const providerTagPrefix = "aliecs:"

// releaseAfterSnapshotTag marks a snapshot group that aliecs_snapshot took
// in order to release its instance. It lets aliecs_instance and
// aliecs_auto_release_schedule tell "released by a snapshot of this
// configuration" from "released outside Terraform".
const releaseAfterSnapshotTag = providerTagPrefix + "release-after-snapshot"

// sourceSnapshotGroupTag marks an instance made from a snapshot group
// (source_snapshot_id), so that an import reads the group back.
const sourceSnapshotGroupTag = providerTagPrefix + "source-snapshot-group"

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
