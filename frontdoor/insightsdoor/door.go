// Package insightsdoor is the front door's insights page: GET /insights,
// an HTML page of the response figures (counts, time to acknowledge,
// mitigate and resolve, process adherence, follow-through) with charts
// drawn on the server as inline SVG, and GET /insights.json, the same
// figures as `incidentflow insights --json` prints them. The page shows
// internal incident titles, so it is protected: with insights.token set,
// both routes need "Authorization: Bearer <token>"; without one they
// answer only requests from a loopback address on a loopback listener
// (the operator's authenticating proxy on the same host, or a browser on
// it). The page runs no JavaScript and loads nothing from elsewhere.
package insightsdoor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/starter"
)

// DefaultTimeout bounds the reading of the figures from Temporal.
const DefaultTimeout = 15 * time.Second

// Reports computes the figures of a Filter at now: *starter.Insights reads
// the incidents' records from Temporal's visibility and computes them. An
// error wrapping starter.ErrUnavailable is answered 503.
type Reports interface {
	Report(ctx context.Context, f insights.Filter, now time.Time) (insights.Report, error)
}

// Options configure a Door.
type Options struct {
	// Reports computes the figures (required).
	Reports Reports
	// Token is insights.token: when set, every request needs
	// "Authorization: Bearer <Token>".
	Token string
	// Listen is the front door's listen address (http.listen): with no
	// Token, the routes answer only when it is a loopback one.
	Listen string
	// Process gives the Temporal Web UI's address and namespace (each
	// incident links to its workflow there), the order of the severities
	// and the time zone the page's times are shown in.
	Process incident.Process
	// Logger gets one line per refusal or failure; nil logs nothing.
	Logger *slog.Logger
	// Timeout bounds the Reports call; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Door serves GET /insights and GET /insights.json.
type Door struct {
	reports Reports
	token   *doorhttp.Token
	// loopbackListener says Listen is a loopback address.
	loopbackListener bool
	listen           string
	process          incident.Process
	log              *slog.Logger
	timeout          time.Duration
	now              func() time.Time
}

// New returns a Door, or an error naming what is missing from o.
func New(o Options) (*Door, error) {
	if o.Reports == nil {
		return nil, errors.New("insightsdoor: Options.Reports is nil: nothing would compute the figures")
	}
	d := &Door{reports: o.Reports, listen: o.Listen, loopbackListener: isLoopback(hostOf(o.Listen)), process: o.Process,
		log: o.Logger, timeout: o.Timeout, now: o.Now}
	if o.Token != "" {
		t := doorhttp.NewToken(o.Token)
		d.token = &t
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d, nil
}

// Page serves the HTML page (GET /insights, which the frontdoor package
// mounts).
func (d *Door) Page() http.Handler {
	return d.serve("/insights", func(w http.ResponseWriter, r *http.Request, rep insights.Report) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Inline styles only; no script, no image, no font, no frame.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		return renderPage(w, newPage(rep, &d.process, r.URL.RawQuery))
	})
}

// JSON serves the figures as one JSON object (GET /insights.json, which
// the frontdoor package mounts): the Report `incidentflow insights
// --json` prints.
func (d *Door) JSON() http.Handler {
	return d.serve("/insights.json", func(w http.ResponseWriter, _ *http.Request, rep insights.Report) error {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	})
}

// serve answers a request for route: method, authentication, filters,
// figures, then write.
func (d *Door) serve(route string, write func(http.ResponseWriter, *http.Request, insights.Report) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := d.log.With("door", "insights", "route", route, "remote", r.RemoteAddr)
		refuse := func(status int, msg string) {
			log.Warn("insights request refused", "status", status, "reason", msg)
			doorhttp.Reply(w, status, msg)
		}
		// The figures name internal incidents: no cache keeps them, and a
		// link followed from the page doesn't tell where it was.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			refuse(http.StatusMethodNotAllowed, "GET "+route+" only: the insights are read-only")
			return
		}
		if status, msg := d.authorize(r); status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="incidentflow insights"`)
			}
			refuse(status, msg)
			return
		}
		now := d.now()
		f, err := ParseQuery(r.URL.RawQuery, now)
		if err != nil {
			refuse(http.StatusBadRequest, err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d.timeout)
		defer cancel()
		rep, err := d.reports.Report(ctx, f, now)
		if err != nil {
			status, msg := d.failure(err)
			log.Error("insights not computed", "status", status, "err", err)
			doorhttp.Reply(w, status, msg)
			return
		}
		if err := write(w, r, rep); err != nil {
			log.Warn("insights answer cut short", "err", err)
		}
	})
}

// authorize returns the status and line refusing r, or 0: with a token,
// the bearer token must match; without one, r must come from a loopback
// address to a loopback listener.
func (d *Door) authorize(r *http.Request) (int, string) {
	if d.token != nil {
		token := doorhttp.Bearer(r.Header.Get("Authorization"))
		switch {
		case token == "":
			return http.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <insights.token>"
		case !d.token.Matches(token):
			return http.StatusUnauthorized, "wrong bearer token: send Authorization: Bearer <insights.token>"
		}
		return 0, ""
	}
	if !d.loopbackListener {
		return http.StatusForbidden, fmt.Sprintf("the insights show internal incidents, and insights.token is empty while http.listen (%s) is not a loopback address: set insights.token, or listen on 127.0.0.1 behind a proxy that authenticates", d.listen)
	}
	if !isLoopback(hostOf(r.RemoteAddr)) {
		return http.StatusForbidden, "the insights show internal incidents and answer only on this host while insights.token is empty: set insights.token, or open the page through a proxy that authenticates"
	}
	return 0, ""
}

// failure is the status and line answering a Reports error.
func (d *Door) failure(err error) (int, string) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, fmt.Sprintf("Temporal didn't give the incidents within %s: try a shorter period (since=30d) or again in a minute", d.timeout)
	case errors.Is(err, starter.ErrUnavailable):
		return http.StatusServiceUnavailable, "Temporal is unreachable, so the figures can't be read: try again in a minute"
	}
	return http.StatusInternalServerError, "the figures could not be computed: " + err.Error()
}

// hostOf is the host of a host:port address (the address itself when it
// has no port).
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// isLoopback reports whether host is a loopback IP address or localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
