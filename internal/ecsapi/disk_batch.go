package ecsapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// DescribeDisks filters by one InstanceId at a time, so the disks of many
// instances cannot be read by id in one call the way DescribeInstances reads
// instances. When several instances' disks are asked for at once (the
// instances of one wave of an apply or a destroy reach Running or are
// released together), one listing of the region's disks answers them all,
// when it is complete: a complete listing holds every disk attached to each
// of them at the moment it was taken, which is after each caller asked.
//
// A listing costs a call per 100 disks of the region, a read by instance
// one call each: a batch lists the region only when that is no more calls
// than its instances (the first page's TotalCount says how many pages the
// region takes, remembered for later batches), and never a region of more
// than diskListPages pages.
const (
	// diskListPages caps a listing of the region's disks (100 a page).
	diskListPages = 20
	// diskListMin is how many instances a batch needs before it lists the
	// region: one is read by its own call.
	diskListMin = 2
	// diskBatchWindow is how long a disk batch waits for the next caller,
	// up to diskBatchSlide after its first: the callers of one wave come a
	// few to some tens of milliseconds apart (Terraform starts the next
	// operations one by one as slots free up).
	diskBatchWindow = 50 * time.Millisecond
	diskBatchSlide  = 200 * time.Millisecond
)

// diskLister holds what the Client learnt about the region's disk count.
type diskLister struct {
	tooMany atomic.Bool  // a listing was incomplete within diskListPages: read by instance from now on
	pages   atomic.Int64 // pages the last listing's TotalCount announced (0: not known)
}

// worthListing says whether a batch of n instances lists the region.
func (l *diskLister) worthListing(n int) bool {
	if n < diskListMin || l.tooMany.Load() {
		return false
	}
	pages := l.pages.Load()
	return pages == 0 || pages <= int64(n)
}

// diskRead is one instance's answer in a disk batch: read one by one, each
// instance keeps its own error.
type diskRead struct {
	disks []Disk
	err   error
}

// DisksOf reads the disks of many instances at once, the batcher's way: one
// listing of the region's disks when it is small enough, else one call per
// instance. An instance absent from the answer has no disks.
func (c *Client) DisksOf(ctx context.Context, ids []string) (map[string][]Disk, error) {
	found, _, err := c.describeDisksOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Disk, len(found))
	for id, r := range found {
		if r.err != nil {
			return nil, r.err
		}
		out[id] = r.disks
	}
	return out, nil
}

// describeDisksOf is the disk batcher's fetch: every id of the batch gets
// its disks (an id absent from the map has none).
func (c *Client) describeDisksOf(ctx context.Context, ids []string) (map[string]diskRead, string, error) {
	if c.disks.worthListing(len(ids)) {
		c.logBatch(ctx, "DescribeDisks", len(ids))
		notWorth := false
		all, requestID, complete, err := listPages(ctx, c, diskListPages, "DescribeDisks", ecs.CreateDescribeDisksRequest,
			(*ecs.Client).DescribeDisks, func(*ecs.DescribeDisksRequest) {},
			func(resp *ecs.DescribeDisksResponse) ([]Disk, string) {
				items, next := splitDisks(resp)
				if resp.TotalCount > 0 {
					pages := int64((resp.TotalCount + pageSize - 1) / pageSize)
					c.disks.pages.Store(pages)
					if pages > int64(len(ids)) || pages > diskListPages {
						notWorth = true
						return items, "" // stop: reading by instance costs less
					}
				}
				return items, next
			})
		// A failed listing (retries exhausted) is not every caller's
		// failure: each is read on its own below, with its own retries.
		if err == nil && complete && !notWorth {
			found := make(map[string]diskRead, len(ids))
			for _, d := range all {
				r := found[d.InstanceID]
				r.disks = append(r.disks, d)
				found[d.InstanceID] = r
			}
			return found, requestID, nil
		}
		if err == nil && (!complete || c.disks.pages.Load() > diskListPages) {
			c.disks.tooMany.Store(true)
		}
	}
	// One call per instance, concurrently: the batch's callers wait for all.
	found := make(map[string]diskRead, len(ids))
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			disks, err := c.listInstanceDisks(ctx, id)
			mu.Lock()
			found[id] = diskRead{disks: disks, err: err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return found, "", nil
}
