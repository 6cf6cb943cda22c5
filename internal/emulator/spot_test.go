package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func spotRun(strategy, limit, duration, behavior string) func(*ecs.RunInstancesRequest) {
	return func(req *ecs.RunInstancesRequest) {
		req.SpotStrategy = strategy
		if limit != "" {
			req.SpotPriceLimit = requests.Float(limit)
		}
		if duration != "" {
			req.SpotDuration = requests.Integer(duration)
		}
		req.SpotInterruptionBehavior = behavior
	}
}

func TestSpotParametersStoredAndReported(t *testing.T) {
	f := newFixture(t, Options{})
	cases := []struct {
		name     string
		mutate   func(*ecs.RunInstancesRequest)
		strategy string
		limit    float64
		duration int
		behavior string
		isSpot   bool
	}{
		{"on-demand", spotRun("", "", "", ""), "NoSpot", 0, 0, "Terminate", false},
		{"as price go", spotRun("SpotAsPriceGo", "", "", ""), "SpotAsPriceGo", 0, 1, "Terminate", true},
		{"price limit", spotRun("SpotWithPriceLimit", "0.4", "0", "Stop"), "SpotWithPriceLimit", 0.4, 0, "Stop", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := f.describe(f.run(1, tc.mutate)[0])
			if in.SpotStrategy != tc.strategy || in.SpotPriceLimit != tc.limit || in.SpotDuration != tc.duration ||
				in.SpotInterruptionBehavior != tc.behavior || in.IsSpot != tc.isSpot {
				t.Fatalf("got strategy %q limit %v duration %d behavior %q isSpot %v", in.SpotStrategy, in.SpotPriceLimit,
					in.SpotDuration, in.SpotInterruptionBehavior, in.IsSpot)
			}
		})
	}
}

func TestSpotParametersRefused(t *testing.T) {
	f := newFixture(t, Options{})
	cases := []struct {
		name   string
		mutate func(*ecs.RunInstancesRequest)
		code   string
	}{
		{"unknown strategy", spotRun("Cheap", "", "", ""), "InvalidSpotStrategy"},
		{"limit without strategy", spotRun("", "0.5", "", ""), "InvalidSpotPriceLimit"},
		{"limit with as price go", spotRun("SpotAsPriceGo", "0.5", "", ""), "InvalidSpotPriceLimit"},
		{"strategy without limit", spotRun("SpotWithPriceLimit", "", "", ""), "InvalidSpotPriceLimit"},
		{"negative limit", spotRun("SpotWithPriceLimit", "-1", "", ""), "InvalidSpotPriceLimit"},
		{"zero limit", spotRun("SpotWithPriceLimit", "0", "", ""), "InvalidSpotPriceLimit"},
		{"four decimals", spotRun("SpotWithPriceLimit", "0.1234", "", ""), "InvalidSpotPriceLimit"},
		{"duration needing approval", spotRun("SpotAsPriceGo", "", "3", ""), "InvalidSpotDuration"},
		{"duration out of range", spotRun("SpotAsPriceGo", "", "7", ""), "InvalidSpotDuration"},
		{"behavior", spotRun("SpotAsPriceGo", "", "", "Hibernate"), "InvalidSpotInterruptionBehavior"},
		{"prepaid", func(req *ecs.RunInstancesRequest) {
			spotRun("SpotAsPriceGo", "", "", "")(req)
			req.InstanceChargeType, req.Period = "PrePaid", requests.NewInteger(1)
		}, "InvalidSpotPrepaid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := f.runRequest()
			tc.mutate(req)
			_, err := f.client().RunInstances(req)
			wantCode(t, err, http.StatusBadRequest, tc.code)
		})
	}
	if n := len(f.e.State().Instances); n != 0 {
		t.Fatalf("%d instances created by refused requests", n)
	}
}

func historyEvents(t *testing.T, f *fixture, mutate func(*ecs.DescribeInstanceHistoryEventsRequest)) []ecs.InstanceSystemEventType {
	t.Helper()
	req := ecs.CreateDescribeInstanceHistoryEventsRequest()
	req.RegionId = testRegion
	if mutate != nil {
		mutate(req)
	}
	resp, err := f.client().DescribeInstanceHistoryEvents(req)
	if err != nil {
		t.Fatalf("DescribeInstanceHistoryEvents: %v", err)
	}
	return resp.InstanceSystemEventSet.InstanceSystemEventType
}

