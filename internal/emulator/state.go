package emulator

import (
	"sort"
	"time"
)

// Exported names for the documents State returns.
type (
	Instance      = instanceView
	Disk          = diskView
	Snapshot      = snapshotView
	SnapshotGroup = snapshotGroupView
	Region        = catalogRegion
	Zone          = catalogZone
	Image         = catalogImage
	InstanceType  = catalogInstanceType
	VSwitch       = catalogVSwitch
	SecurityGroup = catalogSecurityGroup
	KeyPair       = catalogKeyPair
)

// State is the document of GET /_emulator/state: the clock, the catalog and
// every resource with its API fields.
type State struct {
	Now            string          `json:"now"`
	Catalog        Catalog         `json:"catalog"`
	Instances      []Instance      `json:"instances"`
	Disks          []Disk          `json:"disks"`
	Snapshots      []Snapshot      `json:"snapshots"`
	SnapshotGroups []SnapshotGroup `json:"snapshot_groups"`
	Images         []M             `json:"images"` // custom images, as DescribeImages reports them
	// AutoSnapshotPolicies are the automatic snapshot policies (policies.go).
	AutoSnapshotPolicies []AutoSnapshotPolicy `json:"auto_snapshot_policies"`
}

// Catalog lists what users can reference in their configuration.
type Catalog struct {
	Regions        []Region        `json:"regions"`
	Zones          []Zone          `json:"zones"`
	Images         []Image         `json:"images"`
	InstanceTypes  []InstanceType  `json:"instance_types"`
	Vpcs           []Vpc           `json:"vpcs"`
	VSwitches      []VSwitch       `json:"vswitches"`
	SecurityGroups []SecurityGroup `json:"security_groups"`
	KeyPairs       []KeyPair       `json:"key_pairs"`
	// SoldOut lists the zones and instance types without stock; every
	// other pair is in stock (POST /_emulator/stock changes it).
	SoldOut []StockEntry `json:"sold_out"`
}

// Vpc is a catalog VPC.
type Vpc struct {
	ID       string `json:"id"`
	RegionID string `json:"region_id"`
}

// State returns a snapshot of the whole emulator state.
func (e *Emulator) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.nowLocked()
	e.fireDueLocked(now)
	s := State{Now: now.Format(time.RFC3339), Catalog: e.catalogLocked()}
	s.Instances = []Instance{}
	for _, in := range sortedBySeq(e.st.Instances) {
		s.Instances = append(s.Instances, in.view(now))
	}
	s.Disks = []Disk{}
	for _, d := range sortedBySeq(e.st.Disks) {
		s.Disks = append(s.Disks, d.view(now))
	}
	s.Snapshots = []Snapshot{}
	for _, sn := range sortedBySeq(e.st.Snapshots) {
		s.Snapshots = append(s.Snapshots, e.snapshotViewLocked(sn, now))
	}
	s.SnapshotGroups = []SnapshotGroup{}
	for _, g := range sortedBySeq(e.st.Groups) {
		s.SnapshotGroups = append(s.SnapshotGroups, e.groupViewLocked(g, now))
	}
	s.AutoSnapshotPolicies = []AutoSnapshotPolicy{}
	for _, p := range sortedBySeq(e.st.Policies) {
		v := e.policyViewLocked(p)
		s.AutoSnapshotPolicies = append(s.AutoSnapshotPolicies, AutoSnapshotPolicy{autoSnapshotPolicyView: v, SnapshotsTaken: v.Taken})
	}
	s.Images = []M{}
	for _, im := range sortedBySeq(e.st.Images) {
		s.Images = append(s.Images, e.imageViewLocked(im, now))
	}
	return s
}

// sortedBySeq returns the resources of m in creation order.
func sortedBySeq[T sequenced](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sequence() < out[j].sequence() })
	return out
}

func (e *Emulator) catalogLocked() Catalog {
	c := Catalog{Images: catalogImages, InstanceTypes: catalogInstanceTypes}
	ids := make([]string, 0, len(seededRegions)+len(e.st.Regions))
	for _, r := range seededRegions {
		ids = append(ids, r.RegionId)
	}
	ids = append(ids, e.st.Regions...)
	for _, id := range ids {
		rc, ae := e.regionLocked(id)
		if ae != nil {
			continue
		}
		c.Regions = append(c.Regions, rc.Region)
		c.Zones = append(c.Zones, rc.Zones...)
		c.Vpcs = append(c.Vpcs, Vpc{ID: rc.VpcID, RegionID: id})
		for _, v := range rc.OtherVpcIDs {
			c.Vpcs = append(c.Vpcs, Vpc{ID: v, RegionID: id})
		}
		c.VSwitches = append(c.VSwitches, rc.VSwitches...)
		c.SecurityGroups = append(c.SecurityGroups, rc.SecurityGroups...)
		c.KeyPairs = append(c.KeyPairs, rc.KeyPairs...)
	}
	c.SoldOut = e.soldOutListLocked()
	return c
}
