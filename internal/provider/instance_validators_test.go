package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validateString runs a validator list as the framework does and returns
// the details of the errors, on the attribute "a".
func validateString(t *testing.T, vs []validator.String, s string) []string {
	t.Helper()
	var details []string
	for _, v := range vs {
		resp := &validator.StringResponse{}
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("a"), ConfigValue: types.StringValue(s)}, resp)
		for _, d := range resp.Diagnostics.Errors() {
			details = append(details, d.Detail())
		}
	}
	return details
}

func TestInstanceCheckInstanceName(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"web-1", true},
		{"Ab", true},
		{"中文名称", true},
		{"a.b_c:d-e9", true},
		{strings.Repeat("a", 128), true},
		{"a", false},
		{strings.Repeat("a", 129), false},
		{"1abc", false},
		{"-abc", false},
		{"ab c", false},
		{"ab/c", false},
		{"http://x", false},
	} {
		got := validateString(t, instanceNameValidators, tc.in)
		if (len(got) == 0) != tc.wantOK {
			t.Errorf("instance name %q: %q, want ok=%v", tc.in, got, tc.wantOK)
		}
		// What was given (the value, or its length) and what is allowed.
		for _, msg := range got {
			if !strings.Contains(msg, fmt.Sprintf("%q", tc.in)) && !strings.Contains(msg, "must be between 2 and 128, got: ") {
				t.Errorf("instance name %q: message %q does not say what was given and what is allowed", tc.in, msg)
			}
		}
	}
}

func TestInstanceCheckDescription(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"ok", true},
		{"A web server", true},
		{strings.Repeat("x", 256), true},
		{"x", false},
		{strings.Repeat("x", 257), false},
		{"http://example.com", false},
		{"HTTPS://example.com", false},
		{"see http://example.com", true},
	} {
		if got := validateString(t, descriptionValidators, tc.in); (len(got) == 0) != tc.wantOK {
			t.Errorf("description %q: %q, want ok=%v", tc.in, got, tc.wantOK)
		}
	}
}

func TestInstanceCheckHostName(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"web-1", true},
		{"web.example.internal", true},
		{"ab", true},
		{strings.Repeat("a", 64), true},
		{"a", false},
		{strings.Repeat("a", 65), false},
		{"-web", false},
		{"web-", false},
		{".web", false},
		{"web..x", false},
		{"web.-x", false},
		{"web_1", false},
		{"12345", false},
	} {
		if got := validateString(t, hostNameValidators, tc.in); (len(got) == 0) != tc.wantOK {
			t.Errorf("host name %q: %q, want ok=%v", tc.in, got, tc.wantOK)
		}
	}
}

func TestInstanceCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"Passw0rd", true},
		{"abc123!@#", true},
		{"ABCdef123", true},
		{"Ab1!", false},                    // too short
		{strings.Repeat("Ab1", 11), false}, // 33 characters
		{"abcdefgh1", false},               // two classes
		{"Passw0rd\u00e9", false},          // not allowed
		{"Passw0rd with space", false},     // space not allowed
		{strings.Repeat("Ab1", 10), true},  // 30 characters
		{"ab!cd#ef$", false},               // two classes
		{"AB!CD#EF$1", true},               // three classes
	} {
		got := checkPassword(tc.in)
		if (got == "") != tc.wantOK {
			t.Errorf("checkPassword(%q) = %q, want ok=%v", tc.in, got, tc.wantOK)
		}
		if got != "" && strings.Contains(got, tc.in) {
			t.Errorf("checkPassword: the message repeats the secret: %q", got)
		}
	}
}

func TestInstanceCheckSnapshotName(t *testing.T) {
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"final", true},
		{"最后", true},
		{"x", false},
		{"auto-final", false},
		{"Automatic", false},
		{"1final", false},
		{"https://x", false},
	} {
		if got := validateString(t, snapshotNameValidators, tc.in); (len(got) == 0) != tc.wantOK {
			t.Errorf("snapshot name %q: %q, want ok=%v", tc.in, got, tc.wantOK)
		}
	}
}

