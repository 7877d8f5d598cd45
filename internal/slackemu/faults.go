package slackemu

import (
	"time"

	"github.com/incidentflow/incidentflow/internal/pause"
)

// AnyMethod, passed as the method of a fault, makes it apply to whichever Web API
// method is called next.
const AnyMethod = "*"

// faultKind says what an injected fault does.
type faultKind int

const (
	faultError faultKind = iota // answer ok:false with a Slack error code
	faultHTTP                   // answer with an HTTP status (e.g. 500, 503, 429)
	faultHang                   // hold the request, then handle it normally
)

// fault is one queued fault; n is how many calls it still affects.
type fault struct {
	kind   faultKind
	code   string
	status int
	d      time.Duration
	n      int
}

// FailNext makes the next n calls of method answer {"ok":false,"error":errorCode}
// with HTTP 200. Faults of a method apply in the order they were queued.
func (s *Server) FailNext(method, errorCode string, n int) {
	s.addFault(method, &fault{kind: faultError, code: errorCode, n: n})
}

// FailNextHTTP makes the next n calls of method answer with the HTTP status
// (e.g. 500 or 503) and a short text body. A 429 carries "Retry-After: 1".
func (s *Server) FailNextHTTP(method string, status, n int) {
	s.addFault(method, &fault{kind: faultHTTP, status: status, n: n})
}

// HangNext holds the next n calls of method for d (or until the client goes
// away, or the server closes) before handling them normally.
func (s *Server) HangNext(method string, d time.Duration, n int) {
	s.addFault(method, &fault{kind: faultHang, d: d, n: n})
}

// SetLatency sets (or, with nil, removes) the latency added to every Web API call.
func (s *Server) SetLatency(f func(method string) time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = f
}

// FixedLatency returns a latency function that delays every call by d.
func FixedLatency(d time.Duration) func(string) time.Duration {
	return func(string) time.Duration { return d }
}

// SetRateLimits turns rate limiting on or off at run time.
func (s *Server) SetRateLimits(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = enabled
}

// addFault queues f for method.
func (s *Server) addFault(method string, f *fault) {
	if f.n <= 0 {
		return
	}
	if method == "" {
		method = AnyMethod
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], f)
}

// takeFault consumes one use of the next fault for method (s.mu held).
func (s *Server) takeFault(method string) *fault {
	for _, key := range []string{method, AnyMethod} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		f.n--
		if f.n <= 0 {
			s.faults[key] = q[1:]
		}
		c := *f
		return &c
	}
	return nil
}

// sleep waits for d, or until done or the server closes. It reports whether the
// whole duration elapsed.
func (s *Server) sleep(done <-chan struct{}, d time.Duration) bool {
	return pause.For(d, done, s.done)
}
