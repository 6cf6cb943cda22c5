package ecsapi

import (
	"context"
	"fmt"
	"time"
)

// pollResult is what one poll of a waiter saw.
type pollResult[T any] struct {
	value  T
	status string
	gone   bool // the resource does not exist
}

// waitSpec describes one wait. poll reads the resource; done says whether
// the wait is over (successfully); fail returns a non-nil error when the
// resource reached a state it will not leave for the target.
type waitSpec[T any] struct {
	what string
	poll func(ctx context.Context) (pollResult[T], error)
	done func(pollResult[T]) bool
	fail func(pollResult[T]) error
	// learn, when set, records how long this kind of transition took and
	// moves the polls of the next waits of the same kind near that time
	// (transition_times.go).
	learn *transitionTimes
	// progress, when set, renders the progress the service reports for
	// the value (a snapshot's "45%") for the INFO log of the wait.
	progress func(T) string
}

// waitFor polls until spec.done, spec.fail, a permanent poll error or ctx's
// deadline. The first poll comes WaitMinDelay after the call (an action's
// effect is rarely visible sooner); each interval then grows by WaitGrowth
// up to waitCap. Polls are aligned to marks of the clock (pollGrid) so that
// concurrent waiters share batched reads; with spec.learn, they gather
// around the time earlier waits of the same kind took (transition_times.go).
// Throttling and transient poll errors (already retried by the client) do
// not end the wait. Time is measured on the Client's clock, so tests never
// sleep. Not a backoff library's schedule (cenkalti/backoff): the intervals
// are snapped to the clock's grid and pulled toward learnt transition
// times so that concurrent waits share batched reads, which a randomized
// exponential schedule would scatter.
func waitFor[T any](ctx context.Context, c *Client, spec waitSpec[T]) (T, error) {
	var (
		zero       T
		lastStatus string
		lastErr    error
	)
	start := c.clock.Now()
	delay := c.cfg.WaitMinDelay
	polls := 0
	lastLook := false        // the deadline-shortened final poll has been made
	var notYet time.Duration // when the last poll that saw the wait not over was made
	window := spec.learn.window(c.cfg.WaitAlign, c.cfg.WaitMaxDelay)
	progress := waitProgress{what: spec.what}
	progress.start(ctx)
	timeout := func(cause error) error {
		return &WaitTimeoutError{What: spec.what, LastStatus: lastStatus, Waited: c.clock.Now().Sub(start), LastErr: lastErr, cause: cause}
	}
	for {
		// Near the transition time learnt from earlier waits, the delay
		// follows the window instead of the growing intervals.
		var grid time.Duration
		delay, grid = window.delay(c.clock.Now().Sub(start), delay, c.cfg.WaitAlign)
		if polls == 0 {
			// The first poll on the fine grid: a coarse one could double
			// the wait of a transition that is over at once (a release).
			grid = min(grid, c.cfg.WaitAlign)
		}
		// A poll lands a little after its grid mark (the call takes time):
		// without a fifth of a grid of slack, a delay of one grid would
		// always round up to two.
		sleep := max(alignedDelay(c.clock.Now(), delay-grid/5, grid), 0)
		if deadline, ok := ctx.Deadline(); ok {
			remaining := deadline.Sub(c.clock.Now())
			if remaining <= 0 {
				return zero, timeout(context.DeadlineExceeded)
			}
			if sleep > remaining {
				if lastLook {
					return zero, timeout(context.DeadlineExceeded)
				}
				// One last look just before the deadline rather than none.
				sleep = remaining - remaining/10
				lastLook = true
			}
		}
		select {
		case <-ctx.Done():
			return zero, timeout(ctx.Err())
		case <-c.clock.After(sleep):
		}
		elapsed := c.clock.Now().Sub(start)
		delay = nextPollDelay(delay, c.cfg.WaitGrowth, window.growthCap(elapsed, c.waitCap(elapsed)))

		polls++
		polledAt := elapsed
		res, err := spec.poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return zero, timeout(ctx.Err())
			}
			if IsThrottling(err) || IsTransient(err) {
				lastErr = err
				continue
			}
			return zero, err
		}
		lastErr = nil
		lastStatus = res.status
		if res.gone {
			lastStatus = "gone"
		}
		shown := ""
		if spec.progress != nil && !res.gone {
			shown = spec.progress(res.value)
		}
		if spec.done(res) {
			spec.learn.record(notYet, polledAt)
			progress.done(ctx, c.clock.Now().Sub(start))
			return res.value, nil
		}
		progress.poll(ctx, lastStatus, shown, c.clock.Now().Sub(start))
		notYet = polledAt
		if spec.fail != nil {
			if err := spec.fail(res); err != nil {
				return res.value, err
			}
		}
	}
}

