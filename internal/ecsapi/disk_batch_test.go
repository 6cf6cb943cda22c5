package ecsapi

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// disksFake answers DescribeDisks: by InstanceId, or the whole region, whose
// listing ends after pages pages (0: never, every page names a next one).
func disksFake(byInstance map[string][]string, pages int) func(c fakeCall) (int, any) {
	return func(c fakeCall) (int, any) {
		if c.Action != "DescribeDisks" {
			return 400, map[string]any{"Code": "Unexpected", "Message": c.Action}
		}
		list := []map[string]any{}
		for inst, disks := range byInstance {
			if id := c.Params.Get("InstanceId"); id != "" && id != inst {
				continue
			}
			for i, d := range disks {
				typ := "data"
				if i == 0 {
					typ = "system"
				}
				list = append(list, map[string]any{"DiskId": d, "InstanceId": inst, "Type": typ, "Category": "cloud_essd", "Size": 40})
			}
		}
		next := ""
		if c.Params.Get("InstanceId") == "" {
			page := 1
			_, _ = fmt.Sscanf(c.Params.Get("NextToken"), "page-%d", &page)
			if pages == 0 || page < pages {
				next = fmt.Sprintf("page-%d", page+1)
			}
		}
		return ok(map[string]any{"Disks": map[string]any{"Disk": list}, "NextToken": next})
	}
}

// listConcurrently reads the disks of ids at once and returns them by id.
func listConcurrently(t *testing.T, c *Client, ids []string) map[string][]Disk {
	t.Helper()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out = map[string][]Disk{}
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			disks, err := c.ListDisks(context.Background(), id)
			if err != nil {
				t.Errorf("ListDisks(%s): %v", id, err)
			}
			mu.Lock()
			out[id] = disks
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func TestListDisksOfAWaveIsOneListing(t *testing.T) {
	byInstance := map[string][]string{"i-1": {"d-1a"}, "i-2": {"d-2a", "d-2b"}, "i-3": {"d-3a"}, "i-other": {"d-oa"}}
	f := newFakeECS(t, disksFake(byInstance, 1))
	// A long window, so that the test's goroutines surely meet in one batch.
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = 200 * time.Millisecond })
	got := listConcurrently(t, c, []string{"i-1", "i-2", "i-3"})
	calls := f.callsOf("DescribeDisks")
	if len(calls) != 1 || calls[0].Params.Get("InstanceId") != "" {
		t.Fatalf("calls = %+v, want one listing of the region", calls)
	}
	for id, want := range map[string]int{"i-1": 1, "i-2": 2, "i-3": 1} {
		if len(got[id]) != want {
			t.Errorf("%s: %d disks, want %d: %+v", id, len(got[id]), want, got[id])
		}
		for _, d := range got[id] {
			if d.InstanceID != id {
				t.Errorf("%s got disk %s of %s", id, d.ID, d.InstanceID)
			}
		}
	}
	// Fewer than diskListMin callers read by instance.
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
	listConcurrently(t, c, []string{"i-1"})
	if calls := f.callsOf("DescribeDisks"); len(calls) != 1 || calls[0].Params.Get("InstanceId") != "i-1" {
		t.Fatalf("calls = %+v, want one DescribeDisks of i-1", calls)
	}
}

// A region with more disks than diskListPages pages is listed once: the
// batch is answered by instance, and so is every later one.
func TestListDisksOfALargeRegionFallsBackToInstances(t *testing.T) {
	byInstance := map[string][]string{"i-1": {"d-1a"}, "i-2": {"d-2a"}, "i-3": {"d-3a", "d-3b"}}
	f := newFakeECS(t, disksFake(byInstance, 0))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = 200 * time.Millisecond })
	ids := []string{"i-1", "i-2", "i-3"}
	got := listConcurrently(t, c, ids)
	if len(got["i-3"]) != 2 || len(got["i-1"]) != 1 {
		t.Fatalf("got %+v", got)
	}
	listings, byID := 0, 0
	for _, call := range f.callsOf("DescribeDisks") {
		if call.Params.Get("InstanceId") == "" {
			listings++
		} else {
			byID++
		}
	}
	if listings != diskListPages || byID != 3 {
		t.Fatalf("%d listing pages and %d reads by instance, want %d and 3", listings, byID, diskListPages)
	}
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
	listConcurrently(t, c, ids)
	for _, call := range f.callsOf("DescribeDisks") {
		if call.Params.Get("InstanceId") == "" {
			t.Fatalf("the region was listed again after an incomplete listing")
		}
	}
}

