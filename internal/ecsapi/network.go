package ecsapi

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Codes of a repeated group change: the first attempt, whose answer was
// lost, already made it.
const (
	codeAlreadyInGroup = "InvalidInstanceId.AlreadyInSecurityGroup"
	codeNotInGroup     = "InstanceNotInSecurityGroup"
)

// JoinSecurityGroup adds the instance to a security group (one a call; at
// most 5 groups an instance). A retry that finds it already in the group
// counts as success.
func (c *Client) JoinSecurityGroup(ctx context.Context, id, groupID string) error {
	_, err := invoke(ctx, c, call{action: "JoinSecurityGroup", kind: kindAmbiguous, instanceID: id,
		settled: func(err error) bool { return ErrorCode(err) == codeAlreadyInGroup }},
		ecs.CreateJoinSecurityGroupRequest, (*ecs.Client).JoinSecurityGroup, func(req *ecs.JoinSecurityGroupRequest) {
			req.InstanceId, req.SecurityGroupId = id, groupID
		})
	return err
}

// LeaveSecurityGroup removes the instance from a security group; the
// service refuses to remove its last one. A retry that finds it already out
// counts as success.
func (c *Client) LeaveSecurityGroup(ctx context.Context, id, groupID string) error {
	_, err := invoke(ctx, c, call{action: "LeaveSecurityGroup", kind: kindAmbiguous, instanceID: id,
		settled: func(err error) bool { return ErrorCode(err) == codeNotInGroup }},
		ecs.CreateLeaveSecurityGroupRequest, (*ecs.Client).LeaveSecurityGroup, func(req *ecs.LeaveSecurityGroupRequest) {
			req.InstanceId, req.SecurityGroupId = id, groupID
		})
	return err
}

// ModifyInstanceNetworkSpec sets a pay-as-you-go instance's outbound
// bandwidth (Mbit/s, above 0: the public IP stays) and its charge type
// ("" leaves it). Setting the same values again changes nothing, so a
// retry is harmless.
func (c *Client) ModifyInstanceNetworkSpec(ctx context.Context, id string, bandwidthOut int, chargeType, clientToken string) error {
	_, err := invoke(ctx, c, call{action: "ModifyInstanceNetworkSpec", kind: kindIdempotent, instanceID: id},
		ecs.CreateModifyInstanceNetworkSpecRequest, (*ecs.Client).ModifyInstanceNetworkSpec,
		func(req *ecs.ModifyInstanceNetworkSpecRequest) {
			req.InstanceId = id
			req.InternetMaxBandwidthOut = requests.NewInteger(bandwidthOut)
			req.NetworkChargeType = chargeType
			req.ClientToken = clientToken
		})
	return err
}

// JoinResourceGroup moves an instance to another resource group; moving it
// again to the same group changes nothing, so a retry is harmless.
func (c *Client) JoinResourceGroup(ctx context.Context, id, groupID string) error {
	_, err := invoke(ctx, c, call{action: "JoinResourceGroup", kind: kindIdempotent, instanceID: id},
		ecs.CreateJoinResourceGroupRequest, (*ecs.Client).JoinResourceGroup, func(req *ecs.JoinResourceGroupRequest) {
			req.ResourceType, req.ResourceId, req.ResourceGroupId = "instance", id, groupID
		})
	return err
}

// codePublicIPAllocated: the instance has a public IP already (the
// emulator's code; a retry after a lost answer sees it).
const codePublicIPAllocated = "InvalidOperation.PublicIpAllocated"

// AllocatePublicIPAddress gives a pay-as-you-go instance whose bandwidth
// went above 0 a public IP (ModifyInstanceNetworkSpec does not). An
// instance that has one already (a retry, or an earlier apply that stopped
// after it) counts as success.
func (c *Client) AllocatePublicIPAddress(ctx context.Context, id string) error {
	_, err := invoke(ctx, c, call{action: "AllocatePublicIpAddress", kind: kindAmbiguous, instanceID: id,
		settled: func(err error) bool { return ErrorCode(err) == codePublicIPAllocated }},
		ecs.CreateAllocatePublicIpAddressRequest, (*ecs.Client).AllocatePublicIpAddress,
		func(req *ecs.AllocatePublicIpAddressRequest) { req.InstanceId = id })
	if ErrorCode(err) == codePublicIPAllocated {
		return nil
	}
	return err
}
