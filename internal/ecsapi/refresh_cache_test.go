package ecsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// regionHandler answers DescribeInstances like the service: the InstanceIds
// filter when given, else every instance of the region, pageSize at a time.
func regionHandler(mu *sync.Mutex, instances map[string]string) func(c fakeCall) (int, any) {
	return func(c fakeCall) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		if c.Action == "ModifyInstanceAttribute" {
			return ok(nil)
		}
		var ids []string
		if raw := c.Params.Get("InstanceIds"); raw != "" {
			_ = json.Unmarshal([]byte(raw), &ids)
		} else {
			for id := range instances {
				ids = append(ids, id)
			}
			sort.Strings(ids)
		}
		list := []map[string]any{}
		for _, id := range ids {
			if status, found := instances[id]; found {
				list = append(list, instanceJSON(id, status))
			}
		}
		return ok(map[string]any{"Instances": map[string]any{"Instance": list}, "NextToken": ""})
	}
}

// listAtOnce makes the first refresh read list the region, to test what the
// listing answers.
func listAtOnce(cfg *Config) { cfg.RefreshListAfter = -1 }

func TestRefreshInstanceAnswersConcurrentReadsFromOneListing(t *testing.T) {
	var mu sync.Mutex
	instances := map[string]string{}
	for i := 0; i < 50; i++ {
		instances[fmt.Sprintf("i-%03d", i)] = StatusRunning
	}
	f := newFakeECS(t, regionHandler(&mu, instances))
	c, _ := f.newTestClient(t)

	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := 0; i < 100; i++ { // every instance twice, as an instance and its schedule
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			inst, err := c.RefreshInstance(context.Background(), fmt.Sprintf("i-%03d", i%50))
			if err == nil && inst.ID != fmt.Sprintf("i-%03d", i%50) {
				err = fmt.Errorf("got %s", inst.ID)
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	// The first RefreshListAfter reads go by id (batched), then one listing
	// answers the rest.
	calls := f.callsOf("DescribeInstances")
	listings := 0
	for _, call := range calls {
		if call.Params.Get("InstanceIds") == "" {
			listings++
		}
	}
	if listings != 1 || len(calls) > 1+DefaultRefreshListAfter {
		t.Fatalf("DescribeInstances calls = %d with %d listings, want one listing and at most %d reads by id",
			len(calls), listings, DefaultRefreshListAfter)
	}
}

// A small refresh in a large region reads one page (its first read), then
// its instances by id: never the rest of the region.
func TestRefreshInstanceSmallRefreshReadsOnePage(t *testing.T) {
	r := newPagedRegion(1000)
	f := newFakeECS(t, r.handle)
	c, _ := f.newTestClient(t)
	for i := 0; i < 4; i++ { // two machines, each with its schedule
		id := []string{"i-0500", "i-0900"}[i%2] // beyond the first page
		if _, err := c.RefreshInstance(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	pages := 0
	for _, call := range f.callsOf("DescribeInstances") {
		if call.Params.Get("InstanceIds") == "" {
			pages++
		}
	}
	if pages != 1 {
		t.Fatalf("a refresh of a few instances read %d pages of the region, want 1", pages)
	}
}

// A region of at most 100 instances is one call for the whole refresh.
func TestRefreshInstanceSmallRegionIsOneCall(t *testing.T) {
	r := newPagedRegion(60)
	f := newFakeECS(t, r.handle)
	c, _ := f.newTestClient(t)
	refreshAll(t, c, regionIDs(r), 10)
	if n := len(f.callsOf("DescribeInstances")); n != 1 {
		t.Fatalf("DescribeInstances calls = %d, want 1", n)
	}
}

func TestRefreshInstanceNeverReportsGoneFromTheListing(t *testing.T) {
	var mu sync.Mutex
	instances := map[string]string{"i-old": StatusRunning}
	f := newFakeECS(t, regionHandler(&mu, instances))
	c, _ := f.newTestClient(t, listAtOnce)
	ctx := context.Background()

	if _, err := c.RefreshInstance(ctx, "i-old"); err != nil {
		t.Fatal(err)
	}
	// Created after the listing: not in it, so it is read by id.
	mu.Lock()
	instances["i-new"] = StatusRunning
	mu.Unlock()
	inst, err := c.RefreshInstance(ctx, "i-new")
	if err != nil || inst.ID != "i-new" {
		t.Fatalf("an instance missing from the listing must be read by id: %+v, %v", inst, err)
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 2 || calls[1].Params.Get("InstanceIds") != `["i-new"]` {
		t.Fatalf("want the listing then one read by id, got %d calls", len(calls))
	}
	// Gone for real: the read by id says so.
	if _, err := c.RefreshInstance(ctx, "i-gone"); !IsNotFound(err) {
		t.Fatalf("want NotFound, got %v", err)
	}
}

func TestRefreshInstanceForgetsWhatTheClientChanged(t *testing.T) {
	var mu sync.Mutex
	instances := map[string]string{"i-a": StatusRunning, "i-b": StatusRunning}
	f := newFakeECS(t, regionHandler(&mu, instances))
	c, _ := f.newTestClient(t, listAtOnce)
	ctx := context.Background()

	if _, err := c.RefreshInstance(ctx, "i-a"); err != nil {
		t.Fatal(err)
	}
	name := "renamed"
	if err := c.ModifyInstanceAttribute(ctx, "i-a", ModifyInstanceInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefreshInstance(ctx, "i-a"); err != nil { // changed: read by id
		t.Fatal(err)
	}
	if _, err := c.RefreshInstance(ctx, "i-b"); err != nil { // untouched: from the listing
		t.Fatal(err)
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 2 || calls[1].Params.Get("InstanceIds") != `["i-a"]` {
		t.Fatalf("want the listing then a read of i-a by id, got %d calls", len(calls))
	}
}

func TestRefreshInstanceListingExpires(t *testing.T) {
	var mu sync.Mutex
	f := newFakeECS(t, regionHandler(&mu, map[string]string{"i-a": StatusRunning}))
	c, fc := f.newTestClient(t, listAtOnce, func(cfg *Config) { cfg.RefreshTTL = 10 * time.Second })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := c.RefreshInstance(ctx, "i-a"); err != nil {
			t.Fatal(err)
		}
	}
	fc.Advance(11 * time.Second)
	if _, err := c.RefreshInstance(ctx, "i-a"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsOf("DescribeInstances")); n != 2 {
		t.Fatalf("DescribeInstances calls = %d, want 2 listings", n)
	}
}

func TestRefreshInstanceWithoutBatchingReadsByID(t *testing.T) {
	var mu sync.Mutex
	f := newFakeECS(t, regionHandler(&mu, map[string]string{"i-a": StatusRunning}))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	for i := 0; i < 2; i++ {
		if _, err := c.RefreshInstance(context.Background(), "i-a"); err != nil {
			t.Fatal(err)
		}
	}
	calls := f.callsOf("DescribeInstances")
	if len(calls) != 2 || calls[0].Params.Get("InstanceIds") != `["i-a"]` {
		t.Fatalf("want two reads by id, got %d calls", len(calls))
	}
}
