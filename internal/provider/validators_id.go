package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// resourceIDValidator checks the shape of an ECS resource id: a prefix such
// as "i-" followed by lowercase letters and digits. Not
// stringvalidator.RegexMatches: its summary would be the generic "Invalid
// Attribute Value Match" where this one names the kind of id, and its
// pattern is shared with the import checks and imageIDValidator.
type resourceIDValidator struct {
	kind    string // what the id names, for the message: "instance id"
	prefix  string // "i-"
	pattern *regexp.Regexp
}

var _ validator.String = resourceIDValidator{}

func idValidator(kind, prefix string) resourceIDValidator {
	return resourceIDValidator{
		kind:    kind,
		prefix:  prefix,
		pattern: regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `[a-z0-9]{8,32}$`),
	}
}

var (
	instanceIDValidator       = idValidator("instance id", "i-")
	vswitchIDValidator        = idValidator("vSwitch id", "vsw-")
	securityGroupIDValidator  = idValidator("security group id", "sg-")
	diskIDValidator           = idValidator("disk id", "d-")
	snapshotGroupIDValidator  = groupOrSetIDValidator()
	snapshotIDValidator       = idValidator("snapshot id", "s-")
	snapshotPolicyIDValidator = idValidator("snapshot policy id", "sp-")
	// sourceSnapshotIDValidator: a restore starts from a group, a set, or
	// one disk snapshot (s-…: an automatic snapshot of a system disk).
	sourceSnapshotIDValidator = restoreSourceIDValidator()
)

func restoreSourceIDValidator() resourceIDValidator {
	v := idValidator("snapshot group, set or snapshot id", "ssg-")
	v.pattern = regexp.MustCompile(`^(ssg-[a-z0-9]{8,32}|sset-[0-9a-f]{20}|s-[a-z0-9]{8,32})$`)
	return v
}

// groupOrSetIDValidator accepts a snapshot group id (ssg-…) or the id of a
// per-disk snapshot set (sset- and 20 hex digits, ecsapi.SnapshotSetID),
// which stands for a group wherever one is taken.
func groupOrSetIDValidator() resourceIDValidator {
	v := idValidator("snapshot group id", "ssg-")
	v.pattern = regexp.MustCompile(`^(ssg-[a-z0-9]{8,32}|sset-[0-9a-f]{20})$`)
	return v
}

func (v resourceIDValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a valid %s: %q followed by lowercase letters and digits", v.kind, v.prefix)
}

func (v resourceIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v resourceIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	got := req.ConfigValue.ValueString()
	if !v.pattern.MatchString(got) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.kind,
			fmt.Sprintf("%q is not a valid %s. Expected %q followed by 8 to 32 lowercase letters and digits, such as %q.",
				got, v.kind, v.prefix, v.prefix+"bp67acfmxazb4ph1234"))
	}
}

// imageIDValidator refuses a snapshot id given as image_id, the mistake of
// someone who wants a machine from a snapshot, with what to write instead.
type imageIDValidator struct{}

var _ validator.String = imageIDValidator{}

func (imageIDValidator) Description(context.Context) string {
	return "an image id, not the id of a snapshot or snapshot group"
}

func (v imageIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (imageIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	id := req.ConfigValue.ValueString()
	switch {
	case snapshotGroupIDValidator.pattern.MatchString(id):
		resp.Diagnostics.AddAttributeError(req.Path, "image_id is a snapshot group",
			fmt.Sprintf("%q is a snapshot group id, not an image. To make the instance from this snapshot group, "+
				"remove image_id and set source_snapshot_id = %q.", id, id))
	case snapshotIDValidator.pattern.MatchString(id):
		resp.Diagnostics.AddAttributeError(req.Path, "image_id is a disk snapshot",
			fmt.Sprintf("%q is a disk snapshot id, not an image. To make the instance from it (a snapshot of a "+
				"system disk, such as an automatic one), remove image_id and set source_snapshot_id = %q; from the "+
				"snapshot group it belongs to, set source_snapshot_id to the group's id (ssg-…; aliecs_snapshots finds "+
				"it); to make a data disk from it, set snapshot_id = %q in an entry of data_disks.", id, id, id))
	}
}
