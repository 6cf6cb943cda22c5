package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Paths that diagnostics of aliecs_snapshot point at.
var (
	pathInstanceID    = path.Root("instance_id")
	pathRetentionDays = path.Root("retention_days")
	pathRelease       = path.Root("release_instance_after_snapshot")
)

// noURLPrefixValidator refuses names and descriptions that start with
// http:// or https://, which the service refuses too.
type noURLPrefixValidator struct{}

var _ validator.String = noURLPrefixValidator{}

func (noURLPrefixValidator) Description(context.Context) string {
	return "must not start with http:// or https://"
}

func (v noURLPrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (noURLPrefixValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := strings.ToLower(req.ConfigValue.ValueString())
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			fmt.Sprintf("%q starts with %q; the service does not allow a value that starts with http:// or https://.",
				req.ConfigValue.ValueString(), v[:strings.Index(v, "//")+2]))
	}
}

// snapshotNameRegexValidator checks that name_regex compiles, so a bad
// pattern is reported on the attribute at validate time.
type snapshotNameRegexValidator struct{}

var _ validator.String = snapshotNameRegexValidator{}

func (snapshotNameRegexValidator) Description(context.Context) string {
	return "must be a valid regular expression (Go RE2 syntax)"
}

func (v snapshotNameRegexValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (snapshotNameRegexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression",
			fmt.Sprintf("%q is not a valid regular expression (Go RE2 syntax): %s", req.ConfigValue.ValueString(), err))
	}
}
