package statuspageemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/emuserve"
)

// Server is the emulator. Create it with New or NewTestServer; it is safe
// for concurrent use.
type Server struct {
	opts Options

	mu         sync.Mutex
	incidents  []*Incident // oldest first
	components []Component
	nextID     int
	faults     []*fault
	spent      map[string][]time.Time // key → times of its requests in the window
	calls      []Call
	srv        emuserve.Listener // where it serves (Start, NewTestServer)
	stateErr   error
}

// Call is one API request the emulator answered.
type Call struct {
	Op     string `json:"op"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
}

// New returns an emulator configured by opts. It does not listen: serve
// Handler yourself, or call Start.
func New(opts Options) *Server {
	s := &Server{opts: opts.withDefaults()}
	s.resetLocked()
	if s.opts.StateFile != "" {
		s.stateErr = s.load()
	}
	return s
}

// NewTestServer starts an emulator on a loopback port and closes it when
// the test ends.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.srv.StartTest(s.Handler())
	t.Cleanup(s.Close)
	return s
}

// Handler returns the HTTP handler serving the API, /_emu/ and the page.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr (e.g. "127.0.0.1:3004") and serves in the
// background until Close.
func (s *Server) Start(addr string) error {
	return s.srv.Start("statuspageemu", addr, s.Handler())
}

// URL is the base URL ("http://127.0.0.1:port", no trailing slash), or ""
// before Start.
func (s *Server) URL() string {
	return s.srv.URL()
}

// APIKey and PageID are the credentials the emulator accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// PageID is the ID of the emulated page.
func (s *Server) PageID() string { return s.opts.PageID }

// Close stops a server started by Start or NewTestServer. It is safe to
// call more than once.
func (s *Server) Close() {
	s.srv.Stop()
}

// StateFileError reports why Options.StateFile could not be loaded (the
// emulator then starts empty), or nil.
func (s *Server) StateFileError() error { return s.stateErr }

// Reset forgets every incident, call, fault and spent rate limit, and puts
// every component back to its configured status.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
	s.saveLocked()
}

func (s *Server) resetLocked() {
	s.incidents = nil
	s.components = make([]Component, len(s.opts.Components))
	for i, c := range s.opts.Components {
		if c.Status == "" {
			c.Status = "operational"
		}
		s.components[i] = c
	}
	s.nextID = 0
	s.faults = nil
	s.spent = map[string][]time.Time{}
	s.calls = nil
}

// Calls returns the API requests answered so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount counts the answered calls of operation op ("create", "update",
// "get", "list", "delete", "components") with status 2xx.
func (s *Server) CallCount(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Op == op && c.Status < 300 {
			n++
		}
	}
	return n
}

// newID returns a Statuspage-like ID: 12 lowercase letters and digits.
func (s *Server) newID(prefix string) string {
	s.nextID++
	id := prefix + strconv.FormatInt(int64(s.nextID)*7919+100000, 36)
	for len(id) < 12 {
		id += "0"
	}
	return id
}

// persisted is what Options.StateFile holds.
type persisted struct {
	Incidents  []*Incident `json:"incidents"`
	Components []Component `json:"components"`
	NextID     int         `json:"next_id"`
}

func (s *Server) load() error {
	data, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("statuspageemu: reading %s: %w", s.opts.StateFile, err)
	}
	var p persisted
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("statuspageemu: %s is not a state file (%v); starting empty", s.opts.StateFile, err)
	}
	s.incidents, s.nextID = p.Incidents, p.NextID
	for _, c := range p.Components {
		if i := s.componentIndexLocked(c.ID); i >= 0 {
			s.components[i].Status = c.Status
		}
	}
	return nil
}

// saveLocked rewrites the state file, if any. A failure is kept for
// StateFileError; the emulator carries on in memory.
func (s *Server) saveLocked() {
	if s.opts.StateFile == "" {
		return
	}
	data, err := json.Marshal(persisted{Incidents: s.incidents, Components: s.components, NextID: s.nextID})
	if err == nil {
		tmp := s.opts.StateFile + ".tmp"
		if err = os.MkdirAll(filepath.Dir(s.opts.StateFile), 0o755); err == nil {
			if err = os.WriteFile(tmp, data, 0o600); err == nil {
				err = os.Rename(tmp, s.opts.StateFile)
			}
		}
	}
	if err != nil {
		s.stateErr = fmt.Errorf("statuspageemu: saving %s: %w", s.opts.StateFile, err)
	}
}

func (s *Server) componentIndexLocked(id string) int {
	for i, c := range s.components {
		if c.ID == id {
			return i
		}
	}
	return -1
}
