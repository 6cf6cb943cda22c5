package emulator

import (
	"strings"
	"sync"
	"time"
)

// Bounds of the nonce cache: entries, and bytes (each entry is accounted as
// its key plus nonceEntryOverhead, the map and queue slots it takes).
const (
	maxNonceEntries    = 1 << 20
	maxNonceCacheBytes = 64 << 20
	nonceEntryOverhead = 96
)

// nonceCache remembers nonces for as long as their timestamp could still be
// accepted (2×maxSkew), and never holds more than maxEntries entries or
// maxBytes bytes, so memory stays bounded under sustained load: the oldest
// entries go first.
type nonceCache struct {
	mu         sync.Mutex
	seen       map[string]time.Time
	queue      []nonceEntry // insertion order; head is the oldest
	head       int
	maxEntries int
	maxBytes   int
	bytes      int
}

type nonceEntry struct {
	key string
	at  time.Time
}

func newNonceCache(maxEntries, maxBytes int) *nonceCache {
	return &nonceCache{seen: make(map[string]time.Time), maxEntries: maxEntries, maxBytes: maxBytes}
}

// use records key and reports whether it was fresh.
func (c *nonceCache) use(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if _, dup := c.seen[key]; dup {
		return false
	}
	key = strings.Clone(key) // never keep the request's buffer alive
	c.seen[key] = now
	c.queue = append(c.queue, nonceEntry{key, now})
	c.bytes += len(key) + nonceEntryOverhead
	c.expire(now)
	return true
}

func (c *nonceCache) expire(now time.Time) {
	cutoff := now.Add(-2 * maxSkew)
	for c.head < len(c.queue) {
		e := c.queue[c.head]
		if len(c.seen) <= c.maxEntries && c.bytes <= c.maxBytes && !e.at.Before(cutoff) {
			break
		}
		delete(c.seen, e.key)
		c.bytes -= len(e.key) + nonceEntryOverhead
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

// size is the bytes accounted for the entries held.
func (c *nonceCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

func (c *nonceCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = make(map[string]time.Time)
	c.queue = nil
	c.head = 0
	c.bytes = 0
}
