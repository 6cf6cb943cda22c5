package emulator

import (
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

// imdsHeap is a min-heap of tokens by expiry (typed, so no container/heap
// interface conversions).
type imdsHeap []imdsEntry

func (h *imdsHeap) push(e imdsEntry) {
	*h = append(*h, e)
	a := *h
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if !a[i].exp.Before(a[parent].exp) {
			break
		}
		a[i], a[parent] = a[parent], a[i]
		i = parent
	}
}

// pop removes and returns the entry that expires first.
func (h *imdsHeap) pop() imdsEntry {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(a) && a[l].exp.Before(a[m].exp) {
			m = l
		}
		if r < len(a) && a[r].exp.Before(a[m].exp) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
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
		delete(s.expiry, s.order.pop().token)
	}
	for len(s.order) >= maxMetadataTokens {
		delete(s.expiry, s.order.pop().token)
	}
	s.expiry[token] = exp
	s.order.push(imdsEntry{token: token, exp: exp})
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
