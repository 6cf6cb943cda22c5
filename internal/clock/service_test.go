package clock

import (
	"testing"
	"time"
)

func TestServiceFollowsTheServiceClock(t *testing.T) {
	local := NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := NewService(local)
	if s.Learnt() || !s.Now().Equal(local.Now()) {
		t.Fatalf("before any answer: Now %v, want the local %v", s.Now(), local.Now())
	}

	for _, skew := range []time.Duration{2 * time.Hour, -36 * time.Hour, 24 * time.Hour} {
		sent := local.Now()
		local.Advance(200 * time.Millisecond)
		received := local.Now()
		// The service stamps its Date in whole seconds, midway.
		date := sent.Add(100 * time.Millisecond).Add(skew).Truncate(time.Second)
		s.Observe(date, sent, received)
		if !s.Learnt() {
			t.Fatal("an answer was observed, yet Learnt is false")
		}
		serviceNow := received.Add(skew)
		if d := s.Now().Sub(serviceNow); d < -1500*time.Millisecond || d > 1500*time.Millisecond {
			t.Errorf("skew %v: Now %v, the service's time is %v (off by %v, more than the Date's resolution)",
				skew, s.Now(), serviceNow, d)
		}
	}
}

func TestServiceKeepsItsOffsetWithinTheBounds(t *testing.T) {
	local := NewFake(time.Date(2030, 1, 2, 3, 4, 5, 300_000_000, time.UTC))
	s := NewService(local)
	sent := local.Now()
	s.Observe(sent.Add(time.Hour).Truncate(time.Second), sent, sent.Add(10*time.Millisecond))
	first := s.Offset()
	// The next answers round the other way but agree with the offset: it stays.
	for i := 0; i < 5; i++ {
		local.Advance(700 * time.Millisecond)
		sent := local.Now()
		s.Observe(sent.Add(time.Hour).Truncate(time.Second), sent, sent.Add(10*time.Millisecond))
		if got := s.Offset(); got != first {
			t.Fatalf("answer %d moved the offset from %v to %v although it agreed with it", i, first, got)
		}
	}
}

func TestServiceIgnoresNonsense(t *testing.T) {
	local := NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := NewService(local)
	s.Observe(time.Time{}, local.Now(), local.Now())
	s.Observe(local.Now().Add(time.Hour), local.Now(), local.Now().Add(-time.Second))
	if s.Learnt() || s.Offset() != 0 {
		t.Fatalf("nonsense answers changed the clock: learnt %v, offset %v", s.Learnt(), s.Offset())
	}
}
