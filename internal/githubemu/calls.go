package githubemu

import "time"

// Call records one API request the emulator answered.
type Call struct {
	Time   time.Time // when it arrived, by Options.Now
	Method string
	Path   string // without any /api/v3 prefix or query, e.g. "/repos/o/r/issues"
	Query  string // the raw query string
	Op     string // operation name, e.g. "create"; "" for unknown routes
	Login  string // who it authenticated as; "" when it did not
	Status int    // the status answered; 499 when the client gave up first
}

// Calls returns every API call so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount counts the API calls selected by match: an operation name such as
// "create", "METHOD /path/pattern", or "" for all (see the package
// documentation).
func (s *Server) CallCount(match string) int {
	m := parseMatcher(match)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if m.match(c.Method, c.Path, c.Op) {
			n++
		}
	}
	return n
}
