package activities

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PagerDuty/go-pagerduty"
	"go.temporal.io/sdk/temporal"
)

// PagerDuty pages on-call responders through PagerDuty's Events API v2 and
// asks its REST API who is on call. Routing keys and tokens stay in the
// worker's configuration: requests name a service, never a key, so no
// secret is written to Temporal's history.
//
// It talks to PagerDuty through github.com/PagerDuty/go-pagerduty, with an
// HTTP client that keeps each answer's status, Retry-After and error body
// (go-pagerduty reads Events API errors as REST ones and drops their
// message).
type PagerDuty struct {
	opts PagerDutyOptions
}

// PagerDutyOptions configure the PagerDuty activities.
type PagerDutyOptions struct {
	// RoutingKey is the default routing key (paging.pagerduty.routing_key).
	RoutingKey string
	// Token is the REST API token (paging.pagerduty.token).
	Token string
	// EscalationPolicy is the default escalation policy ID
	// (paging.pagerduty.escalation_policy).
	EscalationPolicy string
	// EventsURL and APIURL override https://events.pagerduty.com and
	// https://api.pagerduty.com.
	EventsURL, APIURL string
	// Services holds each service's own keys.
	Services map[string]PagerDutyService
	// Sandbox says RoutingKey is the sandbox's (`incidentflow dev`).
	Sandbox bool
	// HTTPClient makes the calls; nil means one with a 20-second timeout.
	HTTPClient *http.Client
}

// PagerDutyService is one service's PagerDuty keys.
type PagerDutyService struct {
	RoutingKey       string
	EscalationPolicy string
}

// Default PagerDuty addresses.
const (
	DefaultPagerDutyEventsURL = "https://events.pagerduty.com"
	DefaultPagerDutyAPIURL    = "https://api.pagerduty.com"
)

// Application error types the PagerDuty activities return.
const (
	// ErrPagerDutyConfig is a problem only the configuration fixes: no
	// routing key for the service, a refused routing key or token, a wrong
	// URL. Not retryable.
	ErrPagerDutyConfig = "PagerDutyConfig"
	// ErrPagerDutyRejected is an event PagerDuty refused as invalid (400),
	// with PagerDuty's message. Not retryable.
	ErrPagerDutyRejected = "PagerDutyRejected"
	// ErrPagerDutyRateLimited is a 429: retryable after Retry-After.
	ErrPagerDutyRateLimited = "PagerDutyRateLimited"
	// ErrPagerDutyUnavailable is a 5xx or a network failure: retryable.
	ErrPagerDutyUnavailable = "PagerDutyUnavailable"
)

// MaxPageSummary is the most characters PagerDuty takes in a summary.
const MaxPageSummary = 1024

// maxPageField bounds a page's component, group and class.
const maxPageField = 1024

// pagerDutyCallTimeout bounds one call to PagerDuty.
const pagerDutyCallTimeout = 20 * time.Second

// defaultPagerDutyRetry is the wait after a 429 that names none.
const defaultPagerDutyRetry = 30 * time.Second

// NewPagerDuty returns the PagerDuty activities opts configure.
func NewPagerDuty(opts PagerDutyOptions) *PagerDuty {
	if opts.EventsURL == "" {
		opts.EventsURL = DefaultPagerDutyEventsURL
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultPagerDutyAPIURL
	}
	opts.EventsURL = strings.TrimRight(opts.EventsURL, "/")
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: pagerDutyCallTimeout}
	}
	return &PagerDuty{opts: opts}
}

// PageLink is a link attached to a page.
type PageLink struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// PageRequest triggers (or re-triggers, harmlessly) one page.
type PageRequest struct {
	IncidentID string `json:"incident_id"`
	// Service picks the routing key (services.<name>.pagerduty_routing_key,
	// else paging.pagerduty.routing_key).
	Service string `json:"service,omitempty"`
	// DedupKey is wfapi.PageDedupKey(IncidentID, Service).
	DedupKey string `json:"dedup_key"`
	// Summary is the alert's summary (≤1024 characters; a security
	// incident's is "security incident — see Slack").
	Summary string `json:"summary"`
	// Severity is PagerDuty's: critical, error, warning or info.
	Severity      string            `json:"severity"`
	Source        string            `json:"source"`
	Component     string            `json:"component,omitempty"`
	Group         string            `json:"group,omitempty"`
	Class         string            `json:"class,omitempty"`
	CustomDetails map[string]string `json:"custom_details,omitempty"`
	Links         []PageLink        `json:"links,omitempty"`
}

