// Package alertdoor is the HTTP door of alert sources: POST
// /alerts/alertmanager, /alerts/grafana and /alerts/webhook. Each request
// is authenticated with its source's bearer token, bounded, parsed and
// routed by package alert, and handed to a Sink (the starter, which signals
// or starts the group's workflow) within a short deadline, so that the
// sender gets its answer fast and retries what failed.
package alertdoor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
	"github.com/incidentflow/incidentflow/starter"
)

// Defaults of Options.
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 2 * time.Second
)

// Sink takes each routed notification that is not ignored: *starter.Alerts
// signals the group's workflow, starting it if needed. It must return
// within ctx's deadline and be idempotent: senders retry and repeat. An
// error wrapping starter.ErrUnavailable (Temporal can't be reached) is
// answered 503, so the sender retries.
type Sink interface {
	Notify(ctx context.Context, n alert.Notification, d alert.Decision) error
}

// Options configure a Door.
type Options struct {
	// Sources maps a source name to its bearer token (alert.Config.Tokens);
	// a source without a token is refused.
	Sources map[string]string
	Router  *alert.Router
	Sink    Sink
	// Logger gets one line per request; nil logs nothing.
	Logger *slog.Logger
	// MaxBody bounds a request body in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// Timeout bounds the Sink call; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Door serves the alert endpoints.
type Door struct {
	tokens  tokens
	router  *alert.Router
	sink    Sink
	log     *slog.Logger
	maxBody int64
	timeout time.Duration
}

// New returns a Door, or an error naming what is missing from o.
func New(o Options) (*Door, error) {
	switch {
	case o.Router == nil:
		return nil, errors.New("alertdoor: Options.Router is nil: build one with alert.NewRouter")
	case o.Sink == nil:
		return nil, errors.New("alertdoor: Options.Sink is nil: nothing would take the notifications")
	}
	t, err := newTokens(o.Sources)
	if err != nil {
		return nil, err
	}
	d := &Door{tokens: t, router: o.Router, sink: o.Sink, log: o.Logger, maxBody: o.MaxBody, timeout: o.Timeout}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.maxBody <= 0 {
		d.maxBody = DefaultMaxBody
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	return d, nil
}

// Handler serves the notifications of source src (POST /alerts/<src>, which
// the frontdoor package mounts): authenticate, bound, parse, route, hand
// over.
func (d *Door) Handler(src alert.Source) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := d.log.With("source", src, "remote", r.RemoteAddr)
		refuse := func(status int, err error) {
			log.Warn("alert refused", "status", status, "reason", err.Error())
			doorhttp.Reply(w, status, err.Error())
		}
		if err := d.tokens.check(src, r.Header.Get("Authorization")); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="incidentflow alerts"`)
			refuse(http.StatusUnauthorized, err)
			return
		}
		body, status, err := doorhttp.ReadBody(w, r, d.maxBody)
		if err != nil {
			refuse(status, err)
			return
		}
		n, err := alert.Parse(src, body)
		if err != nil {
			refuse(http.StatusBadRequest, err)
			return
		}
		dec := d.router.Route(n)
		id := alert.IncidentID(n.Key())
		log = log.With("incident", id, "mode", dec.Mode, "route", dec.RouteIndex, "status", n.Status,
			"alerts", len(n.Alerts), "truncated", n.Truncated)
		if dec.Mode == alert.ModeIgnore {
			log.Info("alert ignored", "reason", dec.Reason)
			doorhttp.Reply(w, http.StatusOK, "ignored: "+dec.Reason)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d.timeout)
		defer cancel()
		switch err := d.sink.Notify(ctx, n, dec); {
		case err == nil:
			log.Info("alert accepted", "reason", dec.Reason)
			doorhttp.Reply(w, http.StatusOK, fmt.Sprintf("accepted: %s, alert group %s (%s)", dec.Mode, id, dec.Reason))
		case errors.Is(err, starter.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			log.Error("alert not taken: retry expected", "error", err, "timeout", d.timeout)
			w.Header().Set("Retry-After", "10")
			doorhttp.Reply(w, http.StatusServiceUnavailable, "incidentflow cannot take alerts right now (the incident service is unreachable or slow): retry")
		default:
			log.Error("alert not taken", "error", err)
			doorhttp.Reply(w, http.StatusInternalServerError, "incidentflow failed to take the notification for incident "+id+": see its log")
		}
	})
}
