package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// imageStatusesAll is every DescribeImages status, so that a Creating or a
// failed image is listed too (without Status only Available ones are).
const imageStatusesAll = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// imageNotFoundCode is what DeleteImage and RunInstances answer for an
// unknown image. It is not in notFoundCodes: on RunInstances it is bad
// input, not a resource that has gone.
const imageNotFoundCode = "InvalidImageId.NotFound"

// CreateImage makes a custom image from a system-disk snapshot and returns
// its id. The ClientToken is required, so a retry after a lost answer
// returns the image the first attempt made.
func (c *Client) CreateImage(ctx context.Context, in ImageInput) (string, error) {
	if in.ClientToken == "" {
		return "", errors.New("ecsapi: CreateImage needs a ClientToken so that retries cannot create a second image")
	}
	resp, err := invoke(ctx, c, call{action: "CreateImage", kind: kindIdempotent},
		ecs.CreateCreateImageRequest, createImage, func(req *ecs.CreateImageRequest) {
			req.ClientToken = in.ClientToken
			req.SnapshotId = in.SnapshotID
			req.ImageName = in.Name
			req.Description = in.Description
			req.Tag = requestTags(in.Tags, func(k, v string) ecs.CreateImageTag { return ecs.CreateImageTag{Key: k, Value: v} })
		})
	if err != nil {
		return "", err
	}
	return resp.ImageId, nil
}

func createImage(cl *ecs.Client, req *ecs.CreateImageRequest) (*ecs.CreateImageResponse, error) {
	resp, err := cl.CreateImage(req)
	if err == nil && resp.ImageId == "" {
		err = &APIError{Action: "CreateImage", Message: "the response names no image id", RequestID: resp.RequestId}
	}
	return resp, err
}

// GetImage returns an image in any status, or an error that IsNotFound
// recognises when DescribeImages does not return it.
func (c *Client) GetImage(ctx context.Context, id string) (*Image, error) {
	if id == "" {
		return nil, errors.New("ecsapi: GetImage needs an image id")
	}
	images, requestID, err := c.describeImages(ctx, func(req *ecs.DescribeImagesRequest) { req.ImageId = id })
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		if im.ID == id {
			return &im, nil
		}
	}
	return nil, notFoundError("DescribeImages", "InvalidImageId.NotFound", "image", id, requestID)
}

// ListImages returns the account's custom images (ImageOwnerAlias self) in
// any status that carry every tag of the filter.
func (c *Client) ListImages(ctx context.Context, f ImageFilter) ([]Image, error) {
	images, _, err := c.describeImages(ctx, func(req *ecs.DescribeImagesRequest) {
		req.ImageOwnerAlias = "self"
		req.Tag = requestTags(f.Tags, func(k, v string) ecs.DescribeImagesTag { return ecs.DescribeImagesTag{Key: k, Value: v} })
	})
	return images, err
}

// describeImages reads every page of DescribeImages, which pages by number.
func (c *Client) describeImages(ctx context.Context, fill func(*ecs.DescribeImagesRequest)) ([]Image, string, error) {
	var (
		all       []Image
		requestID string
	)
	for page := 1; page <= maxPages; page++ {
		resp, err := invoke(ctx, c, call{action: "DescribeImages", kind: kindRead},
			ecs.CreateDescribeImagesRequest, (*ecs.Client).DescribeImages, func(req *ecs.DescribeImagesRequest) {
				fill(req)
				req.Status = imageStatusesAll
				req.PageNumber = requests.NewInteger(page)
				req.PageSize = requests.NewInteger(pageSize)
			})
		if err != nil {
			return nil, "", err
		}
		if requestID == "" {
			requestID = resp.RequestId
		}
		for _, raw := range resp.Images.Image {
			all = append(all, imageFromSDK(raw))
		}
		if len(resp.Images.Image) < pageSize || len(all) >= resp.TotalCount {
			break
		}
	}
	return all, requestID, nil
}

