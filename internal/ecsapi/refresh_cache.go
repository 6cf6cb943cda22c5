package ecsapi

import (
	"context"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// OwnershipTagKey and OwnershipTagValue are the tag every instance the
// provider creates carries (set by RunInstances). A refresh in a region too
// large to list lists the instances with it instead.
const (
	OwnershipTagKey   = "aliecs:managed-by"
	OwnershipTagValue = "terraform-provider-aliecs"
)

// regionListing answers refresh reads from one listing of the region's
// instances. A no-op plan reads every instance at least twice (the instance
// and its schedule) with Terraform's parallelism (10 by default) in flight,
// so batching alone folds at most that many reads into one call, and reads
// that arrive spread over seconds (a plan of a thousand resources) fold
// fewer still; one listing, a page per 100 instances, answers them all.
//
// The first refresh read asks for the first page (100 instances): a region
// that small is then listed whole, in one call. Its TotalCount says what the
// rest costs: the rest is read once RefreshListAfter refresh reads came (a
// small refresh in a large region reads its instances by id instead), up to
// RefreshListPages pages; a region larger than that is listed by the
// provider's ownership tag instead (capped the same way). So a no-op plan of
// N machines costs about ceil(M/100) calls, M being what the listing holds,
// whatever the parallelism and however the reads are spread.
//
// Correctness:
//   - only hits are served: an id the listing lacks (created after it,
//     imported without the tag, beyond its pages, or skipped by a paging
//     race) is read with GetInstance, so a listing never reports a live
//     instance gone; "gone" is only what a read by id says;
//   - a listing is never older than this process's last write to an
//     instance: a write in flight, or one that ended after the listing's
//     first page was asked, makes the instance's entry unusable (it is read
//     by id) until a later listing. Dropping the entry is not enough: a page
//     asked before the write and answered after it would put the old state
//     back.
//
// The listing lives for RefreshTTL, which covers one refresh walk: the
// provider process serves one walk of one Terraform command. What it
// answers is at most that old, like a read that came earlier in the walk;
// this process's own writes are never answered from it (above).
type regionListing struct {
	mu        sync.Mutex
	takenAt   time.Time // when the first page was asked
	asked     uint64    // seq when the first page was asked
	instances map[string]Instance
	filling   chan struct{} // non-nil while a page is in flight
	misses    int           // refresh reads the listing could not answer, since it began
	total     int           // TotalCount of the region's first page

	// Where the listing goes on: more is false once it is complete (or
	// cut off); token is the next page's NextToken; byTag lists the
	// ownership tag's instances; pages counts the pages read so far of the
	// current kind.
	more  bool
	token string
	byTag bool
	pages int

	// seq orders listings and the ends of writes.
	seq     uint64
	writing map[string]int    // writes in flight, by instance id
	written map[string]uint64 // seq at the end of the last write, by instance id
}

// RefreshInstance returns an instance like GetInstance, but may answer from
// a listing of the region taken at most Config.RefreshTTL ago. Use it for
// Terraform's refresh reads; waiters and reads after a write use GetInstance.
func (c *Client) RefreshInstance(ctx context.Context, id string) (*Instance, error) {
	if c.cfg.DisableBatching || c.cfg.RefreshTTL <= 0 {
		return c.GetInstance(ctx, id)
	}
	if inst, ok := c.listing.lookup(ctx, c, id); ok {
		return inst, nil
	}
	return c.GetInstance(ctx, id)
}

func (l *regionListing) lookup(ctx context.Context, c *Client, id string) (*Instance, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.waitFill(ctx) {
		return nil, false
	}
	if l.instances == nil || c.clock.Now().Sub(l.takenAt) >= c.cfg.RefreshTTL {
		l.begin(c)
		l.fill(ctx, c, 1) // the first page
	}
	for {
		if inst, ok := l.hit(id); ok {
			return inst, true
		}
		if !l.more || l.misses < l.restWorthAfter(c) {
			l.misses++
			return nil, false // read by id
		}
		l.fill(ctx, c, c.cfg.RefreshListPages) // the rest, then look again
		if !l.waitFill(ctx) {
			return nil, false
		}
	}
}

// waitFill waits, with l.mu held, until no page is in flight; false when ctx
// ended first.
func (l *regionListing) waitFill(ctx context.Context) bool {
	for l.filling != nil {
		wait := l.filling
		l.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			l.mu.Lock()
			return false
		}
		l.mu.Lock()
	}
	return true
}

