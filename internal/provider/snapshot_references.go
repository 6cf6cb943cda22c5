package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The snapshot's instance_id is a reference, checked at plan by the rule of
// an instance's references (instance_references.go): only when the
// snapshot is created or pointed at another machine, never for an
// unchanged resource (its machine may since have been released: the
// snapshot is then its only copy, and plan and destroy must stay clean).
// An id that names no machine is an error on instance_id; a look-up that
// fails is a warning (an error when the endpoint cannot be reached), and
// the apply finds out. Unknown ids, and machines this apply created, are
// not looked up. GetInstance is batched, so a plan of many snapshots shares
// a few DescribeInstances calls.

// checkInstanceAtPlan checks that id names an existing machine.
func (r *snapshotResource) checkInstanceAtPlan(ctx context.Context, id types.String, diags *diag.Diagnostics) {
	if r.data == nil || r.data.client == nil || !knownString(id) || r.data.createdByThisApply(id.ValueString()) {
		return
	}
	_, err := r.data.client.GetInstance(ctx, id.ValueString())
	p := path.Root("instance_id")
	switch {
	case err == nil:
	case ecsapi.IsNotFound(err):
		diags.AddAttributeError(p, "Cannot find the instance",
			fmt.Sprintf("Instance %s does not exist in region %s, the provider's region, so there is nothing to "+
				"snapshot. Check the id and the provider's region; a machine that was released cannot be "+
				"snapshotted any more.%s", id.ValueString(), r.data.region, destroyHint))
	case ecsapi.IsUnreachable(err):
		diags.AddAttributeError(p, "Cannot check the instance",
			fmt.Sprintf("Reading instance %s failed: %s.", id.ValueString(), strings.TrimSuffix(err.Error(), ".")))
	default:
		diags.AddAttributeWarning(p, "Cannot check the instance at plan",
			fmt.Sprintf("Reading instance %s failed: %s. The apply looks it up again before taking the snapshot.",
				id.ValueString(), strings.TrimSuffix(err.Error(), ".")))
	}
}
