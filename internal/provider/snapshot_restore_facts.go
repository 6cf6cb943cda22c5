package provider

import (
	"context"
	"strings"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

// What a restore needs that DescribeSnapshotGroups does not report: the
// source instance's type and image, and each disk's category. The provider
// tags the snapshot groups it creates (aliecs_snapshot, final_snapshot) with
// them; groups made elsewhere lack them, and a restore then uses cloud_essd
// disks and asks for the instance type in the configuration, as always.
const (
	restoreTypeTag       = providerTagPrefix + "source-instance-type"
	restoreImageTag      = providerTagPrefix + "source-image-id"
	restoreCategoriesTag = providerTagPrefix + "disk-categories"
)

// restoreFacts are the facts a group carries; empty when it has none.
type restoreFacts struct {
	InstanceType string
	ImageID      string
	// Categories holds each snapshot's disk category by snapshot id.
	Categories map[string]string
}

// categoryCodes keep the categories tag short (a tag value has at most 128
// characters, and a group at most 17 disks).
var categoryCodes = map[string]string{
	"cloud_essd": "essd", "cloud_auto": "auto", "cloud_essd_entry": "entry",
	"cloud_ssd": "ssd", "cloud_efficiency": "eff", "cloud": "basic",
}

func categoryOfCode(code string) string {
	for c, k := range categoryCodes {
		if k == code {
			return c
		}
	}
	return ""
}

// restoreFactsOf reads the facts a group's tags carry. The categories are
// listed in the order of the group's snapshots when it was tagged; a group
// whose number of snapshots has changed since gives no categories.
func restoreFactsOf(g *ecsapi.SnapshotGroup) restoreFacts {
	f := restoreFacts{InstanceType: g.Tags[restoreTypeTag], ImageID: g.Tags[restoreImageTag], Categories: map[string]string{}}
	codes := strings.Split(g.Tags[restoreCategoriesTag], ",")
	if g.Tags[restoreCategoriesTag] == "" || len(codes) != len(g.Snapshots) {
		return f
	}
	for i, s := range g.Snapshots {
		if c := categoryOfCode(codes[i]); c != "" {
			f.Categories[s.ID] = c
		}
	}
	return f
}

// tagRestoreFacts tags a group just taken of inst with its restore facts,
// as many as fit beside the group's other tags (20 at most). It returns the
// error of the tag call; the group is complete without the facts.
func tagRestoreFacts(ctx context.Context, client *ecsapi.Client, inst *ecsapi.Instance, g *ecsapi.SnapshotGroup) error {
	if inst == nil || g == nil {
		return nil
	}
	disks, err := client.ListDisks(ctx, inst.ID)
	if err != nil {
		return err
	}
	categories := map[string]string{}
	for _, d := range disks {
		categories[d.ID] = d.Category
	}
	codes := make([]string, 0, len(g.Snapshots))
	for _, s := range g.Snapshots {
		code := categoryCodes[categories[s.SourceDiskID]]
		if code == "" {
			codes = nil
			break
		}
		codes = append(codes, code)
	}
	set := map[string]string{}
	room := maxTags - len(g.Tags)
	if ecsapi.IsSnapshotSetID(g.ID) {
		room -= 2 // each snapshot of a set also carries the set's two tags
	}
	for _, kv := range [][2]string{
		{restoreTypeTag, inst.InstanceType},
		{restoreImageTag, inst.ImageID},
		{restoreCategoriesTag, strings.Join(codes, ",")},
	} {
		if room > 0 && kv[1] != "" && len(kv[1]) <= 128 {
			set[kv[0]] = kv[1]
			room--
		}
	}
	if len(set) == 0 {
		return nil
	}
	return client.UpdateSnapshotGroupTags(ctx, g.ID, set, nil)
}
