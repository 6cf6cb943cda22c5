package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// Security groups and public bandwidth of an instance, changed in place:
// JoinSecurityGroup / LeaveSecurityGroup (one group a call) and
// ModifyInstanceNetworkSpec (bandwidth and its charge type). The rules:
//   - both group calls need the instance Running or Stopped; the group must
//     exist in the instance's region and VPC; an instance is in 1 to 5 groups:
//     a sixth join is refused (InstanceSecurityGroupLimitExceeded), and so is
//     leaving the last one (InstanceLastSecurityGroup), so a client that
//     replaces groups must join the new ones first;
//   - joining a group the instance is in is refused
//     (InvalidInstanceId.AlreadyInSecurityGroup), leaving one it is not in too
//     (InstanceNotInSecurityGroup): a retry after a lost answer sees these;
//   - ModifyInstanceNetworkSpec changes a pay-as-you-go instance's outbound
//     bandwidth (0 to 100 Mbit/s) and NetworkChargeType (PayByTraffic or
//     PayByBandwidth). From 0 it assigns no public IP (AllocatePublicIpAddress
//     does, for an instance whose bandwidth is above 0); to 0 it releases the
//     public IP (the emulator's choice: the documentation is silent).

const maxInstanceSecurityGroups = 5

func (c *call) instanceAndGroup() (*instance, string, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, "", ae
	}
	id := c.p.str("SecurityGroupId")
	if id == "" {
		return nil, "", newErr(http.StatusBadRequest, "MissingParameter", "SecurityGroupId should not be null.")
	}
	if st := in.status(c.now); st != "Running" && st != "Stopped" {
		return nil, "", errIncorrectInstanceStatus()
	}
	rc, _ := c.e.regionLocked(in.RegionID)
	sg := rc.securityGroup(id)
	if sg == nil {
		return nil, "", newErr(http.StatusNotFound, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
	}
	if sg.VpcID != in.VpcID {
		return nil, "", newErr(http.StatusForbidden, "InvalidSecurityGroup.VpcMismatch",
			"The security group and the instance are not in the same VPC.")
	}
	return in, id, nil
}

func joinSecurityGroup(c *call) (M, *apiError) {
	in, id, ae := c.instanceAndGroup()
	if ae != nil {
		return nil, ae
	}
	if slices.Contains(in.SecurityGroupIDs, id) {
		return nil, newErr(http.StatusForbidden, "InvalidInstanceId.AlreadyInSecurityGroup",
			"The instance is already in the specified security group.")
	}
	if len(in.SecurityGroupIDs) >= maxInstanceSecurityGroups {
		return nil, newErr(http.StatusForbidden, "InstanceSecurityGroupLimitExceeded",
			"The instance is already in the maximum number of security groups.")
	}
	in.SecurityGroupIDs = append(slices.Clone(in.SecurityGroupIDs), id)
	c.dirty = true
	return ok()
}

func leaveSecurityGroup(c *call) (M, *apiError) {
	in, id, ae := c.instanceAndGroup()
	if ae != nil {
		return nil, ae
	}
	i := slices.Index(in.SecurityGroupIDs, id)
	if i < 0 {
		return nil, newErr(http.StatusForbidden, "InstanceNotInSecurityGroup",
			"The instance is not in the specified security group.")
	}
	if len(in.SecurityGroupIDs) == 1 {
		return nil, newErr(http.StatusForbidden, "InstanceLastSecurityGroup",
			"The instance must stay in at least one security group.")
	}
	in.SecurityGroupIDs = slices.Delete(slices.Clone(in.SecurityGroupIDs), i, i+1)
	c.dirty = true
	return ok()
}

func modifyInstanceNetworkSpec(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	if in.ChargeType == "PrePaid" {
		return nil, newErr(http.StatusForbidden, "InvalidInstanceChargeType.NotSupported",
			"This emulator changes the network of pay-as-you-go instances only.")
	}
	if st := in.status(c.now); st != "Running" && st != "Stopped" {
		return nil, errIncorrectInstanceStatus()
	}
	out, ae := c.p.integer("InternetMaxBandwidthOut", in.BandwidthOut, 0, 100,
		bad400("InvalidInternetMaxBandwidthOut.Malformed", "The specified parameter InternetMaxBandwidthOut is not valid."))
	if ae != nil {
		return nil, ae
	}
	charge := c.p.str("NetworkChargeType")
	switch charge {
	case "":
		charge = in.InternetChargeType
	case "PayByTraffic", "PayByBandwidth":
	default:
		return nil, bad400("InvalidNetworkChargeType.ValueNotSupported", "The specified NetworkChargeType is not valid.")
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	in.BandwidthOut, in.InternetChargeType = out, charge
	if out == 0 {
		in.PublicIP = "" // no bandwidth, no public IP (a choice: see README)
	}
	c.dirty = true
	return M{"OrderId": ""}, nil
}

// allocatePublicIPAddress gives a Running or Stopped instance with public
// bandwidth a public IP, at most one (codes are the emulator's choice).
func allocatePublicIPAddress(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	if st := in.status(c.now); st != "Running" && st != "Stopped" {
		return nil, errIncorrectInstanceStatus()
	}
	if in.PublicIP != "" {
		return nil, newErr(http.StatusForbidden, "InvalidOperation.PublicIpAllocated",
			"The instance already has a public IP address.")
	}
	if in.BandwidthOut == 0 {
		return nil, newErr(http.StatusForbidden, "InvalidOperation.NoPublicBandwidth",
			"The instance has no outbound public bandwidth: set InternetMaxBandwidthOut first.")
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	in.PublicIP = c.allocPublicIP()
	c.dirty = true
	return M{"IpAddress": in.PublicIP}, nil
}

func init() {
	actions["AllocatePublicIpAddress"] = actionSpec{allocatePublicIPAddress, false}
	actions["JoinSecurityGroup"] = actionSpec{joinSecurityGroup, false}
	actions["LeaveSecurityGroup"] = actionSpec{leaveSecurityGroup, false}
	actions["ModifyInstanceNetworkSpec"] = actionSpec{modifyInstanceNetworkSpec, false}
}

// joinResourceGroup moves an instance to another resource group
// (ResourceType "instance"). The emulator has no Resource Manager: any id
// of the form rg-<letters and digits> is a group.
func joinResourceGroup(c *call) (M, *apiError) {
	if t := c.p.str("ResourceType"); t != "instance" {
		return nil, bad400("InvalidResourceType.NotSupported", "The emulator moves instances only (ResourceType instance).")
	}
	id := c.p.str("ResourceId")
	if id == "" {
		return nil, newErr(http.StatusBadRequest, "MissingParameter", "ResourceId should not be null.")
	}
	in := c.findInstance(id)
	if in == nil {
		return nil, errInstanceNotFound()
	}
	rg := c.p.str("ResourceGroupId")
	if !validResourceGroupID(rg) {
		return nil, newErr(http.StatusNotFound, "InvalidResourceGroupId.NotFound", "The specified ResourceGroupId does not exist.")
	}
	in.ResourceGroupID = rg
	c.dirty = true
	return ok()
}

func validResourceGroupID(id string) bool {
	rest, ok := strings.CutPrefix(id, "rg-")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func init() { actions["JoinResourceGroup"] = actionSpec{joinResourceGroup, true} }
