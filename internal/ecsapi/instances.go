package ecsapi

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sort"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// RunInstance creates one instance (Amount=1) and returns its id. The
// ClientToken is required and sent unchanged on every retry, so a retry
// after a lost answer returns the instance the first attempt created.
func (c *Client) RunInstance(ctx context.Context, in RunInstanceInput) (string, error) {
	if in.ClientToken == "" {
		return "", errors.New("ecsapi: RunInstance needs a ClientToken so that retries cannot create a second instance")
	}
	resp, err := invoke(ctx, c, call{action: "RunInstances", kind: kindIdempotent, secrets: []string{in.Password}},
		ecs.CreateRunInstancesRequest, runInstances, func(req *ecs.RunInstancesRequest) {
			req.Amount = requests.NewInteger(1)
			req.ClientToken = in.ClientToken
			req.ImageId = in.ImageID
			req.InstanceType = in.InstanceType
			req.VSwitchId = in.VSwitchID
			req.ZoneId = in.ZoneID
			switch len(in.SecurityGroupIDs) {
			case 0:
			case 1:
				req.SecurityGroupId = in.SecurityGroupIDs[0]
			default:
				ids := append([]string(nil), in.SecurityGroupIDs...)
				req.SecurityGroupIds = &ids
			}
			req.InstanceName = in.Name
			req.Description = in.Description
			req.HostName = in.HostName
			req.KeyPairName = in.KeyPairName
			req.UserData = in.UserData
			req.Password = in.Password
			req.SystemDiskCategory = in.SystemDisk.Category
			req.SystemDiskDiskName = in.SystemDisk.Name
			req.SystemDiskDescription = in.SystemDisk.Description
			req.SystemDiskPerformanceLevel = in.SystemDisk.PerformanceLevel
			if in.SystemDisk.Size > 0 {
				req.SystemDiskSize = strconv.Itoa(in.SystemDisk.Size)
			}
			if len(in.DataDisks) > 0 {
				disks := make([]ecs.RunInstancesDataDisk, 0, len(in.DataDisks))
				for _, d := range in.DataDisks {
					disk := ecs.RunInstancesDataDisk{
						Category:           d.Category,
						DeleteWithInstance: strconv.FormatBool(d.DeleteWithInstance),
						SnapshotId:         d.SnapshotID,
						DiskName:           d.Name,
						Description:        d.Description,
						PerformanceLevel:   d.PerformanceLevel,
						KMSKeyId:           d.KMSKeyID,
					}
					if d.Encrypted {
						disk.Encrypted = "true"
					}
					if d.Size > 0 {
						disk.Size = strconv.Itoa(d.Size)
					}
					disks = append(disks, disk)
				}
				req.DataDisk = &disks
			}
			if in.InternetMaxBandwidthOut > 0 {
				req.InternetMaxBandwidthOut = requests.NewInteger(in.InternetMaxBandwidthOut)
			}
			req.InternetChargeType = in.InternetChargeType // "" is not sent
			req.PrivateIpAddress = in.PrivateIP
			req.ResourceGroupId = in.ResourceGroupID
			req.RamRoleName = in.RAMRoleName
			if in.DeletionProtection {
				req.DeletionProtection = requests.NewBoolean(true)
			}
			setSpot(req, in.Spot) // spot.go
			req.Tag = requestTags(in.Tags, func(k, v string) ecs.RunInstancesTag { return ecs.RunInstancesTag{Key: k, Value: v} })
		})
	if err != nil {
		return "", err
	}
	return resp.InstanceIdSets.InstanceIdSet[0], nil
}

// runInstances sends RunInstances. An answer that names no instance fails
// the attempt (it is logged as such and not retried).
func runInstances(cl *ecs.Client, req *ecs.RunInstancesRequest) (*ecs.RunInstancesResponse, error) {
	resp, err := cl.RunInstances(req)
	if err == nil && len(resp.InstanceIdSets.InstanceIdSet) == 0 {
		err = &APIError{Action: "RunInstances", Message: "the response names no instance id", RequestID: resp.RequestId}
	}
	return resp, err
}

