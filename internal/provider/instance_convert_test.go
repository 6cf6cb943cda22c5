package provider

import (
	"context"
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

func TestInstanceAPITimeToRFC3339(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"2017-12-10T04:04Z":      "2017-12-10T04:04:00Z",
		"2030-01-31T23:59Z":      "2030-01-31T23:59:00Z",
		"2030-01-31T23:59:00Z":   "2030-01-31T23:59:00Z",
		"2030-01-31T23:59:30Z":   "2030-01-31T23:59:30Z",
		"2030-02-01T07:59+08:00": "2030-01-31T23:59:00Z",
		"garbage":                "garbage",
	} {
		if got := apiTimeToRFC3339(in); got != want {
			t.Errorf("apiTimeToRFC3339(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstanceTerraformStatus(t *testing.T) {
	for in, want := range map[string]string{
		ecsapi.StatusPending: "Running", ecsapi.StatusStarting: "Running", ecsapi.StatusRunning: "Running",
		ecsapi.StatusStopping: "Stopped", ecsapi.StatusStopped: "Stopped",
	} {
		if got := terraformStatus(in); got != want {
			t.Errorf("terraformStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstanceSSHCommand(t *testing.T) {
	for _, tc := range []struct{ pub, priv, want string }{
		{"47.1.2.3", "10.0.0.5", "ssh root@47.1.2.3"},
		{"", "10.0.0.5", "ssh root@10.0.0.5"},
		{"", "", ""},
	} {
		if got := sshCommand(tc.pub, tc.priv); got != tc.want {
			t.Errorf("sshCommand(%q, %q) = %q, want %q", tc.pub, tc.priv, got, tc.want)
		}
	}
}

func TestInstanceClientTokenIsUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok := newClientToken()
		if !re.MatchString(tok) || len(tok) > 64 {
			t.Fatalf("token %q is not a UUID v4 of at most 64 characters", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

// A final snapshot's token identifies one destroy attempt, never the
// instance: two attempts never share one.
func TestInstanceFinalSnapshotToken(t *testing.T) {
	a, b := newFinalSnapshotToken(), newFinalSnapshotToken()
	if a == b {
		t.Errorf("two attempts share the token %q", a)
	}
	for _, tok := range []string{a, b} {
		if !strings.HasPrefix(tok, "tf-final-") || len(tok) > 64 {
			t.Errorf("token %q is not tf-final-<uuid> of at most 64 characters", tok)
		}
	}
}

func TestInstanceTagChanges(t *testing.T) {
	set, remove := tagChanges(map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "20", "d": "4"})
	sort.Strings(remove)
	if len(set) != 2 || set["b"] != "20" || set["d"] != "4" {
		t.Errorf("set = %v", set)
	}
	if len(remove) != 1 || remove[0] != "c" {
		t.Errorf("remove = %v", remove)
	}
}

func TestInstanceTagsValue(t *testing.T) {
	if v := tagsValue(nil, types.MapNull(types.StringType)); !v.IsNull() {
		t.Errorf("no tags, no prior: %v", v)
	}
	empty := types.MapValueMust(types.StringType, nil)
	if v := tagsValue(nil, empty); v.IsNull() || len(v.Elements()) != 0 {
		t.Errorf("no tags, prior {}: %v", v)
	}
	if v := tagsValue(map[string]string{"a": "1"}, types.MapNull(types.StringType)); len(v.Elements()) != 1 {
		t.Errorf("one tag: %v", v)
	}
}

func TestInstanceRunInput(t *testing.T) {
	ctx := context.Background()
	m := instanceModel{
		ImageID:          types.StringValue("img"),
		InstanceType:     types.StringValue("ecs.g7.large"),
		VSwitchID:        types.StringValue("vsw-abcdefgh"),
		ZoneID:           types.StringUnknown(),
		SecurityGroupIDs: stringSet([]string{"sg-abcdefgh"}),
		UserData:         types.StringValue("#!/bin/sh\necho hi\n"),
		Tags:             types.MapNull(types.StringType),
		SystemDisk:       types.ObjectUnknown(systemDiskAttrTypes),
		DataDisks:        types.ListNull(dataDiskObjectType),
	}
	in, diags := m.runInput(ctx, "tok", "Secret123!")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if in.ZoneID != "" || in.ClientToken != "tok" || in.Password != "Secret123!" {
		t.Errorf("input = %+v", in)
	}
	if in.SystemDisk.Category != defaultDiskCategory {
		t.Errorf("system disk category = %q, want the default %q", in.SystemDisk.Category, defaultDiskCategory)
	}
	if dec, _ := base64.StdEncoding.DecodeString(in.UserData); string(dec) != "#!/bin/sh\necho hi\n" {
		t.Errorf("user data = %q", in.UserData)
	}
}

// The schemas are valid framework schemas (write-only rules, defaults on
// computed attributes, and so on) without starting Terraform.
func TestInstanceSchemasValid(t *testing.T) {
	ctx := context.Background()
	rresp := &resource.SchemaResponse{}
	NewInstanceResource().Schema(ctx, resource.SchemaRequest{}, rresp)
	if rresp.Diagnostics.HasError() {
		t.Fatal(rresp.Diagnostics)
	}
	if d := rresp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatal(d)
	}
	dresp := &datasource.SchemaResponse{}
	NewInstancesDataSource().Schema(ctx, datasource.SchemaRequest{}, dresp)
	if d := dresp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatal(d)
	}
}
