package clock

import (
	"sync"
	"time"
)

// Service is the time of a remote service, learnt from its answers: the
// local clock plus the offset the last answers showed. Before a first answer
// it is the local clock. Waits (After) stay on the local clock, since a
// duration is the same on both.
//
// An answer's Date header has a resolution of one second and is stamped at
// some instant between sending the request and receiving the answer, so
// one answer only bounds the offset: Date − received ≤ offset < Date + 1 s −
// sent. Observe keeps the current offset while it stays within the bounds
// of each new answer (so the time does not jitter by the header's rounding)
// and moves to the middle of the bounds when an answer falls outside them
// (the service's clock was moved, or this machine's).
type Service struct {
	base Clock

	mu     sync.Mutex
	offset time.Duration
	learnt bool
}

var _ Clock = (*Service)(nil)

// NewService returns a service clock over base (the local clock).
func NewService(base Clock) *Service { return &Service{base: base} }

// Now returns the service's current time: the local time plus the offset.
func (s *Service) Now() time.Time {
	s.mu.Lock()
	offset := s.offset
	s.mu.Unlock()
	return s.base.Now().Add(offset)
}

// After waits on the local clock.
func (s *Service) After(d time.Duration) <-chan time.Time { return s.base.After(d) }

// Learnt reports whether an answer has set the offset yet.
func (s *Service) Learnt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.learnt
}

// Offset returns how far the service's clock is ahead of the local one
// (negative: behind).
func (s *Service) Offset() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// Observe takes one answer: date is its Date header (whole seconds), sent
// and received are local times around the request. Nonsense (a zero date,
// received before sent) is ignored.
func (s *Service) Observe(date, sent, received time.Time) {
	if date.IsZero() || received.Before(sent) {
		return
	}
	low := date.Sub(received)
	high := date.Add(time.Second).Sub(sent)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.learnt && s.offset >= low && s.offset < high {
		return
	}
	s.offset = low + (high-low)/2
	s.learnt = true
}
