package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Paths that diagnostics of aliecs_snapshot point at.
var (
	pathInstanceID    = path.Root("instance_id")
	pathRetentionDays = path.Root("retention_days")
	pathRelease       = path.Root("release_instance_after_snapshot")
)

// snapshotTagsValidator checks a snapshot group's tags as the service does,
// and keeps the provider's own keys (aliecs:) and the room for its marker tag.
type snapshotTagsValidator struct{}

var _ validator.Map = snapshotTagsValidator{}

func (snapshotTagsValidator) Description(context.Context) string {
	return "at most 20 tags (19 when the instance is released after the snapshot); keys 1 to 128 characters " +
		"not starting with aliyun, acs: or aliecs:; values at most 128 characters"
}

func (v snapshotTagsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (snapshotTagsValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	tags := map[string]string{}
	for k, v := range req.ConfigValue.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			tags[k] = s.ValueString()
		}
	}
	problems := checkTagEntries(tags)
	keys := make([]string, 0, len(req.ConfigValue.Elements()))
	for k := range req.ConfigValue.Elements() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), providerTagPrefix) {
			problems = append(problems, fmt.Sprintf("Tag key %q starts with %q, which is reserved for the provider's own tags.", k, providerTagPrefix))
		}
	}
	var release types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathRelease, &release)...)
	limit := maxTags
	if release.ValueBool() {
		limit-- // the marker tag takes one place
	}
	if n := len(keys); n > limit {
		p := fmt.Sprintf("%d tags were given; a snapshot group has at most %d tags.", n, maxTags)
		if release.ValueBool() {
			p = fmt.Sprintf("%d tags were given; with release_instance_after_snapshot = true a snapshot group takes at "+
				"most %d, since the provider adds its own tag %q.", n, limit, releaseAfterSnapshotTag)
		}
		problems = append([]string{p}, problems...)
	}
	for _, p := range problems {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid tags", p)
	}
}
