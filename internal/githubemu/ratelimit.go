package githubemu

import (
	"net/http"
	"strconv"
	"time"
)

// bucket is a fixed rate-limit window that starts with its first request.
type bucket struct {
	limit  int
	window time.Duration
	start  time.Time
	used   int
}

func (b *bucket) roll(now time.Time) {
	if b.start.IsZero() || !now.Before(b.start.Add(b.window)) {
		b.start, b.used = now, 0
	}
}

// take spends one request; it reports false when the window is spent.
func (b *bucket) take(now time.Time) bool {
	b.roll(now)
	if b.used >= b.limit {
		return false
	}
	b.used++
	return true
}

func (b *bucket) reset() time.Time { return b.start.Add(b.window) }

func (b *bucket) setHeaders(h http.Header, resource string) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.limit-b.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset().Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.used))
	h.Set("X-RateLimit-Resource", resource)
}

// resourceFor names the rate-limit bucket an operation spends.
func resourceFor(op string) string {
	if op == "search" {
		return "search"
	}
	return "core"
}

func (s *Server) bucketLocked(login, resource string) *bucket {
	key := login + "\x00" + resource
	b, ok := s.buckets[key]
	if !ok {
		b = &bucket{limit: s.opts.RateLimit, window: time.Hour}
		if login == "" {
			b.limit = 60 // what GitHub grants unauthenticated callers
		}
		if resource == "search" {
			b = &bucket{limit: s.opts.SearchRateLimit, window: time.Minute}
		}
		s.buckets[key] = b
	}
	b.roll(s.now())
	return b
}
