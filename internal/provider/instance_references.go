package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// Plan-time checks of what an aliecs_instance references: the vSwitch (in
// the provider's region; its zone against zone_id), the security groups
// (existing, in the vSwitch's VPC), the image (its OS decides the host-name
// rule: Windows allows at most 15 characters), the key pair and the
// instance type. They run when an instance is created or one of these
// arguments changes, never for an unchanged resource, so a no-op plan makes
// no extra call. A reference that does not exist is a configuration
// mistake: a plan error on the attribute. Stock changes by itself, so it is
// a plan warning (the zones that have stock are listed) and an error at
// apply, before RunInstances; a destroy never checks it.
//
// Each listing (vSwitches, groups, key pairs, types) is read once per
// provider process and per region and shared by every instance of the plan
// (refCache), so a plan of 100 instances costs a handful of calls. A check
// that cannot be made (a transient failure) is a warning, not a failed plan;
// values unknown at plan are checked at apply.

// refCache memoizes the reference listings of one provider process.
// Concurrent callers of the same key share one call; failures are not kept.
type refCache struct {
	mu      sync.Mutex
	entries map[string]*refEntry
}

type refEntry struct {
	done chan struct{}
	val  any
	err  error
}

func (c *refCache) get(ctx context.Context, key string, load func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*refEntry{}
	}
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.val, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &refEntry{done: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()
	e.val, e.err = load(ctx)
	if e.err != nil {
		c.mu.Lock()
		delete(c.entries, key) // the next caller tries again
		c.mu.Unlock()
	}
	close(e.done)
	return e.val, e.err
}

func cached[T any](ctx context.Context, d *providerData, key string, load func(context.Context) (T, error)) (T, error) {
	v, err := d.refs.get(ctx, key, func(ctx context.Context) (any, error) { return load(ctx) })
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok { // a key used with two types: a bug
		return zero, fmt.Errorf("reference cache: %q holds %T", key, v)
	}
	return t, nil
}

const destroyHint = " Since terraform destroy plans first, this error also stops it: terraform destroy -refresh=false " +
	"destroys without fixing it."

// windowsHostNameMax is the longest host name a Windows image takes.
const windowsHostNameMax = 15

// refChecker checks one instance's references. atApply turns the stock
// warning into an error and makes every failure to check an error.
type refChecker struct {
	d     *providerData
	plan  instanceModel
	state *instanceModel // nil when creating
	// configZone is zone_id as configured: the plan's value may be the
	// prior state's (computed) while the vSwitch changes.
	configZone types.String
	atApply    bool
	diags      *diag.Diagnostics
	// downReported: one diagnostic already said the endpoint is down; the
	// other checks fail at once with the same message and add none.
	downReported bool
}

// changed reports whether an attribute is set by this plan: creating, or a
// value other than the state's.
func (k *refChecker) changed(get func(instanceModel) attr.Value) bool {
	return k.state == nil || !get(k.plan).Equal(get(*k.state))
}

// cannotCheck reports a check that could not be made: an error when the
// endpoint cannot be reached at all (TLS, DNS: every call would fail), a
// warning at plan otherwise (a transient failure, or a permission the
// credentials lack for this read); at apply always an error.
func (k *refChecker) cannotCheck(p path.Path, what string, err error) {
	msg := strings.TrimSuffix(err.Error(), ".")
	if ecsapi.IsEndpointDown(err) {
		if k.downReported {
			return
		}
		k.downReported = true
		what += " (and the other references)"
		msg += ". The endpoint is down, so the other checks of this instance were not made either"
	}
	if k.atApply || ecsapi.IsUnreachable(err) {
		k.diags.AddAttributeError(p, "Cannot check the "+what, fmt.Sprintf("Reading the %s failed: %s.", what, msg))
		return
	}
	k.diags.AddAttributeWarning(p, "Cannot check the "+what+" at plan",
		fmt.Sprintf("Reading the %s failed: %s. It is checked again at apply, before the instance is created.", what, msg))
}

