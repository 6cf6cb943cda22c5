package provider

import (
	"context"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// badInput is one invalid value: the configuration of a resource or data
// source with only `set` set, the attribute path the error must name, and
// what its text must say (the value given, and what is allowed).
type badInput struct {
	typ  string // resource or data source type
	data bool   // a data source
	set  map[string]any
	path *tftypes.AttributePath
	want string // regexp over summary + detail
}

func attrPath(names ...any) *tftypes.AttributePath {
	p := tftypes.NewAttributePath()
	for _, n := range names {
		switch n := n.(type) {
		case string:
			p = p.WithAttributeName(n)
		case int:
			p = p.WithElementKeyInt(n)
		case tftypes.Value:
			p = p.WithElementKeyValue(n)
		}
	}
	return p
}

var badInputs = []badInput{
	// aliecs_instance
	{"aliecs_instance", false, map[string]any{"image_id": ""}, attrPath("image_id"), `length must be between 1 and 256`},
	{"aliecs_instance", false, map[string]any{"instance_type": "g7"}, attrPath("instance_type"), `ecs.g7.large, got: g7`},
	{"aliecs_instance", false, map[string]any{"vswitch_id": "vpc-123"}, attrPath("vswitch_id"), `"vpc-123"`},
	{"aliecs_instance", false, map[string]any{"security_group_ids": []string{"default"}}, attrPath("security_group_ids", tftypes.NewValue(tftypes.String, "default")), `"default" is not`},
	{"aliecs_instance", false, map[string]any{"zone_id": "hangzhou"}, attrPath("zone_id"), `hangzhou|zone id`},
	{"aliecs_instance", false, map[string]any{"instance_name": "http://web"}, attrPath("instance_name"), `http://web`},
	{"aliecs_instance", false, map[string]any{"description": "https://x"}, attrPath("description"), `https://x`},
	{"aliecs_instance", false, map[string]any{"host_name": "-bad-"}, attrPath("host_name"), `-bad-`},
	{"aliecs_instance", false, map[string]any{"tags": map[string]string{"acs:owner": "x"}}, attrPath("tags"), `acs:owner`},
	{"aliecs_instance", false, map[string]any{"system_disk": map[string]any{"category": "floppy"}}, attrPath("system_disk", "category"), `floppy`},
	{"aliecs_instance", false, map[string]any{"system_disk": map[string]any{"size": 10}}, attrPath("system_disk", "size"), `between 20 and 2048, got: 10`},
	{"aliecs_instance", false, map[string]any{"data_disks": []map[string]any{{"size": 10}}}, attrPath("data_disks", 0, "size"), `between 20 and 32768, got: 10`},
	{"aliecs_instance", false, map[string]any{"data_disks": []map[string]any{{"size": 40, "category": "tape"}}}, attrPath("data_disks", 0, "category"), `tape`},
	{"aliecs_instance", false, map[string]any{"internet_max_bandwidth_out": 101}, attrPath("internet_max_bandwidth_out"), `between 0 and 100, got: 101`},
	{"aliecs_instance", false, map[string]any{"key_pair_name": "k"}, attrPath("key_pair_name"), `length must be between 2 and 128`},
	{"aliecs_instance", false, map[string]any{"user_data": strings.Repeat("x", 24577)}, attrPath("user_data"), `24576`},
	{"aliecs_instance", false, map[string]any{"password_wo": "short"}, attrPath("password_wo"), `8|30|character`},
	{"aliecs_instance", false, map[string]any{"password_wo_version": 1}, attrPath("password_wo_version"), `password_wo`},
	{"aliecs_instance", false, map[string]any{"status": "Paused"}, attrPath("status"), `"Paused"`},
	{"aliecs_instance", false, map[string]any{"stopped_mode": "Sleep"}, attrPath("stopped_mode"), `"Sleep"`},
	{"aliecs_instance", false, map[string]any{"final_snapshot": map[string]any{"name": "auto-final"}}, attrPath("final_snapshot", "name"), `auto-final`},
	{"aliecs_instance", false, map[string]any{"final_snapshot": map[string]any{"name": "final", "retention_days": 0}}, attrPath("final_snapshot", "retention_days"), `between 1 and 65536, got: 0`},
	{"aliecs_instance", false, map[string]any{"timeouts": map[string]any{"create": "soon"}}, attrPath("timeouts", "create"), `soon|duration`},
	// aliecs_auto_release_schedule
	{"aliecs_auto_release_schedule", false, map[string]any{"instance_id": "vm-1", "release_after": "2h"}, attrPath("instance_id"), `"vm-1"`},
	{"aliecs_auto_release_schedule", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "release_time": "2030-01-02T03:04:05+08:00"}, attrPath("release_time"), `2030-01-01T19:04:05Z`},
	{"aliecs_auto_release_schedule", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "release_after": "10m"}, attrPath("release_after"), `"10m".*30m`},
	{"aliecs_auto_release_schedule", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "release_after": "2h", "release_time": "2030-01-02T03:04:05Z"}, attrPath("release_time"), `Exactly one of.*release_time,release_after`},
	// aliecs_snapshot
	{"aliecs_snapshot", false, map[string]any{"instance_id": "ecs-1"}, attrPath("instance_id"), `"ecs-1"`},
	{"aliecs_snapshot", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "name": "1snap"}, attrPath("name"), `1snap.*starting with a letter`},
	{"aliecs_snapshot", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "name": "auto-nightly"}, attrPath("name"), `"auto-nightly" is not allowed`},
	{"aliecs_snapshot", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "description": "x"}, attrPath("description"), `2`},
	{"aliecs_snapshot", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "disk_ids": []string{"vol-1"}}, attrPath("disk_ids", tftypes.NewValue(tftypes.String, "vol-1")), `"vol-1" is not`},
	{"aliecs_snapshot", false, map[string]any{"instance_id": "i-bp67acfmxazb4ph1234", "retention_days": 0}, attrPath("retention_days"), `got: 0`},
	// aliecs_instances
	{"aliecs_instances", true, map[string]any{"ids": []string{"web"}}, attrPath("ids", 0), `"web" is not`},
	{"aliecs_instances", true, map[string]any{"name_regex": "web-("}, attrPath("name_regex"), `web-\(`},
	{"aliecs_instances", true, map[string]any{"status": "Paused"}, attrPath("status"), `"Paused"`},
	{"aliecs_instances", true, map[string]any{"vswitch_id": "subnet-1"}, attrPath("vswitch_id"), `subnet-1`},
	// aliecs_snapshots
	{"aliecs_snapshots", true, map[string]any{"instance_id": "web"}, attrPath("instance_id"), `"web"`},
	{"aliecs_snapshots", true, map[string]any{"ids": []string{"s-1"}}, attrPath("ids", 0), `"s-1" is not`},
	{"aliecs_snapshots", true, map[string]any{"name_regex": "("}, attrPath("name_regex"), `\(`},
	{"aliecs_snapshots", true, map[string]any{"status": "done"}, attrPath("status"), `"done"`},
}

