package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
	"github.com/aliecs/terraform-provider-aliecs/internal/emulator"
)

// A failure after the instance exists keeps it in state (tainted): the next
// apply replaces it and nothing leaks.
func TestAccInstance_createFailureKeepsID(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	cfg := env.config(instanceHCL(c, "  status = \"Stopped\"\n"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.instanceCheckNoneLeft,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Action: "StopInstance", Code: "InstanceExpiredOrInArrears", HTTPStatus: 403, Count: 1})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Instance created but not ready.*saved\s+in\s+the\s+state\s+as\s+tainted`),
			},
			{
				PreConfig: func() {
					if n := len(env.emu.State().Instances); n != 1 {
						t.Fatalf("%d instances after the failed create, want 1", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(instanceAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(*terraform.State) error {
					if n := len(env.emu.State().Instances); n != 1 {
						t.Fatalf("%d instances after the replacement, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

// Read of a released instance warns and removes it; Delete's final snapshot
// warning names the snapshot group. Driven directly, to see the diagnostics.
func TestAccInstance_diagnostics(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, emulator.Options{})
	c := newInstanceCatalog(t, env)
	ctx := context.Background()
	r := &instanceResource{data: &providerData{client: env.instanceSDKClient(), region: accRegion, clock: clock.Real{}}}
	schemaResp := &fwresource.SchemaResponse{}
	r.Schema(ctx, fwresource.SchemaRequest{}, schemaResp)
	s := schemaResp.Schema

	state := func(id string, final bool) tfsdk.State {
		m := instanceModel{
			ID:               types.StringValue(id),
			SecurityGroupIDs: types.SetNull(types.StringType),
			Tags:             types.MapNull(types.StringType),
			SystemDisk:       types.ObjectNull(systemDiskAttrTypes),
			DataDisks:        types.ListNull(dataDiskObjectType),
			FinalSnapshot: types.ObjectNull(map[string]attr.Type{
				"name": types.StringType, "description": types.StringType, "retention_days": types.Int64Type,
				"stop_first": types.BoolType,
			}),
			Timeouts:    timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
			ForceDelete: types.BoolValue(false),
			Status:      types.StringValue("Running"),
		}
		if final {
			m.FinalSnapshot = types.ObjectValueMust(m.FinalSnapshot.AttributeTypes(ctx), map[string]attr.Value{
				"name": types.StringValue("bye"), "description": types.StringNull(), "retention_days": types.Int64Null(),
				"stop_first": types.BoolNull(), // a state from before stop_first: its default, true
			})
		}
		st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
		if d := st.Set(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		return st
	}
	warning := func(diags diag.Diagnostics, want string) {
		t.Helper()
		if diags.HasError() {
			t.Fatalf("errors: %v", diags)
		}
		for _, d := range diags.Warnings() {
			if strings.Contains(d.Detail(), want) {
				return
			}
		}
		t.Fatalf("no warning mentioning %q: %v", want, diags)
	}

	// Gone: a warning, and the resource stays in state as a tombstone.
	gone := env.instanceCreateOutside(c, "gone-1", nil)
	if err := env.instanceSDKClient().DeleteInstance(ctx, gone, true); err != nil {
		t.Fatal(err)
	}
	readResp := &fwresource.ReadResponse{State: state(gone, false)}
	r.Read(ctx, fwresource.ReadRequest{State: state(gone, false)}, readResp)
	warning(readResp.Diagnostics, gone+" no longer exists")
	var status types.String
	readResp.State.GetAttribute(ctx, path.Root("status"), &status)
	if status.ValueString() != statusReleased {
		t.Errorf("the released instance has status %s in state, want %s", status, statusReleased)
	}

	// Final snapshot: the warning names the group, which outlives the instance.
	id := env.instanceCreateOutside(c, "final-1", nil)
	delResp := &fwresource.DeleteResponse{State: state(id, true)}
	r.Delete(ctx, fwresource.DeleteRequest{State: state(id, true)}, delResp)
	st := env.emu.State()
	if len(st.SnapshotGroups) != 1 || len(st.Instances) != 0 {
		t.Fatalf("after destroy: %d snapshot groups, %d instances; want 1, 0", len(st.SnapshotGroups), len(st.Instances))
	}
	warning(delResp.Diagnostics, st.SnapshotGroups[0].SnapshotGroupId)
	// stop_first, absent from that state, took its default.
	if err := checkOrder(env, id, "stop:graceful", "snapshot@Stopped", "release"); err != nil {
		t.Error(err)
	}
}
