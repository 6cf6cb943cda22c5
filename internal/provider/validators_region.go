package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var regionIDPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// regionIDValidator checks the shape of a region id, such as "cn-hangzhou".
type regionIDValidator struct{}

var _ validator.String = regionIDValidator{}

func (regionIDValidator) Description(context.Context) string {
	return "must be a region id such as cn-hangzhou"
}

func (v regionIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regionIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !regionIDPattern.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid region id",
			fmt.Sprintf("%q is not a region id; expected lowercase letters, digits and dashes, such as \"cn-hangzhou\".",
				req.ConfigValue.ValueString()))
	}
}
