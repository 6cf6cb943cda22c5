package ecsapi

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aliecs/terraform-provider-aliecs/internal/clock"
)

func TestTransitionWindow(t *testing.T) {
	var tt transitionTimes
	if w := tt.window(100*time.Millisecond, time.Second); w.ok {
		t.Fatalf("a window before any transition: %+v", w)
	}
	tt.record(4400*time.Millisecond, 5400*time.Millisecond)
	tt.record(4900*time.Millisecond, 5100*time.Millisecond)
	w := tt.window(100*time.Millisecond, time.Second)
	// The first bracket is wide: taken as 300 ms before its sighting (5.1 s).
	if !w.ok || w.from != 4900*time.Millisecond || w.to != 5400*time.Millisecond || w.step != 100*time.Millisecond {
		t.Fatalf("window = %+v, want 4.9s–5.4s in steps of 100ms", w)
	}
	cases := []struct {
		elapsed, d, want, grid time.Duration
	}{
		{0, 500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond},                       // before: growing intervals
		{4 * time.Second, time.Second, 900 * time.Millisecond, 100 * time.Millisecond},                    // never past the window's start
		{5 * time.Second, time.Second, 100 * time.Millisecond, 100 * time.Millisecond},                    // inside: one step
		{5500 * time.Millisecond, 150 * time.Millisecond, 150 * time.Millisecond, 100 * time.Millisecond}, // after: growing again
		{6 * time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond, time.Second},                  // on the whole second
	}
	for _, c := range cases {
		got, grid := w.delay(c.elapsed, c.d, 100*time.Millisecond)
		if got != c.want || grid != c.grid {
			t.Errorf("delay(%v, %v) = %v on a %v grid, want %v on a %v grid", c.elapsed, c.d, got, grid, c.want, c.grid)
		}
	}
	// A short transition (a stop): no first poll before the window, which
	// starts before a second poll would come.
	var stop transitionTimes
	stop.record(600*time.Millisecond, time.Second)
	if got, grid := stop.window(100*time.Millisecond, time.Second).delay(0, 500*time.Millisecond, 100*time.Millisecond); got != 700*time.Millisecond || grid != 100*time.Millisecond {
		t.Errorf("first delay of a stop = %v on a %v grid, want 700ms on the 100ms grid", got, grid)
	}
	// Only the last transitionsKept count: an old slow one leaves the window.
	for range transitionsKept {
		tt.record(4950*time.Millisecond, 5050*time.Millisecond)
	}
	if w := tt.window(100*time.Millisecond, time.Second); w.from != 4950*time.Millisecond || w.to != 5050*time.Millisecond {
		t.Errorf("window = %+v, want 4.95s–5.05s", w)
	}
	// A nil recorder (a wait that does not learn) is no window.
	var none *transitionTimes
	none.record(time.Second, 2*time.Second)
	if none.window(0, time.Second).ok {
		t.Error("a nil recorder has a window")
	}
}

// After one boot, the next boots of the same process are seen within one
// grid step of the moment they complete, with fewer polls than the first.
func TestWaiterPollsNearTheLearntBootTime(t *testing.T) {
	var (
		mu     sync.Mutex
		fc     *clock.Fake
		bootAt time.Time
	)
	f := newFakeECS(t, func(c fakeCall) (int, any) {
		mu.Lock()
		status := StatusStarting
		if !fc.Now().Before(bootAt) {
			status = StatusRunning
		}
		mu.Unlock()
		return describeInstancesFrom(map[string]string{"i-1": status})(c)
	})
	mu.Lock()
	c, clk := f.newTestClient(t, func(cfg *Config) { cfg.WaitAlign = 100 * time.Millisecond; cfg.WaitMaxDelay = time.Second })
	fc = clk
	mu.Unlock()
	const boot = 5 * time.Second
	wait := func() (late time.Duration, polls int) {
		before := len(f.callsOf("DescribeInstances"))
		mu.Lock()
		bootAt = fc.Now().Add(boot)
		mu.Unlock()
		inst, err := c.WaitInstanceCreated(context.Background(), "i-1", StatusRunning)
		if err != nil || inst.Status != StatusRunning {
			t.Fatalf("got %+v, %v", inst, err)
		}
		return fc.Now().Sub(bootAt), len(f.callsOf("DescribeInstances")) - before
	}
	firstLate, firstPolls := wait()
	_, secondPolls := wait()
	for range transitionsKept { // the first, late, observation leaves the window
		wait()
	}
	late, polls := wait()
	t.Logf("first boot seen %v late after %d polls; second after %d polls; last %v late after %d polls",
		firstLate, firstPolls, secondPolls, late, polls)
	if late > 100*time.Millisecond {
		t.Errorf("the last boot was seen %v late, want within one 100 ms step", late)
	}
	if polls > firstPolls {
		t.Errorf("the last boot took %d polls, the first %d", polls, firstPolls)
	}
	if secondPolls > firstPolls+denseSteps {
		t.Errorf("the second boot took %d polls, more than a window's steps over the first's %d", secondPolls, firstPolls)
	}
}