// PageResult says what PagerDuty accepted.
type PageResult struct {
	DedupKey string `json:"dedup_key"`
	// RoutedBy says which routing key was used, in words ("service
	// checkout", "the default routing key", "the sandbox").
	RoutedBy string `json:"routed_by"`
}

// ResolvePageRequest resolves one page (an event_action resolve with its
// dedup key). Resolving a page that is already resolved is harmless.
type ResolvePageRequest struct {
	IncidentID string `json:"incident_id"`
	Service    string `json:"service,omitempty"`
	DedupKey   string `json:"dedup_key"`
}

// OnCallRequest asks who is on call now for a service's escalation policy
// (services.<name>.pagerduty_escalation_policy).
type OnCallRequest struct {
	Service string `json:"service,omitempty"`
}

// OnCallPerson is one person on call.
type OnCallPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	// Level is the escalation level (1 first).
	Level int `json:"level"`
}

// OnCallResult lists who is on call, and in words every reason someone
// could not be found (an escalation policy with no schedule, an expired
// token, no policy configured for the service), for the war room: never a
// silent skip.
type OnCallResult struct {
	People   []OnCallPerson `json:"people,omitempty"`
	Problems []string       `json:"problems,omitempty"`
}

// pagerDutySeverities are the severities the Events API takes.
var pagerDutySeverities = map[string]bool{"critical": true, "error": true, "warning": true, "info": true}

// Page triggers the page req describes. It is idempotent: PagerDuty folds
// a trigger with the dedup key of an alert still open into that alert, so
// a retry, or a worker killed after PagerDuty answered, never pages twice.
func (p *PagerDuty) Page(ctx context.Context, req PageRequest) (PageResult, error) {
	if req.DedupKey == "" {
		return PageResult{}, temporal.NewNonRetryableApplicationError(
			"a page needs a dedup key (the incident's), so that a retry can't page twice", ErrPagerDutyRejected, nil)
	}
	key, routedBy, err := p.routingKey(req.Service)
	if err != nil {
		return PageResult{}, err
	}
	severity := req.Severity
	if severity == "" {
		severity = "critical"
	}
	if !pagerDutySeverities[severity] {
		return PageResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("PagerDuty severity %q is not one of critical, error, warning, info", severity), ErrPagerDutyRejected, nil)
	}
	summary := strings.TrimSpace(req.Summary)
	if summary == "" {
		summary = "incident " + req.IncidentID
	}
	source := req.Source
	if source == "" {
		source = "incidentflow"
	}
	ev := &pagerduty.V2Event{
		RoutingKey: key,
		Action:     "trigger",
		DedupKey:   req.DedupKey,
		Client:     "incidentflow",
		Payload: &pagerduty.V2Payload{
			Summary:   CutRunes(summary, MaxPageSummary),
			Source:    CutRunes(source, maxPageField),
			Severity:  severity,
			Component: CutRunes(req.Component, maxPageField),
			Group:     CutRunes(req.Group, maxPageField),
			Class:     CutRunes(req.Class, maxPageField),
		},
	}
	if len(req.CustomDetails) > 0 {
		ev.Payload.Details = req.CustomDetails
	}
	for _, l := range req.Links {
		if l.Href != "" {
			ev.Links = append(ev.Links, map[string]string{"href": l.Href, "text": l.Text})
		}
	}
	resp, err := p.send(ctx, ev, "page "+routedBy)
	if err != nil {
		return PageResult{}, err
	}
	dedup := req.DedupKey
	if resp.DedupKey != "" {
		dedup = resp.DedupKey
	}
	return PageResult{DedupKey: dedup, RoutedBy: routedBy}, nil
}

