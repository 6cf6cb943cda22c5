package emulator

import "net/http"

// ModifyDiskAttribute sets a disk's DiskName and Description (an absent one
// is left alone; "" clears the description), with the formats RunInstances
// checks. ModifyDiskSpec changes an ESSD disk's PerformanceLevel (PL0 to
// PL3) at once, attached or not; other categories have none (403
// InvalidDiskCategory.NotSupported), and asking for the level it has is a
// no-op. DiskCategory changes are not emulated (400 InvalidParameter).

func (c *call) diskArg() (*disk, *apiError) {
	id := c.p.str("DiskId")
	if id == "" {
		return nil, errMissing("DiskId")
	}
	d := c.findDisk(id)
	if d == nil {
		return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
	}
	return d, nil
}

// modifyDiskAttribute also sets DeleteAutoSnapshot (false = the disk's
// automatic snapshots outlive it), on DiskId or on the disks of DiskIds.N.
func modifyDiskAttribute(c *call) (M, *apiError) {
	var disks []*disk
	if ids := c.p.list("DiskIds"); len(ids) > 0 && c.p.str("DiskId") == "" {
		for _, id := range ids {
			d := c.findDisk(id)
			if d == nil {
				return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
			}
			disks = append(disks, d)
		}
	} else {
		d, ae := c.diskArg()
		if ae != nil {
			return nil, ae
		}
		disks = []*disk{d}
	}
	name, desc := c.p.str("DiskName"), c.p.str("Description")
	if ae := checkDiskText(diskSpec{name: name, desc: desc}, "Disk"); ae != nil {
		return nil, ae
	}
	delAuto, ae := c.p.boolean("DeleteAutoSnapshot", true)
	if ae != nil {
		return nil, ae
	}
	for _, d := range disks {
		if c.p.has("DiskName") && name != "" {
			d.Name = name
		}
		if c.p.has("Description") {
			d.Description = desc
		}
		if c.p.has("DeleteAutoSnapshot") {
			d.KeepAutoSnapshots = !delAuto
		}
	}
	c.dirty = true
	return ok()
}

func modifyDiskSpec(c *call) (M, *apiError) {
	d, ae := c.diskArg()
	if ae != nil {
		return nil, ae
	}
	if c.p.str("DiskCategory") != "" {
		return nil, errInvalidParam("DiskCategory")
	}
	pl := c.p.str("PerformanceLevel")
	if pl == "" {
		return nil, errMissing("PerformanceLevel")
	}
	if d.Category != "cloud_essd" {
		return nil, newErr(http.StatusForbidden, "InvalidDiskCategory.NotSupported",
			"Only ESSD disks have a performance level.")
	}
	spec := diskSpec{category: d.Category, pl: pl}
	if ae := checkPL(&spec, "PerformanceLevel"); ae != nil {
		return nil, ae
	}
	d.PerformanceLevel = spec.pl
	c.dirty = true
	return M{"TaskId": "", "OrderId": ""}, nil
}

func init() {
	actions["ModifyDiskAttribute"] = actionSpec{modifyDiskAttribute, false}
	actions["ModifyDiskSpec"] = actionSpec{modifyDiskSpec, false}
}
