package slackemu

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// Options configures a Server. The zero value is a usable sandbox.
type Options struct {
	// BotToken is the only bot token accepted by the Web API (default "xoxb-sandbox").
	BotToken string
	// AppToken is the app-level token accepted by apps.connections.open
	// (default "xapp-sandbox").
	AppToken string
	// DisableRateLimits turns the per-method rate limits off (they are on by default).
	DisableRateLimits bool
	// RateWindow is the length of the rate-limit window (default one minute, as in
	// Slack). Tests may shrink it: the tier limits stay the same per window and the
	// chat.postMessage refill interval becomes RateWindow/60.
	RateWindow time.Duration
	// PostMessageBurst is the per-channel token-bucket size of chat.postMessage
	// (default 3): a channel takes a burst of that many posts, then one per second.
	PostMessageBurst int
	// Latency, when set, is added to every Web API call of the given method.
	Latency func(method string) time.Duration
	// Now is the clock of the emulator (timestamps, rate-limit windows, trigger
	// expiry, scheduled messages). Default time.Now.
	Now func() time.Time
	// Users replaces the seeded users (DefaultUsers). The bot user is always added.
	Users []User
	// BaseURL overrides the URL the emulator advertises (upload URLs, response
	// URLs, the Socket Mode URL) when it is served through Handler by someone else.
	BaseURL string
	// PingInterval is how often Socket Mode connections get a WebSocket ping
	// (default 10 s; slack-go's client gives up after 30 s without one).
	PingInterval time.Duration
	// StateFile, when set, makes the workspace outlive the process, kill -9
	// and power cuts included: New loads it if it exists (see StateFileError
	// when it cannot), and every change is written to a journal beside it
	// (StateFile+".journal") and synced before the emulator answers the call
	// that made it, so whatever the emulator answered is on disk. The journal
	// is folded into StateFile now and then and on Close, atomically
	// (temporary file, then rename). It holds users, channels, messages,
	// reactions, pins, bookmarks, views, files with their content, scheduled
	// and ephemeral messages, and the ID counter and ts clock; not triggers,
	// response URLs, rate-limit windows, faults, the call log, the Events API
	// queue or the page's results.
	StateFile string
	// EventTimeout is how long the app has to answer an Events API event (2xx
	// over HTTP, an ack over Socket Mode) before the delivery counts as failed
	// and is retried (default 3 s, as in Slack).
	EventTimeout time.Duration
	// EventRetryDelays are the waits before each retry of an event the app did
	// not acknowledge, one entry per retry (nil: 0.5 s, 1 s and 2 s; Slack
	// retries 3 times, at once, after a minute and after five).
	EventRetryDelays []time.Duration
	// MessageShortcuts are the app's message shortcuts the page offers on
	// each message (nil: "Add to incident timeline", add_to_timeline).
	MessageShortcuts []MessageShortcutEntry
}

// MessageShortcutEntry is a message shortcut of the app, as its manifest declares it.
type MessageShortcutEntry struct {
	CallbackID string
	Name       string
}

// Server is a stateful emulator of the Slack Web API, of Socket Mode, and of Slack
// acting towards an app (slash commands, interactions). It is safe for concurrent use.
type Server struct {
	opts    Options
	handler http.Handler

	mu         sync.Mutex
	st         *workspace
	limits     *limiter
	rateLimits bool
	faults     map[string][]*fault
	hooks      []*afterHook // AfterApplied (hooks.go)
	latency    func(method string) time.Duration
	calls      []Call
	callCounts map[string]int
	responses  map[string]*responseURL
	respOrder  []string
	front      frontDoor
	transport  Transport
	sockets    []*socketConn
	tickets    map[string]bool
	acks       map[string]chan json.RawMessage
	journal    *statefile.Journal // nil without Options.StateFile
	committed  savedMeta          // the counters on disk
	stateErr   error              // a *StateFileError or *JournalError from loading the state file
	play       playState          // the page's forms (page_play.go)
	events     eventQueue         // Events API deliveries (events.go)

	url    string
	ln     net.Listener
	hs     *http.Server
	ts     *httptest.Server
	done   chan struct{}
	closed sync.Once
}

