package pagerdutyemu

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
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
	events     []Event
	alerts     []*Alert
	fixtures   *Fixtures
	revoked    map[string]bool
	faults     []*fault
	windows    map[string]*window
	webhookURL string
	secret     string
	deliveries []Delivery
	nextNum    int
	nextID     int
	srv        emuserve.Listener // where it serves (Start, NewTestServer)
	stateErr   error

	queue   chan delivery
	stop    chan struct{}
	sending sync.WaitGroup
	closed  bool
}

// New returns an emulator configured by opts. It does not listen: serve
// Handler yourself, or call Start. Close it to stop its webhook sender.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{opts: opts, queue: make(chan delivery, 1024), stop: make(chan struct{}),
		webhookURL: opts.WebhookURL, secret: opts.WebhookSecret}
	s.resetLocked()
	if opts.Fixtures != nil {
		if err := checkFixtures(opts.Fixtures); err != nil {
			panic("pagerdutyemu: Options.Fixtures: " + err.Error())
		}
		s.fixtures = opts.Fixtures.clone()
	}
	if opts.StateFile != "" {
		s.load()
	}
	s.sending.Add(1)
	go s.sendWebhooks()
	return s
}

// NewTestServer starts an emulator on a loopback port with httptest and
// closes it when the test ends.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.srv.StartTest(s.Handler())
	t.Cleanup(s.Close)
	return s
}

// Start listens on addr (e.g. "127.0.0.1:3003", or port 0 for any) and
// serves in the background until Close.
func (s *Server) Start(addr string) error {
	return s.srv.Start("pagerdutyemu", addr, s.Handler())
}

// URL returns the base URL the server listens on ("http://127.0.0.1:port",
// no trailing slash), or "" before Start. Both the Events API and the REST
// API are served there.
func (s *Server) URL() string {
	return s.srv.URL()
}

// Close stops the server and its webhook sender (deliveries still queued
// are dropped). It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	s.srv.Stop()
	if !already {
		close(s.stop)
		s.sending.Wait()
	}
}

// Reset forgets every event, alert, delivery, fault and spent rate limit,
// and restores the fixtures of Options and every revoked token.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
	if s.opts.Fixtures != nil {
		s.fixtures = s.opts.Fixtures.clone()
	}
	s.saveLocked()
}

func (s *Server) resetLocked() {
	s.events, s.alerts, s.deliveries, s.faults = nil, nil, nil, nil
	s.fixtures = SandboxFixtures()
	s.revoked = map[string]bool{}
	s.windows = map[string]*window{}
	s.nextNum, s.nextID = 0, 0
}

// SetWebhook points the webhook v3 subscription at url, signed with
// secret; an empty url turns webhooks off.
func (s *Server) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret = url, secret
}

// RevokeToken makes the REST API refuse token with 401, as PagerDuty does
// an expired or deleted key.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[token] = true
}

// SetFixtures replaces the users, schedules and escalation policies. It
// refuses fixtures that repeat an ID or name a user or schedule that isn't
// there.
func (s *Server) SetFixtures(f Fixtures) error {
	if err := checkFixtures(&f); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixtures = f.clone()
	s.saveLocked()
	return nil
}

// Fixtures returns a copy of the fixtures.
func (s *Server) Fixtures() Fixtures {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.fixtures.clone()
}

// StateFileError returns the error of a state file that could not be
// loaded or written, or nil.
func (s *Server) StateFileError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateErr
}

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

// newID returns a PagerDuty-style object ID with prefix (e.g. "Q").
func (s *Server) newID(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s%06d", prefix, s.nextID)
}

// checkFixtures refuses repeated IDs and references to missing objects.
func checkFixtures(f *Fixtures) error {
	users, schedules, policies := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, u := range f.Users {
		if u.ID == "" || users[u.ID] {
			return fmt.Errorf("user ID %q missing or repeated", u.ID)
		}
		users[u.ID] = true
	}
	for _, sc := range f.Schedules {
		if sc.ID == "" || schedules[sc.ID] {
			return fmt.Errorf("schedule ID %q missing or repeated", sc.ID)
		}
		schedules[sc.ID] = true
		for _, u := range sc.OnCall {
			if !users[u] {
				return fmt.Errorf("schedule %s puts user %q on call, who isn't among the users", sc.ID, u)
			}
		}
	}
	for _, p := range f.EscalationPolicies {
		if p.ID == "" || policies[p.ID] {
			return fmt.Errorf("escalation policy ID %q missing or repeated", p.ID)
		}
		policies[p.ID] = true
		for i, r := range p.Rules {
			for _, sc := range r.Schedules {
				if !schedules[sc] {
					return fmt.Errorf("escalation policy %s level %d names schedule %q, which isn't among the schedules", p.ID, i+1, sc)
				}
			}
			for _, u := range r.Users {
				if !users[u] {
					return fmt.Errorf("escalation policy %s level %d names user %q, who isn't among the users", p.ID, i+1, u)
				}
			}
		}
	}
	return nil
}

// Handler returns the HTTP handler serving the APIs, /_emu/ and the page.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/" || strings.HasPrefix(p, "/_emu/") || strings.HasPrefix(p, "/incidents/"):
		s.servePage(w, r)
	case p == "/v2/enqueue":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, eventsAnswer{Status: "invalid event", Message: "Method Not Allowed: POST an event"})
			return
		}
		s.handleEnqueue(w, r)
	default:
		s.serveREST(w, r)
	}
}

// userLocked returns the fixture user id.
func (s *Server) userLocked(id string) (User, bool) {
	i := slices.IndexFunc(s.fixtures.Users, func(u User) bool { return u.ID == id })
	if i < 0 {
		return User{}, false
	}
	return s.fixtures.Users[i], true
}
