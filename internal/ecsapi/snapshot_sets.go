package ecsapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// A snapshot set is the provider's stand-in for a snapshot group when some
// disk cannot be in one (ECS groups take only cloud_essd, cloud_auto and
// cloud_essd_entry): one CreateSnapshot per disk, each snapshot tagged
// SnapshotSetTag = the set id and SnapshotSetInstanceTag = the instance.
// The set id is made by the provider, "sset-" and 20 hex digits, so it can
// never be taken for a group (ssg-) or a snapshot (s-); the service has no
// such object, so a set is read back by its tag. Every *SnapshotGroup call
// of this package accepts a set id too and answers as for a group.
const (
	SnapshotSetPrefix      = "sset-"
	SnapshotSetTag         = "aliecs:snapshot-set"
	SnapshotSetInstanceTag = "aliecs:snapshot-set-instance"
)

// IsSnapshotSetID reports whether id names a per-disk snapshot set.
func IsSnapshotSetID(id string) bool { return strings.HasPrefix(id, SnapshotSetPrefix) }

// SnapshotSetID is the set id of a CreateSnapshotSet ClientToken: the same
// token always names the same set, so a replayed create finds its set.
func SnapshotSetID(token string) string {
	sum := sha256.Sum256([]byte("set/" + token))
	return SnapshotSetPrefix + hex.EncodeToString(sum[:])[:20]
}

// diskToken is the ClientToken of one disk's CreateSnapshot in a set.
func diskToken(token, diskID string) string {
	sum := sha256.Sum256([]byte(token + "/" + diskID))
	return "sset-" + hex.EncodeToString(sum[:])[:32]
}

// CreateSnapshotSet takes one snapshot of each disk in diskIDs, all tagged
// as one set, and returns the set id. Each disk's call has its own
// ClientToken drawn from in.ClientToken, so a replay of the whole call
// (after a lost answer) makes no second snapshot of any disk. On an error
// the snapshots already made are left for the caller (DeleteSnapshotGroup
// with SnapshotSetID(token) removes them).
func (c *Client) CreateSnapshotSet(ctx context.Context, in SnapshotGroupInput, diskIDs []string) (string, error) {
	if len(diskIDs) == 0 {
		return "", errors.New("ecsapi: CreateSnapshotSet needs at least one disk")
	}
	token := in.ClientToken
	kind := kindIdempotent
	if token == "" {
		kind = kindUnsafe
		var b [16]byte
		_, _ = rand.Read(b[:])
		token = hex.EncodeToString(b[:])
	}
	setID := SnapshotSetID(token)
	tags := make(map[string]string, len(in.Tags)+2)
	for k, v := range in.Tags {
		tags[k] = v
	}
	tags[SnapshotSetTag] = setID
	tags[SnapshotSetInstanceTag] = in.InstanceID
	for _, diskID := range diskIDs {
		_, err := invoke(ctx, c, call{action: "CreateSnapshot", kind: kind},
			ecs.CreateCreateSnapshotRequest, createSnapshot, func(req *ecs.CreateSnapshotRequest) {
				if in.ClientToken != "" {
					req.ClientToken = diskToken(token, diskID)
				}
				req.DiskId = diskID
				req.SnapshotName = in.Name
				req.Description = in.Description
				req.Tag = requestTags(tags, func(k, v string) ecs.CreateSnapshotTag { return ecs.CreateSnapshotTag{Key: k, Value: v} })
			})
		if err != nil {
			return "", err
		}
	}
	return setID, nil
}

// createSnapshot sends CreateSnapshot; an answer without an id fails.
func createSnapshot(cl *ecs.Client, req *ecs.CreateSnapshotRequest) (*ecs.CreateSnapshotResponse, error) {
	resp, err := cl.CreateSnapshot(req)
	if err == nil && resp.SnapshotId == "" {
		err = &APIError{Action: "CreateSnapshot", Message: "the response names no snapshot id", RequestID: resp.RequestId}
	}
	return resp, err
}

// getSnapshotSet reads one set by its tag.
func (c *Client) getSnapshotSet(ctx context.Context, id string) (*SnapshotGroup, error) {
	sets, requestID, err := c.listSnapshotSets(ctx, id, "")
	if err != nil {
		return nil, err
	}
	if len(sets) == 0 {
		return nil, notFoundError("DescribeSnapshots", "InvalidSnapshotGroupId.NotFound", "snapshot set", id, requestID)
	}
	return &sets[0], nil
}

// listSnapshotSets reads the sets of the region (setID "" = every set;
// instanceID "" = of every instance), one DescribeSnapshots listing.
func (c *Client) listSnapshotSets(ctx context.Context, setID, instanceID string) ([]SnapshotGroup, string, error) {
	list, requestID, err := listAll(ctx, c, maxPages, "DescribeSnapshots", ecs.CreateDescribeSnapshotsRequest, (*ecs.Client).DescribeSnapshots,
		func(req *ecs.DescribeSnapshotsRequest) {
			tags := []ecs.DescribeSnapshotsTag{{Key: SnapshotSetTag, Value: setID}}
			if instanceID != "" {
				tags = append(tags, ecs.DescribeSnapshotsTag{Key: SnapshotSetInstanceTag, Value: instanceID})
			}
			req.Tag = &tags
		},
		func(resp *ecs.DescribeSnapshotsResponse) ([]ecs.Snapshot, string) {
			return resp.Snapshots.Snapshot, resp.NextToken
		})
	if err != nil {
		return nil, "", err
	}
	return snapshotSetsFrom(list), requestID, nil
}

