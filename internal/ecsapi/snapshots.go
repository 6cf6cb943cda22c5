package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// maxSnapshotIDs is DescribeSnapshots' limit on SnapshotIds.
const maxSnapshotIDs = 100

// CreateSnapshotGroup snapshots an instance's disks and returns the group
// id. With a ClientToken a lost answer is retried safely; without one,
// transient errors are not retried (a repeat could make a second group).
func (c *Client) CreateSnapshotGroup(ctx context.Context, in SnapshotGroupInput) (string, error) {
	kind := kindIdempotent
	if in.ClientToken == "" {
		kind = kindUnsafe
	}
	resp, err := invoke(ctx, c, call{action: "CreateSnapshotGroup", kind: kind},
		ecs.CreateCreateSnapshotGroupRequest, createSnapshotGroup, func(req *ecs.CreateSnapshotGroupRequest) {
			req.ClientToken = in.ClientToken
			req.InstanceId = in.InstanceID
			if len(in.DiskIDs) > 0 {
				disks := append([]string(nil), in.DiskIDs...)
				req.DiskId = &disks
			}
			req.Name = in.Name
			req.Description = in.Description
			req.Tag = requestTags(in.Tags, func(k, v string) ecs.CreateSnapshotGroupTag { return ecs.CreateSnapshotGroupTag{Key: k, Value: v} })
		})
	if err != nil {
		return "", err
	}
	return resp.SnapshotGroupId, nil
}

// createSnapshotGroup sends CreateSnapshotGroup. An answer that names no
// group fails the attempt (it is logged as such and not retried).
func createSnapshotGroup(cl *ecs.Client, req *ecs.CreateSnapshotGroupRequest) (*ecs.CreateSnapshotGroupResponse, error) {
	resp, err := cl.CreateSnapshotGroup(req)
	if err == nil && resp.SnapshotGroupId == "" {
		err = &APIError{Action: "CreateSnapshotGroup", Message: "the response names no snapshot group id", RequestID: resp.RequestId}
	}
	return resp, err
}

