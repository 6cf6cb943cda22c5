package ecsapi

// The typed view of ECS objects that the provider works with. Fields hold the
// API's values as they are (status strings, time strings in the API's format),
// so the provider decides how to present them.

// Instance status values (the API's).
const (
	StatusPending  = "Pending"
	StatusStarting = "Starting"
	StatusRunning  = "Running"
	StatusStopping = "Stopping"
	StatusStopped  = "Stopped"
)

// Snapshot and snapshot group status values (the API's).
const (
	SnapshotProgressing  = "progressing"
	SnapshotAccomplished = "accomplished"
	SnapshotFailed       = "failed"
)

// Instance is one ECS instance as DescribeInstances reports it.
type Instance struct {
	ID                      string
	Name                    string
	Description             string
	HostName                string
	Status                  string
	ImageID                 string
	InstanceType            string
	RegionID                string
	ZoneID                  string
	VpcID                   string
	VSwitchID               string
	SecurityGroupIDs        []string
	PrivateIP               string // first private IP of the VPC attributes
	PublicIP                string // first public IP, "" when none
	KeyPairName             string
	InternetMaxBandwidthOut int
	InternetChargeType      string // PayByTraffic or PayByBandwidth
	ResourceGroupID         string
	CreationTime            string // API format yyyy-MM-ddTHH:mmZ
	AutoReleaseTime         string // API format yyyy-MM-ddTHH:mmZ, "" when none is scheduled
	DeletionProtection      bool
	StoppedMode             string
	InstanceChargeType      string
	CPU                     int
	MemoryMiB               int
	GPUAmount               int
	GPUSpec                 string
	Tags                    map[string]string
	Spot                    SpotSpec
	LockReasons             []string // OperationLocks, e.g. "Recycling" while a spot reclaim is under way
}

// SpotSpec is an instance's spot settings (RunInstances, DescribeInstances).
// The zero value is an on-demand instance.
type SpotSpec struct {
	Strategy     string  // NoSpot ("" = NoSpot), SpotAsPriceGo or SpotWithPriceLimit
	PriceLimit   float64 // per hour; SpotWithPriceLimit only
	Duration     int     // protected hours, 0 or 1
	Interruption string  // Terminate or Stop
}

// IsSpot reports whether the settings describe a spot instance.
func (s SpotSpec) IsSpot() bool { return s.Strategy != "" && s.Strategy != "NoSpot" }

// SystemDiskSpec describes the system disk of a new instance.
type SystemDiskSpec struct {
	Category         string // "" = service default
	Size             int    // GiB, 0 = service default
	Name             string // "" = none
	Description      string
	PerformanceLevel string // ESSD only; "" = the service's default, PL1
}

// DataDiskSpec describes one data disk of a new instance.
type DataDiskSpec struct {
	Size               int // GiB; with SnapshotID 0 = the snapshot's size
	Category           string
	DeleteWithInstance bool
	SnapshotID         string // "" = an empty disk; else the disk is made from this snapshot
	// Name, Description, PerformanceLevel: "" = none, the service's default.
	Name, Description, PerformanceLevel string
	// Encrypted with KMSKeyID ("" = the service's default key).
	Encrypted bool
	KMSKeyID  string
}

// RunInstanceInput creates exactly one instance (Amount=1).
type RunInstanceInput struct {
	// ClientToken makes the call idempotent: a retry with the same token
	// returns the instance the first attempt created.
	ClientToken             string
	ImageID                 string
	InstanceType            string
	VSwitchID               string
	ZoneID                  string
	SecurityGroupIDs        []string
	Name                    string
	Description             string
	HostName                string
	KeyPairName             string
	UserData                string // already base64
	Password                string // never logged
	SystemDisk              SystemDiskSpec
	DataDisks               []DataDiskSpec
	InternetMaxBandwidthOut int
	InternetChargeType      string // "" = the service's default, PayByTraffic
	PrivateIP               string // "" = the service picks one in the vSwitch
	ResourceGroupID         string // "" = the account's default group
	RAMRoleName             string // "" = none
	DeletionProtection      bool
	Tags                    map[string]string
	Spot                    SpotSpec // sent only for a spot strategy
}