// New returns an emulator with the seeded workspace. Serve it with Handler,
// Start or NewTestServer.
func New(opts Options) *Server {
	if opts.BotToken == "" {
		opts.BotToken = DefaultBotToken
	}
	if opts.AppToken == "" {
		opts.AppToken = DefaultAppToken
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Minute
	}
	if opts.PostMessageBurst <= 0 {
		opts.PostMessageBurst = 3
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Users == nil {
		opts.Users = DefaultUsers()
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 10 * time.Second
	}
	if opts.EventTimeout <= 0 {
		opts.EventTimeout = defaultEventTimeout
	}
	if opts.EventRetryDelays == nil {
		opts.EventRetryDelays = defaultEventRetryDelays
	}
	if opts.MessageShortcuts == nil {
		opts.MessageShortcuts = []MessageShortcutEntry{{CallbackID: "add_to_timeline", Name: "Add to incident timeline"}}
	}
	s := &Server{
		opts:    opts,
		tickets: map[string]bool{},
		acks:    map[string]chan json.RawMessage{},
		done:    make(chan struct{}),
		url:     strings.TrimRight(opts.BaseURL, "/"),
	}
	s.events.init()
	s.resetLocked()
	s.play.init()
	if opts.StateFile != "" {
		s.openStateFile()
	}
	s.startedLocked()
	s.handler = s.routes()
	return s
}

// NewTestServer starts the emulator on a local httptest server and closes it when
// the test ends. Point slack-go at it with slack.OptionAPIURL(srv.URL()+"/api/").
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.ts = httptest.NewServer(s.handler)
	s.mu.Lock()
	if opts.BaseURL == "" {
		s.url = s.ts.URL
	}
	s.mu.Unlock()
	t.Cleanup(s.Close)
	return s
}

// Handler returns the HTTP handler of the emulator: the Web API under /api/,
// the emulator's own endpoints under /_emu/, and a readable page at /.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (e.g. "127.0.0.1:3001"; ":0" picks a port) and serves in
// the background until Close.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.ln, s.hs = ln, hs
	if s.opts.BaseURL == "" {
		s.url = "http://" + advertisedAddr(ln.Addr().String())
	}
	s.mu.Unlock()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return nil
}

// advertisedAddr turns a listen address into one a client can dial.
func advertisedAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// URL returns the base URL of the emulator (no trailing slash), or "" when it is
// only served through Handler without Options.BaseURL.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving, drops Socket Mode connections, releases held requests
// and folds the journal of the state file (Options.StateFile) into it.
func (s *Server) Close() {
	s.closed.Do(func() {
		defer func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			_ = s.journal.Close()
		}()
		close(s.done)
		s.mu.Lock()
		conns := append([]*socketConn(nil), s.sockets...)
		hs, ts := s.hs, s.ts
		s.mu.Unlock()
		for _, c := range conns {
			c.close()
		}
		if ts != nil {
			ts.CloseClientConnections()
			ts.Close()
		}
		if hs != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = hs.Shutdown(ctx)
		}
	})
}

// Reset restores the seeded workspace and forgets calls, rate-limit windows,
// faults, views, files, triggers, response URLs and the record of delivered
// events (events already queued are still delivered). Options, the front door and
// the transport are kept; the latency goes back to Options.Latency.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
	s.play.results, s.play.pending = nil, map[string]*pendingView{}
	_ = s.journal.Compact() // on failure the next change writes the whole workspace
	s.startedLocked()
}

// resetLocked is Reset with s.mu held.
func (s *Server) resetLocked() {
	s.st = newWorkspace(s.opts.Users, s.opts.Now())
	s.limits = newLimiter(s.opts.RateWindow, s.opts.PostMessageBurst)
	s.rateLimits = !s.opts.DisableRateLimits
	s.faults = map[string][]*fault{}
	s.hooks = nil
	s.latency = s.opts.Latency
	s.calls = nil
	s.callCounts = map[string]int{}
	s.responses = map[string]*responseURL{}
	s.respOrder = nil
	s.events.records, s.events.byID = nil, map[string]*eventRecord{}
}

// now reads the emulator's clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// baseURL returns the base URL for links handed to the caller of r: Options.BaseURL
// when set, else the host the caller reached (so slack-go, which only sends the
// token to the host of its API URL, accepts upload URLs), else URL(). It takes
// s.mu: call it before locking.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	if r != nil && r.Host != "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host
	}
	return s.URL()
}

// routes builds the HTTP mux.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.serveAPI)
	mux.HandleFunc("POST /_emu/upload/{id}", s.serveUpload)
	mux.HandleFunc("GET /_emu/files/{id}", s.serveFile)
	mux.HandleFunc("POST /_emu/response/{id}", s.serveResponseURL)
	mux.HandleFunc("GET /_emu/socket", s.serveSocket)
	mux.HandleFunc("GET /_emu/state", s.serveState)
	mux.HandleFunc("GET /archives/{channel}/{msg}", s.servePermalink)
	mux.HandleFunc("GET /{$}", s.servePage)
	s.playRoutes(mux)
	return mux
}
