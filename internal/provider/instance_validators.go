package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Plan-time checks of the rules ECS enforces on instance attributes, so a bad
// value fails `terraform plan` on its attribute instead of half-way through
// an apply. Lengths are terraform-plugin-framework-validators'
// UTF8LengthBetween (ECS counts characters, and names may be Chinese; its
// message gives the length found and the range). The rest is a plain
// function returning the problem ("" when fine), wrapped as a validator by
// stringCheck, where the library's checks would say less:
// stringvalidator.RegexMatches could express the character rules but only
// repeats the whole value, where these name the offending character and its
// place; RE2 has no negative look-ahead for the prefix rules (NoneOf compares
// whole values); the password must never be repeated (RegexMatches would
// print it); and a tag's message names the tag.

// checkInstanceName: starting with a letter (or a Chinese character), then
// letters, digits, '.', '_', ':' and '-' (2–128 characters: LengthBetween).
func checkInstanceName(s string) string {
	const allowed = "2 to 128 characters, starting with a letter or a Chinese character, followed by letters, digits, " +
		"periods (.), underscores (_), colons (:) and hyphens (-)"
	for i, r := range s {
		if i == 0 {
			if !isLetterOrCJK(r) {
				return fmt.Sprintf("%q starts with %q; an instance name has %s.", s, r, allowed)
			}
			continue
		}
		if !isLetterOrCJK(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._:-", r) {
			return fmt.Sprintf("%q contains %q; an instance name has %s.", s, r, allowed)
		}
	}
	return ""
}

func isLetterOrCJK(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || unicode.Is(unicode.Han, r)
}

// checkDescription: not starting with http:// or https:// (2–256
// characters: LengthBetween).
func checkDescription(s string) string {
	if hasURLPrefix(s) {
		return fmt.Sprintf("%q starts with a URL scheme; a description cannot start with http:// or https://.", s)
	}
	return ""
}

func hasURLPrefix(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// checkHostName follows the rules for Linux images (the stricter Windows
// limit of 15 characters is the service's to enforce): 2–64 characters of
// letters, digits, '.' and '-'; no '.' or '-' first or last or twice in a
// row; not only digits (2–64 characters: LengthBetween).
func checkHostName(s string) string {
	const allowed = "2 to 64 letters, digits, periods (.) and hyphens (-), not starting or ending with a period or " +
		"hyphen, without two of them in a row, and not only digits"
	if s == "" {
		return "" // LengthBetween says so
	}
	digitsOnly := true
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			digitsOnly = false
		case r == '.' || r == '-':
			digitsOnly = false
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || s[i-1] == '-' {
				return fmt.Sprintf("%q has %q at position %d; a host name has %s.", s, r, i+1, allowed)
			}
		default:
			return fmt.Sprintf("%q contains %q; a host name has %s.", s, r, allowed)
		}
	}
	if digitsOnly {
		return fmt.Sprintf("%q is only digits; a host name has %s.", s, allowed)
	}
	return ""
}

// checkPassword: 8–30 characters from at least three of uppercase letters,
// lowercase letters, digits and the special characters ECS accepts.
func checkPassword(s string) string {
	const specials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
	const allowed = "8 to 30 characters with at least three of: uppercase letters, lowercase letters, digits, " +
		"and the special characters " + specials
	// The value is secret: messages describe it, never repeat it.
	if n := len(s); n < 8 || n > 30 {
		return fmt.Sprintf("The password has %d characters; a password has %s.", utf8.RuneCountInString(s), allowed)
	}
	var upper, lower, digit, special bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(specials, r):
			special = true
		default:
			return "The password contains a character that is not allowed; a password has " + allowed + "."
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, special} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return fmt.Sprintf("The password uses %d kind(s) of characters; a password has %s.", classes, allowed)
	}
	return ""
}

// checkSnapshotName: the rule for snapshot and snapshot group names (the
// final snapshot's and aliecs_snapshot's): 2–128 characters starting with a
// letter or a Chinese character, followed by letters, digits, '.', '_', ':'
// and '-'; not starting with "auto" (kept for automatic snapshots) or a URL
// scheme (2–128 characters: LengthBetween).
func checkSnapshotName(s string) string {
	const allowed = "2 to 128 characters, starting with a letter or a Chinese character, followed by letters, digits, " +
		"periods (.), underscores (_), colons (:) and hyphens (-), and not starting with \"auto\", http:// or https://"
	if strings.HasPrefix(strings.ToLower(s), "auto") || hasURLPrefix(s) {
		return fmt.Sprintf("%q is not allowed; a snapshot name has %s.", s, allowed)
	}
	for i, r := range s {
		if i == 0 && !isLetterOrCJK(r) {
			return fmt.Sprintf("%q starts with %q; a snapshot name has %s.", s, r, allowed)
		}
		if i > 0 && !isLetterOrCJK(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._:-", r) {
			return fmt.Sprintf("%q contains %q; a snapshot name has %s.", s, r, allowed)
		}
	}
	return ""
}