// ModifyInstanceInput changes attributes in place; nil fields are left alone.
type ModifyInstanceInput struct {
	Name               *string
	Description        *string
	HostName           *string
	Password           *string // never logged
	DeletionProtection *bool
}

// StopInput controls StopInstance.
type StopInput struct {
	ForceStop   bool
	StoppedMode string // "", "KeepCharging" or "StopCharging"
}

// InstanceFilter selects instances for ListInstances; empty fields do not filter.
type InstanceFilter struct {
	IDs       []string
	Name      string // the API's InstanceName filter, "*" is a wildcard
	Status    string
	VSwitchID string
	Tags      map[string]string
}

// Disk is one disk as DescribeDisks reports it.
type Disk struct {
	ID         string
	InstanceID string
	Type       string // "system" or "data"
	Category   string
	Size       int
	Status     string
	Device     string
	// Name, Description and PerformanceLevel (ESSD: PL0 to PL3) as reported.
	Name, Description, PerformanceLevel string
	// DeleteWithInstance: the disk is released with its instance.
	DeleteWithInstance bool
	// DeleteAutoSnapshot: its automatic snapshots go when the disk does.
	DeleteAutoSnapshot   bool
	AutoSnapshotPolicyID string // "" = no automatic snapshot policy
	ImageID              string // the image a system disk was made from
	SourceSnapshotID     string // the snapshot the disk was made from, "" for none
	Encrypted            bool
	KMSKeyID             string // the key of an encrypted disk, as reported
}

// SnapshotGroupInput creates a snapshot group of an instance's disks.
type SnapshotGroupInput struct {
	ClientToken string
	InstanceID  string
	DiskIDs     []string // empty = every disk of the instance
	Name        string
	Description string
	Tags        map[string]string
}

// SnapshotGroup is one snapshot group as DescribeSnapshotGroups reports it.
type SnapshotGroup struct {
	ID           string
	Name         string
	Description  string
	InstanceID   string
	Status       string
	CreationTime string
	Tags         map[string]string
	Snapshots    []Snapshot
}

// Snapshot is one disk snapshot; the group call gives the first fields,
// DescribeSnapshots the rest.
type Snapshot struct {
	ID             string
	SourceDiskID   string
	SourceDiskType string // "system" or "data"
	SourceDiskSize int    // GiB
	Progress       string // e.g. "100%"
	Status         string
	RetentionDays  int // 0 = kept until deleted
}

// SnapshotGroupFilter selects snapshot groups; empty fields do not filter.
type SnapshotGroupFilter struct {
	IDs        []string
	InstanceID string
	Name       string
	Statuses   []string
}

// ModifySnapshotInput changes one snapshot's attributes; nil fields are left alone.
type ModifySnapshotInput struct {
	Name          *string
	Description   *string
	RetentionDays *int
}

// Image status values (the API's).
const (
	ImageCreating     = "Creating"
	ImageAvailable    = "Available"
	ImageCreateFailed = "CreateFailed"
)

// ImageInput creates a custom image from a system-disk snapshot.
type ImageInput struct {
	// ClientToken makes the call idempotent: a retry with the same token
	// returns the image the first attempt created.
	ClientToken string
	SnapshotID  string
	Name        string
	Description string
	Tags        map[string]string
}

// Image is one image as DescribeImages reports it.
type Image struct {
	ID       string
	Name     string
	Status   string // Creating, Available, CreateFailed, …
	Progress string // e.g. "45%"
	Owner    string // ImageOwnerAlias: system, self, …
	Size     int    // GiB, the system disk
	OSType   string // linux or windows
	Tags     map[string]string
	// SnapshotIDs are the snapshots of its disks, system disk first.
	SnapshotIDs []string
}

// ImageFilter selects custom images for ListImages; empty fields do not filter.
type ImageFilter struct {
	Tags map[string]string
}

// SnapshotNotDeleted is a snapshot that DeleteSnapshotGroup kept, with the
// service's reason (SnapshotCreatedImage: an image uses it;
// SnapshotCreatedDisk: a disk was created from it).
type SnapshotNotDeleted struct {
	SnapshotID string
	Code       string
	Message    string
}
