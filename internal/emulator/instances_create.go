package emulator

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// launchSpec is a validated RunInstances/CreateInstance request.
type launchSpec struct {
	image        *catalogImage
	selfImage    *image // a custom image (m-…); image is then its catalog view
	itype        *catalogInstanceType
	vsw          *catalogVSwitch
	sgIDs        []string
	name, desc   string
	hostName     string
	sysDisk      diskSpec
	dataDisks    []diskSpec
	chargeType   string
	period       int
	periodUnit   string
	spot         string
	spotLimit    float64
	spotDuration int
	spotStop     string // SpotInterruptionBehavior
	bandwidthOut int
	netCharge    string
	amount       int
	autoRelease  time.Time
	protection   bool
	tags         []tag
	userData     string
	keyPair      string
	rgID         string
	privateIP    string // "" = the next free address of the vSwitch
	ramRole      string
	uniqueSuffix bool
}

type diskSpec struct {
	category, name, desc, pl, snapshotID, device string
	kmsKeyID                                     string
	size                                         int
	deleteWithInstance, encrypted                bool
}

var diskSizeRange = map[string][2]int{
	"cloud": {5, 2000}, "cloud_efficiency": {20, 32768}, "cloud_ssd": {20, 32768},
	"cloud_essd": {20, 65536}, "cloud_auto": {1, 65536}, "cloud_essd_entry": {10, 32768},
}

func bad400(code, msg string) *apiError { return newErr(http.StatusBadRequest, code, "%s", msg) }