func TestSpotReclaimTerminate(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, spotRun("SpotAsPriceGo", "", "", ""))[0]
	other := f.run(1, spotRun("SpotAsPriceGo", "", "", ""))[0]
	code, body := f.admin(http.MethodPost, "spot/reclaim", `{"instance_id":"`+id+`"}`)
	if code != http.StatusOK {
		t.Fatalf("reclaim: %d %s", code, body)
	}
	var res SpotReclaim
	if err := json.Unmarshal(body, &res); err != nil || res.EventType != SpotInterruptionEventType || res.Behavior != "Terminate" {
		t.Fatalf("reclaim answer %s (%v)", body, err)
	}
	// The event comes first; during the notice the instance runs, locked.
	evs := historyEvents(t, f, func(r *ecs.DescribeInstanceHistoryEventsRequest) { r.InstanceId = id })
	if len(evs) != 1 || evs[0].EventType.Name != SpotInterruptionEventType || evs[0].EventCycleStatus.Name != "Executing" {
		t.Fatalf("events during the notice: %+v", evs)
	}
	in := f.describe(id)
	if in.Status != "Running" || len(in.OperationLocks.LockReason) != 1 || in.OperationLocks.LockReason[0].LockReason != "Recycling" {
		t.Fatalf("during the notice: status %s locks %+v", in.Status, in.OperationLocks.LockReason)
	}
	f.e.AdvanceClock(SpotReclaimNotice - time.Second)
	if f.describe(id) == nil {
		t.Fatal("released before the end of the notice")
	}
	f.e.AdvanceClock(time.Second)
	if f.describe(id) != nil {
		t.Fatal("still there after the notice")
	}
	if f.describe(other) == nil {
		t.Fatal("another spot instance was released")
	}
	evs = historyEvents(t, f, func(r *ecs.DescribeInstanceHistoryEventsRequest) {
		r.EventType = SpotInterruptionEventType
		r.EventCycleStatus = "Executed"
	})
	if len(evs) != 1 || evs[0].InstanceId != id || evs[0].EventFinishTime == "" {
		t.Fatalf("executed events: %+v", evs)
	}
	if evs := historyEvents(t, f, func(r *ecs.DescribeInstanceHistoryEventsRequest) { r.InstanceId = other }); len(evs) != 0 {
		t.Fatalf("events of an instance never reclaimed: %+v", evs)
	}
	if evs := historyEvents(t, f, func(r *ecs.DescribeInstanceHistoryEventsRequest) {
		r.InstanceEventType = &[]string{"SystemFailure.Delete"}
	}); len(evs) != 0 {
		t.Fatalf("type filter: %+v", evs)
	}
}

func TestSpotReclaimStopAndStock(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1, func(r *ecs.RunInstancesRequest) {
		spotRun("SpotWithPriceLimit", "1.5", "1", "Stop")(r)
		r.InternetMaxBandwidthOut = requests.NewInteger(5)
	})[0]
	if _, err := f.e.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.ReclaimSpot(id); err == nil {
		t.Fatal("a second reclaim during the notice was accepted")
	}
	f.e.AdvanceClock(SpotReclaimNotice)
	in := f.describe(id)
	if in == nil || in.Status != "Stopped" || in.StoppedMode != "StopCharging" || len(in.PublicIpAddress.IpAddress) != 0 ||
		len(in.OperationLocks.LockReason) != 0 {
		t.Fatalf("after a Stop reclaim: %+v", in)
	}
	// Economical mode gave the machine back: a start needs stock.
	if err := f.e.SetStock(StockEntry{ZoneID: in.ZoneId, InstanceType: in.InstanceType, SoldOut: true}); err != nil {
		t.Fatal(err)
	}
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = id
	_, err := f.client().StartInstance(start)
	wantCode(t, err, http.StatusForbidden, "OperationDenied.NoStock")
	if err := f.e.SetStock(StockEntry{ZoneID: in.ZoneId, InstanceType: in.InstanceType}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client().StartInstance(start); err != nil {
		t.Fatal(err)
	}
	if in := f.describe(id); in.Status != "Running" || len(in.PublicIpAddress.IpAddress) != 1 {
		t.Fatalf("after the start: %s %v", in.Status, in.PublicIpAddress.IpAddress)
	}
}

