package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// alicloudSourceAttributes are the attributes of one resource of a state
// the official provider wrote (testdata/alicloud).
func alicloudSourceAttributes(t *testing.T, file, typ string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "alicloud", file))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Resources {
		if r.Type == typ {
			return r.Instances[0].Attributes
		}
	}
	t.Fatalf("%s has no %s", file, typ)
	return nil
}

// moveState runs MoveResourceState of the provider's server, as Terraform
// does for a moved block.
func moveState(t *testing.T, target, sourceType string, attrs map[string]any) (tftypes.Value, *tfprotov6.MoveResourceStateResponse) {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(attrs)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: "registry.terraform.io/aliyun/alicloud", SourceTypeName: sourceType,
		SourceState: &tfprotov6.RawState{JSON: raw}, TargetTypeName: target,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.TargetState == nil {
		return tftypes.Value{}, resp
	}
	v, err := resp.TargetState.Unmarshal(schemas.ResourceSchemas[target].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	return v, resp
}

func moveDiagnostics(resp *tfprotov6.MoveResourceStateResponse, sev tfprotov6.DiagnosticSeverity) string {
	var out []string
	for _, d := range resp.Diagnostics {
		if d.Severity == sev {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return strings.Join(out, "\n")
}

func moveAttr(t *testing.T, v tftypes.Value, name string) tftypes.Value {
	t.Helper()
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

// TestMoveInstance_userData: a base64 user_data (base64encode(...) with the
// official provider, which sends such a value as it is) lands in
// user_data_base64 unchanged; plain text stays in user_data. Either way the
// machine's user data is not encoded a second time.
func TestMoveInstance_userData(t *testing.T) {
	for _, tc := range []struct {
		file, want, empty string
		value             string
	}{
		{"instance-web.tfstate", "user_data_base64", "user_data", "IyEvYmluL2Jhc2gKZWNobyBoaQo="},
		{"instance-gpu-and-snapshot-group.tfstate", "user_data", "user_data_base64", "#!/bin/bash\necho plain\n"},
	} {
		v, resp := moveState(t, "aliecs_instance", "alicloud_instance",
			alicloudSourceAttributes(t, tc.file, "alicloud_instance"))
		if e := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityError); e != "" {
			t.Fatalf("%s: %s", tc.file, e)
		}
		if got := moveAttr(t, v, tc.want); !got.Equal(tftypes.NewValue(tftypes.String, tc.value)) {
			t.Errorf("%s: %s = %v, want %q", tc.file, tc.want, got, tc.value)
		}
		if got := moveAttr(t, v, tc.empty); !got.IsNull() {
			t.Errorf("%s: %s = %v, want null", tc.file, tc.empty, got)
		}
		if len(resp.TargetPrivate) == 0 || !strings.Contains(string(resp.TargetPrivate), privateKeyUserDataHash) {
			t.Errorf("%s: no user data hash in the private state: %s", tc.file, resp.TargetPrivate)
		}
	}
}

// TestMoveInstance_mapping: names, the nested system disk, data disks,
// tags, spot and key pair come over; what has no argument is named.
func TestMoveInstance_mapping(t *testing.T) {
	src := alicloudSourceAttributes(t, "instance-gpu-and-snapshot-group.tfstate", "alicloud_instance")
	src["description"] = "trainer box"
	src["role_name"] = "TrainerRole"
	v, resp := moveState(t, "aliecs_instance", "alicloud_instance", src)
	if e := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityError); e != "" {
		t.Fatal(e)
	}
	for name, want := range map[string]string{
		"id": "i-bp1eb33ckkax3d0hc9wn", "instance_name": "trainer", "instance_type": "ecs.gn7i-c8g1.2xlarge",
		"vswitch_id": "vsw-bp1ybfpozawwsfamc57q", "zone_id": "cn-hangzhou-h", "key_pair_name": "deploy-key",
		"spot_strategy": "SpotAsPriceGo", "status": "Running", "description": "trainer box",
		"image_id": "ubuntu_22_04_x64_20G_alibase_20240101.vhd", "system_disk_id": "d-bp1669eij8ntoutreonu",
		"role_name": "TrainerRole", "resource_group_id": "rg-acfmzdefault00001", "internet_charge_type": "PayByTraffic",
		"instance_charge_type": "PostPaid",
	} {
		if got := moveAttr(t, v, name); !got.Equal(tftypes.NewValue(tftypes.String, want)) {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	var sd map[string]tftypes.Value
	if err := moveAttr(t, v, "system_disk").As(&sd); err != nil {
		t.Fatal(err)
	}
	if !sd["category"].Equal(tftypes.NewValue(tftypes.String, "cloud_essd")) ||
		!sd["size"].Equal(tftypes.NewValue(tftypes.Number, 80)) || !sd["name"].Equal(tftypes.NewValue(tftypes.String, "root")) ||
		!sd["performance_level"].Equal(tftypes.NewValue(tftypes.String, "PL1")) {
		t.Errorf("system_disk = %v", sd)
	}
	var disks []tftypes.Value
	if err := moveAttr(t, v, "data_disks").As(&disks); err != nil || len(disks) != 1 {
		t.Fatalf("data_disks = %v (%v)", disks, err)
	}
	var dd map[string]tftypes.Value
	_ = disks[0].As(&dd)
	if !dd["size"].Equal(tftypes.NewValue(tftypes.Number, 200)) ||
		!dd["delete_with_instance"].Equal(tftypes.NewValue(tftypes.Bool, false)) ||
		!dd["name"].Equal(tftypes.NewValue(tftypes.String, "datasets")) ||
		!dd["encrypted"].Equal(tftypes.NewValue(tftypes.Bool, false)) ||
		!dd["device"].Equal(tftypes.NewValue(tftypes.String, nil)) {
		t.Errorf("data_disks[0] = %v", dd)
	}
	var tags map[string]tftypes.Value
	_ = moveAttr(t, v, "tags").As(&tags)
	if len(tags) != 2 || !tags["purpose"].Equal(tftypes.NewValue(tftypes.String, "training")) {
		t.Errorf("tags = %v", tags)
	}
	warn := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityWarning)
	for _, neutral := range []string{"http_endpoint", "maintenance_action", "image_options", "cpu", "spot_duration",
		"role_name", "resource_group_id", "system_disk_name", "system_disk_performance_level",
		"data_disks[0].name", "data_disks[0].device", "data_disks[0].encrypted"} {
		if strings.Contains(warn, neutral+" =") {
			t.Errorf("the warning names %s, which was not set: %s", neutral, warn)
		}
	}
}

// TestMoveInstance_autoReleaseTime: the schedule is named in a warning
// with the import block that brings it over.
func TestMoveInstance_autoReleaseTime(t *testing.T) {
	_, resp := moveState(t, "aliecs_instance", "alicloud_instance",
		alicloudSourceAttributes(t, "instance-web.tfstate", "alicloud_instance"))
	warn := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityWarning)
	if !strings.Contains(warn, "2026-12-08T04:11:00Z") || !strings.Contains(warn, "aliecs_auto_release_schedule") {
		t.Errorf("no warning about the release time: %s", warn)
	}
}

// TestMoveInstance_prePaidRefused: a subscription machine cannot be
// released nor scheduled for release: refused, saying why.
func TestMoveInstance_prePaidRefused(t *testing.T) {
	src := alicloudSourceAttributes(t, "instance-web.tfstate", "alicloud_instance")
	src["instance_charge_type"] = "PrePaid"
	_, resp := moveState(t, "aliecs_instance", "alicloud_instance", src)
	e := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityError)
	for _, want := range []string{"PrePaid", "pay-as-you-go", "release"} {
		if !strings.Contains(e, want) {
			t.Errorf("the error does not say %q: %q", want, e)
		}
	}
}

// TestMove_otherTypeRefused: any other source type is refused, naming both.
func TestMove_otherTypeRefused(t *testing.T) {
	for _, tc := range []struct{ target, source string }{
		{"aliecs_instance", "alicloud_ecs_snapshot_group"},
		{"aliecs_instance", "alicloud_ecs_instance_set"},
		{"aliecs_snapshot", "alicloud_instance"},
		{"aliecs_snapshot", "alicloud_ecs_snapshot"},
	} {
		_, resp := moveState(t, tc.target, tc.source, map[string]any{"id": "x"})
		e := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityError)
		if !strings.Contains(e, tc.target) || !strings.Contains(e, tc.source) {
			t.Errorf("%s from %s: the error does not name both types: %q", tc.target, tc.source, e)
		}
	}
}