// snapshotSetsFrom groups snapshots by their set tag, ordered by id. A set
// is failed when any of its snapshots failed, progressing while any is,
// accomplished otherwise; its name, description and creation time are its
// first snapshot's, its tags are the snapshots' without the set's own.
func snapshotSetsFrom(list []ecs.Snapshot) []SnapshotGroup {
	byID := map[string]*SnapshotGroup{}
	var order []string
	for _, raw := range list {
		tags := tagsFromSDK(raw.Tags.Tag)
		id := tags[SnapshotSetTag]
		if id == "" {
			continue
		}
		g := byID[id]
		if g == nil {
			g = &SnapshotGroup{ID: id, Name: raw.SnapshotName, Description: raw.Description,
				InstanceID: tags[SnapshotSetInstanceTag], CreationTime: raw.CreationTime, Status: SnapshotAccomplished}
			delete(tags, SnapshotSetTag)
			delete(tags, SnapshotSetInstanceTag)
			g.Tags = tags
			byID[id] = g
			order = append(order, id)
		}
		if raw.CreationTime < g.CreationTime {
			g.CreationTime = raw.CreationTime
		}
		s := Snapshot{ID: raw.SnapshotId, SourceDiskID: raw.SourceDiskId, SourceDiskType: raw.SourceDiskType,
			Progress: raw.Progress, Status: raw.Status, RetentionDays: raw.RetentionDays}
		s.SourceDiskSize, _ = strconv.Atoi(raw.SourceDiskSize)
		g.Snapshots = append(g.Snapshots, s)
		switch {
		case raw.Status == SnapshotFailed:
			g.Status = SnapshotFailed
		case raw.Status != SnapshotAccomplished && g.Status != SnapshotFailed:
			g.Status = SnapshotProgressing
		}
	}
	sort.Strings(order)
	out := make([]SnapshotGroup, 0, len(order))
	for _, id := range order {
		g := byID[id]
		// The system disk first, as a group lists it, then by disk id: the
		// order in which DescribeSnapshots lists them is not documented, and
		// the provider's restore facts rely on a fixed order.
		sort.Slice(g.Snapshots, func(i, j int) bool {
			a, b := g.Snapshots[i], g.Snapshots[j]
			if (a.SourceDiskType == "system") != (b.SourceDiskType == "system") {
				return a.SourceDiskType == "system"
			}
			return a.SourceDiskID < b.SourceDiskID
		})
		out = append(out, *g)
	}
	return out
}

// deleteSnapshotSet deletes every snapshot of a set. A snapshot the service
// keeps (an image uses it, a disk was made from it) is returned, as
// DeleteSnapshotGroup does; a set already gone is NotFound.
func (c *Client) deleteSnapshotSet(ctx context.Context, id string) ([]SnapshotNotDeleted, error) {
	g, err := c.getSnapshotSet(ctx, id)
	if err != nil {
		return nil, err
	}
	var kept []SnapshotNotDeleted
	for _, s := range g.Snapshots {
		_, err := invoke(ctx, c, call{action: "DeleteSnapshot", kind: kindAmbiguous, settled: IsNotFound},
			ecs.CreateDeleteSnapshotRequest, (*ecs.Client).DeleteSnapshot,
			func(req *ecs.DeleteSnapshotRequest) { req.SnapshotId = s.ID })
		var ae *APIError
		switch {
		case err == nil || IsNotFound(err):
		case errors.As(err, &ae) && (ae.Code == "SnapshotCreatedImage" || ae.Code == "SnapshotCreatedDisk"):
			kept = append(kept, SnapshotNotDeleted{SnapshotID: s.ID, Code: ae.Code, Message: ae.Message})
			// Untag it, so the set reads as gone and the snapshot is
			// plainly the user's, as a group's kept snapshots are.
			_ = c.updateTags(ctx, "snapshot", s.ID, nil, []string{SnapshotSetTag, SnapshotSetInstanceTag})
		default:
			return kept, err
		}
	}
	return kept, nil
}

// modifySnapshotSet renames or re-describes each snapshot of a set.
func (c *Client) modifySnapshotSet(ctx context.Context, id string, name, description *string) error {
	g, err := c.getSnapshotSet(ctx, id)
	if err != nil {
		return err
	}
	for _, s := range g.Snapshots {
		if err := c.ModifySnapshotAttribute(ctx, s.ID, ModifySnapshotInput{Name: name, Description: description}); err != nil {
			return err
		}
	}
	return nil
}

// updateSnapshotSetTags changes the tags of each snapshot of a set.
func (c *Client) updateSnapshotSetTags(ctx context.Context, id string, set map[string]string, remove []string) error {
	g, err := c.getSnapshotSet(ctx, id)
	if err != nil {
		return err
	}
	for _, s := range g.Snapshots {
		if err := c.updateTags(ctx, "snapshot", s.ID, set, remove); err != nil {
			return err
		}
	}
	return nil
}

// listSnapshotSetsFiltered applies a group filter to sets: ids (only these,
// when the filter names ids), instance, name and status.
func (c *Client) listSnapshotSetsFiltered(ctx context.Context, f SnapshotGroupFilter, ids []string) ([]SnapshotGroup, error) {
	if len(f.IDs) > 0 && len(ids) == 0 {
		return nil, nil
	}
	var all []SnapshotGroup
	if len(ids) == 0 {
		sets, _, err := c.listSnapshotSets(ctx, "", f.InstanceID)
		if err != nil {
			return nil, err
		}
		all = sets
	}
	for _, id := range ids {
		sets, _, err := c.listSnapshotSets(ctx, id, f.InstanceID)
		if err != nil {
			return nil, err
		}
		all = append(all, sets...)
	}
	out := all[:0]
	for _, g := range all {
		if f.Name != "" && g.Name != f.Name {
			continue
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, g.Status) {
			continue
		}
		out = append(out, g)
	}
	return out, nil
}