func (k *refChecker) run(ctx context.Context) {
	p := k.plan
	region := k.d.region
	vswChanged := k.changed(func(m instanceModel) attr.Value { return m.VSwitchID })
	sgChanged := k.changed(func(m instanceModel) attr.Value { return m.SecurityGroupIDs })
	zoneChanged := k.changed(func(m instanceModel) attr.Value { return m.ZoneID })

	// vSwitch, zone, security groups.
	var vsw *ecsapi.VSwitch
	if knownString(p.VSwitchID) && (vswChanged || sgChanged || zoneChanged) {
		list, err := cached(ctx, k.d, "vswitches", k.d.client.ListVSwitches)
		if err != nil {
			k.cannotCheck(path.Root("vswitch_id"), "vSwitch", err)
		} else {
			id := p.VSwitchID.ValueString()
			for i := range list {
				if list[i].ID == id {
					vsw = &list[i]
				}
			}
			if vsw == nil && vswChanged {
				k.diags.AddAttributeError(path.Root("vswitch_id"), "Cannot find the vSwitch",
					fmt.Sprintf("vSwitch %s does not exist in region %s, the provider's region. Check the id and the "+
						"provider's region (a typo such as cn-hangzou names another, empty region).%s",
						id, region, destroyHint))
			}
		}
	}
	if zone := k.configZone; vsw != nil && knownString(zone) && zone.ValueString() != vsw.ZoneID && (zoneChanged || vswChanged) {
		k.diags.AddAttributeError(path.Root("zone_id"), "Cannot use this zone with the vSwitch",
			fmt.Sprintf("zone_id is %s, but vSwitch %s is in zone %s. Set zone_id = %q, or leave it unset (the "+
				"vSwitch decides the zone).%s", zone.ValueString(), vsw.ID, vsw.ZoneID, vsw.ZoneID, destroyHint))
	}
	if vsw != nil && !p.SecurityGroupIDs.IsUnknown() && (sgChanged || vswChanged) {
		k.checkGroups(ctx, vsw)
	}

	// Image and host name.
	imageChanged := k.changed(func(m instanceModel) attr.Value { return m.ImageID })
	hostChanged := k.changed(func(m instanceModel) attr.Value { return m.HostName })
	if knownString(p.ImageID) && p.ImageID.ValueString() != "" && (imageChanged || hostChanged) {
		k.checkImage(ctx, imageChanged)
	}

	// Key pair.
	if knownString(p.KeyPairName) && p.KeyPairName.ValueString() != "" &&
		k.changed(func(m instanceModel) attr.Value { return m.KeyPairName }) {
		names, err := cached(ctx, k.d, "keypairs", k.d.client.ListKeyPairs)
		switch {
		case err != nil:
			k.cannotCheck(path.Root("key_pair_name"), "key pair", err)
		case !contains(names, p.KeyPairName.ValueString()):
			k.diags.AddAttributeError(path.Root("key_pair_name"), "Cannot find the key pair",
				fmt.Sprintf("Key pair %q does not exist in region %s. The region has: %s. Key pairs belong to a "+
					"region: create it there or fix the name.%s", p.KeyPairName.ValueString(), region,
					listOrNone(names), destroyHint))
		}
	}

	// Instance type, and its stock when creating.
	if knownString(p.InstanceType) && k.changed(func(m instanceModel) attr.Value { return m.InstanceType }) {
		offered, err := cached(ctx, k.d, "instancetypes", k.d.client.ListInstanceTypes)
		switch {
		case err != nil:
			k.cannotCheck(path.Root("instance_type"), "instance type", err)
		case !contains(offered, p.InstanceType.ValueString()):
			k.diags.AddAttributeError(path.Root("instance_type"), "Cannot find the instance type",
				fmt.Sprintf("Instance type %q is not offered in region %s. Check the name (such as "+
					"\"ecs.g7.large\").%s", p.InstanceType.ValueString(), region, destroyHint))
		case k.state == nil && vsw != nil:
			k.checkStock(ctx, vsw.ZoneID)
		}
	}
}

