package ecsapi

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// tokenBucket is a client-side rate limit shared by the calls of a Client
// (of one action class: see Client.limiterFor). The accounting is
// golang.org/x/time/rate's: each wait reserves a token at once (the balance
// may go negative) and then sleeps until that token is due, so concurrent
// callers are served in arrival order without a thundering herd.
//
// What stays hand-written, and why: the sleep. rate.Limiter.Wait reads the
// wall clock and sleeps on a real timer; the provider's waits run on the
// injected clock (tests advance a fake one), so the reservation is taken
// with ReserveN(now) and DelayFrom(now), and the sleep is clock.After. The
// deadline check is ours for the same reason: a token due after ctx's
// deadline is refused at once and given back (CancelAt).
type tokenBucket struct {
	clock clock.Clock
	lim   *rate.Limiter
}

// newTokenBucket returns nil (no limit) when perSecond is 0.
func newTokenBucket(c clock.Clock, perSecond float64, burst int) *tokenBucket {
	if perSecond <= 0 {
		return nil
	}
	lim := rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
	// A new limiter starts full: set its clock to ours, so that the first
	// refill is measured from the injected clock's now, not the zero time.
	lim.SetBurstAt(c.Now(), max(burst, 1))
	return &tokenBucket{clock: c, lim: lim}
}

// Wait blocks until a token is available or ctx ends; it does not wait at
// all when the token would only come after ctx's deadline.
func (b *tokenBucket) Wait(ctx context.Context) error {
	if b == nil {
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := b.clock.Now()
	r := b.lim.ReserveN(now, 1)
	if !r.OK() { // only when burst < 1, which newTokenBucket rules out
		return fmt.Errorf("rate limit: no token can ever be granted")
	}
	delay := r.DelayFrom(now)
	if delay <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		r.CancelAt(now)
		return fmt.Errorf("rate limit: waiting %s for a request token would pass the deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded)
	}
	select {
	case <-b.clock.After(delay):
		return nil
	case <-ctx.Done():
		r.CancelAt(b.clock.Now())
		return ctx.Err()
	}
}

// limiterFor is the rate limit of a call's class. ECS throttles each API on
// its own (per account and region), so the reads a destroy's waiters make
// need not queue behind its writes: at a shared limit, a destroy of 500
// machines (1,500 writes, about 1,300 reads) took (writes + reads) / rate
// instead of writes / rate. Each class keeps the configured rate, so no one
// API is ever called faster than it.
func (c *Client) limiterFor(kind callKind) *tokenBucket {
	if kind == kindRead {
		return c.readLimiter
	}
	return c.writeLimiter
}

// backlog is how long a token asked for now would wait: 0 while tokens are
// left, else the time the reservations already queued take to be served.
func (b *tokenBucket) backlog() time.Duration {
	if b == nil {
		return 0
	}
	tokens := b.lim.TokensAt(b.clock.Now())
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(b.lim.Limit()) * float64(time.Second))
}

// maxWriteBacklogPatience bounds how long a read waits for company while
// writes queue (writeBacklog).
const maxWriteBacklogPatience = 2 * time.Second

// writeBacklog is how long a new batch of instance or disk reads waits for
// more callers: as long as a write asked for now would wait for the write
// limit. While writes queue (a destroy of hundreds of machines at a high
// parallelism: a stop and a release each), the operations are bound by the
// write limit, not by their reads, so a read made a little later costs
// none of them time: the first read and the disk read of a release, and
// the polls of its stop and its release, then share calls instead of each
// filling a batch of its own. Each read is still made after its caller
// asked, by id, so a release still decides on a fresh read. With no writes
// queued it is 0 and the batches keep their short windows.
func (c *Client) writeBacklog() time.Duration {
	return min(c.writeLimiter.backlog(), maxWriteBacklogPatience)
}
