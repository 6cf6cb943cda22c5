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

// DataDiskInput is a pay-as-you-go data disk to add to an instance.
type DataDiskInput struct {
	ClientToken string // required: a retry returns the disk the first attempt made
	ZoneID      string // the instance's zone
	Category    string
	Size        int    // GiB
	SnapshotID  string // "" for an empty disk
	// Name, Description, PerformanceLevel: "" = none, the service's default.
	Name, Description, PerformanceLevel string
	Encrypted                           bool
	KMSKeyID                            string // "" = the service's default key
}

// CreateDataDisk makes a pay-as-you-go data disk in a zone (CreateDisk) and
// returns its id. The disk is Available (detached) until AttachDisk.
func (c *Client) CreateDataDisk(ctx context.Context, in DataDiskInput) (string, error) {
	if in.ClientToken == "" {
		return "", errors.New("ecsapi: CreateDataDisk needs a ClientToken")
	}
	resp, err := invoke(ctx, c, call{action: "CreateDisk", kind: kindIdempotent},
		ecs.CreateCreateDiskRequest, (*ecs.Client).CreateDisk, func(req *ecs.CreateDiskRequest) {
			req.ZoneId = in.ZoneID
			req.DiskCategory = in.Category
			req.Size = requests.NewInteger(in.Size)
			req.SnapshotId = in.SnapshotID
			req.DiskName, req.Description, req.PerformanceLevel = in.Name, in.Description, in.PerformanceLevel
			if in.Encrypted {
				req.Encrypted = requests.NewBoolean(true)
				req.KMSKeyId = in.KMSKeyID
			}
			req.ClientToken = in.ClientToken
		})
	if err != nil {
		return "", err
	}
	return resp.DiskId, nil
}

// AttachDisk attaches an Available data disk to a Running or Stopped
// instance. Not retried after a transient error: a repeat of an attach that
// took effect is refused (the disk is in use), so the caller checks the
// disk's instance instead.
func (c *Client) AttachDisk(ctx context.Context, instanceID, diskID string, deleteWithInstance bool) error {
	_, err := invoke(ctx, c, call{action: "AttachDisk", kind: kindUnsafe, instanceID: instanceID},
		ecs.CreateAttachDiskRequest, (*ecs.Client).AttachDisk, func(req *ecs.AttachDiskRequest) {
			req.InstanceId = instanceID
			req.DiskId = diskID
			req.DeleteWithInstance = requests.NewBoolean(deleteWithInstance)
		})
	return err
}
