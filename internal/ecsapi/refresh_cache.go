package ecsapi

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// regionListing answers refresh reads from one listing of the region's
// instances. A no-op plan reads every instance at least twice (the instance
// and its schedule) at Terraform's parallelism of 10, so batching alone folds
// at most 10 reads into one call; one DescribeInstances page of 100 answers
// them all. A small refresh (up to RefreshListAfter reads) never lists: in
// an account with many instances the listing would cost more than it saves.
// Only hits are served from the listing: an id it lacks (created after it,
// or beyond its pages) is read with GetInstance, so a listing can never
// report a live instance as gone. Writes through the Client forget the id
// they touch.
type regionListing struct {
	mu        sync.Mutex
	takenAt   time.Time
	instances map[string]Instance
	filling   chan struct{} // non-nil while a listing is in flight
	readsByID int           // refresh reads sent by id since the last listing
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
		l.fill(ctx, c) // unlocks and relocks around the call
	}
	inst, ok := l.instances[id]
	l.mu.Unlock()
	if !ok {
		return nil, false
	}
	inst.SecurityGroupIDs = append([]string(nil), inst.SecurityGroupIDs...)
	inst.Tags = maps.Clone(inst.Tags)
	return &inst, true
}

// fill lists up to RefreshListPages pages of the region's instances. It is
// called with l.mu held and returns with it held; concurrent lookups wait
// for it. A failed listing leaves an empty one, so reads fall back to
// GetInstance until it expires.
func (l *regionListing) fill(ctx context.Context, c *Client) {
	done := make(chan struct{})
	l.filling = done
	l.mu.Unlock()

	list, _, err := c.describeInstancePages(ctx, func(*ecs.DescribeInstancesRequest) {}, c.cfg.RefreshListPages)
	found := make(map[string]Instance, len(list))
	if err == nil {
		for _, inst := range list {
			found[inst.ID] = inst
		}
	}

	l.mu.Lock()
	l.instances, l.takenAt, l.filling, l.readsByID = found, c.clock.Now(), nil, 0
	close(done)
}

// forget drops an instance from the listing: it is being changed.
func (l *regionListing) forget(id string) {
	l.mu.Lock()
	delete(l.instances, id)
	l.mu.Unlock()
}
