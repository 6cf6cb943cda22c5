package ecsapi

import (
	"context"
	"maps"
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
// What one listing holds: the region's instances when they fit in
// RefreshListPages pages (the first page's TotalCount says so), else the
// instances carrying the ownership tag (capped the same way). A small
// refresh (up to RefreshListAfter reads) never lists: in an account with
// many instances the listing would cost more than it saves.
//
// Correctness:
//   - only hits are served: an id the listing lacks (created after it,
//     imported without the tag, beyond its pages, or skipped by a paging
//     race) is read with GetInstance, so a listing never reports a live
//     instance gone; "gone" is only what a read by id says;
//   - a listing is never older than this process's last write to an
//     instance: a write in flight, or one that ended after the listing's
//     first page was asked, makes the instance's entry unusable (it is read
//     by id) until a later listing. Dropping the entry is not enough: a
//     listing asked before the write and answered after it would put the
//     old state back.
//
// The listing lives for RefreshTTL, which covers one refresh walk: the
// provider process serves one Terraform command.
type regionListing struct {
	mu        sync.Mutex
	takenAt   time.Time
	asked     uint64 // seq when the listing's first page was asked
	instances map[string]Instance
	filling   chan struct{} // non-nil while a listing is in flight
	readsByID int           // refresh reads sent by id since the last listing

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
	for l.filling != nil {
		wait := l.filling
		l.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, false
		}
		l.mu.Lock()
	}
	if l.instances == nil || c.clock.Now().Sub(l.takenAt) >= c.cfg.RefreshTTL {
		if l.readsByID < c.cfg.RefreshListAfter {
			l.readsByID++
			l.mu.Unlock()
			return nil, false
		}
		l.fill(ctx, c) // unlocks and relocks around the calls
	}
	inst, ok := l.instances[id]
	if ok && (l.writing[id] > 0 || l.written[id] >= l.asked) {
		ok = false // changed by this process since the listing was asked
	}
	l.mu.Unlock()
	if !ok {
		return nil, false
	}
	inst.SecurityGroupIDs = append([]string(nil), inst.SecurityGroupIDs...)
	inst.Tags = maps.Clone(inst.Tags)
	return &inst, true
}

// fill takes a listing. It is called with l.mu held and returns with it
// held; concurrent lookups wait for it. A failed listing leaves an empty
// one, so reads fall back to GetInstance until it expires.
func (l *regionListing) fill(ctx context.Context, c *Client) {
	done := make(chan struct{})
	l.filling = done
	l.seq++
	asked := l.seq
	l.mu.Unlock()

	list := c.listForRefresh(ctx)
	found := make(map[string]Instance, len(list))
	for _, inst := range list {
		found[inst.ID] = inst
	}

	l.mu.Lock()
	l.instances, l.takenAt, l.asked, l.filling, l.readsByID = found, c.clock.Now(), asked, nil, 0
	for id, at := range l.written {
		if at < asked && l.writing[id] == 0 {
			delete(l.written, id) // this listing is newer than the write
		}
	}
	close(done)
}

// listForRefresh lists the region's instances, or those with the ownership
// tag when the region has more than RefreshListPages pages. An error or a
// listing cut short leaves what was read: the rest is read by id.
func (c *Client) listForRefresh(ctx context.Context) []Instance {
	limit := c.cfg.RefreshListPages
	tooLarge := false
	list, _, _, err := listPages(ctx, c, limit, "DescribeInstances", ecs.CreateDescribeInstancesRequest, (*ecs.Client).DescribeInstances,
		func(*ecs.DescribeInstancesRequest) {},
		func(resp *ecs.DescribeInstancesResponse) ([]Instance, string) {
			items := make([]Instance, 0, len(resp.Instances.Instance))
			for _, raw := range resp.Instances.Instance {
				items = append(items, instanceFromSDK(raw))
			}
			if resp.TotalCount > limit*pageSize {
				tooLarge = true
				return items, "" // stop: the region is larger than the listing may be
			}
			return items, resp.NextToken
		})
	if err != nil || !tooLarge {
		return list
	}
	owned, _, err := c.describeInstancePages(ctx, func(req *ecs.DescribeInstancesRequest) {
		req.Tag = &[]ecs.DescribeInstancesTag{{Key: OwnershipTagKey, Value: OwnershipTagValue}}
	}, limit)
	if err != nil {
		return list // the first page of the region still answers what it holds
	}
	return append(owned, list...)
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
	_, ok := l.instances[id]
	return ok && l.writing[id] == 0 && l.written[id] < l.asked
}