func TestInstanceCheckRegexp(t *testing.T) {
	if got := checkRegexp("^web-[0-9]+$"); got != "" {
		t.Errorf("valid regexp rejected: %s", got)
	}
	if got := checkRegexp("web-(["); got == "" || !strings.Contains(got, "web-([") {
		t.Errorf("invalid regexp: got %q", got)
	}
}

func TestInstanceCheckTags(t *testing.T) {
	many := map[string]string{}
	for i := 0; i < 21; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	for name, tc := range map[string]struct {
		tags map[string]string
		want string // substring of the one expected problem; "" = valid
	}{
		"ok":             {map[string]string{"env": "dev", "team": ""}, ""},
		"twenty":         {func() map[string]string { m := map[string]string{}; maps(m, 20); return m }(), ""},
		"aliyun prefix":  {map[string]string{"aliyun-x": "v"}, "reserved prefix"},
		"acs prefix":     {map[string]string{"ACS:x": "v"}, "reserved prefix"},
		"url key":        {map[string]string{"http://x": "v"}, "URL scheme"},
		"url value":      {map[string]string{"k": "https://x"}, "URL scheme"},
		"empty key":      {map[string]string{"": "v"}, "0 characters"},
		"long key":       {map[string]string{strings.Repeat("k", 129): "v"}, "129 characters"},
		"long value":     {map[string]string{"k": strings.Repeat("v", 129)}, "129 characters"},
		"value at limit": {map[string]string{"k": strings.Repeat("v", 128)}, ""},
	} {
		problems := checkTagEntries(tc.tags)
		if tc.want == "" {
			if len(problems) != 0 {
				t.Errorf("%s: unexpected problems %v", name, problems)
			}
			continue
		}
		if len(problems) != 1 || !strings.Contains(problems[0], tc.want) {
			t.Errorf("%s: got %v, want one problem containing %q", name, problems, tc.want)
		}
	}
}

func maps(m map[string]string, n int) {
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
}

// The validators put their errors on the attribute and skip unknown values.
func TestInstanceValidatorsOnAttribute(t *testing.T) {
	ctx := context.Background()
	p := path.Root("instance_name")
	for _, v := range instanceNameValidators {
		resp := &validator.StringResponse{}
		v.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue("1")}, resp)
		for _, d := range resp.Diagnostics.Errors() {
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(p) {
				t.Errorf("error not on the attribute: %v", d)
			}
		}
		resp = &validator.StringResponse{}
		v.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringUnknown()}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("unknown value rejected: %v", resp.Diagnostics)
		}
	}
	if got := validateString(t, instanceNameValidators, "1"); len(got) != 2 {
		t.Errorf("a name too short and starting with a digit: %q, want both problems", got)
	}

	// 21 tags of which one is unknown: the count is still checked, by the
	// filter's size validator; the entries' validator skips the unknown.
	elems := map[string]attr.Value{"u": types.StringUnknown()}
	for i := 0; i < 20; i++ {
		elems[fmt.Sprintf("k%d", i)] = types.StringValue("v")
	}
	mresp := &validator.MapResponse{}
	req := validator.MapRequest{Path: path.Root("tags"), ConfigValue: types.MapValueMust(types.StringType, elems)}
	mapvalidator.SizeAtMost(maxTags).ValidateMap(ctx, req, mresp)
	tagsValidator{}.ValidateMap(ctx, req, mresp)
	if mresp.Diagnostics.ErrorsCount() != 1 || !strings.Contains(mresp.Diagnostics.Errors()[0].Detail(), "at most 20 elements, got: 21") {
		t.Errorf("21 tags with one unknown: got %v", mresp.Diagnostics)
	}
}

func TestRegionIDValidator(t *testing.T) {
	if got := validateString(t, []validator.String{regionIDValidator}, "cn-hangzhou"); len(got) != 0 {
		t.Errorf("cn-hangzhou: %q", got)
	}
	got := validateString(t, []validator.String{regionIDValidator}, "cn_hangzhou")
	if len(got) != 1 || !strings.Contains(got[0], "got: cn_hangzhou") || !strings.Contains(got[0], `"cn-hangzhou"`) {
		t.Errorf("cn_hangzhou: %q, want one error naming the value and an example", got)
	}
}
