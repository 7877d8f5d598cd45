package wfapi

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Paging: the names and payloads by which the front doors and the CLI page
// an incident's on-call (PagerDuty) and by which PagerDuty's webhooks tell
// the incident that its page was acknowledged or resolved.
const (
	// UpdatePage pages the on-call of a service by hand (PageRequest; the
	// result is a PageOutcome). `/incident page [service]`, the kickoff's
	// "Page on-call" button and `incidentflow page --incident ID
	// [--service S]` send it.
	UpdatePage = "page"
	// SignalPageEvent tells the incident what PagerDuty said about one of
	// its pages (PageEvent): acknowledged, resolved. The PagerDuty webhook
	// door sends it and answers PagerDuty at once.
	SignalPageEvent = "page-event"
	// ActionPage is the action ID of the kickoff's "Page on-call" button;
	// its value is the incident ID.
	ActionPage = "incident_page"
)

// PageRequest is the argument of UpdatePage.
type PageRequest struct {
	By string `json:"by"`
	// Service whose on-call is paged; empty pages the incident's own
	// service (or the default routing key when it has none).
	Service string `json:"service,omitempty"`
	// Operator is as in SetSeverityRequest.
	Operator bool `json:"operator,omitempty"`
}

// PageOutcome is the result of UpdatePage.
type PageOutcome struct {
	// DedupKey is the PagerDuty dedup key of the page (a repeated page of
	// the same service for the same incident has the same key, so PagerDuty
	// keeps one alert).
	DedupKey string `json:"dedup_key"`
	// Service is the service paged ("" for the default routing key).
	Service string `json:"service,omitempty"`
	// Already is true when that page had been sent before (nothing new was
	// sent).
	Already bool `json:"already,omitempty"`
}

// PageEvent kinds.
const (
	PageAcknowledged = "acknowledged"
	PageResolved     = "resolved"
)

// PageEvent is the argument of SignalPageEvent.
type PageEvent struct {
	// ID is PagerDuty's event ID; the workflow records each event once.
	ID string `json:"id"`
	// Kind is PageAcknowledged or PageResolved.
	Kind string `json:"kind"`
	// DedupKey is the page's dedup key (PagerDuty's incident_key).
	DedupKey string `json:"dedup_key"`
	// By is the name of the person PagerDuty says acted ("" when unknown).
	By string `json:"by,omitempty"`
	// At is when it happened, as PagerDuty reports it.
	At time.Time `json:"at"`
	// URL is the PagerDuty incident's page.
	URL string `json:"url,omitempty"`
}

// PageDedupKey is the PagerDuty dedup key of incident id's page of service
// ("" for the incident's own page): the key that makes every retry of the
// same page one alert in PagerDuty. Incident IDs never hold "/", so
// IncidentOfDedupKey can read the incident back.
func PageDedupKey(id, service string) string {
	if service == "" {
		return dedupPrefix + id
	}
	return dedupPrefix + id + "/" + service
}

const dedupPrefix = "incidentflow/"

// IncidentOfDedupKey returns the incident ID in a dedup key PageDedupKey
// made, and false for a key incidentflow didn't make.
func IncidentOfDedupKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, dedupPrefix)
	if !ok || rest == "" {
		return "", false
	}
	id, _, _ := strings.Cut(rest, "/")
	return id, id != ""
}

// Check refuses an over-long service or name. Whether the service exists
// and can be paged is the process's to say, which the workflow holds.
func (r PageRequest) Check() error {
	return cmp.Or(incident.CheckName("the service", r.Service), incident.CheckName("who pages", r.By))
}

// Bounds of a PageEvent's fields: PagerDuty's IDs are short, a dedup key
// incidentflow made holds an incident ID and a service name.
const (
	maxEventID  = 200
	maxDedupKey = 300
	maxEventURL = 2000
)

// Check refuses an event without an ID or a dedup key, of an unknown kind,
// or with fields past their bounds: what the webhook door and the starter
// refuse before signalling, and what the workflow ignores.
func (e PageEvent) Check() error {
	if strings.TrimSpace(e.ID) == "" {
		return errors.New("a PagerDuty event needs its ID, so that a redelivery is recorded once")
	}
	if e.Kind != PageAcknowledged && e.Kind != PageResolved {
		return fmt.Errorf("unknown PagerDuty event kind %q: use %s or %s", incident.TruncateChars(e.Kind, incident.MaxName), PageAcknowledged, PageResolved)
	}
	if e.DedupKey == "" {
		return errors.New("a PagerDuty event needs the dedup key of the page it is about")
	}
	return cmp.Or(incident.CheckText("the event ID", e.ID, maxEventID), incident.CheckText("the dedup key", e.DedupKey, maxDedupKey),
		incident.CheckName("who acted", e.By), incident.CheckText("the PagerDuty link", e.URL, maxEventURL))
}
