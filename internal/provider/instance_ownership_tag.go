package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Every machine the provider creates carries an ownership tag, set by
// RunInstances itself (no extra call), so that a machine orphaned by a
// provider killed between RunInstances and the state write (SIGKILL, OOM)
// can be found: aliecs_instances with tags = { "aliecs:managed-by" =
// "terraform-provider-aliecs" } lists every machine the provider made, and
// one missing from every state is an orphan. A deterministic ClientToken
// could not do this: copies made by count share a configuration, and the
// provider does not know a resource's address.
//
// Like the provider's other aliecs: tags it is hidden from the tags
// attribute (userTags), so no plan or import shows it; it takes one of the
// 20 tags an instance can have, which leaves 19 to the user.
const (
	ownershipTagKey   = ecsapi.OwnershipTagKey // providerTagPrefix + "managed-by"
	ownershipTagValue = ecsapi.OwnershipTagValue
)

// maxUserInstanceTags is what an instance leaves to the user's tags.
const maxUserInstanceTags = maxTags - 1

// withOwnershipTag adds the ownership tag to the tags of a new instance.
func withOwnershipTag(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags)+1)
	for k, v := range tags {
		out[k] = v
	}
	out[ownershipTagKey] = ownershipTagValue
	return out
}

// checkUserInstanceTagCount: the user's tags leave room for the provider's.
func checkUserInstanceTagCount(n int) string {
	if n > maxUserInstanceTags {
		return fmt.Sprintf("%d tags were given; an instance takes at most %d tags of its own, since ECS allows %d and "+
			"the provider adds its ownership tag %q (which finds machines orphaned by a crash).",
			n, maxUserInstanceTags, maxTags, ownershipTagKey)
	}
	return ""
}

// checkReservedTagKeys: keys starting with aliecs: are the provider's own;
// a user's tag with that prefix would be hidden from the state, and would
// show as a change on every plan.
func checkReservedTagKeys(keys []string) []string {
	sort.Strings(keys)
	var problems []string
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), providerTagPrefix) {
			problems = append(problems, fmt.Sprintf("Tag key %q starts with %q, which is reserved for the provider's "+
				"own tags (such as %q).", k, providerTagPrefix, ownershipTagKey))
		}
	}
	return problems
}

// instanceTagsValidator checks an instance's own tags: the service's rules,
// the reserved aliecs: prefix and the room for the ownership tag.
type instanceTagsValidator struct{}

var _ validator.Map = instanceTagsValidator{}

func (instanceTagsValidator) Description(context.Context) string {
	return "at most 19 tags (ECS allows 20; the provider adds its ownership tag); keys 1 to 128 characters not " +
		"starting with aliyun, acs: or aliecs:; values at most 128 characters"
}

func (v instanceTagsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (instanceTagsValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	problems := checkTagEntries(knownTagValues(req))
	keys := make([]string, 0, len(req.ConfigValue.Elements()))
	for k := range req.ConfigValue.Elements() {
		keys = append(keys, k)
	}
	problems = append(problems, checkReservedTagKeys(keys)...)
	if p := checkUserInstanceTagCount(len(keys)); p != "" {
		problems = append([]string{p}, problems...)
	}
	for _, p := range problems {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid tags", p)
	}
}
