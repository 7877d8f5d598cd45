package githubemu

import (
	"path"
	"strings"
	"time"
)

// matcher selects API calls by operation name or by "METHOD /path/pattern".
type matcher struct {
	all             bool
	op              string
	method, pattern string
}

func parseMatcher(m string) matcher {
	m = strings.TrimSpace(m)
	switch {
	case m == "" || m == "*":
		return matcher{all: true}
	case strings.HasPrefix(m, "/"):
		return matcher{method: "*", pattern: m}
	}
	if method, pat, ok := strings.Cut(m, " "); ok {
		return matcher{method: strings.ToUpper(method), pattern: strings.TrimSpace(pat)}
	}
	return matcher{op: m}
}

func (m matcher) match(method, p, op string) bool {
	switch {
	case m.all:
		return true
	case m.op != "":
		return m.op == op
	case m.method != "*" && m.method != method:
		return false
	}
	ok, _ := path.Match(m.pattern, p)
	return ok
}

type fault struct {
	m          matcher
	status     int
	retryAfter time.Duration
	secondary  bool
	left       int
}

// FailNext makes the next n API calls selected by match (an operation name
// such as "create" or "search", or "METHOD /path/pattern"; see the package
// documentation) answer status with {"message": <status text>} instead of
// being handled. Faults queue up in the order they were added; a failed call
// changes no state and spends no rate limit.
func (s *Server) FailNext(match string, status, n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{m: parseMatcher(match), status: status, left: n})
}

// RateLimitNext makes the next n API calls hit a secondary rate limit: status
// (403 or 429) with Retry-After set to retryAfter rounded up to whole seconds
// (0 is sent as "0") and GitHub's "You have exceeded a secondary rate limit"
// body. go-github v60 returns *github.AbuseRateLimitError for the 403 and a
// plain *github.ErrorResponse for the 429.
func (s *Server) RateLimitNext(status int, retryAfter time.Duration, n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{m: matcher{all: true}, status: status,
		retryAfter: retryAfter, secondary: true, left: n})
}

// takeFaultLocked returns the first queued fault for this call, spending it.
func (s *Server) takeFaultLocked(method, p, op string) *fault {
	for i, f := range s.faults {
		if !f.m.match(method, p, op) {
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
