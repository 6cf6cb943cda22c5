package ecsapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

// tokenBucket is a client-side rate limit shared by every call of a Client.
// Each wait reserves a token at once (the balance may go negative) and then
// sleeps until that token is due, so concurrent callers are served in
// arrival order without a thundering herd.
type tokenBucket struct {
	clock clock.Clock
	rate  float64 // tokens per second
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// newTokenBucket returns nil (no limit) when rate is 0.
func newTokenBucket(c clock.Clock, rate float64, burst int) *tokenBucket {
	if rate <= 0 {
		return nil
	}
	return &tokenBucket{clock: c, rate: rate, burst: float64(burst), tokens: float64(burst), last: c.Now()}
}

// reserve takes one token and returns how long the caller must wait for it.
func (b *tokenBucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens += elapsed.Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// cancel returns a reserved token that was not used.
func (b *tokenBucket) cancel() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens++
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
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
	delay := b.reserve()
	if delay <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && b.clock.Now().Add(delay).After(deadline) {
		b.cancel()
		return fmt.Errorf("rate limit: waiting %s for a request token would pass the deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded)
	}
	select {
	case <-b.clock.After(delay):
		return nil
	case <-ctx.Done():
		b.cancel()
		return ctx.Err()
	}
}
