package emulator

import (
	"net/http"
	"sort"
	"strings"
)

// The instance RAM role: at most one a machine, given at creation
// (RunInstances RamRoleName) or attached later. The emulator has no RAM
// service: any name of 1 to 64 letters, digits, '.' and '-' is a role that
// exists and may be passed to ECS.
//   - AttachInstanceRamRole (RamRoleName, InstanceIds: a JSON array of at
//     most 100) answers per instance in AttachInstanceRamRoleResults; an
//     instance that already has a role fails with
//     InvalidInstance.RamRoleAttached (FailCount counts the failures; the
//     call fails as a whole, 403 with that code, when every instance failed);
//   - DetachInstanceRamRole (InstanceIds, RamRoleName optional: when given it
//     must be the role attached) the same way, InvalidRamRole.NotAttached;
//   - DescribeInstanceRamRole (InstanceIds, RamRoleName filter) lists the
//     instances that have a role, in pages (PageSize 1 to 50, default 10).

func validRAMRoleName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func errRAMRoleNotFound() *apiError {
	return newErr(http.StatusNotFound, "InvalidRamRole.NotFound", "The specified RamRoleName does not exist.")
}

// ramRoleTargets are the instances a role call names.
func (c *call) ramRoleTargets() ([]*instance, *apiError) {
	ids, given, ae := c.p.jsonList("InstanceIds", 100, nil)
	if ae != nil {
		return nil, ae
	}
	if !given || len(ids) == 0 {
		return nil, newErr(http.StatusBadRequest, "MissingParameter", "InstanceIds should not be null.")
	}
	var out []*instance
	for _, id := range ids {
		in := c.findInstance(strings.TrimSpace(id))
		if in == nil {
			return nil, errInstanceNotFound()
		}
		out = append(out, in)
	}
	return out, nil
}

// ramRoleResults answers a per-instance role call: the results, or the
// first failure's code when every instance failed.
func ramRoleResults(key string, role string, results []M, failed int, code string) (M, *apiError) {
	if failed == len(results) {
		return nil, newErr(http.StatusForbidden, code, "The RAM role of the instance does not allow this operation.")
	}
	return M{"RamRoleName": role, "TotalCount": len(results), "FailCount": failed, key: M{strings.TrimSuffix(key, "s"): results}}, nil
}

func attachInstanceRamRole(c *call) (M, *apiError) {
	role := c.p.str("RamRoleName")
	if role == "" {
		return nil, newErr(http.StatusBadRequest, "MissingParameter", "RamRoleName should not be null.")
	}
	if !validRAMRoleName(role) {
		return nil, errRAMRoleNotFound()
	}
	targets, ae := c.ramRoleTargets()
	if ae != nil {
		return nil, ae
	}
	var results []M
	failed := 0
	for _, in := range targets {
		if in.RAMRole != "" {
			failed++
			results = append(results, M{"InstanceId": in.ID, "Success": false, "Code": "InvalidInstance.RamRoleAttached",
				"Message": "The instance already has a RAM role."})
			continue
		}
		in.RAMRole = role
		c.dirty = true
		results = append(results, M{"InstanceId": in.ID, "Success": true, "Code": "200", "Message": "success"})
	}
	return ramRoleResults("AttachInstanceRamRoleResults", role, results, failed, "InvalidInstance.RamRoleAttached")
}

func detachInstanceRamRole(c *call) (M, *apiError) {
	role := c.p.str("RamRoleName")
	targets, ae := c.ramRoleTargets()
	if ae != nil {
		return nil, ae
	}
	var results []M
	failed := 0
	for _, in := range targets {
		if in.RAMRole == "" || role != "" && in.RAMRole != role {
			failed++
			results = append(results, M{"InstanceId": in.ID, "Success": false, "Code": "InvalidRamRole.NotAttached",
				"Message": "The instance does not have this RAM role."})
			continue
		}
		results = append(results, M{"InstanceId": in.ID, "Success": true, "Code": "200", "Message": "success",
			"RamRoleName": in.RAMRole})
		in.RAMRole = ""
		c.dirty = true
	}
	return ramRoleResults("DetachInstanceRamRoleResults", role, results, failed, "InvalidRamRole.NotAttached")
}

func describeInstanceRamRole(c *call) (M, *apiError) {
	ids, given, ae := c.p.jsonList("InstanceIds", 100, nil)
	if ae != nil {
		return nil, ae
	}
	role := c.p.str("RamRoleName")
	// Pages of PageSize (1 to 50, default 10) from PageNumber 1.
	size, ae := c.p.integer("PageSize", 10, 1, 50, nil)
	if ae != nil {
		return nil, ae
	}
	number, ae := c.p.integer("PageNumber", 1, 1, 1<<30, nil)
	if ae != nil {
		return nil, ae
	}
	var named []*instance
	for _, in := range c.e.st.Instances {
		if in.RegionID != c.regionID() || in.RAMRole == "" || role != "" && in.RAMRole != role ||
			given && !containsTrimmed(ids, in.ID) {
			continue
		}
		named = append(named, in)
	}
	sort.Slice(named, func(i, j int) bool { return named[i].ID < named[j].ID })
	sets := []M{}
	for i, in := range named {
		if i >= (number-1)*size && i < number*size {
			sets = append(sets, M{"InstanceId": in.ID, "RamRoleName": in.RAMRole})
		}
	}
	return M{"RegionId": c.regionID(), "TotalCount": len(named), "PageNumber": number, "PageSize": size,
		"InstanceRamRoleSets": M{"InstanceRamRoleSet": sets}}, nil
}

func containsTrimmed(list []string, id string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == id {
			return true
		}
	}
	return false
}

func init() {
	actions["AttachInstanceRamRole"] = actionSpec{attachInstanceRamRole, true}
	actions["DetachInstanceRamRole"] = actionSpec{detachInstanceRamRole, true}
	actions["DescribeInstanceRamRole"] = actionSpec{describeInstanceRamRole, true}
}
