// Package clock gives code the current time and a way to wait through one
// small interface, Clock, so that tests control both.
//
// Production code passes Real: the wall clock, in UTC. Tests pass a Fake,
// whose time moves only when the test calls Advance or Set, or when the code
// under test waits: Fake.After moves the time by the wait and fires at once.
// Time rules are thus tested at exact instants, and waits (backoff, polling)
// take no real time:
//
//	fc := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC))
//	err := retryTwice(fc)        // the code under test calls fc.After
//	fc.Slept()                   // the waits it asked for, e.g. [200ms 400ms]
//	fc.Advance(30 * time.Minute) // let time pass between two steps
package clock

import (
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After behaves like time.After. Fake.After fires at once, having moved
	// the fake time by d.
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now returns the current UTC time.
func (Real) Now() time.Time { return time.Now().UTC() }

// After waits for d on the wall clock.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fake is a manually advanced clock for tests. Its zero value is not usable;
// create one with NewFake.
type Fake struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

var _ Clock = (*Fake)(nil)

// NewFake returns a fake clock set to now.
func NewFake(now time.Time) *Fake { return &Fake{now: now.UTC()} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After records the requested wait and, so that code under test never blocks,
// advances the fake time by d and fires at once.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	f.now = f.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- f.now
	return ch
}

// Advance moves the fake time forward.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Set moves the fake time to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t.UTC()
}

// Slept returns every duration passed to After, in order.
func (f *Fake) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}
