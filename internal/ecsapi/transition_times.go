package ecsapi

import (
	"sync"
	"time"
)

// transitionTimes learns, within one provider process, how long one kind of
// transition takes (a new instance to Running, a stop, a release), so that
// the waits that follow poll near that time instead of on a fixed schedule.
// A wait with growing intervals capped at a second sees a 5 s boot up to a
// second late and polls the whole time; polls gathered around the learnt
// time see it within one grid step, with fewer calls. Instances of one apply
// share the service, region and configuration, so the times of the first
// ones are a good guess for the next ones. Nothing here decides whether a
// wait succeeds: it only moves polls.
type transitionTimes struct {
	mu   sync.Mutex
	seen []transitionSeen // the last transitionsKept, oldest first
}

// transitionSeen brackets one transition, measured from the start of its
// wait: after the last poll that saw it not done, by the first that saw it done.
type transitionSeen struct{ after, by time.Duration }

// transitionsKept is how many recent waits the window is made of: about one
// wave of Terraform's default parallelism, so it follows a change soon.
const transitionsKept = 10

// denseSteps is how many polls the window is divided into at most.
const denseSteps = 8

func (t *transitionTimes) record(after, by time.Duration) {
	if t == nil || by < after {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen = append(t.seen, transitionSeen{after, by})
	if len(t.seen) > transitionsKept {
		t.seen = t.seen[len(t.seen)-transitionsKept:]
	}
}

// pollWindow is where the transitions learnt so far happened: from the
// earliest "not yet" to the latest "done". Empty (ok false) until one is seen.
type pollWindow struct {
	ok       bool
	from, to time.Duration
	step     time.Duration
}

// window returns the learnt window. Its polls are step apart: an eighth of
// the window, but at least align (the poll grid, of which it is a multiple)
// and at most maxDelay.
func (t *transitionTimes) window(align, maxDelay time.Duration) pollWindow {
	if t == nil {
		return pollWindow{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.seen) == 0 {
		return pollWindow{}
	}
	// A wide bracket (the transition happened between two sparse polls) is
	// taken as "just before it was seen": otherwise one late sighting would
	// widen the window for the next transitionsKept waits.
	lead := max(3*align, 300*time.Millisecond)
	w := pollWindow{ok: true, from: max(t.seen[0].after, t.seen[0].by-lead), to: t.seen[0].by}
	for _, s := range t.seen[1:] {
		w.from = min(w.from, max(s.after, s.by-lead))
		w.to = max(w.to, s.by)
	}
	w.step = max((w.to-w.from)/denseSteps, align, time.Millisecond)
	w.step = min(w.step, maxDelay)
	if align > 0 { // a multiple of the grid, so that steps stay on it
		w.step = max(w.step-w.step%align, align)
	}
	return w
}

// delay is the wait before the next poll, elapsed after the start of the
// wait, where d is what the growing intervals would wait, and the grid the
// poll is aligned to (align is the finest): before the window no poll later
// than its start; inside it, one step on a grid of steps, so that every
// waiter in the window polls at the same instants; after it, d again (it
// grows from the step on, so an unusually slow transition is still polled
// about as often as without a window).
func (w pollWindow) delay(elapsed, d, align time.Duration) (time.Duration, time.Duration) {
	switch {
	case !w.ok || elapsed >= w.to:
		return d, pollGrid(d, align)
	case elapsed >= w.from:
		if align <= 0 {
			return w.step, 0
		}
		return w.step, w.step
	case d < w.from-elapsed && (elapsed > 0 || 2*d < w.from):
		// (A first poll is skipped when the window starts before a second
		// one would: it would only see the transition not done yet.)
		return d, pollGrid(d, align)
	default:
		return w.from - elapsed, pollGrid(0, align)
	}
}

// growthCap caps the growing intervals: before the window they may grow to
// a third of its start (fewer polls while nothing is expected, still a few
// to see an unusually fast transition), otherwise to maxDelay.
func (w pollWindow) growthCap(elapsed, maxDelay time.Duration) time.Duration {
	if w.ok && elapsed < w.from {
		return max(maxDelay, w.from/3)
	}
	return maxDelay
}
