package ecsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"testing"
)

// pagedRegion answers DescribeInstances like the service: by id when
// InstanceIds is given, else the region's instances (those with the
// ownership tag when Tag.1 asks for it) in pages of MaxResults that follow
// NextToken, with TotalCount. listed, when set, is called as a listing page
// is asked, after its answer was taken and before it is sent.
type pagedRegion struct {
	mu        sync.Mutex
	instances map[string]string // id -> status
	untagged  map[string]bool   // instances without the ownership tag
	listed    func()
}

func (r *pagedRegion) handle(c fakeCall) (int, any) {
	r.mu.Lock()
	switch c.Action {
	case "StopInstance":
		r.instances[c.Params.Get("InstanceId")] = StatusStopped
		r.mu.Unlock()
		return ok(nil)
	case "DescribeInstances":
	default:
		r.mu.Unlock()
		return ok(nil)
	}
	var ids []string
	listing := c.Params.Get("InstanceIds") == ""
	if !listing {
		_ = json.Unmarshal([]byte(c.Params.Get("InstanceIds")), &ids)
	} else {
		byTag := c.Params.Get("Tag.1.Key") == OwnershipTagKey
		for id := range r.instances {
			if !byTag || !r.untagged[id] {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
	}
	total := len(ids)
	next := ""
	if listing {
		start := 0
		if tok := c.Params.Get("NextToken"); tok != "" {
			start, _ = strconv.Atoi(tok)
		}
		size, _ := strconv.Atoi(c.Params.Get("MaxResults"))
		if size <= 0 {
			size = 10
		}
		end := min(start+size, len(ids))
		if end < len(ids) {
			next = strconv.Itoa(end)
		}
		ids = ids[start:end]
	}
	list := []map[string]any{}
	for _, id := range ids {
		if status, found := r.instances[id]; found {
			list = append(list, instanceJSON(id, status))
		}
	}
	listed := r.listed
	r.mu.Unlock()
	if listing && listed != nil {
		listed()
	}
	return ok(map[string]any{"Instances": map[string]any{"Instance": list}, "NextToken": next, "TotalCount": total})
}

func newPagedRegion(n int) *pagedRegion {
	r := &pagedRegion{instances: map[string]string{}, untagged: map[string]bool{}}
	for i := 0; i < n; i++ {
		r.instances[fmt.Sprintf("i-%04d", i)] = StatusRunning
	}
	return r
}

// refreshAll reads every instance twice (the instance and its schedule), as
// Terraform's refresh does, with parallelism reads in flight at a time.
func refreshAll(t *testing.T, c *Client, ids []string, parallelism int) {
	t.Helper()
	refreshInOrder(t, c, append(append([]string(nil), ids...), ids...), parallelism)
}

// refreshInOrder reads ids in this order, parallelism at a time.
func refreshInOrder(t *testing.T, c *Client, ids []string, parallelism int) {
	t.Helper()
	work := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				inst, err := c.RefreshInstance(context.Background(), id)
				if err == nil && inst.ID != id {
					err = fmt.Errorf("asked %s, got %s", id, inst.ID)
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
}

func regionIDs(r *pagedRegion) []string {
	var ids []string
	for id := range r.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// A no-op plan of N machines costs at most ceil(M/100)+3 DescribeInstances
// calls (M = what one listing returns), whatever Terraform's parallelism:
// at -parallelism=10 batching folds at most 10 reads into a call, so the
// listing must answer every read it holds.
func TestRefreshOfManyInstancesCostsTheListing(t *testing.T) {
	for _, n := range []int{500, 1000} {
		for _, parallelism := range []int{10, 100} {
			t.Run(fmt.Sprintf("N=%d,parallelism=%d", n, parallelism), func(t *testing.T) {
				r := newPagedRegion(n)
				f := newFakeECS(t, r.handle)
				c, _ := f.newTestClient(t)
				refreshAll(t, c, regionIDs(r), parallelism)
				limit := (n+99)/100 + 3
				if got := len(f.callsOf("DescribeInstances")); got > limit {
					t.Fatalf("DescribeInstances calls = %d, want at most ceil(%d/100)+3 = %d", got, n, limit)
				}
			})
		}
	}
}

// Reads that come one at a time, in any order, still cost about the
// listing: the rest of it is read once the reads it missed cost as much.
func TestRefreshOfSpreadReadsCostsTheListing(t *testing.T) {
	for _, parallelism := range []int{1, 10} {
		t.Run(fmt.Sprintf("parallelism=%d", parallelism), func(t *testing.T) {
			r := newPagedRegion(500)
			f := newFakeECS(t, r.handle)
			c, _ := f.newTestClient(t)
			ids := regionIDs(r)
			rand.New(rand.NewPCG(7, 25)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			refreshInOrder(t, c, append(ids, ids...), parallelism)
			// Worst case: the first page, a read by id for each of the 4
			// misses before the rest, the rest (4 pages).
			if got := len(f.callsOf("DescribeInstances")); got > 5+4 {
				t.Fatalf("DescribeInstances calls = %d, want at most 9", got)
			}
		})
	}
}

// A region too large to list is listed by the provider's ownership tag;
// the instances without it are read by id.
func TestRefreshListsByOwnershipTagInALargeRegion(t *testing.T) {
	r := newPagedRegion(300)
	for i := 300; i < 300+100*DefaultRefreshListPages+1; i++ { // others' machines: the region is past the cap
		id := fmt.Sprintf("x-%05d", i)
		r.instances[id], r.untagged[id] = StatusRunning, true
	}
	r.untagged["i-0007"] = true // imported: not listed by tag, read by id
	f := newFakeECS(t, r.handle)
	c, _ := f.newTestClient(t)
	var ids []string
	for i := 0; i < 300; i++ {
		ids = append(ids, fmt.Sprintf("i-%04d", i))
	}
	refreshAll(t, c, ids, 10)
	byTag, regionPages, byID := 0, 0, 0
	for _, call := range f.callsOf("DescribeInstances") {
		switch {
		case call.Params.Get("InstanceIds") != "":
			byID++
		case call.Params.Get("Tag.1.Key") == OwnershipTagKey:
			byTag++
		default:
			regionPages++
		}
	}
	if regionPages != 1 || byTag != 3 || byID > 3 {
		t.Fatalf("region pages %d (want 1: its TotalCount says it is too large), pages by tag %d (want 3), reads by id %d (want ≤ 3)",
			regionPages, byTag, byID)
	}
}

// A listing taken while this process was changing an instance may hold the
// instance as it was: the refresh after the write must read it anew, even
// when the listing's answer arrives after the write ended.
func TestRefreshNeverServesAListingOlderThanAWrite(t *testing.T) {
	r := newPagedRegion(20)
	f := newFakeECS(t, r.handle)
	c, _ := f.newTestClient(t, listAtOnce)
	ctx := context.Background()

	// The listing's page is taken (i-0003 Running), then the write runs and
	// ends, then the page arrives.
	r.listed = func() {
		r.mu.Lock()
		r.listed = nil
		r.mu.Unlock()
		if err := c.StopInstance(ctx, "i-0003", StopInput{}); err != nil {
			t.Error(err)
		}
	}
	if _, err := c.RefreshInstance(ctx, "i-0001"); err != nil {
		t.Fatal(err)
	}
	inst, err := c.RefreshInstance(ctx, "i-0003")
	if err != nil {
		t.Fatal(err)
	}
	if inst.Status != StatusStopped {
		t.Fatalf("refresh after the stop answered %s from a listing taken before it ended", inst.Status)
	}
	// Untouched instances still come from the listing.
	before := len(f.callsOf("DescribeInstances"))
	if _, err := c.RefreshInstance(ctx, "i-0004"); err != nil {
		t.Fatal(err)
	}
	if after := len(f.callsOf("DescribeInstances")); after != before {
		t.Fatalf("an untouched instance was read by id (%d calls, want %d)", after, before)
	}
}
