package ecsapi

import (
	"testing"
	"time"
)

func TestAlignedDelay(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		now          time.Duration // after base
		delay, align time.Duration
		want         time.Duration
	}{
		{0, 500 * time.Millisecond, 0, 500 * time.Millisecond},                                          // off
		{0, 500 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond},                     // already on the grid
		{10 * time.Millisecond, 500 * time.Millisecond, 250 * time.Millisecond, 740 * time.Millisecond}, // wake at 510 → 750
		{130 * time.Millisecond, time.Second, 250 * time.Millisecond, 1120 * time.Millisecond},          // wake 1130 → 1250
	}
	for _, c := range cases {
		got := alignedDelay(base.Add(c.now), c.delay, c.align)
		if got != c.want {
			t.Errorf("now+%v delay %v align %v: got %v, want %v", c.now, c.delay, c.align, got, c.want)
		}
		if got < c.delay {
			t.Errorf("aligned delay %v is shorter than the delay %v", got, c.delay)
		}
	}
}

// Two waiters that start 30 ms apart poll at the same instants once aligned.
func TestAlignedDelaySynchronisesWaiters(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	align := 250 * time.Millisecond
	a := base.Add(5 * time.Millisecond)
	b := base.Add(35 * time.Millisecond)
	wakeA := a.Add(alignedDelay(a, 500*time.Millisecond, align))
	wakeB := b.Add(alignedDelay(b, 500*time.Millisecond, align))
	if !wakeA.Equal(wakeB) {
		t.Fatalf("waiters wake at %v and %v", wakeA.Sub(base), wakeB.Sub(base))
	}
}
