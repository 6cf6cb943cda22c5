package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	instanceTypePattern = regexp.MustCompile(`^ecs\.[a-z0-9-]+\.[a-z0-9-]+$`)
	zoneIDPattern       = regexp.MustCompile(`^[a-z]{2,}-[a-z0-9-]+-[a-z0-9]+$`)
)

// keepUnlessStatusChanges keeps the prior value of an address that survives
// every in-place update except a stop or start (economical mode gives the
// public IP back) and a bandwidth from or to 0, so a tag change does not
// show it as "known after apply".
type keepUnlessStatusChanges struct{}

var _ planmodifier.String = keepUnlessStatusChanges{}

func (keepUnlessStatusChanges) Description(context.Context) string {
	return "Keeps the prior value unless the instance is started or stopped."
}

func (m keepUnlessStatusChanges) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepUnlessStatusChanges) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !req.PlanValue.IsUnknown() || req.StateValue.IsNull() {
		return
	}
	var planStatus, stateStatus types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("status"), &planStatus)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &stateStatus)...)
	if resp.Diagnostics.HasError() || planStatus.IsUnknown() || !planStatus.Equal(stateStatus) {
		return
	}
	if crossesZeroBandwidth(ctx, req.Plan, req.State) && stateStatus.ValueString() != statusReleased {
		return // the public IP comes or goes (instance_network.go)
	}
	resp.PlanValue = req.StateValue
}

func knownString(s types.String) bool { return !s.IsNull() && !s.IsUnknown() }
