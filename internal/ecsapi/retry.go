package ecsapi

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// callKind says which failures of a call may be retried.
//
// Throttling is retried for every kind: the service refused the request
// before acting on it. Transient errors (5xx, transport errors, timeouts)
// leave it unknown whether the call acted, so they are retried only when
// acting twice is harmless.
type callKind int

const (
	// kindRead: Describe* calls.
	kindRead callKind = iota
	// kindIdempotent: writes whose repetition has the same effect (Modify*,
	// Tag/Untag, ModifyInstanceAutoReleaseTime) or that carry a ClientToken
	// (RunInstances, CreateSnapshotGroup: the same token on every attempt
	// returns what the first attempt created).
	kindIdempotent
	// kindAmbiguous: Start/Stop/Delete. Repeating one is harmless, but if an
	// earlier attempt took effect, the repeat is refused (the instance is
	// already Starting/Stopping, or already gone). call.settled recognises
	// that refusal, which then counts as success; waiters confirm the state.
	kindAmbiguous
	// kindUnsafe: a write that must not be repeated after a transient error.
	kindUnsafe
)

// call describes one typed ECS call for the retry loop.
type call struct {
	action string
	kind   callKind
	// settled recognises, for kindAmbiguous, the error a repeat returns when
	// an earlier attempt (whose answer was lost) already took effect.
	settled func(error) bool
	// secrets are redacted from this call's errors and logs in addition to
	// the client's credentials (e.g. an instance password).
	secrets []string
	// instanceID names the instance a write changes. do marks it written
	// in the refresh listing from the first attempt to after the last, so
	// RefreshInstance never answers for it from a listing older than the
	// write. Every write to an instance sets it.
	instanceID string
	// vpc marks a VPC API call (Config.VPCEndpoint), for error messages.
	vpc bool
}

// attemptFunc performs one attempt with a fresh SDK client and returns the
// response's request id.
type attemptFunc func(cl *ecs.Client) (requestID string, err error)