// TestBadInput validates each invalid configuration through the provider
// server, in-process (what `terraform validate` calls), and requires an
// error on the right attribute that says what was given.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]map[string]bool{}
	for _, tc := range badInputs {
		name := tc.typ + "/" + tc.path.String()
		t.Run(name, func(t *testing.T) {
			sch := schemas.ResourceSchemas[tc.typ]
			if tc.data {
				sch = schemas.DataSourceSchemas[tc.typ]
			}
			if sch == nil {
				t.Fatalf("no schema for %s", tc.typ)
			}
			typ := sch.ValueType().(tftypes.Object)
			val := badValue(t, typ, tc.set)
			dv, err := tfprotov6.NewDynamicValue(typ, val)
			if err != nil {
				t.Fatal(err)
			}
			var diags []*tfprotov6.Diagnostic
			if tc.data {
				resp, err := srv.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: tc.typ, Config: &dv})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			} else {
				resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: tc.typ, Config: &dv})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			}
			re := regexp.MustCompile(`(?s)` + tc.want)
			for _, d := range diags {
				if d.Severity == tfprotov6.DiagnosticSeverityError && d.Attribute.Equal(tc.path) && re.MatchString(d.Summary+"\n"+d.Detail) {
					if covered[tc.typ] == nil {
						covered[tc.typ] = map[string]bool{}
					}
					covered[tc.typ][string(tc.path.Steps()[0].(tftypes.AttributeName))] = true
					return
				}
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.Attribute.String()+": "+d.Summary+": "+d.Detail)
			}
			t.Errorf("want an error on %s matching %q; got %d diagnostics:\n%s", tc.path, tc.want, len(diags), strings.Join(got, "\n"))
		})
	}
	t.Logf("RELIABILITY bad inputs: %d invalid values over %d types", len(badInputs), len(covered))
}

// badValue builds an object of typ with the given attributes set and every
// other attribute null.
func badValue(t *testing.T, typ tftypes.Object, set map[string]any) tftypes.Value {
	t.Helper()
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = toTF(t, at, v)
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func toTF(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case string:
		return tftypes.NewValue(typ, v)
	case int:
		return tftypes.NewValue(typ, big.NewFloat(float64(v)))
	case []string:
		var elem tftypes.Type
		switch tt := typ.(type) {
		case tftypes.Set:
			elem = tt.ElementType
		case tftypes.List:
			elem = tt.ElementType
		}
		out := make([]tftypes.Value, 0, len(v))
		for _, s := range v {
			out = append(out, tftypes.NewValue(elem, s))
		}
		return tftypes.NewValue(typ, out)
	case map[string]string:
		out := map[string]tftypes.Value{}
		for k, s := range v {
			out[k] = tftypes.NewValue(tftypes.String, s)
		}
		return tftypes.NewValue(typ, out)
	case map[string]any:
		return badValue(t, typ.(tftypes.Object), v)
	case []map[string]any:
		elem := typ.(tftypes.List).ElementType.(tftypes.Object)
		out := make([]tftypes.Value, 0, len(v))
		for _, m := range v {
			out = append(out, badValue(t, elem, m))
		}
		return tftypes.NewValue(typ, out)
	}
	t.Fatalf("unsupported test value %T", v)
	return tftypes.Value{}
}
