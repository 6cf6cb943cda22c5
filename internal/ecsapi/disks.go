package ecsapi

import (
	"context"
	"errors"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ListDisks returns every disk attached to the instance (every page), never
// nil. Concurrent calls may be answered by one listing of the region's
// disks (disk_batch.go).
func (c *Client) ListDisks(ctx context.Context, instanceID string) ([]Disk, error) {
	return c.listDisks(ctx, c.diskBatcher, c.allDisks, instanceID)
}

// ListKeptDisks returns the disks of the instance that its release leaves
// behind: its data disks with DeleteWithInstance off, never nil. It is what
// a release decides by (how to stop the machine, which disks to warn
// about). Concurrent calls are answered by one listing of the region's
// kept disks, which is short (usually one page) however many instances ask:
// a destroy of many machines reads it once per batch, where listing every
// disk of the region cost a page per 100 disks.
func (c *Client) ListKeptDisks(ctx context.Context, instanceID string) ([]Disk, error) {
	return c.listDisks(ctx, c.keptDiskBatcher, c.keptDisks, instanceID)
}

func (c *Client) listDisks(ctx context.Context, batcher *batcher[diskRead], q diskQuery, instanceID string) ([]Disk, error) {
	if instanceID == "" {
		// Without the filter DescribeDisks would list every disk of the region.
		return nil, errors.New("ecsapi: ListDisks needs an instance id")
	}
	var read diskRead
	var err error
	if c.cfg.DisableBatching {
		read.disks, err = c.listInstanceDisks(ctx, q, instanceID)
	} else if read, _, _, err = batcher.get(ctx, instanceID); err == nil {
		err = read.err
	}
	if err != nil {
		return nil, err
	}
	// Callers asking for the same instance share one slice: give each its own.
	return append([]Disk{}, read.disks...), nil
}

// listInstanceDisks is one instance's DescribeDisks (InstanceId and the
// query's filters).
func (c *Client) listInstanceDisks(ctx context.Context, q diskQuery, instanceID string) ([]Disk, error) {
	disks, _, err := listAll(ctx, c, maxPages, "DescribeDisks", ecs.CreateDescribeDisksRequest, (*ecs.Client).DescribeDisks,
		func(req *ecs.DescribeDisksRequest) {
			q.fill(req)
			req.InstanceId = instanceID
		}, splitDisks)
	return disks, err
}

func splitDisks(resp *ecs.DescribeDisksResponse) ([]Disk, string) {
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

			Name:             d.DiskName,
			Description:      d.Description,
			PerformanceLevel: d.PerformanceLevel,

			DeleteWithInstance:   d.DeleteWithInstance,
			DeleteAutoSnapshot:   d.DeleteAutoSnapshot,
			AutoSnapshotPolicyID: d.AutoSnapshotPolicyId,
			ImageID:              d.ImageId,
			SourceSnapshotID:     d.SourceSnapshotId,
			Encrypted:            d.Encrypted,
			KMSKeyID:             d.KMSKeyId,
		})
	}
	return items, resp.NextToken
}

// GetUserData returns an instance's user data as stored (base64), "" when it
// has none. DescribeUserData takes one instance per call, so it is for
// imports, never for every refresh.
func (c *Client) GetUserData(ctx context.Context, instanceID string) (string, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeUserData", kind: kindRead},
		ecs.CreateDescribeUserDataRequest, (*ecs.Client).DescribeUserData,
		func(req *ecs.DescribeUserDataRequest) { req.InstanceId = instanceID })
	if err != nil {
		return "", err
	}
	return resp.UserData, nil
}

// ModifyDiskAttribute sets a disk's name and description (nil leaves one
// alone); setting them again is harmless.
func (c *Client) ModifyDiskAttribute(ctx context.Context, diskID string, name, description *string) error {
	if name == nil && description == nil {
		return nil
	}
	_, err := invoke(ctx, c, call{action: "ModifyDiskAttribute", kind: kindIdempotent},
		ecs.CreateModifyDiskAttributeRequest, (*ecs.Client).ModifyDiskAttribute, func(req *ecs.ModifyDiskAttributeRequest) {
			req.DiskId = diskID
			q := req.GetQueryParams()
			setOptional(q, "DiskName", name)
			setOptional(q, "Description", description)
		})
	return err
}

// ModifyDiskPerformanceLevel changes an ESSD disk's performance level
// (ModifyDiskSpec) online; asking for the level it has again is harmless.
func (c *Client) ModifyDiskPerformanceLevel(ctx context.Context, diskID, level string) error {
	_, err := invoke(ctx, c, call{action: "ModifyDiskSpec", kind: kindIdempotent},
		ecs.CreateModifyDiskSpecRequest, (*ecs.Client).ModifyDiskSpec, func(req *ecs.ModifyDiskSpecRequest) {
			req.DiskId, req.PerformanceLevel = diskID, level
		})
	return err
}