// parseLaunch validates a launch request in the order the service reports
// problems: required parameters, catalog lookups, field formats.
func (c *call) parseLaunch(legacy bool) (*launchSpec, *apiError) {
	p := c.p
	s := &launchSpec{}
	if p.str("ImageId") == "" {
		return nil, errMissing("ImageId")
	}
	if p.str("InstanceType") == "" {
		return nil, errMissing("InstanceType")
	}
	if s.image = findImage(p.str("ImageId")); s.image == nil {
		im := c.findSelfImage(p.str("ImageId"))
		if im == nil {
			return nil, newErr(http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist.")
		}
		if st, _ := im.status(c.now); st != "Available" {
			return nil, newErr(http.StatusForbidden, "OperationDenied.ImageNotValid",
				"The specified image %s is %s, not Available.", im.ID, st)
		}
		ci := im.asCatalog()
		s.image, s.selfImage = &ci, im
	}
	if s.itype = findInstanceType(p.str("InstanceType")); s.itype == nil {
		return nil, bad400("InvalidInstanceType.ValueNotSupported", "The specified InstanceType does not exist or beyond the permitted range.")
	}
	if p.str("VSwitchId") == "" {
		return nil, errMissing("VSwitchId")
	}
	if s.vsw = c.region.vswitch(p.str("VSwitchId")); s.vsw == nil {
		return nil, newErr(http.StatusNotFound, "InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.")
	}
	if z := p.str("ZoneId"); z != "" {
		if c.region.zone(z) == nil {
			return nil, newErr(http.StatusNotFound, "InvalidZoneId.NotFound", "The specified ZoneId does not exist.")
		}
		if z != s.vsw.ZoneID {
			return nil, newErr(http.StatusNotFound, "InvalidVSwitchId.NotFound",
				"The specified VSwitchId does not exist in the specified zone %s.", z)
		}
	}
	s.sgIDs = p.list("SecurityGroupIds")
	if sg := p.str("SecurityGroupId"); sg != "" {
		s.sgIDs = append([]string{sg}, s.sgIDs...)
	}
	if len(s.sgIDs) == 0 {
		return nil, errMissing("SecurityGroupId")
	}
	if len(s.sgIDs) > 5 {
		return nil, errInvalidParam("SecurityGroupIds")
	}
	for _, id := range s.sgIDs {
		sg := c.region.securityGroup(id)
		if sg == nil {
			return nil, newErr(http.StatusNotFound, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
		}
		if sg.VpcID != s.vsw.VpcID {
			return nil, newErr(http.StatusForbidden, "OperationDenied.InconsistentNetwork",
				"The specified security group and vswitch are not in the same vpc.")
		}
	}
	if s.name = p.str("InstanceName"); s.name != "" && !validName(s.name) {
		return nil, bad400("InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
	}
	if s.desc = p.str("Description"); s.desc != "" && !validDescription(s.desc) {
		return nil, bad400("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
	}
	if s.hostName = p.str("HostName"); s.hostName != "" && !validHostName(s.hostName, s.image.OSType) {
		return nil, bad400("InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
	}
	if pw := p.str("Password"); pw != "" && !validPassword(pw) {
		return nil, bad400("InvalidPassword.Malformed", "The specified parameter Password is not valid.")
	}
	if ae := c.parseDisks(s); ae != nil {
		return nil, ae
	}
	if ae := c.parseBilling(s, legacy); ae != nil {
		return nil, ae
	}
	var ae *apiError
	if s.tags, ae = p.tags("Tag"); ae != nil {
		return nil, ae
	}
	if ud := p.str("UserData"); ud != "" {
		raw, err := base64.StdEncoding.DecodeString(ud)
		if err != nil {
			return nil, bad400("InvalidUserData.Base64FormatInvalid", "The specified UserData is not valid base64.")
		}
		if len(raw) > 32*1024 {
			return nil, bad400("InvalidUserData.SizeExceeded", "The specified parameter UserData exceeds the size.")
		}
		s.userData = ud
	}
	s.keyPair = p.str("KeyPairName")
	if s.ramRole = p.str("RamRoleName"); s.ramRole != "" && !validRAMRoleName(s.ramRole) {
		return nil, errRAMRoleNotFound()
	}
	if s.keyPair != "" && c.region.keyPair(s.keyPair) == nil {
		return nil, newErr(http.StatusNotFound, "InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist.")
	}
	if c.e.soldOutLocked(s.vsw.ZoneID, s.itype.InstanceTypeId) {
		return nil, errNoStock()
	}
	if s.privateIP = p.str("PrivateIpAddress"); s.privateIP != "" {
		if ae := c.checkPrivateIP(s); ae != nil {
			return nil, ae
		}
	}
	s.rgID = p.str("ResourceGroupId")
	if s.rgID == "" {
		s.rgID = defaultResourceGroupID // the account's default resource group, as on the service
	} else if !validResourceGroupID(s.rgID) {
		return nil, newErr(http.StatusNotFound, "InvalidResourceGroupId.NotFound", "The specified ResourceGroupId does not exist.")
	}
	if s.uniqueSuffix, ae = p.boolean("UniqueSuffix", false); ae != nil {
		return nil, ae
	}
	return s, nil
}

func (c *call) parseDisks(s *launchSpec) *apiError {
	p := c.p
	sys := diskSpec{category: p.str("SystemDisk.Category"), name: p.str("SystemDisk.DiskName"),
		desc: p.str("SystemDisk.Description"), pl: p.str("SystemDisk.PerformanceLevel"), deleteWithInstance: true}
	if sys.category == "" {
		sys.category = "cloud_essd"
	}
	if _, ok := diskSizeRange[sys.category]; !ok {
		return bad400("InvalidSystemDiskCategory.ValueNotSupported", "The specified parameter SystemDisk.Category is not valid.")
	}
	minSize := max(20, s.image.Size)
	size, ae := p.integer("SystemDisk.Size", max(40, s.image.Size), 1, 2048,
		bad400("InvalidSystemDiskSize.ValueNotSupported", "The specified parameter SystemDisk.Size is not valid."))
	if ae != nil {
		return ae
	}
	if size < minSize {
		return bad400("InvalidSystemDiskSize.LessThanImageSize", "The specified parameter SystemDisk.Size is less than the image size.")
	}
	sys.size = size
	if s.selfImage != nil {
		sys.snapshotID = s.selfImage.systemMapping().SnapshotID
	}
	if ae := checkDiskText(sys, "SystemDisk"); ae != nil {
		return ae
	}
	if ae := checkPL(&sys, "SystemDisk.PerformanceLevel"); ae != nil {
		return ae
	}
	s.sysDisk = sys
	dd := p.structs("DataDisk")
	if s.selfImage != nil {
		// The image's data disks come with it, from their snapshots.
		for _, m := range s.selfImage.Mappings {
			if m.Type == "data" {
				s.dataDisks = append(s.dataDisks, diskSpec{category: "cloud_essd", pl: "PL1", size: m.Size,
					snapshotID: m.SnapshotID, device: m.Device, deleteWithInstance: true})
			}
		}
	}
	if len(dd)+len(s.dataDisks) > 16 {
		return bad400("InvalidDataDiskCount.Malformed", "The number of data disks exceeds the limit of 16.")
	}
	for _, m := range dd {
		d := diskSpec{category: m["Category"], name: m["DiskName"], desc: m["Description"], pl: m["PerformanceLevel"],
			snapshotID: m["SnapshotId"], device: m["Device"], kmsKeyID: m["KMSKeyId"], deleteWithInstance: true}
		if d.category == "" {
			d.category = "cloud_essd"
		}
		rng, ok := diskSizeRange[d.category]
		if !ok {
			return bad400("InvalidDataDiskCategory.ValueNotSupported", "The specified parameter DataDisk.n.Category is not valid.")
		}
		sub := params(m)
		var ae *apiError
		if d.deleteWithInstance, ae = sub.boolean("DeleteWithInstance", true); ae != nil {
			return ae
		}
		if d.encrypted, ae = sub.boolean("Encrypted", false); ae != nil {
			return ae
		}
		if ae := checkKMSKey(d, "DataDisk.n.KMSKeyId"); ae != nil {
			return ae
		}
		snapSize := 0
		if d.snapshotID != "" {
			snap := c.e.st.Snapshots[d.snapshotID]
			if snap == nil || snap.RegionID != c.regionID() {
				return newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.")
			}
			if st, _, _ := snap.progress(c.now); st != "accomplished" {
				return newErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
			}
			if snap.SourceDiskType == "system" {
				return newErr(http.StatusForbidden, "InvalidSnapshotId.NotDataDiskSnapshot", "The specified snapshot is system disk snapshot.")
			}
			snapSize = snap.SourceDiskSize
		}
		badSize := bad400("InvalidDataDiskSize.ValueNotSupported", "The specified parameter DataDisk.n.Size is not valid.")
		if m["Size"] == "" && snapSize == 0 {
			return errMissing("DataDisk.n.Size")
		}
		if d.size, ae = sub.integer("Size", snapSize, rng[0], rng[1], badSize); ae != nil {
			return ae
		}
		if d.size < snapSize {
			return newErr(http.StatusForbidden, "InvalidDiskSize.TooSmall",
				"The specified DataDisk.n.Size is smaller than the size of snapshot %s (%d GiB).", d.snapshotID, snapSize)
		}
		if ae := checkDiskText(d, "DataDisk.n"); ae != nil {
			return ae
		}
		if ae := checkPL(&d, "DataDisk.n.PerformanceLevel"); ae != nil {
			return ae
		}
		s.dataDisks = append(s.dataDisks, d)
	}
	return nil
}

func checkDiskText(d diskSpec, field string) *apiError {
	if d.name != "" && !validName(d.name) {
		return bad400("InvalidDiskName.Malformed", "The specified parameter "+field+".DiskName is not valid.")
	}
	if d.desc != "" && !validDescription(d.desc) {
		return bad400("InvalidDiskDescription.Malformed", "The specified parameter "+field+".Description is not valid.")
	}
	return nil
}

// checkKMSKey: a KMS key encrypts a disk, so it comes with Encrypted=true.
// There is no KMS here: any other id is a key that exists.
func checkKMSKey(d diskSpec, field string) *apiError {
	if d.kmsKeyID != "" && !d.encrypted {
		return bad400("InvalidParameter.KMSKeyId", "The specified parameter "+field+" needs Encrypted=true.")
	}
	return nil
}

func checkPL(d *diskSpec, field string) *apiError {
	if d.category != "cloud_essd" {
		d.pl = ""
		return nil
	}
	switch d.pl {
	case "":
		d.pl = "PL1"
	case "PL0", "PL1", "PL2", "PL3":
	default:
		return errInvalidParam(field)
	}
	return nil
}

func (c *call) parseBilling(s *launchSpec, legacy bool) *apiError {
	p := c.p
	var ae *apiError
	switch s.chargeType = p.str("InstanceChargeType"); s.chargeType {
	case "":
		s.chargeType = "PostPaid"
	case "PostPaid":
	case "PrePaid":
		if p.str("Period") == "" {
			return errMissing("Period")
		}
		if s.period, ae = p.integer("Period", 1, 1, 60, bad400("InvalidPeriod", "The specified period is not valid.")); ae != nil {
			return ae
		}
		switch s.periodUnit = p.str("PeriodUnit"); s.periodUnit {
		case "":
			s.periodUnit = "Month"
		case "Month", "Week":
		default:
			return errInvalidParam("PeriodUnit")
		}
	default:
		return bad400("InvalidInstanceChargeType.ValueNotSupported", "The specified InstanceChargeType is not valid.")
	}
	if ae = c.parseSpot(s); ae != nil { // spot.go
		return ae
	}
	if s.bandwidthOut, ae = p.integer("InternetMaxBandwidthOut", 0, 0, 100,
		bad400("InvalidInternetMaxBandwidthOut.Malformed", "The specified parameter InternetMaxBandwidthOut is not valid.")); ae != nil {
		return ae
	}
	switch s.netCharge = p.str("InternetChargeType"); s.netCharge {
	case "":
		s.netCharge = "PayByTraffic"
	case "PayByTraffic", "PayByBandwidth":
	default:
		return bad400("InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
	}
	s.amount = 1
	if !legacy {
		badAmount := bad400("InvalidParameter.Amount", "The specified parameter Amount is not valid (1-100).")
		if s.amount, ae = p.integer("Amount", 1, 1, 100, badAmount); ae != nil {
			return ae
		}
		minAmount, ae := p.integer("MinAmount", s.amount, 1, 100,
			bad400("InvalidMinAmount.Malformed", "The specified parameter MinAmount is not valid."))
		if ae != nil {
			return ae
		}
		if minAmount > s.amount {
			return bad400("InvalidMinAmount.Malformed", "The specified parameter MinAmount is not valid.")
		}
		if v := p.str("AutoReleaseTime"); v != "" {
			if s.autoRelease, ae = parseAutoReleaseTime(v, c.now, "AutoReleaseTime"); ae != nil {
				return ae
			}
			if s.chargeType == "PrePaid" {
				return newErr(http.StatusForbidden, "ChargeTypeViolation", "The operation is not permitted due to charge type of the instance.")
			}
		}
	}
	if s.protection, ae = p.boolean("DeletionProtection", false); ae != nil {
		return ae
	}
	if s.protection && s.chargeType == "PrePaid" {
		return bad400("InvalidParameter.DeletionProtection", "DeletionProtection is only supported for pay-as-you-go instances.")
	}
	return nil
}

// runInstances implements RunInstances: Amount instances that start at once.
func runInstances(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		s, ae := c.parseLaunch(false)
		if ae != nil {
			return nil, ae
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		ids := make([]string, 0, s.amount)
		for i := 0; i < s.amount; i++ {
			in := c.createInstance(s, i, false)
			ids = append(ids, in.ID)
		}
		c.e.recomputeDueLocked()
		return M{"OrderId": orderID(), "TradePrice": 0.0, "InstanceIdSets": M{"InstanceIdSet": ids}}, nil
	})
}

// createInstanceAction implements the legacy CreateInstance: one instance
// that ends Stopped, with no public IP.
func createInstanceAction(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		s, ae := c.parseLaunch(true)
		if ae != nil {
			return nil, ae
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		in := c.createInstance(s, 0, true)
		return M{"InstanceId": in.ID, "OrderId": orderID(), "TradePrice": 0.0}, nil
	})
}

func orDryRun(ae *apiError) *apiError {
	if ae != nil {
		return ae
	}
	return errDryRun()
}

func orderID() string { return fmt.Sprintf("%d", 200000000000000+rand.Int64N(99999999999999)) }

func (c *call) newID(kind string) string {
	return kind + "-" + c.region.Region.idPrefix + randomSuffix(20-len(c.region.Region.idPrefix))
}

// createInstance materialises one instance with its disks.
func (c *call) createInstance(s *launchSpec, idx int, legacy bool) *instance {
	e, st, now := c.e, c.e.st, c.now
	in := &instance{
		Seq: st.nextSeq(), ID: c.newID("i"), RegionID: c.regionID(), ZoneID: s.vsw.ZoneID,
		Description: s.desc, ImageID: s.image.ImageId, InstanceType: s.itype.InstanceTypeId,
		VpcID: s.vsw.VpcID, VSwitchID: s.vsw.ID, SecurityGroupIDs: append([]string(nil), s.sgIDs...),
		BandwidthOut: s.bandwidthOut, InternetChargeType: s.netCharge, ChargeType: s.chargeType,
		SpotStrategy: s.spot, SpotPriceLimit: s.spotLimit, SpotDuration: s.spotDuration,
		SpotInterruption: s.spotStop, KeyPairName: s.keyPair, UserData: s.userData, RAMRole: s.ramRole,
		ResourceGroupID: s.rgID, DeletionProtection: s.protection, AutoRelease: s.autoRelease,
		Tags: append([]tag(nil), s.tags...), Created: now, SerialNumber: lowerUUID(),
		MAC: fmt.Sprintf("00:16:3e:%02x:%02x:%02x", rand.IntN(256), rand.IntN(256), rand.IntN(256)),
	}
	in.ENIID = c.newID("eni")
	in.Name = s.name
	if in.Name == "" {
		in.Name = in.ID
	} else if s.uniqueSuffix && s.amount > 1 {
		in.Name = fmt.Sprintf("%s%03d", s.name, idx+1)
	}
	in.HostName = s.hostName
	if in.HostName == "" {
		in.HostName = "iZ" + strings.TrimPrefix(in.ID, "i-") + "Z"
		if s.image.OSType == "windows" {
			in.HostName = "iZ" + strings.TrimPrefix(in.ID, "i-")[:12]
		}
	} else if s.uniqueSuffix && s.amount > 1 {
		in.HostName = fmt.Sprintf("%s%03d", s.hostName, idx+1)
	}
	if s.chargeType == "PrePaid" {
		if s.periodUnit == "Week" {
			in.ExpiredTime = now.AddDate(0, 0, 7*s.period)
		} else {
			in.ExpiredTime = now.AddDate(0, s.period, 0)
		}
	}
	if in.PrivateIP = s.privateIP; in.PrivateIP != "" {
		st.PickedIPs++
	}
	for in.PrivateIP == "" || s.privateIP == "" && st.PickedIPs > 0 && c.privateIPInUse(in.PrivateIP, in.ID) {
		n := st.NextIP
		st.NextIP++
		in.PrivateIP = fmt.Sprintf("%d.%d.%d.%d", s.vsw.ipBase[0], s.vsw.ipBase[1], int(s.vsw.ipBase[2])+(n/250)%16, n%250+2)
	}
	boot := e.opts.BootTime
	if legacy {
		in.setPhases(now, "Stopped", phaseStep{"Pending", boot})
		in.StoppedMode = "KeepCharging"
	} else {
		in.Started = in.setPhases(now, "Running", phaseStep{"Pending", boot / 2}, phaseStep{"Starting", boot - boot/2})
		if s.bandwidthOut > 0 {
			in.PublicIP = c.allocPublicIP()
		}
	}
	if d := e.opts.InvisibleFor; d > 0 {
		in.InvisibleUntil = now.Add(d)
	}
	if c.fx.invisibleFor > 0 {
		in.InvisibleUntil = now.Add(c.fx.invisibleFor)
	}
	in.InvisibleCalls = c.fx.invisibleCalls
	if s.selfImage != nil {
		in.BaseImageID = s.selfImage.BaseImageID
	}
	st.Instances[in.ID] = in
	c.addDisk(in, s.sysDisk, "system", "/dev/xvda", s.image.ImageId)
	used := map[string]bool{"/dev/xvda": true}
	for _, d := range s.dataDisks {
		used[d.device] = true
	}
	next := 'b'
	for _, d := range s.dataDisks {
		dev := d.device
		if dev == "" {
			for used["/dev/xvd"+string(next)] {
				next++
			}
			dev = "/dev/xvd" + string(next)
			used[dev] = true
		}
		c.addDisk(in, d, "data", dev, "")
	}
	c.dirty = true
	return in
}

func (c *call) addDisk(in *instance, s diskSpec, typ, device, imageID string) {
	d := &disk{
		Seq: c.e.st.nextSeq(), ID: c.newID("d"), RegionID: in.RegionID, ZoneID: in.ZoneID, Name: s.name,
		Description: s.desc, Type: typ, Category: s.category, Size: s.size, PerformanceLevel: s.pl,
		InstanceID: in.ID, Device: device, DeleteWithInstance: s.deleteWithInstance || typ == "system",
		Encrypted: s.encrypted, KMSKeyID: s.kmsKeyID, ImageID: imageID, SourceSnapshotID: s.snapshotID, Created: c.now, Attached: c.now,
	}
	c.e.st.Disks[d.ID] = d
}

func (c *call) allocPublicIP() string {
	n := c.e.st.NextIP
	c.e.st.NextIP++
	return fmt.Sprintf("47.%d.%d.%d", 96+(n>>16)%32, (n>>8)&255, n&255|1)
}

func lowerUUID() string { return strings.ToLower(newRequestID()) }

// checkPrivateIP: a PrivateIpAddress must be a free address of the
// vSwitch's block, for one instance (Amount 1).
func (c *call) checkPrivateIP(s *launchSpec) *apiError {
	ip := net.ParseIP(s.privateIP)
	_, block, err := net.ParseCIDR(s.vsw.CidrBlock)
	if ip == nil || ip.To4() == nil || err != nil {
		return bad400("InvalidPrivateIpAddress.Malformed", "The specified parameter PrivateIpAddress is not valid.")
	}
	if !block.Contains(ip) {
		return bad400("InvalidPrivateIpAddress.NotInVSwitch", "The specified PrivateIpAddress is not in the CIDR block of the vSwitch.")
	}
	if n, _ := c.p.integer("Amount", 1, 1, 100, nil); n > 1 {
		return bad400("InvalidParameter.Amount", "PrivateIpAddress can only be set for one instance.")
	}
	if c.privateIPInUse(s.privateIP, "") {
		return newErr(http.StatusBadRequest, "InvalidPrivateIpAddress.Duplicated", "The specified PrivateIpAddress is already in use.")
	}
	return nil
}

// privateIPInUse: another instance than self has ip.
func (c *call) privateIPInUse(ip, self string) bool {
	for _, in := range c.e.st.Instances {
		if in.PrivateIP == ip && in.ID != self {
			return true
		}
	}
	return false
}
