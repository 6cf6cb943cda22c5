package emulator

import (
	"net/http"
)

// CreateDisk and AttachDisk: a pay-as-you-go data disk made on its own and
// attached to an instance afterwards (how a data disk is added to an
// existing machine). The emulator makes a disk Available at once and
// attaches it at once; the service passes through Creating and Attaching.

// createDisk makes a pay-as-you-go data disk in a zone, empty or from a
// data-disk snapshot. InstanceId (a subscription disk for a subscription
// instance) is not emulated.
func createDisk(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		p := c.p
		if p.str("InstanceId") != "" {
			return nil, errInvalidParam("InstanceId")
		}
		zone := p.str("ZoneId")
		if zone == "" {
			return nil, errMissing("ZoneId")
		}
		if c.region.zone(zone) == nil {
			return nil, newErr(http.StatusNotFound, "InvalidZoneId.NotFound", "The specified ZoneId does not exist.")
		}
		d := diskSpec{category: p.str("DiskCategory"), name: p.str("DiskName"), desc: p.str("Description"),
			pl: p.str("PerformanceLevel"), snapshotID: p.str("SnapshotId"), kmsKeyID: p.str("KMSKeyId")}
		if d.category == "" {
			d.category = "cloud"
		}
		rng, ok := diskSizeRange[d.category]
		if !ok {
			return nil, bad400("InvalidDiskCategory.ValueNotSupported", "The specified parameter DiskCategory is not valid.")
		}
		var ae *apiError
		if d.encrypted, ae = p.boolean("Encrypted", false); ae != nil {
			return nil, ae
		}
		if ae := checkKMSKey(d, "KMSKeyId"); ae != nil {
			return nil, ae
		}
		snapSize := 0
		if d.snapshotID != "" {
			snap := c.e.st.Snapshots[d.snapshotID]
			if snap == nil || snap.RegionID != c.regionID() {
				return nil, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.")
			}
			if st, _, _ := snap.progress(c.now); st != "accomplished" {
				return nil, newErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
			}
			snapSize = snap.SourceDiskSize
		}
		if p.str("Size") == "" && snapSize == 0 {
			return nil, errMissing("Size")
		}
		badSize := bad400("InvalidSize.ValueNotSupported", "The specified parameter Size is not valid.")
		if d.size, ae = p.integer("Size", snapSize, rng[0], rng[1], badSize); ae != nil {
			return nil, ae
		}
		if d.size < snapSize {
			return nil, newErr(http.StatusForbidden, "InvalidDiskSize.TooSmall",
				"The specified Size is smaller than the size of snapshot %s (%d GiB).", d.snapshotID, snapSize)
		}
		if ae := checkDiskText(d, "Disk"); ae != nil {
			return nil, ae
		}
		if ae := checkPL(&d, "PerformanceLevel"); ae != nil {
			return nil, ae
		}
		tags, ae := p.tags("Tag")
		if ae != nil {
			return nil, ae
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		disk := &disk{
			Seq: c.e.st.nextSeq(), ID: c.newID("d"), RegionID: c.regionID(), ZoneID: zone, Name: d.name,
			Description: d.desc, Type: "data", Category: d.category, Size: d.size, PerformanceLevel: d.pl,
			Encrypted: d.encrypted, KMSKeyID: d.kmsKeyID, SourceSnapshotID: d.snapshotID, Created: c.now, Tags: tags,
		}
		c.e.st.Disks[disk.ID] = disk
		c.dirty = true
		return M{"DiskId": disk.ID, "OrderId": ""}, nil
	})
}

// attachDisk attaches an Available data disk to a Running or Stopped
// instance of the same zone, on the first free device (/dev/xvdb on).
// DeleteWithInstance defaults to false, as in the service.
func attachDisk(c *call) (M, *apiError) {
	in, ae := c.instanceArg()
	if ae != nil {
		return nil, ae
	}
	p := c.p
	if p.str("DiskId") == "" {
		return nil, errMissing("DiskId")
	}
	d := c.findDisk(p.str("DiskId"))
	if d == nil {
		return nil, newErr(http.StatusNotFound, "InvalidDiskId.NotFound", "The specified DiskId does not exist.")
	}
	dwi, ae := p.boolean("DeleteWithInstance", false)
	if ae != nil {
		return nil, ae
	}
	if d.Type != "data" || d.InstanceID != "" {
		return nil, newErr(http.StatusForbidden, "IncorrectDiskStatus", "The current disk status does not support this operation.")
	}
	if st := in.status(c.now); st != "Running" && st != "Stopped" {
		return nil, errIncorrectInstanceStatus()
	}
	if d.ZoneID != in.ZoneID {
		return nil, newErr(http.StatusForbidden, "InvalidParameter.Mismatch",
			"The specified disk and instance are not in the same zone.")
	}
	used := map[string]bool{}
	n := 0
	for _, o := range c.e.st.Disks {
		if o.InstanceID == in.ID {
			used[o.Device] = true
			if o.Type == "data" {
				n++
			}
		}
	}
	if n >= 16 {
		return nil, newErr(http.StatusForbidden, "InstanceDiskNumber.LimitExceed",
			"The amount of the disk on instance in question reach its limits.")
	}
	dev := ""
	for ch := 'b'; ch <= 'z'; ch++ {
		if !used["/dev/xvd"+string(ch)] {
			dev = "/dev/xvd" + string(ch)
			break
		}
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	d.InstanceID, d.Device, d.DeleteWithInstance, d.Attached = in.ID, dev, dwi, c.now
	c.dirty = true
	return M{}, nil
}

func init() {
	actions["CreateDisk"] = actionSpec{createDisk, true}
	actions["AttachDisk"] = actionSpec{attachDisk, false}
}
