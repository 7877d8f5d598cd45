package pagerdutydoor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Bounds of what a webhook hands the incident.
const (
	maxEventID = 100
	maxByName  = incident.MaxName
	maxURL     = 2000
	// maxDedupKey is the longest dedup key PagerDuty keeps.
	maxDedupKey = 255
)

// Event types the door records; every other is answered 200, ignored.
const (
	EventAcknowledged = "incident.acknowledged"
	EventResolved     = "incident.resolved"
)

// Webhook is what the door reads of a webhook v3 delivery.
type Webhook struct {
	ID           string
	Type         string // event_type, e.g. incident.acknowledged
	ResourceType string
	OccurredAt   time.Time
	// Agent is the name of who acted, when a person did ("" for an
	// integration, a rule, or PagerDuty itself).
	Agent string
	// DedupKey is the incident's incident_key: the dedup key of the
	// page.
	DedupKey string
	HTMLURL  string
}

// wire is the v3 envelope: {"event": {...}}.
type wire struct {
	Event *struct {
		ID           string          `json:"id"`
		EventType    string          `json:"event_type"`
		ResourceType string          `json:"resource_type"`
		OccurredAt   string          `json:"occurred_at"`
		Agent        *wireReference  `json:"agent"`
		Data         json.RawMessage `json:"data"`
	} `json:"event"`
}

type wireReference struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
}

type wireIncident struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	HTMLURL     string `json:"html_url"`
	IncidentKey string `json:"incident_key"`
}

// Parse reads a webhook v3 body. It refuses, in one sentence, a body that
// is not JSON or has no event with an id and an event_type; the data of an
// event it does not record may be anything.
func Parse(body []byte) (Webhook, error) {
	var w wire
	if err := json.Unmarshal(body, &w); err != nil {
		return Webhook{}, fmt.Errorf("the body is not a PagerDuty webhook v3 (JSON {\"event\": {...}}): %v", err)
	}
	e := w.Event
	if e == nil {
		return Webhook{}, errors.New(`the body has no "event": not a PagerDuty webhook v3`)
	}
	wh := Webhook{ID: incident.TruncateChars(strings.TrimSpace(incident.Clean(e.ID)), maxEventID),
		Type: incident.TruncateChars(strings.TrimSpace(incident.Clean(e.EventType)), 100), ResourceType: e.ResourceType}
	if wh.ID == "" || wh.Type == "" {
		return Webhook{}, errors.New(`the event has no "id" or no "event_type"`)
	}
	if e.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, e.OccurredAt)
		if err != nil {
			return Webhook{}, fmt.Errorf("the event's occurred_at %q is not a time (RFC 3339)", incident.TruncateChars(e.OccurredAt, 40))
		}
		wh.OccurredAt = t.UTC()
	}
	if a := e.Agent; a != nil && (a.Type == "user_reference" || a.Type == "user") {
		wh.Agent = incident.TruncateChars(strings.TrimSpace(incident.Clean(a.Summary)), maxByName)
	}
	if e.ResourceType == "incident" && len(e.Data) > 0 && string(e.Data) != "null" {
		var d wireIncident
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return Webhook{}, fmt.Errorf("the incident event's data is not an incident: %v", err)
		}
		wh.DedupKey = d.IncidentKey
		if u, err := url.Parse(d.HTMLURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(d.HTMLURL) <= maxURL {
			wh.HTMLURL = d.HTMLURL
		}
	}
	return wh, nil
}

// PageEvent returns the event to record and the incident it belongs to,
// or, in words, why the webhook is ignored.
func (wh Webhook) PageEvent() (ev wfapi.PageEvent, incidentID, ignored string) {
	var kind string
	switch wh.Type {
	case EventAcknowledged:
		kind = wfapi.PageAcknowledged
	case EventResolved:
		kind = wfapi.PageResolved
	default:
		return ev, "", "event type " + wh.Type + " is not recorded (only incident.acknowledged and incident.resolved are)"
	}
	if wh.DedupKey == "" {
		return ev, "", "the PagerDuty incident has no incident_key, so it is not a page incidentflow sent"
	}
	id, ok := wfapi.IncidentOfDedupKey(wh.DedupKey)
	if !ok || len(wh.DedupKey) > maxDedupKey || !incident.ValidID(id) {
		return ev, "", "incident_key " + incident.TruncateChars(incident.Clean(wh.DedupKey), 80) + " is not a page incidentflow sent"
	}
	at := wh.OccurredAt
	return wfapi.PageEvent{ID: wh.ID, Kind: kind, DedupKey: wh.DedupKey, By: wh.Agent, At: at, URL: wh.HTMLURL}, id, ""
}