func (k *refChecker) checkGroups(ctx context.Context, vsw *ecsapi.VSwitch) {
	var ids []string
	if d := k.plan.SecurityGroupIDs.ElementsAs(ctx, &ids, false); d.HasError() {
		return // unknown elements: checked at apply
	}
	groups, err := cached(ctx, k.d, "securitygroups", k.d.client.ListSecurityGroups)
	if err != nil {
		k.cannotCheck(path.Root("security_group_ids"), "security groups", err)
		return
	}
	byID := map[string]ecsapi.SecurityGroup{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	sort.Strings(ids)
	for _, id := range ids {
		g, ok := byID[id]
		switch {
		case !ok:
			k.diags.AddAttributeError(path.Root("security_group_ids"), "Cannot find the security group",
				fmt.Sprintf("Security group %s does not exist in region %s, the provider's region. A security group "+
					"belongs to one region and one VPC: check the id.%s", id, k.d.region, destroyHint))
		case g.VpcID != vsw.VpcID:
			k.diags.AddAttributeError(path.Root("security_group_ids"), "Cannot use the security group with the vSwitch",
				fmt.Sprintf("Security group %s is in VPC %s, but vSwitch %s is in VPC %s; an instance's groups must be "+
					"in its vSwitch's VPC. Use a group of VPC %s, or a vSwitch of VPC %s.%s",
					id, g.VpcID, vsw.ID, vsw.VpcID, vsw.VpcID, g.VpcID, destroyHint))
		}
	}
}

// lookupImage reads an image once per process; nil, nil = it does not exist.
func lookupImage(ctx context.Context, d *providerData, id string) (*ecsapi.Image, error) {
	return cached(ctx, d, "image/"+id, func(ctx context.Context) (*ecsapi.Image, error) {
		im, err := d.client.GetImage(ctx, id)
		if ecsapi.IsNotFound(err) || ecsapi.ErrorCode(err) == "InvalidImageId.NotFound" {
			return nil, nil // kept: the image does not exist
		}
		return im, err
	})
}

// checkRestoredHostName applies the host-name rule of the image a snapshot
// group was taken from (recorded on the group) to an instance made from
// it; with no recorded image, or one that cannot be read, there is no rule.
func (r *instanceResource) checkRestoredHostName(ctx context.Context, plan instanceModel, imageID string, diags *diag.Diagnostics) {
	if imageID == "" || !knownString(plan.HostName) || len(plan.HostName.ValueString()) <= windowsHostNameMax {
		return
	}
	im, err := lookupImage(ctx, r.data, imageID)
	if err != nil || im == nil || !strings.EqualFold(im.OSType, "windows") {
		return
	}
	diags.AddAttributeError(path.Root("host_name"), "Cannot use this host name with a Windows image",
		fmt.Sprintf("Snapshot group %s was taken of an instance of the Windows image %s, whose host names have at most "+
			"%d characters; %q has %d. Use a shorter host_name.%s", plan.SourceSnapshotID.ValueString(), imageID,
			windowsHostNameMax, plan.HostName.ValueString(), len(plan.HostName.ValueString()), destroyHint))
}

func (k *refChecker) checkImage(ctx context.Context, imageChanged bool) {
	id := k.plan.ImageID.ValueString()
	im, err := lookupImage(ctx, k.d, id)
	switch {
	case err != nil:
		k.cannotCheck(path.Root("image_id"), "image", err)
		return
	case im == nil:
		if imageChanged {
			k.diags.AddAttributeError(path.Root("image_id"), "Cannot find the image",
				fmt.Sprintf("Image %s does not exist in region %s, the provider's region. Public images have the "+
					"same ids in every region, custom images are per region: check the id.%s", id, k.d.region, destroyHint))
		}
		return
	}
	if strings.EqualFold(im.OSType, "windows") && knownString(k.plan.HostName) &&
		len(k.plan.HostName.ValueString()) > windowsHostNameMax {
		k.diags.AddAttributeError(path.Root("host_name"), "Cannot use this host name with a Windows image",
			fmt.Sprintf("Image %s is Windows, whose host names have at most %d characters; %q has %d. Use a shorter "+
				"host_name.%s", id, windowsHostNameMax, k.plan.HostName.ValueString(),
				len(k.plan.HostName.ValueString()), destroyHint))
	}
}

func (k *refChecker) checkStock(ctx context.Context, zone string) {
	itype := k.plan.InstanceType.ValueString()
	// Cached for the process like the rest (a plan or an apply is short),
	// so 100 instances of one type cost one call.
	stock, err := cached(ctx, k.d, "stock/"+itype, func(ctx context.Context) ([]ecsapi.ZoneStock, error) {
		return k.d.client.InstanceTypeStock(ctx, itype, "")
	})
	if err != nil {
		k.cannotCheck(path.Root("instance_type"), "stock of the instance type", err)
		return
	}
	var with []string
	inZone := false
	for _, z := range stock {
		if z.Available {
			with = append(with, z.ZoneID)
			inZone = inZone || z.ZoneID == zone
		}
	}
	if inZone {
		return
	}
	detail := fmt.Sprintf("Instance type %s has no stock in zone %s (the vSwitch's zone) now. Zones of region %s "+
		"with stock: %s. Use a vSwitch in one of them, or another instance type.", itype, zone, k.d.region, listOrNone(with))
	if k.atApply {
		k.diags.AddAttributeError(path.Root("instance_type"), "Cannot create the instance: no stock", detail)
		return
	}
	k.diags.AddAttributeWarning(path.Root("instance_type"), "The instance type is sold out in the zone",
		detail+" Stock changes by itself, so this is checked again at apply, before the instance is created.")
}

// referencePlanDiagnostics runs the checks at plan (ModifyPlan).
func (r *instanceResource) referencePlanDiagnostics(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.client == nil {
		return // a destroy: nothing to check
	}
	var plan instanceModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	k := &refChecker{d: r.data, plan: plan, diags: &resp.Diagnostics}
	if resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("zone_id"), &k.configZone)...); resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state instanceModel
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
			return
		}
		k.state = &state
	}
	k.run(ctx)
}

// referenceApplyDiagnostics runs every check at apply, before RunInstances:
// values unknown at plan are known now, and stock is an error.
func (r *instanceResource) referenceApplyDiagnostics(ctx context.Context, plan instanceModel, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	k := &refChecker{d: r.data, plan: plan, atApply: true, diags: &diags}
	if diags.Append(config.GetAttribute(ctx, path.Root("zone_id"), &k.configZone)...); diags.HasError() {
		return diags
	}
	k.run(ctx)
	return diags
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
