package provider

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// The network of a running instance changes in place: its security groups
// (joined before the old ones are left, so the machine is never without a
// group, which the service refuses anyway), and its public bandwidth and
// how it is billed (ModifyInstanceNetworkSpec). From 0 Mbit/s, a
// pay-as-you-go machine gets no public IP from that call: AllocatePublicIpAddress
// gives it one, as the official provider does. To 0 Mbit/s the machine
// loses its public IP (the service's documentation is silent; the emulator
// releases it, and so the description says).

const (
	chargePayByTraffic   = "PayByTraffic"
	chargePayByBandwidth = "PayByBandwidth"
)

var internetChargeTypes = []string{chargePayByTraffic, chargePayByBandwidth}

// internetChargeTypeOf is the charge type an instance reports; the
// service's default when it reports none.
func internetChargeTypeOf(inst *ecsapi.Instance) string {
	if inst.InternetChargeType == "" {
		return chargePayByTraffic
	}
	return inst.InternetChargeType
}

// publicIPError is a bandwidth raised from 0 whose public IP could not be
// allocated: the state keeps 0 Mbit/s so that the next apply tries again
// (setting the same bandwidth again changes nothing).
type publicIPError struct{ err error }

func (e *publicIPError) Error() string { return e.err.Error() }
func (e *publicIPError) Unwrap() error { return e.err }

// changeNetwork applies security group, bandwidth and charge type changes.
func (r *instanceResource) changeNetwork(ctx context.Context, plan, state *instanceModel) error {
	client := r.data.client
	id := state.ID.ValueString()
	if !plan.SecurityGroupIDs.IsUnknown() && !plan.SecurityGroupIDs.Equal(state.SecurityGroupIDs) {
		var want, have []string
		plan.SecurityGroupIDs.ElementsAs(ctx, &want, false)
		state.SecurityGroupIDs.ElementsAs(ctx, &have, false)
		for _, g := range want {
			if !slices.Contains(have, g) {
				if err := client.JoinSecurityGroup(ctx, id, g); err != nil {
					return fmt.Errorf("joining security group %s: %w", g, err)
				}
			}
		}
		for _, g := range have {
			if !slices.Contains(want, g) {
				if err := client.LeaveSecurityGroup(ctx, id, g); err != nil {
					return fmt.Errorf("leaving security group %s: %w", g, err)
				}
			}
		}
	}
	if rg := plan.ResourceGroupID; !rg.IsUnknown() && !rg.IsNull() && !rg.Equal(state.ResourceGroupID) {
		if err := client.JoinResourceGroup(ctx, id, rg.ValueString()); err != nil {
			return fmt.Errorf("moving it to resource group %s: %w", rg.ValueString(), err)
		}
	}
	if role := plan.RoleName; !role.IsUnknown() && !role.IsNull() && !role.Equal(state.RoleName) {
		if old := state.RoleName.ValueString(); old != "" {
			if err := client.DetachInstanceRamRole(ctx, id, old); err != nil {
				return fmt.Errorf("detaching RAM role %s: %w", old, err)
			}
		}
		if role.ValueString() != "" {
			if err := client.AttachInstanceRamRole(ctx, id, role.ValueString()); err != nil {
				return fmt.Errorf("attaching RAM role %s: %w", role.ValueString(), err)
			}
		}
	}
	bandwidthChanged := !plan.InternetMaxBandwidthOut.IsUnknown() &&
		!plan.InternetMaxBandwidthOut.Equal(state.InternetMaxBandwidthOut)
	chargeChanged := !plan.InternetChargeType.IsUnknown() && !plan.InternetChargeType.IsNull() &&
		!plan.InternetChargeType.Equal(state.InternetChargeType)
	if bandwidthChanged || chargeChanged {
		charge := ""
		if chargeChanged {
			charge = plan.InternetChargeType.ValueString()
		}
		if err := client.ModifyInstanceNetworkSpec(ctx, id, int(plan.InternetMaxBandwidthOut.ValueInt64()), charge,
			newClientToken()); err != nil {
			return fmt.Errorf("changing its public bandwidth: %w", err)
		}
	}
	if bandwidthChanged && state.InternetMaxBandwidthOut.ValueInt64() == 0 && plan.InternetMaxBandwidthOut.ValueInt64() > 0 {
		if err := client.AllocatePublicIPAddress(ctx, id); err != nil {
			return &publicIPError{fmt.Errorf("allocating its public IP (its bandwidth is %d Mbit/s; the next apply "+
				"tries again): %w", plan.InternetMaxBandwidthOut.ValueInt64(), err)}
		}
	}
	return nil
}

// privateKeyPublicIPPending marks an instance whose bandwidth went above 0
// without the public IP that goes with it (publicIPError).
const privateKeyPublicIPPending = "public_ip_pending"

// publicIPPending keeps such an instance at 0 Mbit/s in the state until it
// has a public IP, so that the plan shows the change still to make.
func publicIPPending(ctx context.Context, p privateGetter, out interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, inst *ecsapi.Instance, m *instanceModel) diag.Diagnostics {
	raw, diags := p.GetKey(ctx, privateKeyPublicIPPending)
	if string(raw) != "true" {
		return diags
	}
	if inst.PublicIP == "" && inst.InternetMaxBandwidthOut > 0 {
		m.InternetMaxBandwidthOut = types.Int64Value(0)
		return diags
	}
	return append(diags, out.SetKey(ctx, privateKeyPublicIPPending, nil)...)
}

// crossesZeroBandwidth reports whether a plan takes the public bandwidth
// from or to 0 Mbit/s, which gives or takes the public IP.
func crossesZeroBandwidth(ctx context.Context, plan, state interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}) bool {
	var p, s types.Int64
	if plan.GetAttribute(ctx, path.Root("internet_max_bandwidth_out"), &p).HasError() ||
		state.GetAttribute(ctx, path.Root("internet_max_bandwidth_out"), &s).HasError() || s.IsNull() {
		return false
	}
	return p.IsUnknown() || (p.ValueInt64() == 0) != (s.ValueInt64() == 0)
}

// resourceGroupIDPattern is a resource group id.
var resourceGroupIDPattern = regexp.MustCompile(`^rg-[a-z0-9]+$`)

// ipv4Validator: a dotted IPv4 address.
type ipv4Validator struct{}

func (ipv4Validator) Description(context.Context) string {
	return "must be an IPv4 address such as 172.16.0.10"
}

func (v ipv4Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v ipv4Validator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if ip := net.ParseIP(req.ConfigValue.ValueString()); ip == nil || ip.To4() == nil || !strings.Contains(req.ConfigValue.ValueString(), ".") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid private IP",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}

// ramRoleNamePattern is a RAM role name, or "" for none.
var ramRoleNamePattern = regexp.MustCompile(`^[A-Za-z0-9.-]{0,64}$`)

// readRoleName reads the RAM role of an instance being imported.
func (r *instanceResource) readRoleName(ctx context.Context, m *instanceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	role, err := r.data.client.InstanceRAMRole(ctx, m.ID.ValueString())
	if err != nil {
		diags.AddError("Cannot read the instance's RAM role",
			fmt.Sprintf("Reading the RAM role of instance %s failed: %s", m.ID.ValueString(), err))
		return diags
	}
	m.RoleName = types.StringValue(role)
	return diags
}
