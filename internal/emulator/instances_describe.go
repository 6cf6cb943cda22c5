package emulator

import (
	"net/http"
	"strings"
)

var instanceStatuses = map[string]bool{"Pending": true, "Starting": true, "Running": true, "Stopping": true, "Stopped": true}

// matchWildcard matches s against a pattern where '*' is any run of characters.
func matchWildcard(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		idx := strings.Index(s, part)
		if idx < 0 {
			return false
		}
		s = s[idx+len(part):]
	}
	return true
}

func hasTags(have []tag, want []tag) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h.Key == w.Key && (w.Value == "" || h.Value == w.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

// visible applies eventual consistency: a new instance may be hidden for a
// time or for a number of Describe calls.
func (in *instance) visible(c *call) bool {
	if c.now.Before(in.InvisibleUntil) {
		return false
	}
	if in.InvisibleCalls > 0 {
		in.InvisibleCalls--
		c.dirty = true
		return false
	}
	return true
}

func describeInstances(c *call) (M, *apiError) {
	p := c.p
	ids, hasIDs, ae := p.jsonList("InstanceIds", 100,
		newErr(http.StatusBadRequest, "InvalidInstanceIds.Malformed", "The specified parameter InstanceIds is not valid."))
	if ae != nil {
		return nil, ae
	}
	status := p.str("Status")
	if status != "" && !instanceStatuses[status] {
		return nil, newErr(http.StatusNotFound, "InvalidStatus.NotFound", "The specified Status is not found.")
	}
	if v := p.str("InstanceChargeType"); v != "" && v != "PostPaid" && v != "PrePaid" {
		return nil, newErr(http.StatusNotFound, "InvalidInstanceChargeType.NotFound", "The specified InstanceChargeType is not found.")
	}
	if v := p.str("InternetChargeType"); v != "" && v != "PayByTraffic" && v != "PayByBandwidth" {
		return nil, bad400("InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
	}
	if v := p.str("InstanceNetworkType"); v != "" && v != "vpc" && v != "classic" {
		return nil, newErr(http.StatusNotFound, "InvalidNetworkType.NotFound", "The specified InstanceNetworkType is not found.")
	}
	privIPs, hasPriv, ae := p.jsonList("PrivateIpAddresses", 100, nil)
	if ae != nil {
		return nil, ae
	}
	pubIPs, hasPub, ae := p.jsonList("PublicIpAddresses", 100, nil)
	if ae != nil {
		return nil, ae
	}
	tags, ae := p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 10, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	idSet, privSet, pubSet := setOf(ids), setOf(privIPs), setOf(pubIPs)
	eq := func(param, val string) bool { v := p.str(param); return v == "" || v == val }
	var matched []*instance
	for _, in := range c.e.st.Instances {
		if in.RegionID != c.regionID() || hasIDs && !idSet[in.ID] {
			continue
		}
		if status != "" && in.status(c.now) != status {
			continue
		}
		if n := p.str("InstanceName"); n != "" && !matchWildcard(n, in.Name) {
			continue
		}
		if !eq("ZoneId", in.ZoneID) || !eq("VpcId", in.VpcID) || !eq("VSwitchId", in.VSwitchID) ||
			!eq("InstanceType", in.InstanceType) || !eq("InstanceChargeType", in.ChargeType) ||
			!eq("ImageId", in.ImageID) || !eq("InternetChargeType", in.InternetChargeType) ||
			!eq("ResourceGroupId", in.ResourceGroupID) || !eq("KeyPairName", in.KeyPairName) ||
			!eq("InstanceNetworkType", "vpc") {
			continue
		}
		if f := p.str("InstanceTypeFamily"); f != "" && !strings.HasPrefix(in.InstanceType, f+".") {
			continue
		}
		if sg := p.str("SecurityGroupId"); sg != "" && !setOf(in.SecurityGroupIDs)[sg] {
			continue
		}
		if hasPriv && !privSet[in.PrivateIP] || hasPub && !pubSet[in.PublicIP] {
			continue
		}
		if !hasTags(in.Tags, tags) || !in.visible(c) {
			continue
		}
		matched = append(matched, in)
	}
	return answerPage(pg, matched, "Instances", "Instance", func(in *instance) instanceView { return in.view(c.now) }), nil
}

func describeInstanceStatus(c *call) (M, *apiError) {
	ids := c.p.list("InstanceId")
	if len(ids) > 100 {
		return nil, errInvalidParam("InstanceId")
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 50, defResults: 10, minResults: 1, maxResults: 50})
	if ae != nil {
		return nil, ae
	}
	idSet := setOf(ids)
	var matched []*instance
	for _, in := range c.e.st.Instances {
		if in.RegionID != c.regionID() || len(ids) > 0 && !idSet[in.ID] {
			continue
		}
		if z := c.p.str("ZoneId"); z != "" && in.ZoneID != z {
			continue
		}
		if !in.visible(c) {
			continue
		}
		matched = append(matched, in)
	}
	return answerPage(pg, matched, "InstanceStatuses", "InstanceStatus", func(in *instance) M {
		return M{"InstanceId": in.ID, "Status": in.status(c.now)}
	}), nil
}

func describeInstanceAttribute(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	return in.attributeView(c.now), nil
}