// checkRegexp: the value must compile as a Go (RE2) regular expression.
func checkRegexp(s string) string {
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Sprintf("%q is not a valid regular expression (RE2 syntax): %s.", s, err)
	}
	return ""
}

const maxTags = 20

// checkTagEntries: tag keys 1–128 characters, not starting with "aliyun" or
// "acs:" or a URL scheme; values at most 128 characters, not starting with a
// URL scheme. How many tags: mapvalidator.SizeAtMost for a filter; the
// resources' own validators, whose limit depends on the provider's own
// tags and on other attributes, say it themselves.
func checkTagEntries(tags map[string]string) []string {
	var problems []string
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable diagnostics
	for _, k := range keys {
		v := tags[k]
		n := utf8.RuneCountInString(k)
		lk := strings.ToLower(k)
		switch {
		case n < 1 || n > 128:
			problems = append(problems, fmt.Sprintf("Tag key %q has %d characters; a tag key has 1 to 128 characters.", k, n))
		case strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:"):
			problems = append(problems, fmt.Sprintf("Tag key %q starts with a reserved prefix; a tag key cannot start with \"aliyun\" or \"acs:\".", k))
		case hasURLPrefix(k):
			problems = append(problems, fmt.Sprintf("Tag key %q starts with a URL scheme; a tag key cannot start with http:// or https://.", k))
		}
		if n := utf8.RuneCountInString(v); n > 128 {
			problems = append(problems, fmt.Sprintf("The value of tag %q has %d characters; a tag value has at most 128 characters.", k, n))
		} else if hasURLPrefix(v) {
			problems = append(problems, fmt.Sprintf("The value of tag %q starts with a URL scheme; a tag value cannot start with http:// or https://.", k))
		}
	}
	return problems
}

// stringCheck adapts a check function to a string validator.
type stringCheck struct {
	summary     string // diagnostic summary, e.g. "Invalid instance name"
	description string
	check       func(string) string
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string             { return v.description }
func (v stringCheck) MarkdownDescription(ctx context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, msg)
	}
}

var (
	instanceNameValidators = []validator.String{
		stringvalidator.UTF8LengthBetween(2, 128),
		stringCheck{"Invalid instance name", "starting with a letter", checkInstanceName},
	}
	descriptionValidators = []validator.String{
		stringvalidator.UTF8LengthBetween(2, 256),
		stringCheck{"Invalid description", "not starting with http:// or https://", checkDescription},
	}
	hostNameValidators = []validator.String{
		stringvalidator.UTF8LengthBetween(2, 64),
		stringCheck{"Invalid host name", "letters, digits, periods and hyphens", checkHostName},
	}
	snapshotNameValidators = []validator.String{
		stringvalidator.UTF8LengthBetween(2, 128),
		stringCheck{"Invalid snapshot name", "starting with a letter, not with auto", checkSnapshotName},
	}
	passwordValidator = stringCheck{"Invalid password", "8 to 30 characters from at least three character classes", checkPassword}
	regexpValidator   = stringCheck{"Invalid regular expression", "a valid RE2 regular expression", checkRegexp}
)

// tagsValidator checks the entries of a set of tags as the service does: a
// tag filter (aliecs_instances), which may name the provider's own tags; its
// size is mapvalidator.SizeAtMost(maxTags)'s. An instance's
// own tags are checked by instanceTagsValidator.
type tagsValidator struct{}

var _ validator.Map = tagsValidator{}

func (tagsValidator) Description(context.Context) string {
	return "keys 1 to 128 characters not starting with aliyun or acs:; values at most 128 characters"
}
func (v tagsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tagsValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, p := range checkTagEntries(knownTagValues(req)) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid tags", p)
	}
}

// knownTagValues are the tags of a map whose values are known; unknown
// values are checked at apply by the service.
func knownTagValues(req validator.MapRequest) map[string]string {
	tags := map[string]string{}
	for k, v := range req.ConfigValue.Elements() {
		s, ok := v.(interface {
			IsUnknown() bool
			IsNull() bool
			ValueString() string
		})
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		tags[k] = s.ValueString()
	}
	return tags
}