// waitCap is the longest interval between polls elapsed after the start of
// a wait: WaitMaxDelay, or with WaitRelativeCap a share of the time waited
// so far (but not below WaitMinDelay), so that a short transition is not
// seen a whole WaitMaxDelay late.
func (c *Client) waitCap(elapsed time.Duration) time.Duration {
	if c.cfg.WaitRelativeCap <= 0 {
		return c.cfg.WaitMaxDelay
	}
	relative := time.Duration(float64(elapsed) * c.cfg.WaitRelativeCap)
	return min(c.cfg.WaitMaxDelay, max(c.cfg.WaitMinDelay, relative))
}

// alignedDelay stretches delay so the poll lands on the next multiple of
// align on the clock. Waiters started at different moments then poll at the
// same instants, and the batcher folds their reads into one call. The grid
// is as coarse as the delay (pollGrid): waiters polling once a second all
// poll on the second, not on ten different 100 ms marks.
func alignedDelay(now time.Time, delay, align time.Duration) time.Duration {
	if align <= 0 {
		return delay
	}
	wake := now.Add(delay)
	aligned := wake.Truncate(align)
	if aligned.Before(wake) {
		aligned = aligned.Add(align)
	}
	return aligned.Sub(now)
}

// pollGrid is the grid a poll after delay d is aligned to: a whole second
// from a delay of a second on, half a second from half a second on, align
// below (0 when align is 0: off). Round values, so that waiters at different
// points of their growing intervals still meet on the same instants.
func pollGrid(d, align time.Duration) time.Duration {
	switch {
	case align <= 0:
		return 0
	case d >= time.Second && time.Second%align == 0:
		return time.Second
	case d >= 500*time.Millisecond && (500*time.Millisecond)%align == 0:
		return 500 * time.Millisecond
	}
	return align
}

func nextPollDelay(d time.Duration, growth float64, limit time.Duration) time.Duration {
	next := time.Duration(float64(d) * growth)
	if next > limit {
		return limit
	}
	if next < d {
		return d
	}
	return next
}

// pollInstance reads an instance for a waiter; NotFound becomes gone.
func (c *Client) pollInstance(id string) func(context.Context) (pollResult[*Instance], error) {
	return func(ctx context.Context) (pollResult[*Instance], error) {
		inst, err := c.GetInstance(ctx, id)
		if IsNotFound(err) {
			return pollResult[*Instance]{gone: true}, nil
		}
		if err != nil {
			return pollResult[*Instance]{}, err
		}
		return pollResult[*Instance]{value: inst, status: inst.Status}, nil
	}
}

// WaitInstanceStatus waits until the instance reports status. It fails at
// once if the instance disappears.
func (c *Client) WaitInstanceStatus(ctx context.Context, id, status string) (*Instance, error) {
	var learn *transitionTimes
	switch status {
	case StatusRunning:
		learn = &c.runningTimes
	case StatusStopped:
		learn = &c.stoppedTimes
	}
	return waitFor(ctx, c, waitSpec[*Instance]{
		what:  fmt.Sprintf("instance %s to reach status %s", id, status),
		learn: learn,
		poll:  c.pollInstance(id),
		done:  func(r pollResult[*Instance]) bool { return !r.gone && r.status == status },
		fail: func(r pollResult[*Instance]) error {
			if r.gone {
				return notFoundError("DescribeInstances", "InvalidInstanceId.NotFound", "instance",
					id, "")
			}
			return nil
		},
	})
}

// NewInstanceVisibilityGrace is how long WaitInstanceCreated accepts that a
// new instance is not yet returned by DescribeInstances (the service is
// eventually consistent right after RunInstances).
const NewInstanceVisibilityGrace = 2 * time.Minute

