package provider

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The journey explorer's configuration space: one configuration of 0–3
// machines (count), each with the same options. exploreConfig renders it as
// HCL; edits change it one option at a time.

type exploreConfig struct {
	Count        int    // aliecs_instance.vm count; 0 = the resource removed
	Image        int    // which catalog image (a change replaces)
	Revision     int    // instance_name suffix and a tag (changed in place)
	Schedule     string // "", "after" (release_after) or "literal" (release_time)
	ReleaseAfter string // release_after, e.g. "6h"
	ReleaseTime  string // release_time, set from the emulator's clock when edited
	Snapshots    int    // aliecs_snapshot a (and b) per machine: 0, 1 or 2
	SnapRelease  bool   // snapshot a releases the machine once saved
	SnapStop     bool   // stop_before_snapshot on every snapshot
	Final        bool   // final_snapshot
	FinalStop    bool   // final_snapshot.stop_first
	Spot         string // "", "Terminate" or "Stop" (spot_interruption_behavior)
	Protected    bool   // deletion_protection
	KeptDisk     bool   // a data disk with delete_with_instance = false
	BigDisk      bool   // system disk 60 GiB instead of 40 (growing is in place, shrinking is refused)
	Efficiency   bool   // system disk cloud_efficiency: its snapshots are per-disk sets, not groups (a change replaces)
	UserData     string // "", "plain" or "wo"
	SourceGroup  string // source_snapshot_id (instead of image_id)
	Renamed      bool   // the machines are aliecs_instance.node, moved {} from .vm (and back)
	SecondGroup  bool   // a second security group (joined and left in place)
	Base64Data   bool   // user_data_base64 instead of user_data (the same script: no change)
	Policy       bool   // an aliecs_snapshot_policy on every machine (automatic snapshots on the clock)
	DiskName     int    // the kept data disk's name and description suffix (changed in place)
	Public       bool   // internet_max_bandwidth_out 5 instead of 0 (the public IP comes and goes in place)
}

// name is the instance resource's name; a moved {} block always leads from
// the other one, so a rename moves the state (and a block with nothing to
// move is a no-op).
func (c exploreConfig) name() string {
	if c.Renamed {
		return "node"
	}
	return "vm"
}

func (c exploreConfig) otherName() string {
	if c.Renamed {
		return "vm"
	}
	return "node"
}

// exploreCatalog is what the configuration references in the emulator.
type exploreCatalog struct {
	images       [2]string
	vswitch      string
	sgs          [2]string
	instanceType string
}