// do runs attempt with rate limiting, retries and logging. It retries at
// most MaxRetries times, never sleeps past ctx's deadline and checks ctx
// between attempts. Each attempt signs with the keys the credential source
// gives at that moment; keys refused as expired are renewed and the
// attempt repeated at once, one time per call (not counted as a retry).
func (c *Client) do(ctx context.Context, spec call, attempt attemptFunc) error {
	if spec.instanceID != "" {
		c.listing.beginWrite(spec.instanceID)
		defer c.listing.endWrite(spec.instanceID)
	}
	if e := c.down.known(spec.vpc, spec.action, c.clock.Now()); e != nil {
		c.logGiveUp(ctx, spec.action, 0, "the endpoint refused connections past the retry window moments ago")
		return e
	}
	var lastErr *APIError
	unsure := false  // an earlier attempt may have acted without us seeing the answer
	renewed := false // keys refused as expired were renewed once
	again := false   // repeat at once: the keys were just renewed
	var (
		started      = c.clock.Now()
		firstRefused time.Time
		noAnswer     time.Duration
		tries        int
		// refusedOut: connections were still refused when the retry
		// window ended; the endpoint is then known to be down for a while.
		refusedOut bool
	)
	defer func() {
		c.explainTransport(lastErr, tries, c.clock.Now().Sub(started), spec.vpc)
		if refusedOut && lastErr != nil {
			lastErr.endpointDown = true
			c.down.mark(spec.vpc, lastErr, c.clock.Now().Add(c.cfg.RefusedRetryFor))
		}
	}()
	for try := 0; ; try++ {
		if try > 0 && !again {
			delay := c.backoff(try)
			if deadline, ok := ctx.Deadline(); ok && c.clock.Now().Add(delay).After(deadline) {
				c.logGiveUp(ctx, spec.action, try, "the next attempt would start after the context deadline")
				return lastErr
			}
			if lastErr != nil && lastErr.Transport && lastErr.Failure == TransportRefused &&
				c.clock.Now().Add(delay).Sub(firstRefused) > c.cfg.RefusedRetryFor {
				c.logGiveUp(ctx, spec.action, try, "connections are still refused")
				refusedOut = true
				return lastErr
			}
			c.logRetry(ctx, spec.action, try, delay, lastErr)
			select {
			case <-ctx.Done():
				return lastErr
			case <-c.clock.After(delay):
			}
			// Another call found the endpoint down meanwhile.
			if lastErr != nil && lastErr.Transport && lastErr.Failure == TransportRefused {
				if e := c.down.known(spec.vpc, spec.action, c.clock.Now()); e != nil {
					return e
				}
			}
		}
		again = false
		if err := c.limiterFor(spec.kind).Wait(ctx); err != nil {
			if lastErr != nil {
				return lastErr
			}
			return &APIError{Action: spec.action, Message: "request not sent: " + err.Error(), cause: contextCause(ctx)}
		}
		creds, err := c.creds.Retrieve(ctx)
		if err != nil {
			c.logCredentialFailure(ctx, spec.action, err)
			return err
		}
		c.secrets.add(creds)
		r := c.secrets.redactor().with(spec.secrets...)
		sdkClient, err := c.newSDKClient(ctx, creds)
		if err != nil {
			return toAPIError(spec.action, err, r)
		}
		start := time.Now()
		tries++
		requestID, err := attempt(sdkClient)
		apiErr := withContextCause(ctx, toAPIError(spec.action, err, r))
		c.logAttempt(ctx, spec.action, try+1, time.Since(start), requestID, apiErr)
		if apiErr == nil {
			return nil
		}
		// The service checks the token before it acts, so repeating the
		// attempt with renewed keys is safe for every kind of call.
		if rn, ok := c.creds.(renewable); ok && apiErr.Code == codeTokenExpired && !renewed && apiErr.cause == nil {
			renewed, again = true, true
			rn.Expire(creds.AccessKeyID)
			c.logRenewal(ctx, spec.action)
			lastErr = apiErr
			try--
			continue
		}
		if unsure && spec.settled != nil && spec.settled(apiErr) {
			c.logSettled(ctx, spec.action, apiErr)
			return nil
		}
		lastErr = apiErr
		if apiErr.cause != nil || ctx.Err() != nil {
			return apiErr
		}
		if apiErr.Transport {
			switch apiErr.Failure {
			case TransportRefused:
				if firstRefused.IsZero() {
					firstRefused = c.clock.Now()
				}
			case TransportNoAnswer, TransportConnectTimeout:
				noAnswer += time.Since(start)
			}
			if c.stopTransportRetries(apiErr, firstRefused, noAnswer) {
				refusedOut = apiErr.Failure == TransportRefused
				return apiErr
			}
		} else if apiErr.HTTPStatus >= 500 {
			// A server error that takes long to come is as costly as no
			// answer: it shares the no-answer budget, so that a call that
			// gets no usable answer fails within about NoAnswerFor.
			noAnswer += time.Since(start)
			if c.cfg.NoAnswerFor > 0 && noAnswer+c.cfg.ReadTimeout > c.cfg.NoAnswerFor {
				return apiErr
			}
		}
		if !c.retryable(spec.kind, apiErr) || try >= c.cfg.MaxRetries {
			// Refused on every attempt: as conclusive as the window's end.
			refusedOut = apiErr.Transport && apiErr.Failure == TransportRefused && !firstRefused.IsZero()
			return apiErr
		}
		if IsTransient(apiErr) {
			unsure = true
		}
	}
}

func (c *Client) retryable(kind callKind, err *APIError) bool {
	if IsThrottling(err) {
		return true
	}
	return IsTransient(err) && kind != kindUnsafe
}

// backoff is the delay before retry number try (1-based): exponential from
// RetryBaseDelay, capped at RetryMaxDelay, with full jitter so that many
// throttled callers do not come back in lockstep.
//
// Written here rather than taken from github.com/cenkalti/backoff (v4, v5):
// its ExponentialBackOff randomizes by ±RandomizationFactor around the
// interval and caps the interval, not the randomized delay, so a delay can
// exceed RetryMaxDelay, and it draws from the global math/rand where the
// tests inject c.jitter; its Retry loop sleeps on a timer that cannot be
// replaced (v5's is unexported), not on Config.Clock, and has no place for
// this loop's per-attempt rules (no sleep past the deadline, the refused
// window, renewing expired keys, settled answers). What is left is the
// arithmetic below.
func (c *Client) backoff(try int) time.Duration {
	return c.jitter(exponentialDelay(c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay, try))
}

// exponentialDelay is base doubled for each retry after the first (try is
// 1-based), capped at most; it never overflows.
func exponentialDelay(base, most time.Duration, try int) time.Duration {
	d := base
	for i := 1; i < try && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// fullJitter returns a uniformly random duration in [0, d].
func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// contextCause is why a request was not sent: the context's error, or the
// deadline the rate limiter saw coming.
func contextCause(ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return context.DeadlineExceeded // the limiter refused because of the deadline
}
