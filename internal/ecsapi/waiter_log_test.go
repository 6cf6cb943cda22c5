package ecsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// A wait logs at INFO its start, each change of status, a line every
// waitLogEvery while nothing changes, and its end: a long boot is not
// silent, and an unchanged status is not repeated at every poll.
func TestWaitLogsProgressAtInfo(t *testing.T) {
	statuses := []string{StatusPending}
	for range 40 {
		statuses = append(statuses, StatusStarting)
	}
	f := newFakeECS(t, statusSequence(append(statuses, StatusRunning)...))
	c, _ := waiterClient(t, f)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	if _, err := c.WaitInstanceStatus(ctx, "i-1", StatusRunning); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["@level"] == "info" {
			msgs = append(msgs, m["@message"].(string))
		}
	}
	starting := 0
	for _, m := range msgs {
		if strings.Contains(m, ": Starting after ") {
			starting++
		}
	}
	if len(msgs) < 4 || msgs[0] != "Waiting for instance i-1 to reach status Running" ||
		!strings.Contains(msgs[1], ": Pending after ") ||
		!strings.HasPrefix(msgs[len(msgs)-1], "Done waiting for instance i-1 to reach status Running after ") {
		t.Fatalf("INFO lines:\n%s", strings.Join(msgs, "\n"))
	}
	// 40 polls of Starting (about 75 s at 2 s apart): the change, and a
	// line per 30 s, not one per poll.
	if starting < 2 || starting > 4 {
		t.Errorf("%d Starting lines, want 2 to 4 (one per %s):\n%s", starting, waitLogEvery, strings.Join(msgs, "\n"))
	}
}
