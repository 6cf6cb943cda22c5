package emulator

import "time"

// The persisted model. Transient statuses are not stored: a resource keeps
// the timestamps of its current operation, and its status is computed from
// them on the emulator clock, so reads are deterministic and need no timers.

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// phase is one transient status that lasts until Until.
type phase struct {
	Status string    `json:"status"`
	Until  time.Time `json:"until"`
}

type instance struct {
	Seq                int64     `json:"seq"`
	ID                 string    `json:"id"`
	RegionID           string    `json:"region_id"`
	ZoneID             string    `json:"zone_id"`
	Name               string    `json:"name"`
	Description        string    `json:"description"`
	HostName           string    `json:"host_name"`
	ImageID            string    `json:"image_id"`
	InstanceType       string    `json:"instance_type"`
	VpcID              string    `json:"vpc_id"`
	VSwitchID          string    `json:"vswitch_id"`
	SecurityGroupIDs   []string  `json:"security_group_ids"`
	PrivateIP          string    `json:"private_ip"`
	PublicIP           string    `json:"public_ip"`
	BandwidthOut       int       `json:"bandwidth_out"`
	InternetChargeType string    `json:"internet_charge_type"`
	ChargeType         string    `json:"charge_type"`
	SpotStrategy       string    `json:"spot_strategy"`
	SpotPriceLimit     float64   `json:"spot_price_limit"`
	SpotDuration       int       `json:"spot_duration"`
	SpotInterruption   string    `json:"spot_interruption_behavior"`
	ReclaimAt          time.Time `json:"reclaim_at"` // zero = no spot reclaim under way (spot.go)
	ExpiredTime        time.Time `json:"expired_time"`
	KeyPairName        string    `json:"key_pair_name"`
	RAMRole            string    `json:"ram_role,omitempty"` // the instance RAM role (ram_roles.go)
	UserData           string    `json:"user_data"`
	ResourceGroupID    string    `json:"resource_group_id"`
	DeletionProtection bool      `json:"deletion_protection"`
	AutoRelease        time.Time `json:"auto_release"` // zero = none
	Tags               []tag     `json:"tags"`
	Created            time.Time `json:"created"`
	Started            time.Time `json:"started"`
	Phases             []phase   `json:"phases"`
	Final              string    `json:"final"`
	StoppedMode        string    `json:"stopped_mode"`
	SerialNumber       string    `json:"serial_number"`
	ENIID              string    `json:"eni_id"`
	MAC                string    `json:"mac"`
	InvisibleUntil     time.Time `json:"invisible_until"`
	InvisibleCalls     int       `json:"invisible_calls"`
	// BaseImageID is the catalog image a custom image (ImageID m-…) was
	// made from, for the OS fields; "" when ImageID is a catalog image.
	BaseImageID string `json:"base_image_id,omitempty"`
	// Maintenance is what ModifyInstanceMaintenanceAttributes set; nil = never set.
	Maintenance *maintenance `json:"maintenance,omitempty"`
}

// status returns the instance status at now.
func (in *instance) status(now time.Time) string {
	for _, p := range in.Phases {
		if now.Before(p.Until) {
			return p.Status
		}
	}
	return in.Final
}

// setPhases starts an operation: the given transient statuses in order,
// each lasting its duration, ending in final. Zero durations are skipped.
func (in *instance) setPhases(now time.Time, final string, steps ...phaseStep) time.Time {
	in.Phases = in.Phases[:0]
	t := now
	for _, s := range steps {
		if s.d <= 0 {
			continue
		}
		t = t.Add(s.d)
		in.Phases = append(in.Phases, phase{Status: s.status, Until: t})
	}
	in.Final = final
	return t
}

type phaseStep struct {
	status string
	d      time.Duration
}

type disk struct {
	Seq                int64     `json:"seq"`
	ID                 string    `json:"id"`
	RegionID           string    `json:"region_id"`
	ZoneID             string    `json:"zone_id"`
	Name               string    `json:"name"`
	Description        string    `json:"description"`
	Type               string    `json:"type"` // system or data
	Category           string    `json:"category"`
	Size               int       `json:"size"`
	PerformanceLevel   string    `json:"performance_level"`
	InstanceID         string    `json:"instance_id"`
	Device             string    `json:"device"`
	DeleteWithInstance bool      `json:"delete_with_instance"`
	Encrypted          bool      `json:"encrypted"`
	KMSKeyID           string    `json:"kms_key_id,omitempty"`
	ImageID            string    `json:"image_id"`
	SourceSnapshotID   string    `json:"source_snapshot_id"`
	Created            time.Time `json:"created"`
	Attached           time.Time `json:"attached"`
	Detached           time.Time `json:"detached"`
	Tags               []tag     `json:"tags"`
	// PolicyID is the automatic snapshot policy applied to the disk (policies.go).
	PolicyID string `json:"policy_id,omitempty"`
	// KeepAutoSnapshots is DeleteAutoSnapshot=false: the disk's automatic
	// snapshots outlive it (the service's default is to delete them).
	KeepAutoSnapshots bool `json:"keep_auto_snapshots,omitempty"`
}

