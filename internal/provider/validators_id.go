package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// resourceIDValidator checks the shape of an ECS resource id: a prefix such
// as "i-" followed by lowercase letters and digits.
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
	instanceIDValidator      = idValidator("instance id", "i-")
	vswitchIDValidator       = idValidator("vSwitch id", "vsw-")
	securityGroupIDValidator = idValidator("security group id", "sg-")
	diskIDValidator          = idValidator("disk id", "d-")
	snapshotGroupIDValidator = idValidator("snapshot group id", "ssg-")
)

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