func TestSpotReclaimAdminRefusals(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.run(1)[0]
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"instance_id":"` + id + `"}`, http.StatusBadRequest}, // not spot
		{`{"instance_id":"i-bp1nosuchinstance000"}`, http.StatusNotFound},
		{`{}`, http.StatusBadRequest},
		{`{"instance":"x"}`, http.StatusBadRequest},
	} {
		if code, body := f.admin(http.MethodPost, "spot/reclaim", tc.body); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.body, code, body, tc.want)
		}
	}
	// The admin rules hold: a cross-site form post (no JSON) is refused.
	spot := f.run(1, spotRun("SpotAsPriceGo", "", "", ""))[0]
	body := `{"instance_id":"` + spot + `"}`
	if code, b := f.adminWith(http.MethodPost, "spot/reclaim", body,
		http.Header{"Content-Type": {"text/plain"}}); code != http.StatusUnsupportedMediaType {
		t.Errorf("reclaim without JSON: %d %s", code, b)
	}
	if code, b := f.adminWith(http.MethodPost, "spot/reclaim", body, http.Header{
		"Content-Type": {"application/json"}, "Origin": {"https://evil.example"}}); code != http.StatusForbidden {
		t.Errorf("reclaim from another origin: %d %s", code, b)
	}
	if code, b := f.admin(http.MethodGet, "spot/reclaim", ""); code != http.StatusNotFound {
		t.Errorf("GET reclaim: %d %s", code, b)
	}
	if evs := historyEvents(t, f, nil); len(evs) != 0 {
		t.Fatalf("events after refused reclaims: %+v", evs)
	}
}

func TestHistoryEventsParameters(t *testing.T) {
	f := newFixture(t, Options{})
	req := ecs.CreateDescribeInstanceHistoryEventsRequest()
	req.RegionId = testRegion
	req.EventCycleStatus = "Done"
	_, err := f.client().DescribeInstanceHistoryEvents(req)
	wantCode(t, err, http.StatusBadRequest, "InvalidParameter")
	req = ecs.CreateDescribeInstanceHistoryEventsRequest()
	req.RegionId = testRegion
	req.NextToken = "nope"
	_, err = f.client().DescribeInstanceHistoryEvents(req)
	wantCode(t, err, http.StatusBadRequest, "InvalidParameter.NextToken")

	// Token paging over more events than one page.
	ids := f.run(12, spotRun("SpotAsPriceGo", "", "", ""))
	for _, id := range ids {
		if _, err := f.e.ReclaimSpot(id); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		req := ecs.CreateDescribeInstanceHistoryEventsRequest()
		req.RegionId = testRegion
		req.MaxResults = requests.NewInteger(10)
		req.NextToken = token
		resp, err := f.client().DescribeInstanceHistoryEvents(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range resp.InstanceSystemEventSet.InstanceSystemEventType {
			seen[ev.InstanceId] = true
		}
		if token = resp.NextToken; token == "" || pages > 3 {
			break
		}
	}
	if len(seen) != len(ids) {
		t.Fatalf("paged through %d of %d events", len(seen), len(ids))
	}
}

// TestSpotPriceLimitBelowSpotPrice: a limit below the zone's current spot
// price is refused; the price itself is accepted.
func TestSpotPriceLimitBelowSpotPrice(t *testing.T) {
	f := newFixture(t, Options{})
	req := f.runRequest()
	zone := ""
	for _, v := range f.catalog().VSwitches {
		if v.ID == req.VSwitchId {
			zone = v.ZoneID
		}
	}
	for attempt := 0; ; attempt++ {
		before := f.e.Now()
		price, ok := f.e.SpotPriceAt(req.InstanceType, zone, before)
		if !ok || price <= 0.001 {
			t.Fatalf("no spot price for %s in %s (%v, %v)", req.InstanceType, zone, price, ok)
		}
		below := f.runRequest()
		spotRun("SpotWithPriceLimit", strconv.FormatFloat(price-0.001, 'f', 3, 64), "", "")(below)
		_, errBelow := f.client().RunInstances(below)
		at := f.runRequest()
		spotRun("SpotWithPriceLimit", strconv.FormatFloat(price, 'f', 3, 64), "", "")(at)
		_, errAt := f.client().RunInstances(at)
		if p, _ := f.e.SpotPriceAt(req.InstanceType, zone, f.e.Now()); p != price && attempt < 3 {
			continue // the hour turned and the price moved during the test
		}
		wantCode(t, errBelow, http.StatusBadRequest, "InvalidSpotPriceLimit.LowerThanPublicPrice")
		if errAt != nil {
			t.Fatalf("a limit equal to the spot price %v was refused: %v", price, errAt)
		}
		return
	}
}

// TestSpotReclaimSurvivesRestart: the event and the pending reclaim are in
// the state file; the reclaim fires after a restart.
func TestSpotReclaimSurvivesRestart(t *testing.T) {
	file := t.TempDir() + "/state.json"
	f := newFixture(t, Options{StateFile: file})
	id := f.run(1, spotRun("SpotAsPriceGo", "", "", ""))[0]
	if _, err := f.e.ReclaimSpot(id); err != nil {
		t.Fatal(err)
	}
	_ = f.e.Close()
	g := newFixture(t, Options{StateFile: file})
	if in := g.describe(id); in == nil || len(in.OperationLocks.LockReason) != 1 {
		t.Fatalf("after a restart during the notice: %+v", in)
	}
	g.e.AdvanceClock(SpotReclaimNotice)
	if g.describe(id) != nil {
		t.Fatal("the reclaim did not fire after a restart")
	}
	if evs := historyEvents(t, g, nil); len(evs) != 1 || evs[0].EventCycleStatus.Name != "Executed" {
		t.Fatalf("events after the restart: %+v", evs)
	}
}