// ResolvePage resolves the page req names. PagerDuty answers a resolve of
// a page already resolved, or never sent, like any other, so a retry is
// harmless.
func (p *PagerDuty) ResolvePage(ctx context.Context, req ResolvePageRequest) error {
	if req.DedupKey == "" {
		return temporal.NewNonRetryableApplicationError("resolving a page needs its dedup key", ErrPagerDutyRejected, nil)
	}
	key, routedBy, err := p.routingKey(req.Service)
	if err != nil {
		return err
	}
	_, err = p.send(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "resolve", DedupKey: req.DedupKey, Client: "incidentflow"},
		"resolve the page sent to "+routedBy)
	return err
}

// routingKey returns the routing key of service, and in words which one it
// is.
func (p *PagerDuty) routingKey(service string) (key, routedBy string, err error) {
	if s, ok := p.opts.Services[service]; ok && s.RoutingKey != "" {
		return s.RoutingKey, "service " + service + "'s routing key", nil
	}
	switch {
	case p.opts.RoutingKey != "" && p.opts.Sandbox:
		return p.opts.RoutingKey, "the PagerDuty sandbox", nil
	case p.opts.RoutingKey != "":
		return p.opts.RoutingKey, "the default routing key", nil
	}
	where := "paging.pagerduty.routing_key"
	if service != "" {
		where = "services." + service + ".pagerduty_routing_key or " + where
	}
	what := "this incident"
	if service != "" {
		what = "service " + service
	}
	return "", "", temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("no PagerDuty routing key for %s: set %s (the Events API v2 integration key of the PagerDuty service to page)", what, where),
		ErrPagerDutyConfig, nil)
}

// send posts one event to the Events API and turns a refusal into an
// error that says what to do; doing names the call ("page service X").
func (p *PagerDuty) send(ctx context.Context, ev *pagerduty.V2Event, doing string) (*pagerduty.V2EventResponse, error) {
	rec := &recorder{c: p.opts.HTTPClient}
	c := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(p.opts.EventsURL))
	c.HTTPClient = rec
	resp, err := c.ManageEventWithContext(ctx, ev)
	if err == nil {
		return resp, nil
	}
	return nil, p.eventsError(ctx, doing, rec, err)
}

// eventsError words a failed Events API call.
func (p *PagerDuty) eventsError(ctx context.Context, doing string, rec *recorder, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	status := rec.status
	msg := rec.eventsMessage()
	switch {
	case status == 0:
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty can't be reached to %s (%s): %v; retrying", doing, p.opts.EventsURL, err),
			ErrPagerDutyUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	case status == http.StatusTooManyRequests:
		wait := rec.retryAfter(defaultPagerDutyRetry)
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty is rate-limiting events to %s; retrying in %s", doing, wait),
			ErrPagerDutyRateLimited, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: wait})
	case status >= 500:
		wait := rec.retryAfter(0)
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("PagerDuty failed to %s (HTTP %d); retrying", doing, status),
			ErrPagerDutyUnavailable, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: wait})
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the PagerDuty routing key was refused (HTTP %d) trying to %s: check paging.pagerduty.routing_key and services.<name>.pagerduty_routing_key against the service's Events API V2 integration", status, doing),
			ErrPagerDutyConfig, err)
	case status == http.StatusNotFound:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"PagerDuty's Events API is not at %s (HTTP 404) trying to %s: check paging.pagerduty.events_url", p.opts.EventsURL, doing),
			ErrPagerDutyConfig, err)
	}
	hint := ""
	if strings.Contains(strings.ToLower(msg), "routing") || strings.Contains(strings.ToLower(msg), "integration key") {
		hint = ": check paging.pagerduty.routing_key and services.<name>.pagerduty_routing_key"
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("PagerDuty refused to %s (HTTP %d): %s%s", doing, status, msg, hint),
		ErrPagerDutyRejected, err)
}

// CutRunes returns s cut to at most n characters, never inside a UTF-8
// sequence, ending in "…" when it was cut.
func CutRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	return string([]rune(s)[:n-1]) + "…"
}
