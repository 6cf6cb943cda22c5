package ecsapi

import (
	"context"
	"slices"
	"sync"
	"time"
)

// batchFetch reads many ids in one call. It returns the found objects by id;
// an id left out of the map does not exist. requestID names the call that
// answered, for the not-found errors.
type batchFetch[T any] func(ctx context.Context, ids []string) (found map[string]T, requestID string, err error)

// batcher coalesces concurrent single-id reads into one call: the first
// read opens a batch, later reads join it, and the batch is sent when its
// window ends or it is full. Each caller gets its own object (or learns
// that it is missing); an error of the call reaches only that batch's
// callers. A caller whose context ends stops waiting, but the batch goes on
// for the others; it is cancelled only when every caller has left.
type batcher[T any] struct {
	window  time.Duration
	maxSize int
	fetch   batchFetch[T]
	// slideFor, when > 0, lets each caller that joins keep the batch open
	// for another window, up to slideFor after it opened: callers that
	// trickle in a few milliseconds apart (one wave of Terraform's
	// operations, started one by one) still share one call.
	slideFor time.Duration
	// patience, when set, is how long a new batch may wait for more
	// callers (never less than window): Client.writeBacklog.
	patience func() time.Duration
	// dropLeavers: a caller that leaves before its batch is sent takes its
	// id out, for a batch of writes (what nobody waits for is not done).
	dropLeavers bool

	mu      sync.Mutex
	pending *batch[T]
}

type batch[T any] struct {
	ids     []string
	callers map[string]int // id → callers waiting for it
	waiters int
	ctx     context.Context // values of the first caller, no cancellation
	cancel  context.CancelFunc
	timer   *time.Timer
	opened  time.Time
	due     time.Time // when the timer sends it
	sent    bool

	done      chan struct{}
	found     map[string]T
	requestID string
	err       error
}

func newBatcher[T any](window time.Duration, maxSize int, fetch batchFetch[T]) *batcher[T] {
	return &batcher[T]{window: window, maxSize: maxSize, fetch: fetch}
}

// get returns the object with id; ok is false when the call did not return it.
func (b *batcher[T]) get(ctx context.Context, id string) (obj T, ok bool, requestID string, err error) {
	if err := ctx.Err(); err != nil {
		return obj, false, "", err
	}
	bt := b.join(ctx, id)
	select {
	case <-bt.done:
		obj, ok = bt.found[id]
		return obj, ok, bt.requestID, bt.err
	case <-ctx.Done():
		b.leave(bt, id)
		return obj, false, "", ctx.Err()
	}
}

func (b *batcher[T]) join(ctx context.Context, id string) *batch[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	bt := b.pending
	now := time.Now()
	if bt == nil {
		// The batch outlives any one caller: keep the first caller's values
		// (loggers) but not its cancellation.
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		wait := b.window
		if b.patience != nil {
			wait = max(wait, b.patience())
		}
		bt = &batch[T]{callers: map[string]int{}, ctx: bctx, cancel: cancel, done: make(chan struct{}),
			opened: now, due: now.Add(wait)}
		b.pending = bt
		bt.timer = time.AfterFunc(wait, func() { b.send(bt) })
	} else if b.slideFor > 0 {
		// Only ever later: a patient batch keeps its own due time. A timer
		// that already fired calls send again: a no-op once sent.
		if due := minTime(now.Add(b.window), bt.opened.Add(b.slideFor)); due.After(bt.due) {
			bt.due = due
			bt.timer.Reset(due.Sub(now))
		}
	}
	bt.waiters++
	if bt.callers[id] == 0 {
		bt.ids = append(bt.ids, id)
	}
	bt.callers[id]++
	if len(bt.ids) >= b.maxSize {
		bt.timer.Stop()
		go b.send(bt)
		b.pending = nil
	}
	return bt
}

// leave records that a caller stopped waiting; the last one cancels the
// call. With dropLeavers, an id nobody waits for any more leaves the batch
// if it has not been sent.
func (b *batcher[T]) leave(bt *batch[T], id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bt.waiters--
	if bt.callers[id]--; bt.callers[id] == 0 && b.dropLeavers && !bt.sent {
		bt.ids = slices.DeleteFunc(bt.ids, func(x string) bool { return x == id })
	}
	if bt.waiters == 0 {
		if b.pending == bt {
			b.pending = nil
			bt.timer.Stop()
		}
		bt.cancel()
	}
}

// send performs the batch's call once and releases its callers.
func (b *batcher[T]) send(bt *batch[T]) {
	b.mu.Lock()
	if bt.sent {
		b.mu.Unlock()
		return
	}
	bt.sent = true
	if b.pending == bt {
		b.pending = nil
	}
	ids := append([]string(nil), bt.ids...)
	b.mu.Unlock()

	defer bt.cancel()
	if len(ids) == 0 {
		close(bt.done) // every caller left a dropLeavers batch: nothing to do
		return
	}
	bt.found, bt.requestID, bt.err = b.fetch(bt.ctx, ids)
	close(bt.done)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
