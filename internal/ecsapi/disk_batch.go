package ecsapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
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

// diskQuery is which of an instance's disks a disk batch reads: every disk
// (ListDisks) or only those its release leaves behind (ListKeptDisks). Each
// has its own lister, since the two listings of a region differ in length.
type diskQuery struct {
	lister *diskLister
	filter func(*ecs.DescribeDisksRequest) // nil: every disk
}

// fill sets the query's filters on a request.
func (q diskQuery) fill(req *ecs.DescribeDisksRequest) {
	if q.filter != nil {
		q.filter(req)
	}
}

// keptDisksFilter asks for the disks a release leaves behind: data disks
// with DeleteWithInstance off. A region has few of them, so their listing
// is usually one page however many instances a batch holds. The provider
// applies the same rule again to the answer (outlivingDisks), so a filter
// the service ignored would cost pages, never a power-off of a kept disk.
func keptDisksFilter(req *ecs.DescribeDisksRequest) {
	req.DiskType = "data"
	req.DeleteWithInstance = requests.NewBoolean(false)
}

// DisksOf reads the disks of many instances at once, the batcher's way: one
// listing of the region's disks when it is small enough, else one call per
// instance. An instance absent from the answer has no disks.
func (c *Client) DisksOf(ctx context.Context, ids []string) (map[string][]Disk, error) {
	found, _, err := c.describeDisksOf(c.allDisks)(ctx, ids)
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

// describeDisksOf is a disk batcher's fetch: every id of the batch gets its
// disks of the query (an id absent from the map has none).
func (c *Client) describeDisksOf(q diskQuery) batchFetch[diskRead] {
	return func(ctx context.Context, ids []string) (map[string]diskRead, string, error) {
		if q.lister.worthListing(len(ids)) {
			if found, requestID, ok := c.listDisksOfRegion(ctx, q, ids); ok {
				return found, requestID, nil
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
				disks, err := c.listInstanceDisks(ctx, q, id)
				mu.Lock()
				found[id] = diskRead{disks: disks, err: err}
				mu.Unlock()
			}()
		}
		wg.Wait()
		return found, "", nil
	}
}

// listDisksOfRegion answers a batch with one listing of the region's disks
// of the query; ok is false when it cannot (a failed listing is not every
// caller's failure: each is then read on its own, with its own retries) or
// it would cost more than reading by instance.
func (c *Client) listDisksOfRegion(ctx context.Context, q diskQuery, ids []string) (found map[string]diskRead, requestID string, ok bool) {
	c.logBatch(ctx, "DescribeDisks", len(ids))
	notWorth := false
	all, requestID, complete, err := listPages(ctx, c, diskListPages, "DescribeDisks", ecs.CreateDescribeDisksRequest,
		(*ecs.Client).DescribeDisks, q.fill,
		func(resp *ecs.DescribeDisksResponse) ([]Disk, string) {
			items, next := splitDisks(resp)
			if resp.TotalCount > 0 {
				pages := int64((resp.TotalCount + pageSize - 1) / pageSize)
				q.lister.pages.Store(pages)
				if pages > int64(len(ids)) || pages > diskListPages {
					notWorth = true
					return items, "" // stop: reading by instance costs less
				}
			}
			return items, next
		})
	if err == nil && complete && !notWorth {
		found = make(map[string]diskRead, len(ids))
		for _, d := range all {
			r := found[d.InstanceID]
			r.disks = append(r.disks, d)
			found[d.InstanceID] = r
		}
		return found, requestID, true
	}
	if err == nil && (!complete || q.lister.pages.Load() > diskListPages) {
		q.lister.tooMany.Store(true)
	}
	return nil, "", false
}
