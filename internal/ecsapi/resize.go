package ecsapi

import (
	"context"
	"errors"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ModifyInstanceType changes the type of a stopped pay-as-you-go instance
// (ModifyInstanceSpec). The ClientToken is required and sent on every retry,
// so a retry after a lost answer does not make a second change.
func (c *Client) ModifyInstanceType(ctx context.Context, id, instanceType, clientToken string) error {
	if clientToken == "" {
		return errors.New("ecsapi: ModifyInstanceType needs a ClientToken")
	}
	_, err := invoke(ctx, c, call{action: "ModifyInstanceSpec", kind: kindIdempotent, instanceID: id},
		ecs.CreateModifyInstanceSpecRequest, (*ecs.Client).ModifyInstanceSpec, func(req *ecs.ModifyInstanceSpecRequest) {
			req.InstanceId = id
			req.InstanceType = instanceType
			req.ClientToken = clientToken
		})
	return err
}

// ResizeDisk grows a disk to newSize GiB: online (the instance Running, the
// guest sees it at once where the category allows) or offline (the guest
// sees it after the next start). The ClientToken is required.
func (c *Client) ResizeDisk(ctx context.Context, diskID string, newSize int, online bool, clientToken string) error {
	if clientToken == "" {
		return errors.New("ecsapi: ResizeDisk needs a ClientToken")
	}
	_, err := invoke(ctx, c, call{action: "ResizeDisk", kind: kindIdempotent},
		ecs.CreateResizeDiskRequest, (*ecs.Client).ResizeDisk, func(req *ecs.ResizeDiskRequest) {
			req.DiskId = diskID
			req.NewSize = requests.NewInteger(newSize)
			req.ClientToken = clientToken
			req.Type = "offline"
			if online {
				req.Type = "online"
			}
		})
	return err
}