// begin starts a new listing (l.mu held).
func (l *regionListing) begin(c *Client) {
	l.seq++
	l.asked, l.takenAt = l.seq, c.clock.Now()
	l.instances = map[string]Instance{}
	l.more, l.token, l.byTag, l.pages, l.misses, l.total = true, "", false, 0, 0, 0
	for id, at := range l.written {
		if at < l.asked && l.writing[id] == 0 {
			delete(l.written, id) // the new listing is newer than the write
		}
	}
}

// restWorthAfter is how many reads the listing missed before the rest of it
// is read: as many as the rest has pages (reading by id that often costs at
// least as much as the rest would), at most RefreshListAfter. A small
// refresh in a large region reads its few instances by id; a large one
// pays at most twice the listing.
func (l *regionListing) restWorthAfter(c *Client) int {
	after := c.cfg.RefreshListAfter
	if l.byTag || l.total == 0 {
		return after
	}
	rest := (l.total+pageSize-1)/pageSize - l.pages
	return min(after, rest)
}

// hit returns the listing's copy of id when it may answer (l.mu held).
func (l *regionListing) hit(id string) (*Instance, bool) {
	inst, ok := l.instances[id]
	if !ok || l.writing[id] > 0 || l.written[id] >= l.asked {
		return nil, false // absent, or changed by this process since the listing was asked
	}
	inst.SecurityGroupIDs = append([]string(nil), inst.SecurityGroupIDs...)
	inst.Tags = maps.Clone(inst.Tags)
	return &inst, true
}

// fill reads up to n more pages of the listing. It is called with l.mu held
// (and no page in flight) and returns with it held; concurrent lookups wait
// for it. A failed page ends the listing where it is: what was read still
// answers, the rest is read by id.
func (l *regionListing) fill(ctx context.Context, c *Client, n int) {
	done := make(chan struct{})
	l.filling = done
	defer func() {
		l.filling = nil
		close(done)
	}()
	limit := c.cfg.RefreshListPages
	for i := 0; i < n && l.more; i++ {
		token, byTag := l.token, l.byTag
		l.mu.Unlock()
		list, next, total, err := c.instancePage(ctx, token, byTag)
		l.mu.Lock()
		if err != nil {
			l.more = false
			return
		}
		for _, inst := range list {
			l.instances[inst.ID] = inst
		}
		l.pages++
		if !byTag && l.pages == 1 {
			l.total = total
		}
		switch {
		case !byTag && l.pages == 1 && total > limit*pageSize:
			// The region is larger than a listing may be: list the
			// provider's own instances instead (this page still answers).
			l.byTag, l.token, l.pages = true, "", 0
		case next == "" || next == token || l.pages >= limit:
			l.more = false
		default:
			l.token = next
		}
	}
}

// instancePage reads one page of DescribeInstances: the region's instances,
// or those with the ownership tag.
func (c *Client) instancePage(ctx context.Context, token string, byTag bool) ([]Instance, string, int, error) {
	resp, err := invoke(ctx, c, call{action: "DescribeInstances", kind: kindRead}, ecs.CreateDescribeInstancesRequest,
		(*ecs.Client).DescribeInstances, func(req *ecs.DescribeInstancesRequest) {
			if byTag {
				req.Tag = &[]ecs.DescribeInstancesTag{{Key: OwnershipTagKey, Value: OwnershipTagValue}}
			}
			q := req.GetQueryParams()
			q["MaxResults"] = strconv.Itoa(pageSize)
			if token != "" {
				q["NextToken"] = token
			}
		})
	if err != nil {
		return nil, "", 0, err
	}
	items := make([]Instance, 0, len(resp.Instances.Instance))
	for _, raw := range resp.Instances.Instance {
		items = append(items, instanceFromSDK(raw))
	}
	return items, resp.NextToken, resp.TotalCount, nil
}

// beginWrite and endWrite bracket every write to an instance (call.do).
func (l *regionListing) beginWrite(id string) {
	l.mu.Lock()
	if l.writing == nil {
		l.writing = map[string]int{}
	}
	l.writing[id]++
	l.mu.Unlock()
}

func (l *regionListing) endWrite(id string) {
	l.mu.Lock()
	if l.writing[id]--; l.writing[id] <= 0 {
		delete(l.writing, id)
	}
	if l.written == nil {
		l.written = map[string]uint64{}
	}
	l.seq++
	l.written[id] = l.seq
	l.mu.Unlock()
}

// servable says whether a refresh read of id would be answered from the
// current listing (tests).
func (l *regionListing) servable(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.hit(id)
	return ok
}
