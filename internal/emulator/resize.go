package emulator

import (
	"net/http"
	"strconv"
)

// ModifyInstanceSpec (pay-as-you-go) and ResizeDisk: changes of an existing
// machine's size. Both answer once the change is made, as the service does
// with Async=false: DescribeInstances reports the new type (Cpu, Memory,
// GPUAmount, GPUSpec) and DescribeDisks the new size from then on.

// modifyInstanceSpec changes the instance type of a Stopped instance, or
// its public bandwidth (Running or Stopped): one kind of change per call.
func modifyInstanceSpec(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		in, ae := c.instanceArg()
		if ae != nil {
			return nil, ae
		}
		p := c.p
		newType := p.str("InstanceType")
		hasBandwidth := p.str("InternetMaxBandwidthOut") != "" || p.str("InternetMaxBandwidthIn") != ""
		if newType != "" && hasBandwidth {
			return nil, bad400("InvalidParameter.Mismatch", "Too many parameters in one request.")
		}
		if newType == "" && !hasBandwidth {
			return nil, errMissing("InstanceType")
		}
		for _, k := range []string{"AllowMigrateAcrossZone", "Async"} {
			if _, ae := p.boolean(k, false); ae != nil {
				return nil, ae
			}
		}
		if in.ChargeType != "PostPaid" {
			return nil, newErr(http.StatusForbidden, "ChargeTypeViolation",
				"The operation is not permitted due to charge type of the instance.")
		}
		status := in.status(c.now)
		if newType != "" {
			t := findInstanceType(newType)
			if t == nil {
				return nil, bad400("InvalidInstanceType.ValueNotSupported",
					"The specified InstanceType does not exist or beyond the permitted range.")
			}
			if t.InstanceTypeId == in.InstanceType {
				return nil, bad400("InvalidInstanceType.ValueNotSupported",
					"The specified InstanceType is the same as the current instance type.")
			}
			if status != "Stopped" {
				return nil, bad400("InvalidInstanceStatus.NotStopped",
					"The instance must be stopped to change its instance type.")
			}
			if dry, ae := c.dryRun(); ae != nil || dry {
				return nil, orDryRun(ae)
			}
			in.InstanceType = t.InstanceTypeId
			c.dirty = true
			return M{"TaskId": ""}, nil
		}
		out, ae := p.integer("InternetMaxBandwidthOut", in.BandwidthOut, 0, 100,
			bad400("InvalidInternetMaxBandwidthOut.Malformed", "The specified parameter InternetMaxBandwidthOut is not valid."))
		if ae != nil {
			return nil, ae
		}
		if _, ae := p.integer("InternetMaxBandwidthIn", 100, 1, 200, nil); ae != nil {
			return nil, ae
		}
		if status != "Running" && status != "Stopped" {
			return nil, errIncorrectInstanceStatus()
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		in.BandwidthOut = out
		switch {
		case out == 0:
			in.PublicIP = ""
		case in.PublicIP == "":
			in.PublicIP = c.allocPublicIP()
		}
		c.dirty = true
		return M{"TaskId": ""}, nil
	})
}

// diskMaxSize is the largest size ResizeDisk accepts for a disk.
func diskMaxSize(d *disk) int {
	if d.Type == "system" {
		return 2048
	}
	if r, ok := diskSizeRange[d.Category]; ok {
		return r[1]
	}
	return 32768
}

// resizeDisk grows a disk. offline (the default) works on a Running or
// Stopped instance and takes effect in the guest after a restart; online
// needs a Running instance and a category that supports it (not the basic
// "cloud" disk). Disks never shrink.
func resizeDisk(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		p := c.p
		if p.str("DiskId") == "" {
			return nil, errMissing("DiskId")
		}
		d := c.findDisk(p.str("DiskId"))
		if d == nil {
			return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
		}
		if p.str("NewSize") == "" {
			return nil, errMissing("NewSize")
		}
		size, err := strconv.Atoi(p.str("NewSize"))
		if err != nil || size < 1 {
			return nil, errInvalidParam("NewSize")
		}
		typ := p.str("Type")
		switch typ {
		case "":
			typ = "offline"
		case "offline", "online":
		default:
			return nil, bad400("InvalidParam.Type", "The specified parameter Type is not valid.")
		}
		if size <= d.Size {
			return nil, newErr(http.StatusForbidden, "InvalidDiskSize.TooSmall",
				"The specified NewSize (%d GiB) must be larger than the current size of disk %s (%d GiB).", size, d.ID, d.Size)
		}
		if size > diskMaxSize(d) {
			return nil, newErr(http.StatusForbidden, "InvalidDiskSize.TooLarge",
				"The specified NewSize (%d GiB) exceeds the maximum size of disk %s (%d GiB).", size, d.ID, diskMaxSize(d))
		}
		for _, s := range c.e.st.Snapshots {
			if st, _, _ := s.progress(c.now); s.SourceDiskID == d.ID && st == "progressing" {
				return nil, newErr(http.StatusForbidden, "DiskCreatingSnapshot", "A snapshot of the disk is being created.")
			}
		}
		var status string
		if in := c.e.st.Instances[d.InstanceID]; in != nil {
			status = in.status(c.now)
		}
		if typ == "online" {
			if d.Category == "cloud" {
				return nil, newErr(http.StatusForbidden, "InvalidDiskCategory.NotSupported",
					"Disks of category cloud can only be resized offline.")
			}
			if status != "Running" {
				return nil, newErr(http.StatusForbidden, "InvalidInstanceStatus.NotRunning",
					"An online resize needs the instance to be Running.")
			}
		} else if d.InstanceID != "" && status != "Running" && status != "Stopped" {
			return nil, errIncorrectInstanceStatus()
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		d.Size = size
		c.dirty = true
		return M{"OrderId": orderID()}, nil
	})
}

func init() {
	actions["ModifyInstanceSpec"] = actionSpec{modifyInstanceSpec, false}
	actions["ResizeDisk"] = actionSpec{resizeDisk, false}
}
