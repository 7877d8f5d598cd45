package statuspageemu

import "time"

type fault struct {
	op         string // "" or "*": every call
	status     int
	retryAfter time.Duration
	left       int
}

// FailNext makes the next n API calls of operation op ("create", "update",
// "get", "list", "delete", "components", or "*" for any) answer status
// with {"error": <status text>} instead of being handled. A failed call
// changes nothing and spends no rate limit.
func (s *Server) FailNext(op string, status, n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, status: status, left: n})
}

// RateLimitNext makes the next n API calls answer 429 with Retry-After set
// to retryAfter rounded up to whole seconds.
func (s *Server) RateLimitNext(retryAfter time.Duration, n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: "*", status: 429, retryAfter: retryAfter, left: n})
}

func (s *Server) takeFaultLocked(op string) *fault {
	for i, f := range s.faults {
		if f.op != "" && f.op != "*" && f.op != op {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// takeRateLocked spends one request of key's rolling window; when the
// window is full it returns how long until a request leaves it.
func (s *Server) takeRateLocked(key string, now time.Time) (time.Duration, bool) {
	win := s.opts.RateWindow
	times := s.spent[key]
	i := 0
	for i < len(times) && !times[i].After(now.Add(-win)) {
		i++
	}
	times = times[i:]
	if len(times) >= s.opts.RateLimit {
		s.spent[key] = times
		return times[0].Add(win).Sub(now), false
	}
	s.spent[key] = append(times, now)
	return 0, true
}
