package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
)

// regionIDPattern is the shape of a region id, such as "cn-hangzhou". The
// attribute is checked by stringvalidator.RegexMatches (its message names
// the rule and the value given); config.go checks a region that comes from
// the environment by the same pattern.
var regionIDPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

var regionIDValidator = stringvalidator.RegexMatches(regionIDPattern,
	`must be a region id: lowercase letters, digits and dashes, such as "cn-hangzhou"`)
