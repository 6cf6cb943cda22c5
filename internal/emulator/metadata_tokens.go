package emulator

import (
	"container/heap"
	"sync"
	"time"
)

// maxMetadataTokens bounds the IMDSv2 session tokens kept at once. A PUT
// needs no signature, so whoever reaches the port can ask for tokens: at the
// bound, the token that expires first makes room (about 2 MiB in all).
const maxMetadataTokens = 10000

// metadataTokens is the IMDSv2 token store: a map for lookups and a min-heap
// by expiry, so expired tokens leave in order without a scan. It has a lock
// of its own, held for O(log n), apart from the STS state's.
type metadataTokens struct {
	mu     sync.Mutex
	expiry map[string]time.Time
	order  imdsHeap
}

type imdsEntry struct {
	token string
	exp   time.Time
}

type imdsHeap []imdsEntry

func (h imdsHeap) Len() int           { return len(h) }
func (h imdsHeap) Less(i, j int) bool { return h[i].exp.Before(h[j].exp) }
func (h imdsHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *imdsHeap) Push(x any)        { *h = append(*h, x.(imdsEntry)) }
func (h *imdsHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// add keeps token until exp, first dropping the expired tokens and, at the
// bound, the one that expires first.
func (s *metadataTokens) add(token string, exp, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry == nil {
		s.expiry = map[string]time.Time{}
	}
	for len(s.order) > 0 && !now.Before(s.order[0].exp) {
		delete(s.expiry, heap.Pop(&s.order).(imdsEntry).token)
	}
	for len(s.order) >= maxMetadataTokens {
		delete(s.expiry, heap.Pop(&s.order).(imdsEntry).token)
	}
	s.expiry[token] = exp
	heap.Push(&s.order, imdsEntry{token: token, exp: exp})
}

// valid reports whether token was issued and has not expired at now.
func (s *metadataTokens) valid(token string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expiry[token]
	return ok && now.Before(exp)
}

func (s *metadataTokens) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expiry)
}

// metadataTokenCount is how many IMDSv2 tokens the emulator keeps.
func (e *Emulator) metadataTokenCount() int { return e.sts.imds.len() }
