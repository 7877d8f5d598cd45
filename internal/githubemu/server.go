package githubemu

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/emuserve"
	"github.com/incidentflow/incidentflow/internal/statefile"
)

// Server is the emulator. Create it with New or NewTestServer; it is safe for
// concurrent use.
type Server struct {
	opts      Options
	assignees map[string]string // lower-case login → login as configured
	declared  map[string]string // lower-case "owner/repo" → as configured

	mu      sync.Mutex
	repos   map[string]*repoState // key: lower-case "owner/repo"
	nextID  int64
	latency func() time.Duration
	faults  []*fault
	buckets map[string]*bucket // key: login + "\x00" + resource
	calls   []Call
	srv     emuserve.Listener // where it serves (Start, NewTestServer)

	journal     *statefile.Journal // nil without Options.StateFile
	pending     statefile.Pending  // the records the next commit writes to it
	committedID int64              // the ID counter on disk
	stateErr    error              // a *StateFileError or *JournalError from loading the state file
}

// New returns an emulator configured by opts. It does not listen: serve
// Handler yourself, or call Start.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:      opts,
		assignees: make(map[string]string, len(opts.Assignees)),
		declared:  make(map[string]string, len(opts.Repos)),
	}
	tokens := make(map[string]string, len(opts.Tokens))
	for t, l := range opts.Tokens {
		tokens[t] = l
	}
	s.opts.Tokens = tokens
	for _, a := range opts.Assignees {
		s.assignees[strings.ToLower(a)] = a
	}
	for _, r := range opts.Repos {
		s.declared[strings.ToLower(r)] = r
	}
	s.resetLocked()
	if opts.StateFile != "" {
		s.openStateFile()
	}
	return s
}

// NewTestServer starts an emulator on a loopback port with httptest and closes
// it when the test ends.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.srv.StartTest(s.Handler())
	t.Cleanup(s.Close)
	return s
}

// Handler returns the HTTP handler serving the API, /_emu/ and the pages.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr (e.g. "127.0.0.1:3002", or port 0 for any) and serves
// in the background until Close.
func (s *Server) Start(addr string) error {
	return s.srv.Start("githubemu", addr, s.Handler())
}

// URL returns the base URL the server listens on ("http://127.0.0.1:port",
// no trailing slash), or "" before Start.
func (s *Server) URL() string {
	return s.srv.URL()
}

// Close stops a server started by Start or NewTestServer and folds the
// journal of the state file (Options.StateFile) into it. It is safe to call
// more than once.
func (s *Server) Close() {
	s.srv.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.journal.Close()
}

// Reset forgets every issue, comment, label, call, injected fault and spent
// rate limit, and restores Options.Latency.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
	if s.journal.Compact() == nil { // on failure the next change writes everything
		s.pending.Clear()
		s.committedID = s.nextID
	}
}

func (s *Server) resetLocked() {
	s.repos = make(map[string]*repoState)
	s.nextID = 0
	s.latency = s.opts.Latency
	s.faults = nil
	s.buckets = make(map[string]*bucket)
	s.calls = nil
	for _, r := range s.opts.Repos {
		s.repoLocked(r, true)
	}
}

// SetLatency replaces the per-request delay (nil: none).
func (s *Server) SetLatency(f func() time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = f
}

func (s *Server) now() time.Time { return s.opts.Now() }

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}