// TestMoveSnapshot_group: alicloud_ecs_snapshot_group becomes aliecs_snapshot.
func TestMoveSnapshot_group(t *testing.T) {
	src := alicloudSourceAttributes(t, "instance-gpu-and-snapshot-group.tfstate", "alicloud_ecs_snapshot_group")
	v, resp := moveState(t, "aliecs_snapshot", "alicloud_ecs_snapshot_group", src)
	if e := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityError); e != "" {
		t.Fatal(e)
	}
	for name, want := range map[string]string{"id": "ssg-bp1mlzgeharfdwsge0i7", "instance_id": "i-bp1eb33ckkax3d0hc9wn",
		"name": "trainer-checkpoint", "description": "before upgrade"} {
		if got := moveAttr(t, v, name); !got.Equal(tftypes.NewValue(tftypes.String, want)) {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	if w := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityWarning); w != "" {
		t.Errorf("a warning for a group with nothing unmapped: %s", w)
	}
	src["instant_access"] = true
	_, resp = moveState(t, "aliecs_snapshot", "alicloud_ecs_snapshot_group", src)
	if w := moveDiagnostics(resp, tfprotov6.DiagnosticSeverityWarning); !strings.Contains(w, "instant_access = true") {
		t.Errorf("instant_access not named: %q", w)
	}
}