// GetSnapshotGroup returns the group with each snapshot's size, retention
// and status filled in from DescribeSnapshots, or an error that IsNotFound
// recognises. Concurrent calls are batched (up to 10 groups a call).
func (c *Client) GetSnapshotGroup(ctx context.Context, id string) (*SnapshotGroup, error) {
	if id == "" {
		return nil, errors.New("ecsapi: GetSnapshotGroup needs a snapshot group id")
	}
	if IsSnapshotSetID(id) {
		return c.getSnapshotSet(ctx, id)
	}
	if strings.HasPrefix(id, "s-") {
		return c.snapshotAsGroup(ctx, id)
	}
	var (
		found     map[string]SnapshotGroup
		requestID string
		err       error
	)
	if c.cfg.DisableBatching {
		found, requestID, err = c.describeSnapshotGroupsByID(ctx, []string{id})
	} else {
		var g SnapshotGroup
		var ok bool
		g, ok, requestID, err = c.groupBatcher.get(ctx, id)
		if err == nil && ok {
			g.Snapshots = append([]Snapshot(nil), g.Snapshots...) // callers may share a batch
			g.Tags = maps.Clone(g.Tags)
			return &g, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if g, ok := found[id]; ok {
		return &g, nil
	}
	return nil, notFoundError("DescribeSnapshotGroups", "InvalidSnapshotGroupId.NotFound", "snapshot group", id, requestID)
}

// snapshotAsGroup reads one disk snapshot (s-…, such as an automatic
// snapshot of a system disk) as a group of one, so that a restore can start
// from it; a missing snapshot is NotFound.
func (c *Client) snapshotAsGroup(ctx context.Context, id string) (*SnapshotGroup, error) {
	s, err := c.GetSnapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	return &SnapshotGroup{ID: id, Status: s.Status, Snapshots: []Snapshot{*s}}, nil
}

// describeSnapshotGroupsByID is the batch read for ≤10 group ids.
func (c *Client) describeSnapshotGroupsByID(ctx context.Context, ids []string) (map[string]SnapshotGroup, string, error) {
	c.logBatch(ctx, "DescribeSnapshotGroups", len(ids))
	groups, requestID, err := c.describeSnapshotGroups(ctx, func(req *ecs.DescribeSnapshotGroupsRequest) {
		list := append([]string(nil), ids...)
		req.SnapshotGroupId = &list
	})
	if err != nil {
		return nil, "", err
	}
	if err := c.fillSnapshotDetails(ctx, groups); err != nil {
		return nil, "", err
	}
	found := make(map[string]SnapshotGroup, len(groups))
	for _, g := range groups {
		found[g.ID] = g
	}
	return found, requestID, nil
}

// ListSnapshotGroups returns every group that matches the filter, with
// snapshot details filled in.
func (c *Client) ListSnapshotGroups(ctx context.Context, f SnapshotGroupFilter) ([]SnapshotGroup, error) {
	setFilter := func(req *ecs.DescribeSnapshotGroupsRequest) {
		req.InstanceId = f.InstanceID
		req.Name = f.Name
		if len(f.Statuses) > 0 {
			statuses := append([]string(nil), f.Statuses...)
			req.Status = &statuses
		}
	}
	var groupIDs, setIDs []string
	for _, id := range f.IDs {
		if IsSnapshotSetID(id) {
			setIDs = append(setIDs, id)
		} else {
			groupIDs = append(groupIDs, id)
		}
	}
	sets, err := c.listSnapshotSetsFiltered(ctx, f, setIDs)
	if err != nil {
		return nil, err
	}
	if len(f.IDs) > 0 && len(groupIDs) == 0 {
		return sets, nil
	}
	f.IDs = groupIDs
	var all []SnapshotGroup
	if len(f.IDs) == 0 {
		groups, _, err := c.describeSnapshotGroups(ctx, setFilter)
		if err != nil {
			return nil, err
		}
		all = groups
	}
	for _, chunk := range chunks(f.IDs, MaxSnapshotGroupBatch) {
		groups, _, err := c.describeSnapshotGroups(ctx, func(req *ecs.DescribeSnapshotGroupsRequest) {
			setFilter(req)
			list := append([]string(nil), chunk...)
			req.SnapshotGroupId = &list
		})
		if err != nil {
			return nil, err
		}
		all = append(all, groups...)
	}
	if err := c.fillSnapshotDetails(ctx, all); err != nil {
		return nil, err
	}
	return append(all, sets...), nil
}

// describeSnapshotGroups reads every page of DescribeSnapshotGroups.
func (c *Client) describeSnapshotGroups(ctx context.Context, fill func(*ecs.DescribeSnapshotGroupsRequest)) ([]SnapshotGroup, string, error) {
	return listAll(ctx, c, maxPages, "DescribeSnapshotGroups", ecs.CreateDescribeSnapshotGroupsRequest, (*ecs.Client).DescribeSnapshotGroups, fill,
		func(resp *ecs.DescribeSnapshotGroupsResponse) ([]SnapshotGroup, string) {
			items := make([]SnapshotGroup, 0, len(resp.SnapshotGroups.SnapshotGroup))
			for _, raw := range resp.SnapshotGroups.SnapshotGroup {
				items = append(items, snapshotGroupFromSDK(raw))
			}
			return items, resp.NextToken
		})
}

// fillSnapshotDetails completes the groups' snapshots from DescribeSnapshots
// (the group call has no size, retention or status per snapshot).
func (c *Client) fillSnapshotDetails(ctx context.Context, groups []SnapshotGroup) error {
	var ids []string
	for _, g := range groups {
		for _, s := range g.Snapshots {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	details := make(map[string]ecs.Snapshot, len(ids))
	for _, chunk := range chunks(ids, maxSnapshotIDs) {
		idsJSON, _ := json.Marshal(chunk)
		list, _, err := listAll(ctx, c, maxPages, "DescribeSnapshots", ecs.CreateDescribeSnapshotsRequest, (*ecs.Client).DescribeSnapshots,
			func(req *ecs.DescribeSnapshotsRequest) { req.SnapshotIds = string(idsJSON) },
			func(resp *ecs.DescribeSnapshotsResponse) ([]ecs.Snapshot, string) {
				return resp.Snapshots.Snapshot, resp.NextToken
			})
		if err != nil {
			return err
		}
		for _, sn := range list {
			details[sn.SnapshotId] = sn
		}
	}
	for gi := range groups {
		for si := range groups[gi].Snapshots {
			s := &groups[gi].Snapshots[si]
			d, ok := details[s.ID]
			if !ok {
				continue
			}
			s.SourceDiskSize, _ = strconv.Atoi(d.SourceDiskSize)
			s.RetentionDays = d.RetentionDays
			s.Status = d.Status
			if s.Progress == "" {
				s.Progress = d.Progress
			}
			if s.SourceDiskID == "" {
				s.SourceDiskID = d.SourceDiskId
			}
			if s.SourceDiskType == "" {
				s.SourceDiskType = d.SourceDiskType
			}
		}
	}
	return nil
}

// ModifySnapshotGroup changes the name and/or description; nil leaves a
// field alone, "" clears it. With both nil it makes no call.
func (c *Client) ModifySnapshotGroup(ctx context.Context, id string, name, description *string) error {
	if name == nil && description == nil {
		return nil
	}
	if IsSnapshotSetID(id) {
		return c.modifySnapshotSet(ctx, id, name, description)
	}
	_, err := invoke(ctx, c, call{action: "ModifySnapshotGroup", kind: kindIdempotent},
		ecs.CreateModifySnapshotGroupRequest, (*ecs.Client).ModifySnapshotGroup, func(req *ecs.ModifySnapshotGroupRequest) {
			req.SnapshotGroupId = id
			q := req.GetQueryParams()
			setOptional(q, "Name", name)
			setOptional(q, "Description", description)
		})
	return err
}

// ModifySnapshotAttribute changes one snapshot's non-nil fields.
func (c *Client) ModifySnapshotAttribute(ctx context.Context, snapshotID string, in ModifySnapshotInput) error {
	if in.Name == nil && in.Description == nil && in.RetentionDays == nil {
		return nil
	}
	_, err := invoke(ctx, c, call{action: "ModifySnapshotAttribute", kind: kindIdempotent},
		ecs.CreateModifySnapshotAttributeRequest, (*ecs.Client).ModifySnapshotAttribute, func(req *ecs.ModifySnapshotAttributeRequest) {
			req.SnapshotId = snapshotID
			q := req.GetQueryParams()
			setOptional(q, "SnapshotName", in.Name)
			setOptional(q, "Description", in.Description)
			if in.RetentionDays != nil {
				req.RetentionDays = requests.NewInteger(*in.RetentionDays)
			}
		})
	return err
}

// DeleteSnapshotGroup deletes a group and its snapshots. A retry after a
// lost answer that finds the group gone counts as success. The service
// deletes the group even when it cannot delete some of its snapshots (an
// image uses one, a disk was created from one): those are kept, orphaned
// and still billed, and returned with the service's reason.
func (c *Client) DeleteSnapshotGroup(ctx context.Context, id string) ([]SnapshotNotDeleted, error) {
	if IsSnapshotSetID(id) {
		return c.deleteSnapshotSet(ctx, id)
	}
	resp, err := invoke(ctx, c, call{action: "DeleteSnapshotGroup", kind: kindAmbiguous, settled: IsNotFound},
		ecs.CreateDeleteSnapshotGroupRequest, (*ecs.Client).DeleteSnapshotGroup,
		func(req *ecs.DeleteSnapshotGroupRequest) { req.SnapshotGroupId = id })
	if err != nil || resp == nil {
		return nil, err
	}
	var kept []SnapshotNotDeleted
	for _, p := range resp.OperationProgressSet.OperationProgress {
		if p.ErrorCode == "" && strings.EqualFold(p.OperationStatus, "Success") {
			continue
		}
		for _, item := range p.RelatedItemSet.RelatedItem {
			if item.Name == "SnapshotId" {
				kept = append(kept, SnapshotNotDeleted{SnapshotID: item.Value, Code: p.ErrorCode, Message: p.ErrorMsg})
			}
		}
	}
	return kept, nil
}

func snapshotGroupFromSDK(raw ecs.SnapshotGroup) SnapshotGroup {
	g := SnapshotGroup{
		ID:           raw.SnapshotGroupId,
		Name:         raw.Name,
		Description:  raw.Description,
		InstanceID:   raw.InstanceId,
		Status:       raw.Status,
		CreationTime: raw.CreationTime,
		Tags:         tagsFromSDK(raw.Tags.Tag),
	}
	for _, s := range raw.Snapshots.Snapshot {
		g.Snapshots = append(g.Snapshots, Snapshot{
			ID:             s.SnapshotId,
			SourceDiskID:   s.SourceDiskId,
			SourceDiskType: s.SourceDiskType,
			Progress:       s.Progress,
			Status:         s.Status,
			RetentionDays:  s.RetentionDays,
		})
	}
	return g
}
