package ecsapi

import (
	"context"
	"errors"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ListDisks returns every disk attached to the instance (every page).
func (c *Client) ListDisks(ctx context.Context, instanceID string) ([]Disk, error) {
	if instanceID == "" {
		// Without the filter DescribeDisks would list every disk of the region.
		return nil, errors.New("ecsapi: ListDisks needs an instance id")
	}
	disks, _, err := pageThrough(maxPages, func(nextToken string) ([]Disk, string, string, error) {
		var resp *ecs.DescribeDisksResponse
		err := c.do(ctx, call{action: "DescribeDisks", kind: kindRead}, func(cl *ecs.Client) (string, error) {
			req := ecs.CreateDescribeDisksRequest()
			c.prepare(req)
			req.InstanceId = instanceID
			req.MaxResults = requests.NewInteger(pageSize)
			req.NextToken = nextToken
			var err error
			if resp, err = cl.DescribeDisks(req); err != nil {
				return "", err
			}
			return resp.RequestId, nil
		})
		if err != nil {
			return nil, "", "", err
		}
		items := make([]Disk, 0, len(resp.Disks.Disk))
		for _, d := range resp.Disks.Disk {
			items = append(items, Disk{
				ID:         d.DiskId,
				InstanceID: d.InstanceId,
				Type:       d.Type,
				Category:   d.Category,
				Size:       d.Size,
				Status:     d.Status,
				Device:     d.Device,

				DeleteWithInstance: d.DeleteWithInstance,
			})
		}
		return items, resp.NextToken, resp.RequestId, nil
	})
	return disks, err
}

// GetUserData returns an instance's user data as stored (base64), "" when it
// has none. DescribeUserData takes one instance per call, so it is for
// imports, never for every refresh.
func (c *Client) GetUserData(ctx context.Context, instanceID string) (string, error) {
	var out string
	err := c.do(ctx, call{action: "DescribeUserData", kind: kindRead}, func(cl *ecs.Client) (string, error) {
		req := ecs.CreateDescribeUserDataRequest()
		c.prepare(req)
		req.InstanceId = instanceID
		resp, err := cl.DescribeUserData(req)
		if err != nil {
			return "", err
		}
		out = resp.UserData
		return resp.RequestId, nil
	})
	return out, err
}