// hcl renders the configuration; the provider block takes everything from
// the environment, so the same files run against a copy of the emulator.
func (c exploreConfig) hcl(cat exploreCatalog) string {
	var b strings.Builder
	b.WriteString("provider \"aliecs\" {}\n")
	if c.Count == 0 {
		return b.String()
	}
	source := fmt.Sprintf("  image_id = %q\n", cat.images[c.Image%2])
	if c.SourceGroup != "" {
		source = fmt.Sprintf("  source_snapshot_id = %q\n", c.SourceGroup)
	}
	fmt.Fprintf(&b, `
moved {
  from = aliecs_instance.%s
  to   = aliecs_instance.%s
}

resource "aliecs_instance" %q {
  count              = %d
%s  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = %s
  instance_name      = "explore-${count.index}-r%d"
  tags               = { revision = "%d" }
`, c.otherName(), c.name(), c.name(), c.Count, source, cat.instanceType, cat.vswitch, c.securityGroups(cat), c.Revision, c.Revision)
	// Always written out: a block left out keeps whatever the machine has,
	// so toggling back to the defaults would change nothing, and a later
	// edit would then change the category unseen (a replacement).
	category, size := "cloud_essd", 40
	if c.Efficiency {
		category = "cloud_efficiency"
	}
	if c.BigDisk {
		size = 60
	}
	fmt.Fprintf(&b, "  system_disk = { category = %q, size = %d }\n", category, size)
	if c.Protected {
		b.WriteString("  deletion_protection = true\n")
	}
	if c.Spot != "" {
		fmt.Fprintf(&b, "  spot_strategy              = \"SpotAsPriceGo\"\n  spot_interruption_behavior = %q\n", c.Spot)
	}
	if c.KeptDisk {
		fmt.Fprintf(&b, "  data_disks = [{ size = 20, category = \"cloud_essd\", delete_with_instance = false, "+
			"name = \"kept-r%d\", description = \"kept disk %d\" }]\n", c.DiskName, c.DiskName)
	}
	bandwidth := 0
	if c.Public {
		bandwidth = 5
	}
	fmt.Fprintf(&b, "  internet_max_bandwidth_out = %d\n", bandwidth)
	switch c.UserData {
	case "plain":
		if c.Base64Data { // the same script, written as base64
			fmt.Fprintf(&b, "  user_data_base64 = %q\n", base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho explore\n")))
		} else {
			b.WriteString("  user_data = \"#!/bin/sh\\necho explore\\n\"\n")
		}
	case "wo":
		b.WriteString("  user_data_wo         = \"#!/bin/sh\\necho secret\\n\"\n  user_data_wo_version = 1\n")
	}
	if c.Final {
		fmt.Fprintf(&b, "  final_snapshot = { name = \"explore-final\", stop_first = %t }\n", c.FinalStop)
	}
	b.WriteString("}\n")
	switch c.Schedule {
	case "after":
		fmt.Fprintf(&b, `
resource "aliecs_auto_release_schedule" "vm" {
  count         = %d
  instance_id   = aliecs_instance.%s[count.index].id
  release_after = %q
}
`, c.Count, c.name(), c.ReleaseAfter)
	case "literal":
		fmt.Fprintf(&b, `
resource "aliecs_auto_release_schedule" "vm" {
  count        = %d
  instance_id  = aliecs_instance.%s[count.index].id
  release_time = %q
}
`, c.Count, c.name(), c.ReleaseTime)
	}
	if c.Policy {
		// Four points a day, kept one day: clock moves take and expire them.
		fmt.Fprintf(&b, `
resource "aliecs_snapshot_policy" "vm" {
  name            = "explore-checkpoints"
  time_points     = [0, 6, 12, 18]
  repeat_weekdays = [1, 2, 3, 4, 5, 6, 7]
  retention_days  = 1
  instance_ids    = aliecs_instance.%s[*].id
}
`, c.name())
	}
	for i, name := range []string{"a", "b"}[:min(c.Snapshots, 2)] {
		fmt.Fprintf(&b, `
resource "aliecs_snapshot" %q {
  count                = %d
  instance_id          = aliecs_instance.%s[count.index].id
  name                 = "explore-%s"
  stop_before_snapshot = %t
`, name, c.Count, c.name(), name, c.SnapStop)
		if i == 0 && c.SnapRelease {
			b.WriteString("  release_instance_after_snapshot = true\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// securityGroups is the security_group_ids list.
func (c exploreConfig) securityGroups(cat exploreCatalog) string {
	if c.SecondGroup {
		return fmt.Sprintf("[%q, %q]", cat.sgs[0], cat.sgs[1])
	}
	return fmt.Sprintf("[%q]", cat.sgs[0])
}

// hasSnapshot reports whether aliecs_snapshot.<name>[index] is configured.
func (c exploreConfig) hasSnapshot(name string, index int) bool {
	n := map[string]int{"a": 1, "b": 2}[name]
	return n > 0 && c.Snapshots >= n && index < c.Count
}

// randomConfig is a journey's first configuration.
func randomConfig(r *rand.Rand, now time.Time) exploreConfig {
	c := exploreConfig{Count: 1 + r.IntN(3), Image: r.IntN(2), ReleaseAfter: "6h"}
	for _, e := range []string{"schedule", "snapshots", "final", "spot", "protect", "disk", "userdata"} {
		if r.IntN(3) == 0 {
			c, _ = c.edit(e, r.IntN(1000), now, "")
		}
	}
	return c
}

// exploreEdits are the names edit takes. Whether an edit replaces the
// machines is decided by what it changes (replacing).
var exploreEdits = []string{
	"rename", "image", "count", "schedule", "schedule_time", "snapshots", "snap_release", "snap_stop",
	"final", "final_stop", "spot", "protect", "disk", "disk_size", "userdata", "restore", "move", "disk_category",
	"security_groups", "user_data_form", "policy", "disk_name", "bandwidth",
}

// edit changes one option, chosen by arg. It returns the new configuration
// and whether the change replaces the machines (a count decrease releases
// some: it counts too). group is an accomplished snapshot group for
// "restore" ("" = none yet: the edit goes back to image_id).
func (c exploreConfig) edit(name string, arg int, now time.Time, group string) (exploreConfig, bool) {
	n := c
	replaces := false
	switch name {
	case "rename":
		n.Revision++
	case "image":
		n.Image++
		replaces = n.SourceGroup == ""
	case "count":
		n.Count = arg % 4
		replaces = n.Count < c.Count
	case "schedule":
		n.Schedule = []string{"", "after", "literal"}[arg%3]
		if n.Schedule == "literal" && n.ReleaseTime == "" {
			n.ReleaseTime = literalReleaseTime(now, arg)
		}
	case "schedule_time":
		n.ReleaseAfter = []string{"2h", "6h", "24h", "3d"}[arg%4]
		n.ReleaseTime = literalReleaseTime(now, arg)
	case "snapshots":
		n.Snapshots = arg % 3
	case "snap_release":
		n.SnapRelease = !n.SnapRelease
	case "snap_stop":
		n.SnapStop = !n.SnapStop
	case "final":
		n.Final = !n.Final
	case "final_stop":
		n.FinalStop = !n.FinalStop
	case "spot":
		n.Spot = []string{"", "Terminate", "Stop"}[arg%3]
		replaces = n.Spot != c.Spot
	case "protect":
		n.Protected = !n.Protected
	case "disk":
		n.KeptDisk = !n.KeptDisk
		replaces = !n.KeptDisk // adding a data disk is done in place; removing one replaces
	case "move":
		n.Renamed = !n.Renamed
	case "security_groups":
		n.SecondGroup = !n.SecondGroup // joined or left in place
	case "policy":
		n.Policy = !n.Policy // the policy is created or deleted; its snapshots stay
	case "user_data_form":
		n.Base64Data = !n.Base64Data // the same script in the other attribute: no change
	case "disk_name":
		n.DiskName++ // the kept data disk renamed in place
	case "bandwidth":
		n.Public = !n.Public // from or to 0 Mbit/s in place
	case "disk_size":
		n.BigDisk = !n.BigDisk
	case "disk_category":
		n.Efficiency = !n.Efficiency
		replaces = true
	case "userdata":
		n.UserData = []string{"", "plain", "wo"}[arg%3]
		replaces = n.UserData != c.UserData
	case "restore":
		n.SourceGroup = group
		replaces = n.SourceGroup != c.SourceGroup
	}
	return n, replaces && c.Count > 0
}

// literalReleaseTime is a release_time 1–72 hours ahead of now, to the minute.
func literalReleaseTime(now time.Time, arg int) string {
	hours := []int{1, 3, 12, 72}[arg%4]
	return now.Add(time.Duration(hours) * time.Hour).Truncate(time.Minute).UTC().Format(time.RFC3339)
}
