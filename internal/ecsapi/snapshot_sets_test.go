package ecsapi

import (
	"regexp"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestSnapshotSetID(t *testing.T) {
	id := SnapshotSetID("tf-final-0b5e")
	if !regexp.MustCompile(`^sset-[0-9a-f]{20}$`).MatchString(id) || !IsSnapshotSetID(id) {
		t.Fatalf("SnapshotSetID = %q", id)
	}
	if SnapshotSetID("tf-final-0b5e") != id || SnapshotSetID("tf-final-0b5f") == id {
		t.Fatal("a set id must follow its token, and only its token")
	}
	if IsSnapshotSetID("ssg-bp67acfmxazb4ph1234") || IsSnapshotSetID("s-bp67acfmxazb4ph1234") {
		t.Fatal("a group or snapshot id taken for a set id")
	}
	if a, b := diskToken("t", "d-1"), diskToken("t", "d-2"); a == b || len(a) > 64 {
		t.Fatalf("disk tokens %q %q", a, b)
	}
}

func TestSnapshotSetsFrom(t *testing.T) {
	snap := func(id, set, disk, typ, status, created string) ecs.Snapshot {
		s := ecs.Snapshot{SnapshotId: id, SourceDiskId: disk, SourceDiskType: typ, Status: status,
			CreationTime: created, SnapshotName: "n", SourceDiskSize: "40"}
		s.Tags.Tag = []ecs.Tag{{TagKey: SnapshotSetTag, TagValue: set}, {TagKey: SnapshotSetInstanceTag, TagValue: "i-1"},
			{TagKey: "team", TagValue: "x"}}
		return s
	}
	sets := snapshotSetsFrom([]ecs.Snapshot{
		snap("s-3", "sset-b", "d-9", "data", "accomplished", "2026-01-01T00:00:05Z"),
		snap("s-2", "sset-a", "d-2", "data", "progressing", "2026-01-01T00:00:03Z"),
		snap("s-1", "sset-a", "d-1", "system", "accomplished", "2026-01-01T00:00:04Z"),
		snap("s-4", "sset-b", "d-8", "data", "failed", "2026-01-01T00:00:05Z"),
		{SnapshotId: "s-5"}, // not in a set
	})
	if len(sets) != 2 || sets[0].ID != "sset-a" || sets[1].ID != "sset-b" {
		t.Fatalf("sets %+v", sets)
	}
	a, b := sets[0], sets[1]
	if a.Status != SnapshotProgressing || b.Status != SnapshotFailed {
		t.Errorf("statuses %s %s, want progressing failed", a.Status, b.Status)
	}
	if a.Snapshots[0].ID != "s-1" || b.Snapshots[0].SourceDiskID != "d-8" {
		t.Errorf("order: %+v / %+v (the system disk first, then by disk id)", a.Snapshots, b.Snapshots)
	}
	if a.InstanceID != "i-1" || a.CreationTime != "2026-01-01T00:00:03Z" || a.Snapshots[0].SourceDiskSize != 40 {
		t.Errorf("set a: %+v", a)
	}
	if len(a.Tags) != 1 || a.Tags["team"] != "x" {
		t.Errorf("tags %v: the set's own tags must not show", a.Tags)
	}
}
