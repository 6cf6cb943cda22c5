package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Custom ("self") images: CreateImage, DescribeImages, DeleteImage, and the
// rules that tie images to snapshots (a snapshot behind an image cannot be
// deleted) and to instances (RunInstances with an image id m-…).

// imageMapping is one disk of a custom image.
type imageMapping struct {
	SnapshotID string `json:"snapshot_id"` // "" = an empty data disk
	Size       int    `json:"size"`
	Device     string `json:"device"`
	Type       string `json:"type"` // system or data
}

type image struct {
	Seq         int64          `json:"seq"`
	ID          string         `json:"id"`
	RegionID    string         `json:"region_id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Family      string         `json:"family"`
	Version     string         `json:"version"`
	BaseImageID string         `json:"base_image_id"` // the catalog image it descends from, "" when unknown
	OSType      string         `json:"os_type"`
	OSName      string         `json:"os_name"`
	OSNameEn    string         `json:"os_name_en"`
	Platform    string         `json:"platform"`
	Arch        string         `json:"architecture"`
	BootMode    string         `json:"boot_mode"`
	Mappings    []imageMapping `json:"mappings"`
	Tags        []tag          `json:"tags"`
	Created     time.Time      `json:"created"`
	Done        time.Time      `json:"done"`
	Fail        bool           `json:"fail"`
}

func (im *image) sequence() int64 { return im.Seq }

// status returns Creating, Available or CreateFailed and the progress at now.
func (im *image) status(now time.Time) (string, int) {
	if !now.Before(im.Done) {
		if im.Fail {
			return "CreateFailed", 0
		}
		return "Available", 100
	}
	pct := 0
	if total := im.Done.Sub(im.Created); total > 0 {
		pct = min(99, int(now.Sub(im.Created)*100/total))
	}
	return "Creating", pct
}

// systemMapping is the image's system disk.
func (im *image) systemMapping() imageMapping {
	for _, m := range im.Mappings {
		if m.Type == "system" {
			return m
		}
	}
	return imageMapping{}
}

// asCatalog is what RunInstances needs of a custom image: the OS (from the
// image it descends from) and the system disk size.
func (im *image) asCatalog() catalogImage {
	return catalogImage{ImageId: im.ID, ImageName: im.Name, OSType: im.OSType, OSName: im.OSName,
		OSNameEn: im.OSNameEn, Platform: im.Platform, Architecture: im.Arch, Size: im.systemMapping().Size,
		Description: im.Description}
}

// osImage is the catalog image whose OS an instance runs: its image, or the
// one its custom image descends from.
func (in *instance) osImage() *catalogImage {
	if img := findImage(in.ImageID); img != nil {
		return img
	}
	return findImage(in.BaseImageID)
}

// imageView is an image as DescribeImages reports it.
func (e *Emulator) imageViewLocked(im *image, now time.Time) M {
	st, pct := im.status(now)
	usage := "none"
	for _, in := range e.st.Instances {
		if in.ImageID == im.ID {
			usage = "instance"
			break
		}
	}
	maps := make([]M, 0, len(im.Mappings))
	for _, m := range im.Mappings {
		maps = append(maps, M{"SnapshotId": m.SnapshotID, "Size": strconv.Itoa(m.Size), "Device": m.Device,
			"Type": m.Type, "Progress": strconv.Itoa(pct) + "%", "Format": "", "Encrypted": false})
	}
	return M{
		"ImageId": im.ID, "ImageName": im.Name, "Status": st, "Progress": strconv.Itoa(pct) + "%",
		"Usable": st == "Available", "OSType": im.OSType, "OSName": im.OSName, "OSNameEn": im.OSNameEn,
		"Platform": im.Platform, "Architecture": im.Arch, "Size": im.systemMapping().Size,
		"ImageOwnerAlias": "self", "CreationTime": fullTime(im.Created), "Description": im.Description,
		"Usage": usage, "IsPublic": false, "IsSupportIoOptimized": true, "IsSupportCloudinit": im.OSType == "linux",
		"BootMode": im.BootMode, "ImageFamily": im.Family, "ImageVersion": im.Version, "IsCopied": false,
		"DiskDeviceMappings": M{"DiskDeviceMapping": maps}, "Tags": viewTags(im.Tags),
	}
}

// findSelfImage looks a custom image up by id in the call's region.
func (c *call) findSelfImage(id string) *image {
	im := c.e.st.Images[id]
	if im == nil || im.RegionID != c.regionID() {
		return nil
	}
	return im
}

// imagesOfSnapshot lists the custom images that use a snapshot.
func (e *Emulator) imagesOfSnapshotLocked(snapshotID string) []string {
	var out []string
	for _, im := range sortedBySeq(e.st.Images) {
		for _, m := range im.Mappings {
			if m.SnapshotID == snapshotID {
				out = append(out, im.ID)
				break
			}
		}
	}
	return out
}

// disksOfSnapshot lists the disks created from a snapshot.
func (e *Emulator) disksOfSnapshotLocked(snapshotID string) []string {
	var out []string
	for _, d := range sortedBySeq(e.st.Disks) {
		if d.SourceSnapshotID == snapshotID {
			out = append(out, d.ID)
		}
	}
	return out
}

// snapshotUsageLocked is a snapshot's Usage: image, disk, image_disk or none.
func (e *Emulator) snapshotUsageLocked(id string) string {
	img, dsk := len(e.imagesOfSnapshotLocked(id)) > 0, len(e.disksOfSnapshotLocked(id)) > 0
	switch {
	case img && dsk:
		return "image_disk"
	case img:
		return "image"
	case dsk:
		return "disk"
	}
	return "none"
}

// snapshotInUse is the refusal to delete a snapshot that an image uses
// (whatever Force says), or, without force, that a disk was created from.
func (e *Emulator) snapshotInUseLocked(id string, force bool) *apiError {
	if imgs := e.imagesOfSnapshotLocked(id); len(imgs) > 0 {
		return newErr(http.StatusForbidden, "SnapshotCreatedImage",
			"The snapshot has been used to create user defined image(s): %s.", strings.Join(imgs, ", "))
	}
	if disks := e.disksOfSnapshotLocked(id); len(disks) > 0 && !force {
		return newErr(http.StatusForbidden, "SnapshotCreatedDisk",
			"The snapshot has been used to create disk(s): %s.", strings.Join(disks, ", "))
	}
	return nil
}

var devicePattern = regexp.MustCompile(`^/dev/xvd[a-z]$`)

func validImageName(s string) bool {
	return validName(s) && !strings.HasPrefix(s, "aliyun") && !strings.HasPrefix(s, "acs:")
}

// createImage implements CreateImage. The source is, in this order of
// priority, InstanceId (a new snapshot of each of its disks),
// DiskDeviceMapping.N, or SnapshotId (a system-disk snapshot).
func createImage(c *call) (M, *apiError) {
	return c.idempotent(func() (M, *apiError) {
		p := c.p
		name, desc := p.str("ImageName"), p.str("Description")
		if name != "" && !validImageName(name) {
			return nil, bad400("InvalidImageName.Malformed", "The specified parameter ImageName is not valid.")
		}
		if desc != "" && !validDescription(desc) {
			return nil, bad400("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
		}
		if name != "" {
			for _, im := range c.e.st.Images {
				if im.RegionID == c.regionID() && im.Name == name {
					return nil, bad400("InvalidImageName.Duplicated", "The specified ImageName is already in use.")
				}
			}
		}
		tags, ae := p.tags("Tag")
		if ae != nil {
			return nil, ae
		}
		switch p.str("BootMode") {
		case "", "BIOS", "UEFI", "UEFI-Preferred":
		default:
			return nil, errInvalidParam("BootMode")
		}
		switch p.str("Architecture") {
		case "", "i386", "x86_64", "arm64":
		default:
			return nil, errInvalidParam("Architecture")
		}
		var mappings []imageMapping
		var newSnapshotsOf *instance
		switch {
		case p.str("InstanceId") != "":
			in := c.findInstance(p.str("InstanceId"))
			if in == nil {
				return nil, errInstanceNotFound()
			}
			if st := in.status(c.now); st != "Running" && st != "Stopped" {
				return nil, bad400("IncorrectInstanceStatus", "The current status of the instance does not support this operation.")
			}
			for _, d := range sortedBySeq(c.e.st.Disks) {
				if d.InstanceID != in.ID {
					continue
				}
				if ae := c.snapshotable(d); ae != nil {
					return nil, ae
				}
			}
			newSnapshotsOf = in
		case len(p.structs("DiskDeviceMapping")) > 0:
			if mappings, ae = c.imageMappings(); ae != nil {
				return nil, ae
			}
		case p.str("SnapshotId") != "":
			s, ae := c.readySnapshot(p.str("SnapshotId"))
			if ae != nil {
				return nil, ae
			}
			if s.SourceDiskType != "system" {
				return nil, newErr(http.StatusForbidden, "OperationDenied", "The specified snapshot is not from system disk.")
			}
			mappings = []imageMapping{{SnapshotID: s.ID, Size: s.SourceDiskSize, Device: "/dev/xvda", Type: "system"}}
		default:
			return nil, errMissing("SnapshotId")
		}
		if dry, ae := c.dryRun(); ae != nil || dry {
			return nil, orDryRun(ae)
		}
		im := &image{
			Seq: c.e.st.nextSeq(), ID: c.newID("m"), RegionID: c.regionID(), Name: name, Description: desc,
			Family: p.str("ImageFamily"), Version: p.str("ImageVersion"), BootMode: p.str("BootMode"),
			Tags: tags, Created: c.now, Done: c.now.Add(c.e.opts.ImageTime), Fail: c.fx.asyncFailure,
		}
		if im.Name == "" {
			im.Name = im.ID
		}
		if im.BootMode == "" {
			im.BootMode = "BIOS"
		}
		baseOf := ""
		if in := newSnapshotsOf; in != nil {
			baseOf = in.ImageID
			if in.BaseImageID != "" {
				baseOf = in.BaseImageID
			}
			for _, d := range sortedBySeq(c.e.st.Disks) {
				if d.InstanceID != in.ID {
					continue
				}
				s := c.newSnapshot(d, "", "", 0, nil, "")
				if s.Done.After(im.Done) {
					im.Done = s.Done
				}
				mappings = append(mappings, imageMapping{SnapshotID: s.ID, Size: d.Size, Device: d.Device, Type: d.Type})
			}
		}
		im.Mappings = mappings
		for _, m := range mappings {
			if s := c.e.st.Snapshots[m.SnapshotID]; s != nil && m.Type == "system" && baseOf == "" {
				baseOf = c.e.baseImageLocked(s.SourceImageID)
			}
		}
		im.BaseImageID = c.e.baseImageLocked(baseOf)
		base := findImage(im.BaseImageID)
		if base == nil {
			base = &catalogImage{OSType: "linux", OSName: "Others Linux", OSNameEn: "Others Linux", Platform: "Others Linux", Architecture: "x86_64"}
		}
		im.OSType, im.OSName, im.OSNameEn, im.Platform, im.Arch = base.OSType, base.OSName, base.OSNameEn, base.Platform, base.Architecture
		if v := p.str("Platform"); v != "" {
			im.Platform = v
		}
		if v := p.str("Architecture"); v != "" {
			im.Arch = v
		}
		if c.e.st.Images == nil {
			c.e.st.Images = map[string]*image{}
		}
		c.e.st.Images[im.ID] = im
		c.dirty = true
		return M{"ImageId": im.ID}, nil
	})
}

// baseImageLocked follows a custom image back to the catalog image it
// descends from; a catalog id is its own base, an unknown one has none.
func (e *Emulator) baseImageLocked(id string) string {
	if findImage(id) != nil {
		return id
	}
	if im := e.st.Images[id]; im != nil {
		return im.BaseImageID
	}
	return ""
}

// readySnapshot finds an accomplished snapshot of the call's region.
func (c *call) readySnapshot(id string) (*snapshot, *apiError) {
	s := c.e.st.Snapshots[id]
	if s == nil || s.RegionID != c.regionID() {
		return nil, newErr(http.StatusNotFound, "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.")
	}
	if st, _, _ := s.progress(c.now); st != "accomplished" {
		return nil, newErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
	}
	return s, nil
}

// imageMappings reads and checks DiskDeviceMapping.N: exactly one system
// disk, at most 16 data disks, unique devices, sizes within the category's
// range and at least the snapshot's.
func (c *call) imageMappings() ([]imageMapping, *apiError) {
	var out []imageMapping
	devices := map[string]bool{}
	systems := 0
	for _, m := range c.p.structs("DiskDeviceMapping") {
		im := imageMapping{SnapshotID: m["SnapshotId"], Device: m["Device"], Type: m["DiskType"]}
		snapSize := 0
		if im.SnapshotID != "" {
			s, ae := c.readySnapshot(im.SnapshotID)
			if ae != nil {
				return nil, ae
			}
			snapSize = s.SourceDiskSize
			if im.Type == "" {
				im.Type = s.SourceDiskType
			}
		}
		switch im.Type {
		case "":
			im.Type = "data"
		case "system", "data":
		default:
			return nil, bad400("InvalidDiskType.ValueNotSupported", "The specified DiskDeviceMapping.n.DiskType is not valid.")
		}
		lo, hi := 20, 32768
		if im.Type == "system" {
			hi = 2048
		}
		badSize := bad400("InvalidSize.ValueNotSupported", "The specified DiskDeviceMapping.n.Size is not valid.")
		size, ae := params(m).integer("Size", max(snapSize, lo), lo, hi, badSize)
		if ae != nil {
			return nil, ae
		}
		if size < snapSize {
			return nil, badSize
		}
		im.Size = size
		if im.Type == "system" {
			systems++
			if im.Device == "" {
				im.Device = "/dev/xvda"
			}
		}
		out = append(out, im)
	}
	if systems == 0 {
		return nil, bad400("OperationDenied", "The specified DiskDeviceMapping does not contain system disk snapshot.")
	}
	if systems > 1 {
		return nil, bad400("OperationDenied", "The specified DiskDeviceMapping contains two or more system disk snapshots.")
	}
	if len(out) > 17 {
		return nil, bad400("InvalidDataDiskCount.Malformed", "The number of data disks exceeds the limit of 16.")
	}
	next := 'b'
	for i := range out {
		m := &out[i]
		if m.Device == "" {
			for devices[fmt.Sprintf("/dev/xvd%c", next)] {
				next++
			}
			m.Device = fmt.Sprintf("/dev/xvd%c", next)
		}
		if !devicePattern.MatchString(m.Device) || (m.Type == "system") != (m.Device == "/dev/xvda") {
			return nil, bad400("InvalidDevice.Malformed", "The specified DiskDeviceMapping.n.Device is not valid.")
		}
		if devices[m.Device] {
			return nil, bad400("InvalidDevice.InUse", "The specified DiskDeviceMapping.n.Device is already in use.")
		}
		devices[m.Device] = true
	}
	return out, nil
}

// imageStatuses are DescribeImages' Status values; ALL (undocumented, sent
// by a widely used client) means every status.
var imageStatuses = map[string]bool{"Creating": true, "Waiting": true, "Available": true, "UnAvailable": true,
	"CreateFailed": true, "Deprecated": true}

// listedImage is one DescribeImages entry: catalog images first, in catalog
// order, then custom images in creation order.
type listedImage struct {
	seq  int64
	view M
}

func (x listedImage) sequence() int64 { return x.seq }

func describeImages(c *call) (M, *apiError) {
	p := c.p
	want := map[string]bool{"Available": true}
	if v := p.str("Status"); v != "" {
		want = map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			switch {
			case strings.EqualFold(s, "all"):
				for k := range imageStatuses {
					want[k] = true
				}
			case imageStatuses[s]:
				want[s] = true
			default:
				return nil, bad400("InvalidStatus.ValueNotSupported", "The specified Status is not valid.")
			}
		}
	}
	owner := p.str("ImageOwnerAlias")
	switch owner {
	case "", "system", "self", "others", "marketplace":
	default:
		return nil, bad400("InvalidImageOwnerAlias.ValueNotSupported", "The specified ImageOwnerAlias is not valid.")
	}
	wantIDs := map[string]bool{}
	for _, id := range strings.Split(p.str("ImageId"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			wantIDs[id] = true
		}
	}
	tags, ae := p.tags("Tag")
	if ae != nil {
		return nil, ae
	}
	pg, ae := c.page(pageLimits{defSize: 10, maxSize: 100, defResults: 10, minResults: 1, maxResults: 100})
	if ae != nil {
		return nil, ae
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	match := func(id, name, osType, arch string) bool {
		if len(wantIDs) > 0 && !wantIDs[id] {
			return false
		}
		if v := p.str("ImageName"); v != "" && !matchWildcard(v, name) {
			return false
		}
		if v := p.str("OSType"); v != "" && v != osType {
			return false
		}
		return p.str("Architecture") == "" || p.str("Architecture") == arch
	}
	var matched []listedImage
	if (owner == "" || owner == "system") && want["Available"] && p.str("SnapshotId") == "" && len(tags) == 0 {
		for i, img := range catalogImages {
			if match(img.ImageId, img.ImageName, img.OSType, img.Architecture) {
				matched = append(matched, listedImage{int64(i + 1), imageView(img)})
			}
		}
	}
	if owner == "" || owner == "self" {
		for _, im := range c.e.st.Images {
			st, _ := im.status(c.now)
			if im.RegionID != c.regionID() || !want[st] || !match(im.ID, im.Name, im.OSType, im.Arch) || !hasTags(im.Tags, tags) {
				continue
			}
			if v := p.str("SnapshotId"); v != "" && !slicesContainsMapping(im.Mappings, v) {
				continue
			}
			matched = append(matched, listedImage{int64(len(catalogImages)) + im.Seq, c.e.imageViewLocked(im, c.now)})
		}
	}
	m := answerPage(pg, matched, "Images", "Image", func(x listedImage) M { return x.view })
	m["RegionId"] = c.regionID()
	return m, nil
}

func slicesContainsMapping(ms []imageMapping, snapshotID string) bool {
	for _, m := range ms {
		if m.SnapshotID == snapshotID {
			return true
		}
	}
	return false
}

// deleteImage implements DeleteImage. An image that instances use needs
// Force=true; those instances then cannot re-initialise their system disk
// from it. The image's snapshots stay.
func deleteImage(c *call) (M, *apiError) {
	id := c.p.str("ImageId")
	if id == "" {
		return nil, errMissing("ImageId")
	}
	force, ae := c.p.boolean("Force", false)
	if ae != nil {
		return nil, ae
	}
	if findImage(id) != nil {
		return nil, newErr(http.StatusForbidden, "OperationDenied", "The specified image is a public image and cannot be deleted.")
	}
	im := c.findSelfImage(id)
	if im == nil {
		return nil, newErr(http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist.")
	}
	if st, _ := im.status(c.now); st == "Creating" {
		return nil, newErr(http.StatusForbidden, "ImageIsCreating", "The specified image is being created.")
	}
	if !force {
		for _, in := range c.e.st.Instances {
			if in.ImageID == im.ID {
				return nil, newErr(http.StatusForbidden, "ImageUsingByInstance", "The specified image has been used to create instances.")
			}
		}
	}
	if dry, ae := c.dryRun(); ae != nil || dry {
		return nil, orDryRun(ae)
	}
	delete(c.e.st.Images, im.ID)
	c.dirty = true
	return ok()
}

func init() {
	actions["CreateImage"] = actionSpec{createImage, true}
	actions["DescribeImages"] = actionSpec{describeImages, true}
	actions["DeleteImage"] = actionSpec{deleteImage, true}
}

// snapshotViewLocked is a snapshot as DescribeSnapshots reports it, with
// its Usage (which images and disks were made from it).
func (e *Emulator) snapshotViewLocked(s *snapshot, now time.Time) snapshotView {
	v := s.view(now)
	v.Usage = e.snapshotUsageLocked(s.ID)
	return v
}