func imageFromSDK(raw ecs.Image) Image {
	im := Image{
		ID: raw.ImageId, Name: raw.ImageName, Status: raw.Status, Progress: raw.Progress,
		Owner: raw.ImageOwnerAlias, Size: raw.Size, OSType: raw.OSType, Tags: map[string]string{},
	}
	for _, t := range raw.Tags.Tag {
		im.Tags[t.TagKey] = t.TagValue
	}
	for _, m := range raw.DiskDeviceMappings.DiskDeviceMapping {
		if m.SnapshotId == "" {
			continue
		}
		if m.Type == "system" {
			im.SnapshotIDs = append([]string{m.SnapshotId}, im.SnapshotIDs...)
		} else {
			im.SnapshotIDs = append(im.SnapshotIDs, m.SnapshotId)
		}
	}
	return im
}

// DeleteImage deletes a custom image; force deletes it even while
// instances use it (they then cannot re-initialise their system disk from
// it). An image that does not exist (any more) counts as deleted.
func (c *Client) DeleteImage(ctx context.Context, id string, force bool) error {
	gone := func(err error) bool { return ErrorCode(err) == imageNotFoundCode }
	_, err := invoke(ctx, c, call{action: "DeleteImage", kind: kindAmbiguous, settled: gone},
		ecs.CreateDeleteImageRequest, (*ecs.Client).DeleteImage, func(req *ecs.DeleteImageRequest) {
			req.ImageId = id
			if force {
				req.Force = requests.NewBoolean(true)
			}
		})
	if gone(err) {
		return nil
	}
	return err
}

// ImageFailedError reports an image that ended in CreateFailed.
type ImageFailedError struct{ ImageID string }

func (e *ImageFailedError) Error() string {
	return fmt.Sprintf("image %s failed (CreateFailed)", e.ImageID)
}

// WaitImageAvailable waits until the image is Available. An image that
// fails returns an *ImageFailedError at once; one that disappears a
// not-found error.
func (c *Client) WaitImageAvailable(ctx context.Context, id string) (*Image, error) {
	return waitFor(ctx, c, waitSpec[*Image]{
		what: fmt.Sprintf("image %s to be Available", id),
		poll: func(ctx context.Context) (pollResult[*Image], error) {
			im, err := c.GetImage(ctx, id)
			if IsNotFound(err) {
				return pollResult[*Image]{gone: true}, nil
			}
			if err != nil {
				return pollResult[*Image]{}, err
			}
			return pollResult[*Image]{value: im, status: im.Status}, nil
		},
		done:     func(r pollResult[*Image]) bool { return !r.gone && r.status == ImageAvailable },
		progress: func(im *Image) string { return im.Progress },
		fail: func(r pollResult[*Image]) error {
			switch {
			case r.gone:
				return notFoundError("DescribeImages", "InvalidImageId.NotFound", "image", id, "")
			case r.status == ImageCreateFailed || r.status == "UnAvailable":
				return &ImageFailedError{ImageID: id}
			}
			return nil
		},
	})
}

// GetSnapshot returns one disk snapshot, or an error that IsNotFound
// recognises.
func (c *Client) GetSnapshot(ctx context.Context, id string) (*Snapshot, error) {
	if id == "" {
		return nil, errors.New("ecsapi: GetSnapshot needs a snapshot id")
	}
	list, requestID, err := listAll(ctx, c, 1, "DescribeSnapshots", ecs.CreateDescribeSnapshotsRequest, (*ecs.Client).DescribeSnapshots,
		func(req *ecs.DescribeSnapshotsRequest) { req.SnapshotIds = `["` + id + `"]` },
		func(resp *ecs.DescribeSnapshotsResponse) ([]ecs.Snapshot, string) { return resp.Snapshots.Snapshot, "" })
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.SnapshotId == id {
			size, _ := strconv.Atoi(s.SourceDiskSize)
			return &Snapshot{ID: s.SnapshotId, SourceDiskID: s.SourceDiskId, SourceDiskType: strings.ToLower(s.SourceDiskType),
				SourceDiskSize: size, Progress: s.Progress, Status: s.Status, RetentionDays: s.RetentionDays}, nil
		}
	}
	return nil, notFoundError("DescribeSnapshots", "InvalidSnapshotId.NotFound", "snapshot", id, requestID)
}