func (d *disk) status() string {
	if d.InstanceID != "" {
		return "In_use"
	}
	return "Available"
}

type snapshot struct {
	Seq            int64     `json:"seq"`
	ID             string    `json:"id"`
	RegionID       string    `json:"region_id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	SourceDiskID   string    `json:"source_disk_id"`
	SourceDiskType string    `json:"source_disk_type"` // system or data
	SourceDiskSize int       `json:"source_disk_size"`
	SourceCategory string    `json:"source_category"`
	InstanceID     string    `json:"instance_id"`
	GroupID        string    `json:"group_id"`
	Encrypted      bool      `json:"encrypted"`
	RetentionDays  int       `json:"retention_days"`
	InstantAccess  bool      `json:"instant_access"`
	Tags           []tag     `json:"tags"`
	Created        time.Time `json:"created"`
	Modified       time.Time `json:"modified"`
	Done           time.Time `json:"done"`
	Fail           bool      `json:"fail"`
	// SourceImageID is the image of the source disk (system disks), for
	// the OS of a custom image made from the snapshot.
	SourceImageID string `json:"source_image_id,omitempty"`
	// Auto marks a snapshot a policy took (SnapshotType auto), PolicyID that policy.
	Auto     bool   `json:"auto,omitempty"`
	PolicyID string `json:"policy_id,omitempty"`
}

// progress returns status, percent done and seconds remaining at now.
func (s *snapshot) progress(now time.Time) (string, int, int) {
	if !now.Before(s.Done) {
		if s.Fail {
			return "failed", 99, 0
		}
		return "accomplished", 100, 0
	}
	total := s.Done.Sub(s.Created)
	pct := 0
	if total > 0 {
		pct = int(now.Sub(s.Created) * 100 / total)
	}
	if pct > 99 {
		pct = 99
	}
	remain := int((s.Done.Sub(now) + time.Second - 1) / time.Second)
	return "progressing", pct, remain
}

type snapshotGroup struct {
	Seq             int64     `json:"seq"`
	ID              string    `json:"id"`
	RegionID        string    `json:"region_id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	InstanceID      string    `json:"instance_id"`
	ResourceGroupID string    `json:"resource_group_id"`
	SnapshotIDs     []string  `json:"snapshot_ids"`
	Tags            []tag     `json:"tags"`
	Created         time.Time `json:"created"`
}

// tokenEntry remembers a ClientToken's request fingerprint and result.
// SecretFingerprint (of the secret parameters, keyed per run) is never
// written to the state file.
type tokenEntry struct {
	Fingerprint       string         `json:"fingerprint"`
	SecretFingerprint string         `json:"-"`
	Result            map[string]any `json:"result"`
}

// store is the whole mutable state; it is what the state file holds.
type store struct {
	Advanced time.Duration `json:"advanced"`
	Seq      int64         `json:"seq"`
	NextIP   int           `json:"next_ip"`
	// PickedIPs counts instances created with a PrivateIpAddress: only
	// then can a generated address already be taken.
	PickedIPs int                       `json:"picked_ips,omitempty"`
	Instances map[string]*instance      `json:"instances"`
	Disks     map[string]*disk          `json:"disks"`
	Snapshots map[string]*snapshot      `json:"snapshots"`
	Groups    map[string]*snapshotGroup `json:"snapshot_groups"`
	Tokens    map[string]*tokenEntry    `json:"tokens"`
	Regions   []string                  `json:"extra_regions"`
	Images    map[string]*image         `json:"images,omitempty"` // custom images (images.go)
	// Stock overrides the seeded stock: "zone/instance type" → sold out (stock.go).
	Stock map[string]bool `json:"stock_sold_out,omitempty"`
	// StockLow marks "zone/instance type" pairs in stock but running low
	// (StatusCategory ClosedWithStock, stock.go).
	StockLow map[string]bool `json:"stock_low,omitempty"`
	// Events are the instance events DescribeInstanceHistoryEvents lists (spot.go).
	Events []instanceEvent `json:"events,omitempty"`
	// Policies are the automatic snapshot policies (policies.go).
	Policies map[string]*autoSnapshotPolicy `json:"auto_snapshot_policies,omitempty"`
}

func newStore() *store {
	return &store{
		Instances: map[string]*instance{},
		Disks:     map[string]*disk{},
		Snapshots: map[string]*snapshot{},
		Groups:    map[string]*snapshotGroup{},
		Tokens:    map[string]*tokenEntry{},
		Images:    map[string]*image{},
		Policies:  map[string]*autoSnapshotPolicy{},
	}
}

func (in *instance) sequence() int64     { return in.Seq }
func (d *disk) sequence() int64          { return d.Seq }
func (s *snapshot) sequence() int64      { return s.Seq }
func (g *snapshotGroup) sequence() int64 { return g.Seq }

func (s *store) nextSeq() int64 {
	s.Seq++
	return s.Seq
}
