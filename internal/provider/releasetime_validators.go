package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// releaseTimeValidator checks release_time's format when the configuration
// is validated; the window is checked at plan and apply, against the clock.
type releaseTimeValidator struct{}

var _ validator.String = releaseTimeValidator{}

func (releaseTimeValidator) Description(context.Context) string {
	return "must be a UTC time in the format yyyy-MM-ddTHH:mm:ssZ (RFC 3339 with Z)"
}

func (v releaseTimeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (releaseTimeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseReleaseTime(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid release_time", err.Error())
	}
}

// releaseAfterValidator checks release_after's format and its 30m…1095d range
// when the configuration is validated.
type releaseAfterValidator struct{}

var _ validator.String = releaseAfterValidator{}

func (releaseAfterValidator) Description(context.Context) string {
	return "must be a duration from 30m to 1095d, such as 90m, 36h or 14d"
}

func (v releaseAfterValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (releaseAfterValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := parseReleaseAfter(s)
	if err == nil {
		err = checkReleaseAfterRange(s, d)
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid release_after", err.Error())
	}
}
