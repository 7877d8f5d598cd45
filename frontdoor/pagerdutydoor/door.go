// Package pagerdutydoor is the HTTP door of PagerDuty's webhooks v3: POST
// /pagerduty/webhook. Each delivery is bounded, its X-PagerDuty-Signature
// checked against paging.pagerduty.webhook_secret, parsed, and — when it
// says a page of an incidentflow incident was acknowledged or resolved —
// handed to the incident (PageEvents) within a short deadline. PagerDuty
// retries a delivery that is not answered 2xx, so a refusal it should not
// retry (a bad signature, a bad body) is a 4xx, and only "the incident
// service can't be reached" is a 503.
package pagerdutydoor

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Defaults of Options.
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 3 * time.Second
)

// maxSignatures bounds the signatures one header may carry (PagerDuty
// sends one per active secret: two while a secret is being rotated).
const maxSignatures = 10

// PageEvents takes what PagerDuty said about a page: *starter.Incidents
// signals the incident (wfapi.SignalPageEvent). It must return within
// ctx's deadline and be idempotent (PagerDuty redelivers; the workflow
// records each event ID once). An error wrapping starter.ErrUnavailable is
// answered 503 so PagerDuty retries; one wrapping starter.ErrNotFound or
// starter.ErrIncidentEnded (no incident, or one whose workflow has ended)
// is answered 200, ignored.
type PageEvents interface {
	RecordPageEvent(ctx context.Context, incidentID string, ev wfapi.PageEvent) error
}

// Options configure a Door.
type Options struct {
	// Secret is the webhook subscription's secret
	// (paging.pagerduty.webhook_secret); it must not be empty.
	Secret string
	// Events takes the acknowledgements and resolutions.
	Events PageEvents
	// Logger gets one line per delivery; nil logs nothing.
	Logger *slog.Logger
	// MaxBody bounds a body in bytes; 0 means DefaultMaxBody (1 MiB).
	MaxBody int64
	// Timeout bounds the Events call; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Door serves POST /pagerduty/webhook.
type Door struct {
	secret  []byte
	events  PageEvents
	log     *slog.Logger
	maxBody int64
	timeout time.Duration
}

// New returns a Door, or an error naming what is missing from o.
func New(o Options) (*Door, error) {
	switch {
	case o.Secret == "":
		return nil, errors.New("pagerdutydoor: no webhook secret: set paging.pagerduty.webhook_secret to the secret of the PagerDuty webhook subscription")
	case o.Events == nil:
		return nil, errors.New("pagerdutydoor: Options.Events is nil: nothing would take the page events")
	}
	d := &Door{secret: []byte(o.Secret), events: o.Events, log: o.Logger, maxBody: o.MaxBody, timeout: o.Timeout}
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

// Verify reports whether header (X-PagerDuty-Signature: one or more
// comma-separated "v1=<hex>" signatures) holds a valid HMAC-SHA256 of body
// under secret. Any one matching passes; each is compared in constant
// time; signatures of other versions are skipped.
func Verify(secret []byte, body []byte, header string) bool {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	want := m.Sum(nil)
	ok := false
	for i, part := range strings.Split(header, ",") {
		if i >= maxSignatures {
			break
		}
		hexSig, isV1 := strings.CutPrefix(strings.TrimSpace(part), "v1=")
		if !isV1 {
			continue
		}
		sig, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(sig, want) {
			ok = true // keep going: the time taken doesn't say which matched
		}
	}
	return ok
}

// Handler serves the webhook deliveries (POST /pagerduty/webhook, which
// the frontdoor package mounts): bound, authenticate, parse, hand over.
func (d *Door) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := d.log.With("door", "pagerduty", "remote", r.RemoteAddr, "webhook", r.Header.Get("X-Webhook-Id"))
		refuse := func(status int, msg string) {
			log.Warn("PagerDuty webhook refused", "status", status, "reason", msg)
			doorhttp.Reply(w, status, msg)
		}
		body, status, err := doorhttp.ReadBody(w, r, d.maxBody)
		if err != nil {
			refuse(status, err.Error())
			return
		}
		sig := r.Header.Get("X-PagerDuty-Signature")
		if sig == "" {
			refuse(http.StatusUnauthorized, "no X-PagerDuty-Signature: this route takes only PagerDuty webhooks v3 signed with the subscription's secret")
			return
		}
		if !Verify(d.secret, body, sig) {
			refuse(http.StatusUnauthorized, "the X-PagerDuty-Signature does not match: check that paging.pagerduty.webhook_secret is the webhook subscription's secret")
			return
		}
		wh, err := Parse(body)
		if err != nil {
			refuse(http.StatusBadRequest, err.Error())
			return
		}
		log = log.With("event", wh.ID, "event_type", wh.Type, "dedup_key", wh.DedupKey)
		ev, id, why := wh.PageEvent()
		if why != "" {
			log.Info("PagerDuty webhook ignored", "reason", why)
			doorhttp.Reply(w, http.StatusOK, "ignored: "+why)
			return
		}
		log = log.With("incident", id)
		if err := ev.Check(); err != nil {
			refuse(http.StatusBadRequest, "the event can't be recorded: "+err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d.timeout)
		defer cancel()
		switch err := d.events.RecordPageEvent(ctx, id, ev); {
		case err == nil:
			log.Info("PagerDuty webhook recorded", "kind", ev.Kind, "by", ev.By)
			doorhttp.Reply(w, http.StatusOK, fmt.Sprintf("recorded: page %s of incident %s", ev.Kind, id))
		case errors.Is(err, starter.ErrNotFound) || errors.Is(err, starter.ErrIncidentEnded):
			log.Info("PagerDuty webhook ignored", "reason", "the incident is not open", "error", err)
			doorhttp.Reply(w, http.StatusOK, "ignored: incident "+id+" is not open")
		case errors.Is(err, starter.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			log.Error("PagerDuty webhook not taken: PagerDuty will retry", "error", err, "timeout", d.timeout)
			w.Header().Set("Retry-After", "10")
			doorhttp.Reply(w, http.StatusServiceUnavailable, "incidentflow cannot take the event right now (the incident service is unreachable or slow): retry")
		default:
			log.Error("PagerDuty webhook not taken", "error", err)
			doorhttp.Reply(w, http.StatusInternalServerError, "incidentflow failed to record the event for incident "+id+": see its log")
		}
	})
}