// WaitInstanceCreated waits until a just-created instance reports status.
// Unlike WaitInstanceStatus, "not found" during the first
// NewInstanceVisibilityGrace means "not visible yet", not "released".
func (c *Client) WaitInstanceCreated(ctx context.Context, id, status string) (*Instance, error) {
	start := c.clock.Now()
	var learn *transitionTimes
	if status == StatusRunning {
		learn = &c.bootTimes
	}
	return waitFor(ctx, c, waitSpec[*Instance]{
		what:  fmt.Sprintf("instance %s to reach status %s", id, status),
		learn: learn,
		poll:  c.pollInstance(id),
		done:  func(r pollResult[*Instance]) bool { return !r.gone && r.status == status },
		fail: func(r pollResult[*Instance]) error {
			if r.gone && c.clock.Now().Sub(start) > NewInstanceVisibilityGrace {
				return notFoundError("DescribeInstances", "InvalidInstanceId.NotFound", "instance",
					id, "")
			}
			return nil
		},
	})
}

// WaitInstanceVisible waits until DescribeInstances returns the instance,
// in any status: "not found" is "not visible yet" until ctx's deadline.
// It is for an instance known to have been created but never seen.
func (c *Client) WaitInstanceVisible(ctx context.Context, id string) (*Instance, error) {
	return waitFor(ctx, c, waitSpec[*Instance]{
		what: fmt.Sprintf("instance %s to become visible", id),
		poll: c.pollInstance(id),
		done: func(r pollResult[*Instance]) bool { return !r.gone },
	})
}

// WaitInstanceGone waits until DescribeInstances no longer returns the instance.
func (c *Client) WaitInstanceGone(ctx context.Context, id string) error {
	_, err := waitFor(ctx, c, waitSpec[*Instance]{
		what:  fmt.Sprintf("instance %s to be released", id),
		learn: &c.releaseTimes,
		poll:  c.pollInstance(id),
		done:  func(r pollResult[*Instance]) bool { return r.gone },
	})
	return err
}

// pollSnapshotGroup reads a snapshot group for a waiter; NotFound becomes gone.
func (c *Client) pollSnapshotGroup(id string) func(context.Context) (pollResult[*SnapshotGroup], error) {
	return func(ctx context.Context) (pollResult[*SnapshotGroup], error) {
		g, err := c.GetSnapshotGroup(ctx, id)
		if IsNotFound(err) {
			return pollResult[*SnapshotGroup]{gone: true}, nil
		}
		if err != nil {
			return pollResult[*SnapshotGroup]{}, err
		}
		return pollResult[*SnapshotGroup]{value: g, status: g.Status}, nil
	}
}

// WaitSnapshotGroupDone waits until the group is accomplished. A failed
// group returns a *SnapshotFailedError at once; a group that disappears
// returns a NotFound error.
func (c *Client) WaitSnapshotGroupDone(ctx context.Context, id string) (*SnapshotGroup, error) {
	return waitFor(ctx, c, waitSpec[*SnapshotGroup]{
		what:     fmt.Sprintf("snapshot group %s to be accomplished", id),
		poll:     c.pollSnapshotGroup(id),
		progress: snapshotGroupProgress,
		done:     func(r pollResult[*SnapshotGroup]) bool { return !r.gone && r.status == SnapshotAccomplished },
		fail: func(r pollResult[*SnapshotGroup]) error {
			switch {
			case r.gone:
				return notFoundError("DescribeSnapshotGroups", "InvalidSnapshotGroupId.NotFound", "snapshot group", id, "")
			case r.status == SnapshotFailed:
				failed := &SnapshotFailedError{SnapshotGroupID: id}
				for _, s := range r.value.Snapshots {
					if s.Status == SnapshotFailed {
						failed.FailedSnapshotIDs = append(failed.FailedSnapshotIDs, s.ID)
					}
				}
				return failed
			}
			return nil
		},
	})
}

// WaitSnapshotGroupGone waits until the group no longer exists.
func (c *Client) WaitSnapshotGroupGone(ctx context.Context, id string) error {
	_, err := waitFor(ctx, c, waitSpec[*SnapshotGroup]{
		what: fmt.Sprintf("snapshot group %s to be deleted", id),
		poll: c.pollSnapshotGroup(id),
		done: func(r pollResult[*SnapshotGroup]) bool { return r.gone },
	})
	return err
}
