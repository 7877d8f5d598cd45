package slackdoor

import (
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire: when it is full, the
// oldest entry goes first. It is safe for concurrent use.
type ttlCache[V any] struct {
	mu    sync.Mutex
	max   int
	seq   uint64
	items map[string]ttlItem[V]
	order []ttlKey // oldest first; a key put again appears again
}

type ttlItem[V any] struct {
	v       V
	expires time.Time
	seq     uint64 // which put of the key this is
}

type ttlKey struct {
	key string
	seq uint64
}

func newTTLCache[V any](max int) *ttlCache[V] {
	return &ttlCache[V]{max: max, items: map[string]ttlItem[V]{}}
}

// get returns key's value unless it is missing or expired at now.
func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok || !now.Before(it.expires) {
		var zero V
		return zero, false
	}
	return it.v, true
}

// put stores v under key until now+ttl.
func (c *ttlCache[V]) put(key string, v V, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, v, now, ttl)
}

// add stores v under key until now+ttl unless key holds an unexpired value,
// and reports whether it did.
func (c *ttlCache[V]) add(key string, v V, now time.Time, ttl time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.items[key]; ok && now.Before(it.expires) {
		return false
	}
	c.putLocked(key, v, now, ttl)
	return true
}

// putLocked stores v, first dropping the oldest entries while the cache is
// full or they have expired (or keys put again and again fill the order).
func (c *ttlCache[V]) putLocked(key string, v V, now time.Time, ttl time.Duration) {
	for len(c.order) > 0 {
		oldest := c.order[0]
		it, live := c.items[oldest.key]
		current := live && it.seq == oldest.seq
		if current && len(c.items) < c.max && len(c.order) <= 2*c.max && now.Before(it.expires) {
			break
		}
		c.order = c.order[1:]
		if current {
			delete(c.items, oldest.key)
		}
	}
	c.seq++
	c.items[key] = ttlItem[V]{v: v, expires: now.Add(ttl), seq: c.seq}
	c.order = append(c.order, ttlKey{key, c.seq})
}
