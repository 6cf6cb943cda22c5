package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
		got := checkInstanceName(tc.in)
		if (got == "") != tc.wantOK {
			t.Errorf("checkInstanceName(%q) = %q, want ok=%v", tc.in, got, tc.wantOK)
		}
		if got != "" && !strings.Contains(got, fmt.Sprintf("%q", tc.in)) {
			t.Errorf("checkInstanceName(%q): message %q does not quote the value given", tc.in, got)
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
		if got := checkDescription(tc.in); (got == "") != tc.wantOK {
			t.Errorf("checkDescription(%q) = %q, want ok=%v", tc.in, got, tc.wantOK)
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
		if got := checkHostName(tc.in); (got == "") != tc.wantOK {
			t.Errorf("checkHostName(%q) = %q, want ok=%v", tc.in, got, tc.wantOK)
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
		if got := checkSnapshotName(tc.in); (got == "") != tc.wantOK {
			t.Errorf("checkSnapshotName(%q) = %q, want ok=%v", tc.in, got, tc.wantOK)
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
		"too many":       {many, "21 tags"},
		"aliyun prefix":  {map[string]string{"aliyun-x": "v"}, "reserved prefix"},
		"acs prefix":     {map[string]string{"ACS:x": "v"}, "reserved prefix"},
		"url key":        {map[string]string{"http://x": "v"}, "URL scheme"},
		"url value":      {map[string]string{"k": "https://x"}, "URL scheme"},
		"empty key":      {map[string]string{"": "v"}, "0 characters"},
		"long key":       {map[string]string{strings.Repeat("k", 129): "v"}, "129 characters"},
		"long value":     {map[string]string{"k": strings.Repeat("v", 129)}, "129 characters"},
		"value at limit": {map[string]string{"k": strings.Repeat("v", 128)}, ""},
	} {
		problems := checkTags(tc.tags)
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
	resp := &validator.StringResponse{}
	instanceNameValidator.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue("1bad")}, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("no error for a bad name")
	}
	for _, d := range resp.Diagnostics.Errors() {
		withPath, ok := d.(interface{ Path() path.Path })
		if !ok || !withPath.Path().Equal(p) {
			t.Errorf("error not on the attribute: %v", d)
		}
	}
	resp = &validator.StringResponse{}
	instanceNameValidator.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringUnknown()}, resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("unknown value rejected: %v", resp.Diagnostics)
	}

	// 21 tags of which one is unknown: the count is still checked.
	elems := map[string]attr.Value{"u": types.StringUnknown()}
	for i := 0; i < 20; i++ {
		elems[fmt.Sprintf("k%d", i)] = types.StringValue("v")
	}
	mresp := &validator.MapResponse{}
	tagsValidator{}.ValidateMap(ctx, validator.MapRequest{Path: path.Root("tags"),
		ConfigValue: types.MapValueMust(types.StringType, elems)}, mresp)
	if mresp.Diagnostics.ErrorsCount() != 1 {
		t.Errorf("21 tags with one unknown: got %v", mresp.Diagnostics)
	}
}