// A caller that is not batched (batching off) reads by instance.
func TestListDisksUnbatched(t *testing.T) {
	f := newFakeECS(t, disksFake(map[string][]string{"i-1": {"d-1a"}, "i-2": {"d-2a"}, "i-3": {"d-3a"}}, 1))
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.DisableBatching = true })
	listConcurrently(t, c, []string{"i-1", "i-2", "i-3"})
	for _, call := range f.callsOf("DescribeDisks") {
		if call.Params.Get("InstanceId") == "" {
			t.Fatalf("listed the region with batching off")
		}
	}
}

// A listing that fails is not every caller's failure: each instance is then
// read on its own, and a later batch lists again.
func TestListDisksFailedListingFallsBackToInstances(t *testing.T) {
	byInstance := map[string][]string{"i-1": {"d-1a"}, "i-2": {"d-2a"}}
	answer := disksFake(byInstance, 1)
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		if c.Params.Get("InstanceId") == "" {
			return 403, map[string]any{"RequestId": "REQ-DENIED", "Code": "Forbidden.RAM", "Message": "not allowed to list"}
		}
		return answer(c)
	})
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = 200 * time.Millisecond })
	got := listConcurrently(t, c, []string{"i-1", "i-2"})
	if len(got["i-1"]) != 1 || len(got["i-2"]) != 1 {
		t.Fatalf("got %+v", got)
	}
	if c.allDisks.lister.tooMany.Load() {
		t.Error("a failed listing marked the region as too large to list")
	}
}

// A region of 500 disks takes 5 pages: a batch of 3 instances reads them by
// instance (after the first page told the count), a batch of 6 lists.
func TestListDisksListsWhenItCostsNoMoreThanReadingByInstance(t *testing.T) {
	const total = 500
	var mu sync.Mutex
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		if id := c.Params.Get("InstanceId"); id != "" {
			return ok(map[string]any{"Disks": map[string]any{"Disk": []map[string]any{
				{"DiskId": "d-" + id, "InstanceId": id, "Type": "system", "Category": "cloud_essd", "Size": 40}}}, "NextToken": ""})
		}
		start := 0
		_, _ = fmt.Sscanf(c.Params.Get("NextToken"), "at-%d", &start)
		list := []map[string]any{}
		for i := start; i < min(start+100, total); i++ {
			id := fmt.Sprintf("i-%d", i)
			list = append(list, map[string]any{"DiskId": "d-" + id, "InstanceId": id, "Type": "system", "Category": "cloud_essd", "Size": 40})
		}
		next := ""
		if start+100 < total {
			next = fmt.Sprintf("at-%d", start+100)
		}
		return ok(map[string]any{"Disks": map[string]any{"Disk": list}, "NextToken": next, "TotalCount": total})
	})
	c, _ := f.newTestClient(t, func(cfg *Config) { cfg.BatchWindow = 200 * time.Millisecond })
	count := func() (listings, byID int) {
		for _, call := range f.callsOf("DescribeDisks") {
			if call.Params.Get("InstanceId") == "" {
				listings++
			} else {
				byID++
			}
		}
		f.mu.Lock()
		f.calls = nil
		f.mu.Unlock()
		return listings, byID
	}
	got := listConcurrently(t, c, []string{"i-1", "i-2", "i-450"})
	if len(got["i-450"]) != 1 || got["i-450"][0].ID != "d-i-450" {
		t.Fatalf("got %+v", got)
	}
	if l, b := count(); l != 1 || b != 3 {
		t.Fatalf("batch of 3: %d listing pages, %d reads by instance; want 1 (its TotalCount) and 3", l, b)
	}
	got = listConcurrently(t, c, []string{"i-1", "i-2", "i-3", "i-4", "i-5", "i-499"})
	if len(got["i-499"]) != 1 {
		t.Fatalf("got %+v", got)
	}
	if l, b := count(); l != 5 || b != 0 {
		t.Fatalf("batch of 6: %d listing pages, %d reads by instance; want 5 and 0", l, b)
	}
}
