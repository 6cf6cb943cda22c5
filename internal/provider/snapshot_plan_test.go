package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/aliecs/terraform-provider-aliecs/internal/ecsapi"
)

func TestSnapshotDiskIDsForceReplacement(t *testing.T) {
	held := []snapshotModel{{DiskID: types.StringValue("d-a")}, {DiskID: types.StringValue("d-b")}}
	set := func(ids ...string) types.Set {
		vals := make([]attr.Value, 0, len(ids))
		for _, id := range ids {
			vals = append(vals, types.StringValue(id))
		}
		return types.SetValueMust(types.StringType, vals)
	}
	cases := []struct {
		name string
		plan types.Set
		want bool
	}{
		{"unset keeps the group", types.SetNull(types.StringType), false},
		{"same disks", set("d-b", "d-a"), false},
		{"fewer disks", set("d-a"), true},
		{"other disks", set("d-a", "d-c"), true},
		{"more disks", set("d-a", "d-b", "d-c"), true},
		{"unknown", types.SetUnknown(types.StringType), true},
	}
	for _, c := range cases {
		if got := diskIDsForceReplacement(c.plan, held); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSnapshotReleaseForcesReplacement(t *testing.T) {
	cases := []struct {
		plan, released bool
		want           bool
	}{
		{true, false, true},
		{true, true, false},
		{false, false, false},
		{false, true, false},
	}
	for _, c := range cases {
		if got := releaseForcesReplacement(types.BoolValue(c.plan), types.BoolValue(c.released)); got != c.want {
			t.Errorf("plan %v released %v: got %v, want %v", c.plan, c.released, got, c.want)
		}
	}
}

func TestSnapshotGroupProgressAndTime(t *testing.T) {
	g := &ecsapi.SnapshotGroup{Status: ecsapi.SnapshotProgressing, Snapshots: []ecsapi.Snapshot{
		{Progress: "20%"}, {Progress: "60%"}, {Progress: "garbage"},
	}}
	if got := snapshotGroupProgress(g); got != 26 {
		t.Errorf("progress = %d, want 26", got)
	}
	g.Status = ecsapi.SnapshotAccomplished
	if got := snapshotGroupProgress(g); got != 100 {
		t.Errorf("accomplished progress = %d, want 100", got)
	}
	for in, want := range map[string]string{
		"2026-01-02T03:04:05Z": "2026-01-02T03:04:05Z",
		"2026-01-02T03:04Z":    "2026-01-02T03:04:00Z",
		"not a time":           "not a time",
	} {
		if got := apiTimeToRFC3339(in); got != want {
			t.Errorf("apiTimeToRFC3339(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnapshotCreateError(t *testing.T) {
	cases := []struct {
		code, message, summary string
	}{
		{"IncorrectDiskStatus", "The current disk status does not support this operation.", "cannot be snapshotted in their current state"},
		{"IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.", "already in progress"},
		{"QuotaExceed.Snapshot", "The snapshot quota exceeds.", "quota exceeded"},
		{"IncorrectInstanceStatus", "The current status of the resource does not support this operation.", "instance cannot be snapshotted"},
		{"InvalidDiskCategory.NotSupported", "only ESSD", "Only ESSD disks"},
		{"InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", "Instance not found"},
		{"InternalError", "boom", "Cannot snapshot the instance"},
	}
	for _, c := range cases {
		err := &ecsapi.APIError{Action: "CreateSnapshotGroup", Code: c.code, Message: c.message}
		summary, detail := snapshotCreateError(err, "i-bp1abcdefgh", []string{"d-bp1disk0001"})
		if !strings.Contains(summary, c.summary) {
			t.Errorf("%s: summary %q, want it to contain %q", c.code, summary, c.summary)
		}
		if !strings.Contains(detail, c.code) {
			t.Errorf("%s: detail %q does not name the service's code", c.code, detail)
		}
		if c.code != "IncorrectInstanceStatus" && c.code != "InvalidInstanceId.NotFound" && !strings.Contains(detail, "d-bp1disk0001") {
			t.Errorf("%s: detail %q does not name the disk", c.code, detail)
		}
		if !strings.Contains(detail, "i-bp1abcdefgh") {
			t.Errorf("%s: detail %q does not name the instance", c.code, detail)
		}
	}
	if s, _ := snapshotCreateError(errors.New("plain"), "i-x", nil); s != "Cannot snapshot the instance" {
		t.Errorf("plain error summary %q", s)
	}
}
