package ecsapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// releaseBatcher lets concurrent releases share one DeleteInstances call
// (up to 100 ids), where each would send its own DeleteInstance: the stop
// polls of a destroy's wave see its machines Stopped together, and their
// releases follow within milliseconds. Each caller has already decided on
// its own that its instance goes (read fresh, deletion protection off,
// stopped); the batch only carries the decisions. The rules:
//   - A batch of one id sends nothing: its caller makes its own
//     DeleteInstance, exactly as without batching.
//   - A caller that leaves (its context ends) before the batch is sent takes
//     its id out: an interrupted destroy releases nothing.
//   - The call carries a ClientToken, so its retries cannot act twice.
//   - When the call fails, no caller takes its error for its own: each
//     makes its own DeleteInstance, which names its own cause (a wrong
//     state, deletion protection turned on meanwhile, already gone). Whether
//     the service acts on part of a refused DeleteInstances is not
//     documented; an id it did release answers NotFound on its own call,
//     which DeleteInstance counts as released.
//   - When the call is denied (a RAM policy without ecs:DeleteInstances),
//     batching stops for the life of the Client: releases then cost what
//     they cost before, not a refused call more.
type releaseBatcher struct {
	window   time.Duration
	slideFor time.Duration // as batcher.slideFor
	send     func(ctx context.Context, ids []string, force bool) error

	denied  atomic.Bool
	mu      sync.Mutex
	pending map[bool]*releaseBatch // by Force: one call has one value of it
}

type releaseBatch struct {
	force   bool
	callers map[string]int // id → callers waiting for it
	ids     []string       // in arrival order
	ctx     context.Context
	cancel  context.CancelFunc
	timer   *time.Timer
	opened  time.Time
	due     time.Time
	sent    bool

	done    chan struct{}
	outcome releaseOutcome
}

// maxReleaseBatch is DeleteInstances' limit of ids per call.
const maxReleaseBatch = 100

func newReleaseBatcher(window, slideFor time.Duration, send func(context.Context, []string, bool) error) *releaseBatcher {
	return &releaseBatcher{window: window, slideFor: slideFor, send: send, pending: map[bool]*releaseBatch{}}
}

// releaseOutcome is what a release's batch did.
type releaseOutcome int

const (
	// batchReleased: the call released the id (or the caller's context
	// ended: its error is the answer).
	batchReleased releaseOutcome = iota
	// batchNotSent: the caller was alone (or batching is off): it makes its
	// own DeleteInstance.
	batchNotSent
	// batchFailed: the call failed, and may have acted on the id: the
	// caller makes its own DeleteInstance, and NotFound means released.
	batchFailed
)

// release waits for id's batch; err is the caller's context error.
func (b *releaseBatcher) release(ctx context.Context, id string, force bool) (releaseOutcome, error) {
	if b.denied.Load() {
		return batchNotSent, nil
	}
	if err := ctx.Err(); err != nil {
		return batchReleased, err
	}
	bt := b.join(ctx, id, force)
	select {
	case <-bt.done:
		return bt.outcome, nil
	case <-ctx.Done():
		b.leave(bt, id)
		return batchReleased, ctx.Err()
	}
}

func (b *releaseBatcher) join(ctx context.Context, id string, force bool) *releaseBatch {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	bt := b.pending[force]
	if bt == nil {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		bt = &releaseBatch{force: force, callers: map[string]int{}, ctx: bctx, cancel: cancel,
			opened: now, due: now.Add(b.window), done: make(chan struct{})}
		b.pending[force] = bt
		bt.timer = time.AfterFunc(b.window, func() { b.sendBatch(bt) })
	} else if due := minTime(now.Add(b.window), bt.opened.Add(b.slideFor)); due.After(bt.due) {
		bt.due = due
		bt.timer.Reset(due.Sub(now))
	}
	if bt.callers[id] == 0 {
		bt.ids = append(bt.ids, id)
	}
	bt.callers[id]++
	if len(bt.ids) >= maxReleaseBatch {
		bt.timer.Stop()
		delete(b.pending, force)
		go b.sendBatch(bt)
	}
	return bt
}

// leave takes a caller out; an id with no caller left is not released.
func (b *releaseBatcher) leave(bt *releaseBatch, id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bt.sent {
		return // the call is out: like a DeleteInstance in flight
	}
	if bt.callers[id]--; bt.callers[id] == 0 {
		delete(bt.callers, id)
		for i, x := range bt.ids {
			if x == id {
				bt.ids = append(bt.ids[:i:i], bt.ids[i+1:]...)
				break
			}
		}
	}
	if len(bt.ids) == 0 {
		if b.pending[bt.force] == bt {
			delete(b.pending, bt.force)
		}
		bt.timer.Stop()
		bt.sent = true
		bt.cancel()
	}
}

func (b *releaseBatcher) sendBatch(bt *releaseBatch) {
	b.mu.Lock()
	if bt.sent {
		b.mu.Unlock()
		return
	}
	bt.sent = true
	if b.pending[bt.force] == bt {
		delete(b.pending, bt.force)
	}
	ids := append([]string(nil), bt.ids...)
	b.mu.Unlock()

	defer bt.cancel()
	bt.outcome = batchNotSent
	if len(ids) > 1 {
		bt.outcome = batchReleased
		if err := b.send(bt.ctx, ids, bt.force); err != nil {
			bt.outcome = batchFailed
			if isPermissionDenied(err) {
				b.denied.Store(true)
			}
		}
	}
	close(bt.done)
}

// isPermissionDenied: the caller's RAM policy does not allow the action.
func isPermissionDenied(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (strings.HasPrefix(apiErr.Code, "Forbidden.RAM") || apiErr.Code == "NoPermission")
}

// deleteInstances releases ids in one DeleteInstances call. Every id is
// marked written in the refresh listing, as DeleteInstance marks its one.
func (c *Client) deleteInstances(ctx context.Context, ids []string, force bool) error {
	for _, id := range ids {
		c.listing.beginWrite(id)
		defer c.listing.endWrite(id)
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
	token := hex.EncodeToString(b[:])
	_, err := invoke(ctx, c, call{action: "DeleteInstances", kind: kindIdempotent},
		ecs.CreateDeleteInstancesRequest, (*ecs.Client).DeleteInstances, func(req *ecs.DeleteInstancesRequest) {
			req.RegionId = c.cfg.RegionID
			req.InstanceId = &ids
			req.ClientToken = token
			if force {
				req.Force = requests.NewBoolean(true)
			}
		})
	return err
}
