package activities

import (
	"context"
	"errors"
)

// CONTRACT SKELETON (helper P1 replaces the bodies; the names and fields
// below are what the workflows, written by helper P2 in parallel, call).

// PagerDuty pages on-call responders through PagerDuty's Events API v2 and
// asks its REST API who is on call. Routing keys and tokens stay in the
// worker's configuration: requests name a service, never a key, so no
// secret is written to Temporal's history.
type PagerDuty struct{}

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

var errPagerDutyContract = errors.New("PagerDuty activities are not built yet")

// Page triggers the page req describes.
func (p *PagerDuty) Page(ctx context.Context, req PageRequest) (PageResult, error) {
	return PageResult{}, errPagerDutyContract
}

// ResolvePage resolves the page req names.
func (p *PagerDuty) ResolvePage(ctx context.Context, req ResolvePageRequest) error {
	return errPagerDutyContract
}

// OnCall returns who is on call for req's service.
func (p *PagerDuty) OnCall(ctx context.Context, req OnCallRequest) (OnCallResult, error) {
	return OnCallResult{}, errPagerDutyContract
}
