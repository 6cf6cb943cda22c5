package emulator

import "net/http"

// TagResources / UntagResources / ListTagResources for instances, disks,
// snapshots, snapshot groups and automatic snapshot policies (snapshotpolicy).

// taggable finds a resource's tag list by type and id.
func (c *call) taggable(rtype, id string) (*[]tag, *apiError) {
	st := c.e.st
	var tags *[]tag
	var region string
	switch rtype {
	case "instance":
		if r := st.Instances[id]; r != nil {
			tags, region = &r.Tags, r.RegionID
		}
	case "disk":
		if r := st.Disks[id]; r != nil {
			tags, region = &r.Tags, r.RegionID
		}
	case "snapshot":
		if r := st.Snapshots[id]; r != nil {
			tags, region = &r.Tags, r.RegionID
		}
	case "snapshotgroup":
		if r := st.Groups[id]; r != nil {
			tags, region = &r.Tags, r.RegionID
		}
	case "snapshotpolicy":
		if r := st.Policies[id]; r != nil {
			tags, region = &r.Tags, r.RegionID
		}
	default:
		return nil, bad400("InvalidResourceType.NotSupported", "The specified ResourceType is not supported.")
	}
	if tags == nil || region != c.regionID() {
		return nil, newErr(http.StatusNotFound, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
	}
	return tags, nil
}

func resourceArgs(c *call) (string, []string, *apiError) {
	rtype := c.p.str("ResourceType")
	if rtype == "" {
		return "", nil, errMissing("ResourceType")
	}
	ids := c.p.list("ResourceId")
	if len(ids) == 0 {
		return "", nil, errMissing("ResourceId")
	}
	if len(ids) > 50 {
		return "", nil, errInvalidParam("ResourceId")
	}
	return rtype, ids, nil
}

func tagResources(c *call) (M, *apiError) {
	rtype, ids, ae := resourceArgs(c)
	if ae != nil {
		return nil, ae
	}
	add, ae := c.p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	if len(add) == 0 {
		return nil, errMissing("Tag")
	}
	var lists []*[]tag
	for _, id := range ids {
		tags, ae := c.taggable(rtype, id)
		if ae != nil {
			return nil, ae
		}
		merged := mergeTags(*tags, add)
		if len(merged) > 20 {
			return nil, newErr(http.StatusBadRequest, "InvalidTagCount", "The specified tags are beyond the permitted range.")
		}
		lists = append(lists, tags)
	}
	for _, l := range lists {
		*l = mergeTags(*l, add)
	}
	c.dirty = true
	return ok()
}

func mergeTags(have, add []tag) []tag {
	out := append([]tag(nil), have...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value, replaced = a.Value, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

func untagResources(c *call) (M, *apiError) {
	rtype, ids, ae := resourceArgs(c)
	if ae != nil {
		return nil, ae
	}
	all, ae := c.p.boolean("All", false)
	if ae != nil {
		return nil, ae
	}
	keys := setOf(c.p.list("TagKey"))
	var lists []*[]tag
	for _, id := range ids {
		tags, ae := c.taggable(rtype, id)
		if ae != nil {
			return nil, ae
		}
		lists = append(lists, tags)
	}
	for _, l := range lists {
		kept := []tag{}
		for _, t := range *l {
			if !all && !keys[t.Key] {
				kept = append(kept, t)
			}
		}
		*l = kept
	}
	c.dirty = true
	return ok()
}

func listTagResources(c *call) (M, *apiError) {
	rtype := c.p.str("ResourceType")
	if rtype == "" {
		return nil, errMissing("ResourceType")
	}
	ids := c.p.list("ResourceId")
	filter, ae := c.p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	var out []M
	emit := func(id string, tags []tag) {
		if !hasTags(tags, filter) {
			return
		}
		for _, t := range tags {
			out = append(out, M{"ResourceType": rtype, "ResourceId": id, "TagKey": t.Key, "TagValue": t.Value})
		}
	}
	if len(ids) > 0 {
		for _, id := range ids {
			if tags, ae := c.taggable(rtype, id); ae == nil {
				emit(id, *tags)
			}
		}
	} else {
		st := c.e.st
		switch rtype {
		case "instance":
			for _, r := range sortedBySeq(st.Instances) {
				if r.RegionID == c.regionID() {
					emit(r.ID, r.Tags)
				}
			}
		case "snapshot":
			for _, r := range sortedBySeq(st.Snapshots) {
				if r.RegionID == c.regionID() {
					emit(r.ID, r.Tags)
				}
			}
		case "disk", "snapshotgroup", "snapshotpolicy":
		default:
			return nil, bad400("InvalidResourceType.NotSupported", "The specified ResourceType is not supported.")
		}
	}
	if out == nil {
		out = []M{}
	}
	return M{"NextToken": "", "TagResources": M{"TagResource": out}}, nil
}

func init() {
	actions["TagResources"] = actionSpec{tagResources, true}
	actions["UntagResources"] = actionSpec{untagResources, true}
	actions["ListTagResources"] = actionSpec{listTagResources, true}
}
