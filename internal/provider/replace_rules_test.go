package provider

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The plan logic that reasons about replacement (a tombstone's ModifyPlan,
// the snapshot's guard of the only copy) names the replacing attributes in
// a list. These tests change each attribute of the schema in turn, run its
// plan modifiers, and fail when the list and the modifiers disagree: a
// RequiresReplace added without its plan logic, or the other way round.

func TestInstanceReplaceRules(t *testing.T) {
	checkReplaceRules(t, &instanceResource{}, instanceReplacingAttributes)
}

func TestSnapshotReplaceRules(t *testing.T) {
	checkReplaceRules(t, &snapshotResource{}, snapshotReplacingAttributes)
}

func checkReplaceRules(t *testing.T, r resource.Resource, listed []string) {
	t.Helper()
	ctx := context.Background()
	resp := &resource.SchemaResponse{}
	r.Schema(ctx, resource.SchemaRequest{}, resp)
	s := resp.Schema
	// An existing object with every attribute null: the modifiers see an
	// update, not a create or a destroy.
	objType := s.Type().TerraformType(ctx).(tftypes.Object) //nolint:forcetypeassert // a schema's type is an object
	nulls := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		nulls[name] = tftypes.NewValue(typ, nil)
	}
	raw := tftypes.NewValue(objType, nulls)
	state := tfsdk.State{Schema: s, Raw: raw}
	plan := tfsdk.Plan{Schema: s, Raw: raw}

	var replacing []string
	for name, a := range s.Attributes {
		if attributeReplaces(ctx, t, path.Root(name), a, state, plan) {
			replacing = append(replacing, name)
		}
	}
	sort.Strings(replacing)
	want := slices.Clone(listed)
	sort.Strings(want)
	if !slices.Equal(replacing, want) {
		t.Errorf("attributes whose plan modifiers can replace the resource: %v; the plan logic lists %v", replacing, want)
	}
}

// attributeReplaces runs an attribute's plan modifiers (and its nested
// attributes') on a change and reports whether any asks for a replacement.
func attributeReplaces(ctx context.Context, t *testing.T, p path.Path, a schema.Attribute, state tfsdk.State, plan tfsdk.Plan) bool {
	t.Helper()
	switch a := a.(type) {
	case schema.StringAttribute:
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.StringResponse{PlanValue: types.StringValue("b")}
			m.PlanModifyString(ctx, planmodifier.StringRequest{Path: p, State: state, Plan: plan,
				StateValue: types.StringValue("a"), PlanValue: types.StringValue("b"), ConfigValue: types.StringValue("b")}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.Int64Attribute:
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.Int64Response{PlanValue: types.Int64Value(2)}
			m.PlanModifyInt64(ctx, planmodifier.Int64Request{Path: p, State: state, Plan: plan,
				StateValue: types.Int64Value(1), PlanValue: types.Int64Value(2), ConfigValue: types.Int64Value(2)}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.Float64Attribute:
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.Float64Response{PlanValue: types.Float64Value(2)}
			m.PlanModifyFloat64(ctx, planmodifier.Float64Request{Path: p, State: state, Plan: plan,
				StateValue: types.Float64Value(1), PlanValue: types.Float64Value(2), ConfigValue: types.Float64Value(2)}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.BoolAttribute:
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.BoolResponse{PlanValue: types.BoolValue(true)}
			m.PlanModifyBool(ctx, planmodifier.BoolRequest{Path: p, State: state, Plan: plan,
				StateValue: types.BoolValue(false), PlanValue: types.BoolValue(true), ConfigValue: types.BoolValue(true)}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.SetAttribute:
		changed := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("x")})
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.SetResponse{PlanValue: changed}
			m.PlanModifySet(ctx, planmodifier.SetRequest{Path: p, State: state, Plan: plan,
				StateValue: types.SetNull(types.StringType), PlanValue: changed, ConfigValue: changed}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.MapAttribute:
		changed := types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")})
		for _, m := range a.PlanModifiers {
			resp := &planmodifier.MapResponse{PlanValue: changed}
			m.PlanModifyMap(ctx, planmodifier.MapRequest{Path: p, State: state, Plan: plan,
				StateValue: types.MapNull(types.StringType), PlanValue: changed, ConfigValue: changed}, resp)
			if resp.RequiresReplace {
				return true
			}
		}
	case schema.ListNestedAttribute:
		// One element more, or one less: a list that grows or shrinks by an
		// element (all its attributes null) is a change whatever the
		// modifiers compare.
		elem := a.NestedObject.Type()
		objType, _ := elem.(types.ObjectType)
		nullAttrs := map[string]attr.Value{}
		for name, typ := range objType.AttrTypes {
			nullAttrs[name] = nullOfType(typ)
		}
		one := types.ListValueMust(elem, []attr.Value{types.ObjectValueMust(objType.AttrTypes, nullAttrs)})
		for _, change := range [][2]types.List{{types.ListNull(elem), one}, {one, types.ListNull(elem)}} {
			before, after := change[0], change[1]
			for _, m := range a.PlanModifiers {
				resp := &planmodifier.ListResponse{PlanValue: after}
				m.PlanModifyList(ctx, planmodifier.ListRequest{Path: p, State: state, Plan: plan,
					StateValue: before, PlanValue: after, ConfigValue: after}, resp)
				if resp.RequiresReplace {
					return true
				}
			}
		}
	case schema.SingleNestedAttribute:
		// Its own modifiers keep state (UseStateForUnknown); a replacement
		// comes from the nested attributes'.
		for name, nested := range a.Attributes {
			if attributeReplaces(ctx, t, p.AtName(name), nested, state, plan) {
				return true
			}
		}
	}
	return false
}
