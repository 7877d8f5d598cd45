package pagerdutyemu

import (
	"fmt"
	"net/http"
	"time"
)

// Fault matchers name the APIs: "enqueue" (POST /v2/enqueue), "oncalls",
// "users", "escalation_policies", or "" / "*" for all of them.

type fault struct {
	match      string
	status     int
	retryAfter time.Duration
	after      bool // process the request, then answer status
	left       int
}

// answer writes the fault's status in the shape of the API it hit.
func (f *fault) answer(w http.ResponseWriter) {
	if f.retryAfter > 0 || f.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", fmt.Sprint(int(f.retryAfter.Seconds()+0.999)))
	}
	if f.match == "enqueue" {
		writeJSON(w, f.status, eventsAnswer{Status: "unavailable", Message: http.StatusText(f.status)})
		return
	}
	writeJSON(w, f.status, restError(f.status, http.StatusText(f.status)))
}

// FailNext makes the next n calls selected by match answer status without
// being handled (they change nothing).
func (s *Server) FailNext(match string, status, n int) {
	s.addFault(&fault{match: match, status: status, left: n})
}

// RateLimitNext makes the next n calls selected by match answer 429 with
// Retry-After set to retryAfter rounded up to whole seconds.
func (s *Server) RateLimitNext(match string, retryAfter time.Duration, n int) {
	s.addFault(&fault{match: match, status: http.StatusTooManyRequests, retryAfter: retryAfter, left: n})
}

// FailAfterNext makes the next n events be processed and then answered
// status, as when PagerDuty took an event but its answer was lost (a
// timeout, a worker killed mid-call): a retry must not page twice.
func (s *Server) FailAfterNext(status, n int) {
	s.addFault(&fault{match: "enqueue", status: status, after: true, left: n})
}

func (s *Server) addFault(f *fault) {
	if f.left <= 0 {
		return
	}
	if f.match == "*" {
		f.match = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// takeFaultLocked returns the first queued fault for op, spending it.
func (s *Server) takeFaultLocked(op string) *fault {
	for i, f := range s.faults {
		if f.match != "" && f.match != op {
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

// window is a fixed one-minute rate-limit window that starts with its
// first request.
type window struct {
	start time.Time
	used  int
}

// takeRateLocked spends one request of key's window of limit a minute; when
// it is spent it reports false and how long until it resets.
func (s *Server) takeRateLocked(key string, limit int) (time.Duration, bool) {
	now := s.now()
	w := s.windows[key]
	if w == nil || !now.Before(w.start.Add(time.Minute)) {
		w = &window{start: now}
		s.windows[key] = w
	}
	if w.used >= limit {
		return max(w.start.Add(time.Minute).Sub(now), time.Second), false
	}
	w.used++
	return 0, true
}
