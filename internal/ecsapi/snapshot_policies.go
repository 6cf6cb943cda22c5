package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Automatic snapshot policies. The service documents the parameters of
// these actions in lower camel case (timePoints, repeatWeekdays,
// retentionDays, autoSnapshotPolicyId, diskIds), and the SDK sends them so;
// the lists are JSON arrays of strings, e.g. timePoints ["1","22"], read in
// UTC+8. A disk has one policy: applying another replaces it.

// maxPolicyDisks is how many disk ids one Apply/Cancel call carries. The
// documents give no limit (unverified); 100 is the limit of every other
// JSON-array parameter of the API.
const maxPolicyDisks = 100

// SnapshotPolicy is an automatic snapshot policy as DescribeAutoSnapshotPolicyEx reports it.
type SnapshotPolicy struct {
	ID             string
	Name           string
	TimePoints     []int // hours of the day, UTC+8, sorted
	RepeatWeekdays []int // 1 = Monday … 7 = Sunday, sorted
	RetentionDays  int   // -1 = kept until deleted
	DiskCount      int
	Status         string
	CreationTime   string
	Tags           map[string]string
}

// SnapshotPolicyInput creates a policy.
type SnapshotPolicyInput struct {
	Name           string
	TimePoints     []int
	RepeatWeekdays []int
	RetentionDays  int
	Tags           map[string]string
}

// ModifySnapshotPolicyInput changes a policy in place; nil fields are left alone.
type ModifySnapshotPolicyInput struct {
	Name           *string
	TimePoints     []int
	RepeatWeekdays []int
	RetentionDays  *int
}

// AutoSnapshot is one automatic snapshot (SnapshotType auto).
type AutoSnapshot struct {
	ID             string
	PolicyID       string
	SourceDiskID   string
	SourceDiskType string
	SourceDiskSize int
	Status         string
	CreationTime   string
	RetentionDays  int
}

