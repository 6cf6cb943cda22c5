package emulator

import (
	"net/http"
	"time"
)

// findInstance looks an instance up by id; when the request names a region,
// the instance must be in it.
func (c *call) findInstance(id string) *instance {
	in := c.e.st.Instances[id]
	if in == nil {
		return nil
	}
	if r := c.p.str("RegionId"); r != "" && r != in.RegionID {
		return nil
	}
	return in
}

// instanceArg requires InstanceId and finds the instance.
func (c *call) instanceArg() (*instance, *apiError) {
	id := c.p.str("InstanceId")
	if id == "" {
		return nil, newErr(http.StatusBadRequest, "MissingParameter", "InstanceId should not be null.")
	}
	in := c.findInstance(id)
	if in == nil {
		return nil, errInstanceNotFound()
	}
	return in, nil
}

func startInstance(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	if in.status(c.now) != "Stopped" {
		return nil, errIncorrectInstanceStatus()
	}
	if _, ae := c.p.boolean("InitLocalDisk", false); ae != nil {
		return nil, ae
	}
	// Economical mode gave vCPU and memory back: starting needs stock again.
	if in.StoppedMode == "StopCharging" && c.e.soldOutLocked(in.ZoneID, in.InstanceType) {
		return nil, errNoStock()
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	in.Started = in.setPhases(c.now, "Running", phaseStep{"Starting", c.e.opts.BootTime})
	if in.StoppedMode == "StopCharging" && in.BandwidthOut > 0 {
		in.PublicIP = c.allocPublicIP() // economical mode released the old one
	}
	in.StoppedMode = ""
	c.dirty = true
	return ok()
}

func stopInstance(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	force, ae := c.p.boolean("ForceStop", false)
	if ae != nil {
		return nil, ae
	}
	// A forced stop also powers off an instance whose graceful stop is
	// still under way (a guest that does not shut down).
	if st := in.status(c.now); st != "Running" && !(force && st == "Stopping") {
		return nil, errIncorrectInstanceStatus()
	}
	if _, ae := c.p.boolean("ConfirmStop", false); ae != nil {
		return nil, ae
	}
	mode := c.p.str("StoppedMode")
	switch mode {
	// Not-applicable is what DescribeInstances reports for a running
	// instance; clients that send their read value back (the official
	// alicloud provider) mean "no mode given".
	case "", "KeepCharging", "Not-applicable":
		mode = "KeepCharging"
	case "StopCharging":
		// Instances that cannot use economical mode simply keep charging.
		if in.ChargeType != "PostPaid" {
			mode = "KeepCharging"
		}
	default:
		return nil, errInvalidParam("StoppedMode")
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	took := c.e.opts.StopTime
	if !force && c.e.opts.GracefulStopTime > 0 {
		took = c.e.opts.GracefulStopTime
	}
	in.setPhases(c.now, "Stopped", phaseStep{"Stopping", took})
	in.StoppedMode = mode
	if mode == "StopCharging" {
		in.PublicIP = ""
	}
	c.dirty = true
	return ok()
}

func rebootInstance(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	if in.status(c.now) != "Running" {
		return nil, errIncorrectInstanceStatus()
	}
	if _, ae := c.p.boolean("ForceStop", false); ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	in.Started = in.setPhases(c.now, "Running",
		phaseStep{"Stopping", c.e.opts.StopTime}, phaseStep{"Starting", c.e.opts.BootTime})
	c.dirty = true
	return ok()
}

// checkDeletable applies DeleteInstance's rules in the service's order.
func (c *call) checkDeletable(in *instance, force bool) *apiError {
	st := in.status(c.now)
	if st == "Pending" {
		return newErr(http.StatusForbidden, "IncorrectInstanceStatus.Initializing",
			"The specified instance status does not support this operation.")
	}
	if in.DeletionProtection {
		return newErr(http.StatusForbidden, "InvalidOperation.DeletionProtection",
			"The instance %s has deletion protection enabled; disable it before releasing the instance.", in.ID)
	}
	if in.ChargeType == "PrePaid" && c.now.Before(in.ExpiredTime) {
		return newErr(http.StatusForbidden, "ChargeTypeViolation",
			"The operation is not permitted due to charge type of the instance.")
	}
	if st != "Stopped" && !force {
		return errIncorrectInstanceStatus()
	}
	return nil
}

func deleteInstance(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	force, ae := c.p.boolean("Force", false)
	if ae != nil {
		return nil, ae
	}
	for _, k := range []string{"ForceStop", "TerminateSubscription"} {
		if _, ae := c.p.boolean(k, false); ae != nil {
			return nil, ae
		}
	}
	if ae := c.checkDeletable(in, force); ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	c.e.releaseInstanceLocked(in, c.now)
	c.e.recomputeDueLocked()
	c.dirty = true
	return ok()
}

func deleteInstances(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		ids := c.p.list("InstanceId")
		if len(ids) == 0 {
			return nil, newErr(http.StatusBadRequest, "MissingParameter", "InstanceId should not be null.")
		}
		if len(ids) > 100 {
			return nil, errInvalidParam("InstanceId")
		}
		force, ae := c.p.boolean("Force", false)
		if ae != nil {
			return nil, ae
		}
		var targets []*instance
		for _, id := range ids {
			in := c.findInstance(id)
			if in == nil {
				return nil, errInstanceNotFound()
			}
			if ae := c.checkDeletable(in, force); ae != nil {
				return nil, ae
			}
			targets = append(targets, in)
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		for _, in := range targets {
			c.e.releaseInstanceLocked(in, c.now)
		}
		c.e.recomputeDueLocked()
		c.dirty = true
		return M{"TaskGroupId": ""}, nil
	})
}

// releaseInstanceLocked removes an instance: disks that go with it are
// deleted, the others are detached; snapshots stay.
func (e *Emulator) releaseInstanceLocked(in *instance, now time.Time) {
	for id, d := range e.st.Disks {
		if d.InstanceID != in.ID {
			continue
		}
		if d.DeleteWithInstance || d.Type == "system" {
			e.deleteAutoSnapshotsOfDiskLocked(d)
			delete(e.st.Disks, id)
			continue
		}
		d.InstanceID, d.Device, d.Detached = "", "", now
	}
	delete(e.st.Instances, in.ID)
}

func modifyInstanceAttribute(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	p := c.p
	name, desc, host, pw := p.str("InstanceName"), p.str("Description"), p.str("HostName"), p.str("Password")
	if name != "" && !validName(name) {
		return nil, bad400("InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
	}
	if p.has("Description") && desc != "" && !validDescription(desc) {
		return nil, bad400("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
	}
	osType := "linux"
	if img := in.osImage(); img != nil {
		osType = img.OSType
	}
	if host != "" && !validHostName(host, osType) {
		return nil, bad400("InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
	}
	if pw != "" && !validPassword(pw) {
		return nil, bad400("InvalidPassword.Malformed", "The specified parameter Password is not valid.")
	}
	protection, ae := p.boolean("DeletionProtection", in.DeletionProtection)
	if ae != nil {
		return nil, ae
	}
	if protection && in.ChargeType == "PrePaid" {
		return nil, bad400("InvalidParameter.DeletionProtection", "DeletionProtection is only supported for pay-as-you-go instances.")
	}
	sgs := p.list("SecurityGroupIds")
	rc, _ := c.e.regionLocked(in.RegionID)
	for _, id := range sgs {
		sg := rc.securityGroup(id)
		if sg == nil {
			return nil, newErr(http.StatusNotFound, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
		}
		if sg.VpcID != in.VpcID {
			return nil, newErr(http.StatusForbidden, "InstanceNotInSecurityGroup", "The instance and the security group are not in the same VPC.")
		}
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	if name != "" {
		in.Name = name
	}
	if p.has("Description") {
		in.Description = desc
	}
	if host != "" {
		in.HostName = host
	}
	if ud := p.str("UserData"); ud != "" {
		in.UserData = ud
	}
	if len(sgs) > 0 {
		in.SecurityGroupIDs = sgs
	}
	in.DeletionProtection = protection
	c.dirty = true
	return ok()
}

// modifyAutoReleaseTime sets or, with no (or an empty) time, cancels the
// schedule. A missing instance gives 404 NoSuchResource, as the current docs say.
func modifyAutoReleaseTime(c *call) (M, *apiError) {
	id := c.p.str("InstanceId")
	if id == "" {
		return nil, newErr(http.StatusBadRequest, "MissingParameter", "InstanceId should not be null.")
	}
	in := c.findInstance(id)
	if in == nil {
		return nil, newErr(http.StatusNotFound, "NoSuchResource", "The specified resource is not found.")
	}
	var t time.Time
	if v := c.p.str("AutoReleaseTime"); v != "" {
		var ae *apiError
		if t, ae = parseAutoReleaseTime(v, c.now, "autoReleaseTime"); ae != nil {
			return nil, ae
		}
	}
	if in.ChargeType != "PostPaid" {
		return nil, newErr(http.StatusForbidden, "ChargeTypeViolation", "The operation is not permitted due to charge type of the instance.")
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	in.AutoRelease = t
	c.e.recomputeDueLocked()
	c.dirty = true
	return ok()
}