// GetInstance returns the instance, or an error that IsNotFound recognises
// when DescribeInstances does not return it. Concurrent calls are batched.
func (c *Client) GetInstance(ctx context.Context, id string) (*Instance, error) {
	if id == "" {
		return nil, errors.New("ecsapi: GetInstance needs an instance id")
	}
	var (
		found     map[string]Instance
		requestID string
		err       error
	)
	if c.cfg.DisableBatching {
		found, requestID, err = c.describeInstancesByID(ctx, []string{id})
	} else {
		var inst Instance
		var ok bool
		inst, ok, requestID, err = c.instanceBatcher.get(ctx, id)
		if err == nil && ok {
			// Callers asking for the same id share one value: give each its own maps.
			inst.SecurityGroupIDs = append([]string(nil), inst.SecurityGroupIDs...)
			inst.Tags = maps.Clone(inst.Tags)
			return &inst, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if inst, ok := found[id]; ok {
		return &inst, nil
	}
	return nil, notFoundError("DescribeInstances", "InvalidInstanceId.NotFound", "instance", id, requestID)
}

// describeInstancesByID is the batch read: one DescribeInstances for ≤100 ids.
func (c *Client) describeInstancesByID(ctx context.Context, ids []string) (map[string]Instance, string, error) {
	c.logBatch(ctx, "DescribeInstances", len(ids))
	idsJSON, _ := json.Marshal(ids)
	list, requestID, err := c.describeInstances(ctx, func(req *ecs.DescribeInstancesRequest) {
		req.InstanceIds = string(idsJSON)
	})
	if err != nil {
		return nil, "", err
	}
	found := make(map[string]Instance, len(list))
	for _, inst := range list {
		found[inst.ID] = inst
	}
	return found, requestID, nil
}

// ListInstances returns every instance that matches the filter (every page).
func (c *Client) ListInstances(ctx context.Context, f InstanceFilter) ([]Instance, error) {
	setFilter := func(req *ecs.DescribeInstancesRequest) {
		req.InstanceName = f.Name
		req.Status = f.Status
		req.VSwitchId = f.VSwitchID
		req.Tag = requestTags(f.Tags, func(k, v string) ecs.DescribeInstancesTag { return ecs.DescribeInstancesTag{Key: k, Value: v} })
	}
	if len(f.IDs) == 0 {
		list, _, err := c.describeInstances(ctx, setFilter)
		return list, err
	}
	var all []Instance
	for _, chunk := range chunks(f.IDs, MaxInstanceBatch) {
		idsJSON, _ := json.Marshal(chunk)
		list, _, err := c.describeInstances(ctx, func(req *ecs.DescribeInstancesRequest) {
			setFilter(req)
			req.InstanceIds = string(idsJSON)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
	}
	return all, nil
}

// describeInstances reads every page of DescribeInstances.
func (c *Client) describeInstances(ctx context.Context, fill func(*ecs.DescribeInstancesRequest)) ([]Instance, string, error) {
	return c.describeInstancePages(ctx, fill, maxPages)
}

// describeInstancePages reads at most pageLimit pages of DescribeInstances.
func (c *Client) describeInstancePages(ctx context.Context, fill func(*ecs.DescribeInstancesRequest), pageLimit int) ([]Instance, string, error) {
	return listAll(ctx, c, pageLimit, "DescribeInstances", ecs.CreateDescribeInstancesRequest, (*ecs.Client).DescribeInstances, fill,
		func(resp *ecs.DescribeInstancesResponse) ([]Instance, string) {
			items := make([]Instance, 0, len(resp.Instances.Instance))
			for _, raw := range resp.Instances.Instance {
				items = append(items, instanceFromSDK(raw))
			}
			return items, resp.NextToken
		})
}

// Every write to an instance names it in call.instanceID, so that c.do
// drops it from the refresh listing before and after the call.

// StartInstance starts a stopped instance. After a lost answer, a retry
// that finds the instance in a wrong state (already Starting or Running)
// means the first attempt took effect: that counts as success.
func (c *Client) StartInstance(ctx context.Context, id string) error {
	_, err := invoke(ctx, c, call{action: "StartInstance", kind: kindAmbiguous, settled: IsWrongState, instanceID: id},
		ecs.CreateStartInstanceRequest, (*ecs.Client).StartInstance,
		func(req *ecs.StartInstanceRequest) { req.InstanceId = id })
	return err
}

// StopInstance stops a running instance; the same rule as StartInstance
// applies to a retry that finds it already Stopping or Stopped.
func (c *Client) StopInstance(ctx context.Context, id string, in StopInput) error {
	_, err := invoke(ctx, c, call{action: "StopInstance", kind: kindAmbiguous, settled: IsWrongState, instanceID: id},
		ecs.CreateStopInstanceRequest, (*ecs.Client).StopInstance, func(req *ecs.StopInstanceRequest) {
			req.InstanceId = id
			if in.ForceStop {
				req.ForceStop = requests.NewBoolean(true)
			}
			req.StoppedMode = in.StoppedMode
		})
	return err
}

// DeleteInstance releases an instance (force releases a running one). A
// retry after a lost answer that finds the instance gone means the first
// attempt released it: success.
//
// Concurrent releases share one DeleteInstances call (release_batch.go).
func (c *Client) DeleteInstance(ctx context.Context, id string, force bool) error {
	sharedFailed := false
	if !c.cfg.DisableBatching && !c.releasesDenied.Load() {
		released, failed, err := c.releaseShared(ctx, id, force)
		if released {
			return err
		}
		sharedFailed = failed
	}
	err := c.deleteInstance(ctx, id, force)
	if sharedFailed && IsNotFound(err) {
		return nil // the failed shared call released it after all
	}
	return err
}

// deleteInstance is one DeleteInstance call.
func (c *Client) deleteInstance(ctx context.Context, id string, force bool) error {
	_, err := invoke(ctx, c, call{action: "DeleteInstance", kind: kindAmbiguous, settled: IsNotFound, instanceID: id},
		ecs.CreateDeleteInstanceRequest, (*ecs.Client).DeleteInstance, func(req *ecs.DeleteInstanceRequest) {
			req.InstanceId = id
			if force {
				req.Force = requests.NewBoolean(true)
			}
		})
	return err
}

// ModifyInstanceAttribute changes the non-nil fields; with none it makes no call.
func (c *Client) ModifyInstanceAttribute(ctx context.Context, id string, in ModifyInstanceInput) error {
	if in.Name == nil && in.Description == nil && in.HostName == nil && in.Password == nil && in.DeletionProtection == nil {
		return nil
	}
	var secrets []string
	if in.Password != nil {
		secrets = append(secrets, *in.Password)
	}
	_, err := invoke(ctx, c, call{action: "ModifyInstanceAttribute", kind: kindIdempotent, secrets: secrets, instanceID: id},
		ecs.CreateModifyInstanceAttributeRequest, (*ecs.Client).ModifyInstanceAttribute, func(req *ecs.ModifyInstanceAttributeRequest) {
			req.InstanceId = id
			// Set through the query map so that an explicit "" (clear the
			// description) is sent; the SDK drops empty struct fields.
			q := req.GetQueryParams()
			setOptional(q, "InstanceName", in.Name)
			setOptional(q, "Description", in.Description)
			setOptional(q, "HostName", in.HostName)
			setOptional(q, "Password", in.Password)
			if in.DeletionProtection != nil {
				req.DeletionProtection = requests.NewBoolean(*in.DeletionProtection)
			}
		})
	return err
}

// maxTagsPerCall is TagResources' and UntagResources' limit.
const maxTagsPerCall = 20

// UpdateInstanceTags removes the keys in remove, then sets the tags in set
// (so a key in both ends up set).
func (c *Client) UpdateInstanceTags(ctx context.Context, id string, set map[string]string, remove []string) error {
	return c.updateTags(ctx, "instance", id, set, remove)
}

// UpdateSnapshotGroupTags removes the keys in remove, then sets the tags in
// set, on a snapshot group (ResourceType snapshotgroup).
func (c *Client) UpdateSnapshotGroupTags(ctx context.Context, id string, set map[string]string, remove []string) error {
	if IsSnapshotSetID(id) {
		return c.updateSnapshotSetTags(ctx, id, set, remove)
	}
	return c.updateTags(ctx, "snapshotgroup", id, set, remove)
}

// updateTags names every key it removes: UntagResources with All=true would
// also strip the provider's own tags.
func (c *Client) updateTags(ctx context.Context, resourceType, id string, set map[string]string, remove []string) error {
	spec := func(action string) call {
		s := call{action: action, kind: kindIdempotent}
		if resourceType == "instance" {
			s.instanceID = id
		}
		return s
	}
	for _, keys := range chunks(remove, maxTagsPerCall) {
		_, err := invoke(ctx, c, spec("UntagResources"), ecs.CreateUntagResourcesRequest, (*ecs.Client).UntagResources,
			func(req *ecs.UntagResourcesRequest) {
				req.ResourceType = resourceType
				req.ResourceId = &[]string{id}
				k := append([]string(nil), keys...)
				req.TagKey = &k
			})
		if err != nil {
			return err
		}
	}
	for _, keys := range chunks(sortedKeys(set), maxTagsPerCall) {
		_, err := invoke(ctx, c, spec("TagResources"), ecs.CreateTagResourcesRequest, (*ecs.Client).TagResources,
			func(req *ecs.TagResourcesRequest) {
				req.ResourceType = resourceType
				req.ResourceId = &[]string{id}
				tags := make([]ecs.TagResourcesTag, 0, len(keys))
				for _, k := range keys {
					tags = append(tags, ecs.TagResourcesTag{Key: k, Value: set[k]})
				}
				req.Tag = &tags
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// ModifyInstanceAutoReleaseTime schedules the release at releaseTime
// (yyyy-MM-ddTHH:mm:ssZ); "" cancels the schedule, which the API expresses
// by the absence of AutoReleaseTime.
func (c *Client) ModifyInstanceAutoReleaseTime(ctx context.Context, id, releaseTime string) error {
	_, err := invoke(ctx, c, call{action: "ModifyInstanceAutoReleaseTime", kind: kindIdempotent, instanceID: id},
		ecs.CreateModifyInstanceAutoReleaseTimeRequest, (*ecs.Client).ModifyInstanceAutoReleaseTime,
		func(req *ecs.ModifyInstanceAutoReleaseTimeRequest) {
			req.InstanceId = id
			req.AutoReleaseTime = releaseTime // the SDK sends nothing for ""
		})
	return err
}

// instanceFromSDK maps the SDK's view of an instance to ours.
func instanceFromSDK(raw ecs.Instance) Instance {
	inst := Instance{
		ID:                      raw.InstanceId,
		Name:                    raw.InstanceName,
		Description:             raw.Description,
		HostName:                raw.HostName,
		Status:                  raw.Status,
		ImageID:                 raw.ImageId,
		InstanceType:            raw.InstanceType,
		RegionID:                raw.RegionId,
		ZoneID:                  raw.ZoneId,
		VpcID:                   raw.VpcAttributes.VpcId,
		VSwitchID:               raw.VpcAttributes.VSwitchId,
		SecurityGroupIDs:        append([]string(nil), raw.SecurityGroupIds.SecurityGroupId...),
		KeyPairName:             raw.KeyPairName,
		InternetMaxBandwidthOut: raw.InternetMaxBandwidthOut,
		InternetChargeType:      raw.InternetChargeType,
		ResourceGroupID:         raw.ResourceGroupId,
		CreationTime:            raw.CreationTime,
		AutoReleaseTime:         raw.AutoReleaseTime,
		DeletionProtection:      raw.DeletionProtection,
		StoppedMode:             raw.StoppedMode,
		InstanceChargeType:      raw.InstanceChargeType,
		CPU:                     raw.Cpu,
		MemoryMiB:               raw.Memory,
		GPUAmount:               raw.GPUAmount,
		GPUSpec:                 raw.GPUSpec,
	}
	if inst.HostName == "" {
		inst.HostName = raw.Hostname
	}
	if inst.CPU == 0 {
		inst.CPU = raw.CPU
	}
	switch {
	case len(raw.VpcAttributes.PrivateIpAddress.IpAddress) > 0:
		inst.PrivateIP = raw.VpcAttributes.PrivateIpAddress.IpAddress[0]
	case len(raw.InnerIpAddress.IpAddress) > 0:
		inst.PrivateIP = raw.InnerIpAddress.IpAddress[0]
	}
	switch {
	case len(raw.PublicIpAddress.IpAddress) > 0:
		inst.PublicIP = raw.PublicIpAddress.IpAddress[0]
	default:
		inst.PublicIP = raw.EipAddress.IpAddress
	}
	inst.Tags = tagsFromSDK(raw.Tags.Tag)
	inst.Spot, inst.LockReasons = spotFromSDK(raw) // spot.go
	return inst
}

// tagsFromSDK reads TagKey/TagValue (Describe* responses) or Key/Value.
func tagsFromSDK(tags []ecs.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := t.TagKey, t.TagValue
		if k == "" {
			k, v = t.Key, t.Value
		}
		if k != "" {
			out[k] = v
		}
	}
	return out
}

// setOptional puts *v into the query when v is not nil, "" included.
func setOptional(q map[string]string, key string, v *string) {
	if v != nil {
		q[key] = *v
	}
}

// requestTags builds an SDK request's Tag list in key order, so a request
// (and its signature) is the same for the same tags; nil when there are none.
func requestTags[T any](m map[string]string, tag func(key, value string) T) *[]T {
	if len(m) == 0 {
		return nil
	}
	list := make([]T, 0, len(m))
	for _, k := range sortedKeys(m) {
		list = append(list, tag(k, m[k]))
	}
	return &list
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// chunks splits list into slices of at most n.
func chunks(list []string, n int) [][]string {
	var out [][]string
	for len(list) > n {
		out = append(out, list[:n])
		list = list[n:]
	}
	if len(list) > 0 {
		out = append(out, list)
	}
	return out
}