// intsJSON writes a list as the service wants it: a JSON array of strings.
func intsJSON(list []int) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = strconv.Itoa(v)
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// parseInts reads a list the service wrote: a JSON array of strings or
// numbers, or a comma-separated list (the answer's format is not
// documented). Sorted; unreadable entries are skipped.
func parseInts(v string) []int {
	v = strings.TrimSpace(v)
	var items []string
	var raw []json.RawMessage
	if json.Unmarshal([]byte(v), &raw) == nil {
		for _, r := range raw {
			items = append(items, strings.Trim(string(r), `"`))
		}
	} else {
		items = strings.Split(v, ",")
	}
	out := []int{}
	for _, it := range items {
		if n, err := strconv.Atoi(strings.TrimSpace(it)); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// CreateSnapshotPolicy creates a policy and returns its id. The action has
// no ClientToken, so transient errors are not retried (a repeat could make
// a second policy).
func (c *Client) CreateSnapshotPolicy(ctx context.Context, in SnapshotPolicyInput) (string, error) {
	resp, err := invoke(ctx, c, call{action: "CreateAutoSnapshotPolicy", kind: kindUnsafe},
		ecs.CreateCreateAutoSnapshotPolicyRequest, createAutoSnapshotPolicy, func(req *ecs.CreateAutoSnapshotPolicyRequest) {
			req.AutoSnapshotPolicyName = in.Name
			req.TimePoints = intsJSON(in.TimePoints)
			req.RepeatWeekdays = intsJSON(in.RepeatWeekdays)
			req.RetentionDays = requests.NewInteger(in.RetentionDays)
			req.Tag = requestTags(in.Tags, func(k, v string) ecs.CreateAutoSnapshotPolicyTag {
				return ecs.CreateAutoSnapshotPolicyTag{Key: k, Value: v}
			})
		})
	if err != nil {
		return "", err
	}
	return resp.AutoSnapshotPolicyId, nil
}

func createAutoSnapshotPolicy(cl *ecs.Client, req *ecs.CreateAutoSnapshotPolicyRequest) (*ecs.CreateAutoSnapshotPolicyResponse, error) {
	resp, err := cl.CreateAutoSnapshotPolicy(req)
	if err == nil && resp.AutoSnapshotPolicyId == "" {
		err = &APIError{Action: "CreateAutoSnapshotPolicy", Message: "the response names no policy id", RequestID: resp.RequestId}
	}
	return resp, err
}

// GetSnapshotPolicy reads one policy, or an error that IsNotFound recognises.
func (c *Client) GetSnapshotPolicy(ctx context.Context, id string) (*SnapshotPolicy, error) {
	if id == "" {
		return nil, errors.New("ecsapi: GetSnapshotPolicy needs a policy id")
	}
	list, requestID, err := c.describeSnapshotPolicies(ctx, func(req *ecs.DescribeAutoSnapshotPolicyExRequest) { req.AutoSnapshotPolicyId = id })
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, notFoundError("DescribeAutoSnapshotPolicyEx", "InvalidAutoSnapshotPolicyId.NotFound", "automatic snapshot policy", id, requestID)
}

// FindSnapshotPolicies returns the policies named name (names need not be unique).
func (c *Client) FindSnapshotPolicies(ctx context.Context, name string) ([]SnapshotPolicy, error) {
	list, _, err := c.describeSnapshotPolicies(ctx, func(req *ecs.DescribeAutoSnapshotPolicyExRequest) { req.AutoSnapshotPolicyName = name })
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, p := range list {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out, nil
}

// describeSnapshotPolicies reads DescribeAutoSnapshotPolicyEx page by page
// (PageNumber/PageSize: the action's documented paging).
func (c *Client) describeSnapshotPolicies(ctx context.Context, fill func(*ecs.DescribeAutoSnapshotPolicyExRequest)) ([]SnapshotPolicy, string, error) {
	var all []SnapshotPolicy
	requestID := ""
	for page := 1; page <= maxPages; page++ {
		resp, err := invoke(ctx, c, call{action: "DescribeAutoSnapshotPolicyEx", kind: kindRead},
			ecs.CreateDescribeAutoSnapshotPolicyExRequest, (*ecs.Client).DescribeAutoSnapshotPolicyEx,
			func(req *ecs.DescribeAutoSnapshotPolicyExRequest) {
				fill(req)
				req.PageNumber = requests.NewInteger(page)
				req.PageSize = requests.NewInteger(pageSize)
			})
		if err != nil {
			return nil, "", err
		}
		if requestID == "" {
			requestID = resp.RequestId
		}
		for _, p := range resp.AutoSnapshotPolicies.AutoSnapshotPolicy {
			all = append(all, SnapshotPolicy{
				ID: p.AutoSnapshotPolicyId, Name: p.AutoSnapshotPolicyName, TimePoints: parseInts(p.TimePoints),
				RepeatWeekdays: parseInts(p.RepeatWeekdays), RetentionDays: p.RetentionDays, DiskCount: p.DiskNums,
				Status: p.Status, CreationTime: p.CreationTime, Tags: tagsFromSDK(p.Tags.Tag),
			})
		}
		if len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy) < pageSize || len(all) >= resp.TotalCount {
			break
		}
	}
	return all, requestID, nil
}

// ModifySnapshotPolicy changes a policy's name, schedule or retention in place.
func (c *Client) ModifySnapshotPolicy(ctx context.Context, id string, in ModifySnapshotPolicyInput) error {
	if in.Name == nil && in.TimePoints == nil && in.RepeatWeekdays == nil && in.RetentionDays == nil {
		return nil
	}
	_, err := invoke(ctx, c, call{action: "ModifyAutoSnapshotPolicyEx", kind: kindIdempotent},
		ecs.CreateModifyAutoSnapshotPolicyExRequest, (*ecs.Client).ModifyAutoSnapshotPolicyEx,
		func(req *ecs.ModifyAutoSnapshotPolicyExRequest) {
			req.AutoSnapshotPolicyId = id
			if in.Name != nil {
				req.AutoSnapshotPolicyName = *in.Name
			}
			if in.TimePoints != nil {
				req.TimePoints = intsJSON(in.TimePoints)
			}
			if in.RepeatWeekdays != nil {
				req.RepeatWeekdays = intsJSON(in.RepeatWeekdays)
			}
			if in.RetentionDays != nil {
				req.RetentionDays = requests.NewInteger(*in.RetentionDays)
			}
		})
	return err
}

// UpdateSnapshotPolicyTags sets and removes a policy's tags (ResourceType snapshotpolicy).
func (c *Client) UpdateSnapshotPolicyTags(ctx context.Context, id string, set map[string]string, remove []string) error {
	return c.updateTags(ctx, "snapshotpolicy", id, set, remove)
}

// ApplySnapshotPolicy applies a policy to disks, maxPolicyDisks a call.
// Applying it again is harmless.
func (c *Client) ApplySnapshotPolicy(ctx context.Context, policyID string, diskIDs []string) error {
	for _, chunk := range chunks(diskIDs, maxPolicyDisks) {
		ids, _ := json.Marshal(chunk)
		_, err := invoke(ctx, c, call{action: "ApplyAutoSnapshotPolicy", kind: kindIdempotent},
			ecs.CreateApplyAutoSnapshotPolicyRequest, (*ecs.Client).ApplyAutoSnapshotPolicy,
			func(req *ecs.ApplyAutoSnapshotPolicyRequest) {
				req.AutoSnapshotPolicyId = policyID
				req.DiskIds = string(ids)
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// CancelSnapshotPolicy removes whatever policy the disks have, maxPolicyDisks a call.
func (c *Client) CancelSnapshotPolicy(ctx context.Context, diskIDs []string) error {
	for _, chunk := range chunks(diskIDs, maxPolicyDisks) {
		ids, _ := json.Marshal(chunk)
		_, err := invoke(ctx, c, call{action: "CancelAutoSnapshotPolicy", kind: kindIdempotent},
			ecs.CreateCancelAutoSnapshotPolicyRequest, (*ecs.Client).CancelAutoSnapshotPolicy,
			func(req *ecs.CancelAutoSnapshotPolicyRequest) { req.DiskIds = string(ids) })
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteSnapshotPolicy deletes a policy (the service cancels it on its
// disks and keeps its snapshots). A policy already gone is not an error.
func (c *Client) DeleteSnapshotPolicy(ctx context.Context, id string) error {
	_, err := invoke(ctx, c, call{action: "DeleteAutoSnapshotPolicy", kind: kindAmbiguous, settled: IsNotFound},
		ecs.CreateDeleteAutoSnapshotPolicyRequest, (*ecs.Client).DeleteAutoSnapshotPolicy,
		func(req *ecs.DeleteAutoSnapshotPolicyRequest) { req.AutoSnapshotPolicyId = id })
	if IsNotFound(err) {
		return nil
	}
	return err
}

// SetDeleteAutoSnapshot sets a disk's DeleteAutoSnapshot (false = its
// automatic snapshots outlive it until their retention ends).
func (c *Client) SetDeleteAutoSnapshot(ctx context.Context, diskID string, deleteAuto bool) error {
	_, err := invoke(ctx, c, call{action: "ModifyDiskAttribute", kind: kindIdempotent},
		ecs.CreateModifyDiskAttributeRequest, (*ecs.Client).ModifyDiskAttribute, func(req *ecs.ModifyDiskAttributeRequest) {
			req.DiskId = diskID
			req.DeleteAutoSnapshot = requests.NewBoolean(deleteAuto)
		})
	return err
}

// IsDiskNotFound reports an InvalidDiskId.NotFound error (a disk released
// with its instance meanwhile).
func IsDiskNotFound(err error) bool { return ErrorCode(err) == "InvalidDiskId.NotFound" }

// policyOfSnapshot is the part of a DescribeSnapshots answer the SDK's
// struct leaves out: the policy that took an automatic snapshot.
type policyOfSnapshot struct {
	Snapshots struct {
		Snapshot []struct {
			SnapshotId           string `json:"SnapshotId"`
			AutoSnapshotPolicyId string `json:"AutoSnapshotPolicyId"`
		} `json:"Snapshot"`
	} `json:"Snapshots"`
}

// ListAutoSnapshots returns the region's automatic snapshots, or only
// those policyID took when it is not "". The policy of a snapshot is read
// from the answer's AutoSnapshotPolicyId (unverified: the field is not in
// the SDK's struct, so the raw answer is read).
func (c *Client) ListAutoSnapshots(ctx context.Context, policyID string) ([]AutoSnapshot, error) {
	list, _, err := listAll(ctx, c, maxPages, "DescribeSnapshots", ecs.CreateDescribeSnapshotsRequest, (*ecs.Client).DescribeSnapshots,
		func(req *ecs.DescribeSnapshotsRequest) { req.SnapshotType = "auto" },
		func(resp *ecs.DescribeSnapshotsResponse) ([]AutoSnapshot, string) {
			var raw policyOfSnapshot
			_ = json.Unmarshal(resp.GetHttpContentBytes(), &raw)
			policies := map[string]string{}
			for _, s := range raw.Snapshots.Snapshot {
				policies[s.SnapshotId] = s.AutoSnapshotPolicyId
			}
			var out []AutoSnapshot
			for _, s := range resp.Snapshots.Snapshot {
				if s.SnapshotType != "auto" || policyID != "" && policies[s.SnapshotId] != policyID {
					continue
				}
				a := AutoSnapshot{ID: s.SnapshotId, PolicyID: policies[s.SnapshotId], SourceDiskID: s.SourceDiskId,
					SourceDiskType: s.SourceDiskType, Status: s.Status, CreationTime: s.CreationTime, RetentionDays: s.RetentionDays}
				a.SourceDiskSize, _ = strconv.Atoi(s.SourceDiskSize)
				out = append(out, a)
			}
			return out, resp.NextToken
		})
	return list, err
}

// DisksWithPolicy lists the region's disks the policy is applied to
// (DescribeDisks AutoSnapshotPolicyId).
func (c *Client) DisksWithPolicy(ctx context.Context, policyID string) ([]Disk, error) {
	disks, _, err := listAll(ctx, c, maxPages, "DescribeDisks", ecs.CreateDescribeDisksRequest, (*ecs.Client).DescribeDisks,
		func(req *ecs.DescribeDisksRequest) { req.AutoSnapshotPolicyId = policyID }, splitDisks)
	return disks, err
}
