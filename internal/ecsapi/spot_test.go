package ecsapi

import (
	"context"
	"testing"
)

func TestRunInstanceSpotParams(t *testing.T) {
	f := newFakeECS(t, func(fakeCall) (int, any) {
		return ok(map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{"i-1"}}})
	})
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	for _, in := range []RunInstanceInput{
		{ClientToken: "on-demand"},
		{ClientToken: "no-spot", Spot: SpotSpec{Strategy: SpotNone, Duration: 1, Interruption: SpotTerminate}},
		{ClientToken: "limit", Spot: SpotSpec{Strategy: SpotWithLimit, PriceLimit: 0.125, Duration: 0, Interruption: SpotStop}},
		{ClientToken: "go", Spot: SpotSpec{Strategy: SpotAsPriceGo, PriceLimit: 9, Duration: 1, Interruption: SpotTerminate}},
	} {
		if _, err := c.RunInstance(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	calls := f.callsOf("RunInstances")
	for _, on := range calls[:2] { // an on-demand machine sends no spot parameter
		for _, k := range []string{"SpotStrategy", "SpotPriceLimit", "SpotDuration", "SpotInterruptionBehavior"} {
			param(t, on, k, "<absent>")
		}
	}
	param(t, calls[2], "SpotStrategy", "SpotWithPriceLimit")
	param(t, calls[2], "SpotPriceLimit", "0.125") // not 0.125000
	param(t, calls[2], "SpotDuration", "0")
	param(t, calls[2], "SpotInterruptionBehavior", "Stop")
	param(t, calls[3], "SpotStrategy", "SpotAsPriceGo")
	param(t, calls[3], "SpotPriceLimit", "<absent>") // only with a price limit strategy
	param(t, calls[3], "SpotDuration", "1")
}

func TestFindSpotInterruption(t *testing.T) {
	answer := func(events ...map[string]any) func(fakeCall) (int, any) {
		return func(fakeCall) (int, any) {
			return ok(map[string]any{"InstanceSystemEventSet": map[string]any{"InstanceSystemEventType": events}})
		}
	}
	f := newFakeECS(t, answer())
	c, _ := f.newTestClient(t)
	ctx := context.Background()
	ev, err := c.FindSpotInterruption(ctx, "i-1")
	if err != nil || ev != nil {
		t.Fatalf("no event: got %+v, %v", ev, err)
	}
	call := onlyCall(t, f, "DescribeInstanceHistoryEvents")
	param(t, call, "InstanceId", "i-1")
	param(t, call, "EventType", SpotInterruptionEvent)
	event := func(id, instance, typ, published string) map[string]any {
		return map[string]any{"EventId": id, "InstanceId": instance, "EventType": map[string]any{"Name": typ},
			"EventCycleStatus": map[string]any{"Name": "Executed"}, "EventPublishTime": published,
			"NotBefore": "2026-01-01T00:05:00Z"}
	}
	f.setHandler(answer(
		event("e-old", "i-1", SpotInterruptionEvent, "2026-01-01T00:00:00Z"),
		event("e-new", "i-1", SpotInterruptionEvent, "2026-01-02T00:00:00Z"),
		event("e-other", "i-2", SpotInterruptionEvent, "2026-01-03T00:00:00Z"),
		event("e-maint", "i-1", "SystemMaintenance.Reboot", "2026-01-04T00:00:00Z"),
	))
	ev, err = c.FindSpotInterruption(ctx, "i-1")
	if err != nil || ev == nil || ev.EventID != "e-new" || ev.Status != "Executed" || ev.NotBefore != "2026-01-01T00:05:00Z" {
		t.Fatalf("got %+v, %v; want the newest interruption of i-1", ev, err)
	}
}
