package emulator

import (
	"sync"
	"time"
)

// nonceCache remembers nonces for as long as their timestamp could still be
// accepted (2×maxSkew), and never holds more than max entries, so memory
// stays bounded under sustained load.
type nonceCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	queue []nonceEntry // insertion order; head is the oldest
	head  int
	max   int
}

type nonceEntry struct {
	key string
	at  time.Time
}

func newNonceCache(max int) *nonceCache {
	return &nonceCache{seen: make(map[string]time.Time), max: max}
}

// use records key and reports whether it was fresh.
func (c *nonceCache) use(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if _, dup := c.seen[key]; dup {
		return false
	}
	c.seen[key] = now
	c.queue = append(c.queue, nonceEntry{key, now})
	return true
}

func (c *nonceCache) expire(now time.Time) {
	cutoff := now.Add(-2 * maxSkew)
	for c.head < len(c.queue) {
		e := c.queue[c.head]
		if len(c.seen) <= c.max && !e.at.Before(cutoff) {
			break
		}
		delete(c.seen, e.key)
		c.queue[c.head] = nonceEntry{}
		c.head++
	}
	// Compact once the dead prefix dominates, to keep the slice bounded.
	if c.head > 1024 && c.head*2 > len(c.queue) {
		c.queue = append([]nonceEntry(nil), c.queue[c.head:]...)
		c.head = 0
	}
}

func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func (c *nonceCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = make(map[string]time.Time)
	c.queue = nil
	c.head = 0
}
