package ecsapi

import (
	"context"
	"encoding/json"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// The instance RAM role (one a machine). The role calls take a list of
// instances and may answer success with a per-instance failure (FailCount):
// that failure is returned as the call's error.

// Codes of a repeated role change whose first attempt took effect.
const (
	codeRoleAttached    = "InvalidInstance.RamRoleAttached"
	codeRoleNotAttached = "InvalidRamRole.NotAttached"
)

// AttachInstanceRamRole gives the instance a RAM role; it must have none.
// A refusal because it has one already is success when that role is this
// one: the answer of an earlier attempt that took effect was lost.
func (c *Client) AttachInstanceRamRole(ctx context.Context, id, role string) error {
	err := c.attachInstanceRamRole(ctx, id, role)
	if ErrorCode(err) == codeRoleAttached {
		if have, rerr := c.InstanceRAMRole(ctx, id); rerr == nil && have == role {
			return nil
		}
	}
	return err
}

func (c *Client) attachInstanceRamRole(ctx context.Context, id, role string) error {
	resp, err := invoke(ctx, c, call{action: "AttachInstanceRamRole", kind: kindIdempotent, instanceID: id},
		ecs.CreateAttachInstanceRamRoleRequest, (*ecs.Client).AttachInstanceRamRole, func(req *ecs.AttachInstanceRamRoleRequest) {
			req.InstanceIds, req.RamRoleName = jsonIDs(id), role
		})
	if err != nil || resp == nil || resp.FailCount == 0 {
		return err
	}
	for _, r := range resp.AttachInstanceRamRoleResults.AttachInstanceRamRoleResult {
		if !r.Success {
			return &APIError{Action: "AttachInstanceRamRole", Code: r.Code, Message: r.Message, RequestID: resp.RequestId, HTTPStatus: 200}
		}
	}
	return nil
}

// DetachInstanceRamRole takes the role away from the instance.
func (c *Client) DetachInstanceRamRole(ctx context.Context, id, role string) error {
	resp, err := invoke(ctx, c, call{action: "DetachInstanceRamRole", kind: kindAmbiguous, instanceID: id,
		settled: func(err error) bool { return ErrorCode(err) == codeRoleNotAttached }},
		ecs.CreateDetachInstanceRamRoleRequest, (*ecs.Client).DetachInstanceRamRole, func(req *ecs.DetachInstanceRamRoleRequest) {
			req.InstanceIds, req.RamRoleName = jsonIDs(id), role
		})
	if err != nil || resp == nil || resp.FailCount == 0 {
		return err
	}
	for _, r := range resp.DetachInstanceRamRoleResults.DetachInstanceRamRoleResult {
		if !r.Success && r.Code != codeRoleNotAttached {
			return &APIError{Action: "DetachInstanceRamRole", Code: r.Code, Message: r.Message, RequestID: resp.RequestId, HTTPStatus: 200}
		}
	}
	return nil
}

// roleBatchSize is the most instances one DescribeInstanceRamRole asks
// about: one page of the answer (each instance has at most one role), so a
// batch never pages.
const roleBatchSize = 50

// InstanceRAMRole is the RAM role of an instance, "" for none. Concurrent
// calls (the refresh of every instance that has a role) share one
// DescribeInstanceRamRole of up to 50 instances.
func (c *Client) InstanceRAMRole(ctx context.Context, id string) (string, error) {
	if c.cfg.DisableBatching || c.roleBatcher == nil {
		roles, _, err := c.describeInstanceRAMRoles(ctx, []string{id})
		return roles[id], err
	}
	role, _, _, err := c.roleBatcher.get(ctx, id)
	return role, err
}

// describeInstanceRAMRoles is the role batcher's fetch: the role of each
// instance that has one (the others are left out, as the service does).
func (c *Client) describeInstanceRAMRoles(ctx context.Context, ids []string) (map[string]string, string, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeInstanceRamRole", kind: kindRead},
		ecs.CreateDescribeInstanceRamRoleRequest, (*ecs.Client).DescribeInstanceRamRole,
		func(req *ecs.DescribeInstanceRamRoleRequest) {
			req.InstanceIds = jsonIDs(ids...)
			req.PageSize = requests.NewInteger(roleBatchSize)
		})
	if err != nil {
		return nil, "", err
	}
	found := make(map[string]string, len(ids))
	for _, s := range resp.InstanceRamRoleSets.InstanceRamRoleSet {
		found[s.InstanceId] = s.RamRoleName
	}
	return found, resp.RequestId, nil
}

func jsonIDs(ids ...string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
