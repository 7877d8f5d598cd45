package wfapi

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
)

// The status page: the names and payloads by which the front doors and the
// CLI put an incident on the public status page (Atlassian Statuspage).
// Nothing goes public by accident: an incident is never published from its
// declaration, only by UpdatePublishStatusPage; once published, a status
// update whose Public is set is published too, and the resolution resolves
// the public incident and sets its components back to operational.
const (
	// UpdatePublishStatusPage publishes an incident to the status page
	// (PublishStatusPageRequest; the result is a PublishStatusPageOutcome):
	// the first one creates the public incident, later ones post updates
	// to it. The kickoff's "Publish to status page" button and
	// `/incident statuspage publish` open the form that sends it;
	// `incidentflow statuspage publish` sends it from the CLI.
	UpdatePublishStatusPage = "publish-status-page"
	// ActionPublishStatusPage is the action ID of the kickoff's "Publish
	// to status page" button; its value is the incident ID.
	ActionPublishStatusPage = "incident_publish_status_page"
)

// Public incident statuses (Statuspage's), and the impacts a public
// incident may claim.
const (
	PublicInvestigating = "investigating"
	PublicIdentified    = "identified"
	PublicMonitoring    = "monitoring"
	PublicResolved      = "resolved"
)

// PublicStatuses are the statuses a publication may set; resolving the
// incident sets "resolved".
var PublicStatuses = []string{PublicInvestigating, PublicIdentified, PublicMonitoring}

// PublicImpacts are the impacts a public incident may claim.
var PublicImpacts = []string{"none", "minor", "major", "critical"}

// ComponentStatuses are the statuses a Statuspage component may have.
var ComponentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}

// ComponentOperational is the status the resolution gives every component
// the public incident named.
const ComponentOperational = "operational"

// Bounds of a publication: Statuspage's own limit on a name, and how many
// components one may name.
const (
	MaxPublicName  = 255
	MaxComponents  = 25
	maxComponentID = 64
)

// PublishStatusPageRequest is the argument of UpdatePublishStatusPage.
type PublishStatusPageRequest struct {
	By string `json:"by"`
	// Name is the public title: what customers read, never the internal
	// title unless a person typed it as public.
	Name string `json:"name"`
	// Body is the public text of this post.
	Body string `json:"body"`
	// Status is investigating, identified or monitoring; empty follows the
	// incident's status (mitigated reads monitoring).
	Status string `json:"status,omitempty"`
	// Impact is none, minor, major or critical; empty lets Statuspage
	// derive it from the components.
	Impact string `json:"impact,omitempty"`
	// Components maps Statuspage component IDs to their status
	// (ComponentStatuses).
	Components map[string]string `json:"components,omitempty"`
	// TypedByCommander says the Name and Body are what the person sending
	// it typed into empty fields: nothing was prefilled. The Slack form
	// sets it when it opened a security incident's fields empty; the CLI,
	// which prefills nothing, always does. A security incident is
	// published only when it is set and By is its commander.
	TypedByCommander bool `json:"typed_by_commander,omitempty"`
	// Operator is as in SetSeverityRequest.
	Operator bool `json:"operator,omitempty"`
}

// PublishStatusPageOutcome is the result of UpdatePublishStatusPage: the
// post is accepted and goes out in the background, so that an outage of
// Statuspage never holds up a door; the timeline records it once posted.
type PublishStatusPageOutcome struct {
	// Created is true when this request creates the public incident,
	// false when it posts an update to it.
	Created bool `json:"created"`
	// PageIncidentID is Statuspage's ID of the public incident once it
	// exists ("" while its creation is still under way).
	PageIncidentID string `json:"page_incident_id,omitempty"`
	// Queued counts the public posts waiting to go out, this one included.
	Queued int `json:"queued"`
	// Drafted says the post was only drafted: a drill publishes nothing,
	// it keeps the draft on its timeline and shows it in the drill room.
	Drafted bool `json:"drafted,omitempty"`
}

// PublicUpdate, set on a PostStatusRequest of an incident already on the
// status page, publishes the status update too: with its own public text,
// never the internal one.
type PublicUpdate struct {
	// Body is the public text.
	Body string `json:"body"`
	// Status is as in PublishStatusPageRequest: empty follows the
	// update's status.
	Status string `json:"status,omitempty"`
	// Components changes the components' statuses; nil leaves them.
	Components map[string]string `json:"components,omitempty"`
}

// Check refuses an empty or over-long name or text, an unknown status or
// impact, and a component or component status Statuspage wouldn't take.
func (r PublishStatusPageRequest) Check() error {
	if strings.TrimSpace(r.Name) == "" {
		return errors.New("a public incident needs a public title: what customers should read, e.g. \"Degraded service: checkout\"")
	}
	if strings.TrimSpace(r.Body) == "" {
		return errors.New("a public post needs text: say what customers notice and what is being done, without internal detail")
	}
	if err := cmp.Or(
		incident.CheckText("the public title", r.Name, MaxPublicName),
		incident.CheckText("the public text", r.Body, incident.MaxText),
		incident.CheckName("who publishes", r.By),
		checkPublicStatus(r.Status),
		checkComponents(r.Components),
	); err != nil {
		return err
	}
	if r.Impact != "" && !slices.Contains(PublicImpacts, r.Impact) {
		return fmt.Errorf("unknown impact %q: use one of %s", incident.TruncateChars(r.Impact, 40), strings.Join(PublicImpacts, ", "))
	}
	return nil
}

// Check refuses an empty or over-long public text, an unknown status and a
// component Statuspage wouldn't take.
func (p PublicUpdate) Check() error {
	if strings.TrimSpace(p.Body) == "" {
		return errors.New("the public part of the update needs its own text: the internal update never goes public")
	}
	return cmp.Or(incident.CheckText("the public text", p.Body, incident.MaxText), checkPublicStatus(p.Status), checkComponents(p.Components))
}

// checkPublicStatus refuses a status a publication may not set.
func checkPublicStatus(s string) error {
	if s == "" || slices.Contains(PublicStatuses, s) {
		return nil
	}
	if s == PublicResolved {
		return errors.New("the public incident is resolved with the incident: resolve it, and the status page follows")
	}
	return fmt.Errorf("unknown public status %q: use one of %s", incident.TruncateChars(s, 40), strings.Join(PublicStatuses, ", "))
}

// checkComponents refuses too many components, an ID that isn't one and a
// status Statuspage doesn't know.
func checkComponents(m map[string]string) error {
	if len(m) > MaxComponents {
		return fmt.Errorf("%d components named; a post may name at most %d", len(m), MaxComponents)
	}
	for _, id := range incident.SortedKeys(m) {
		if !ValidComponentID(id) {
			return fmt.Errorf("%q isn't a Statuspage component ID (letters and digits, as services.<name>.statuspage_components lists them)", incident.TruncateChars(id, 40))
		}
		if !slices.Contains(ComponentStatuses, m[id]) {
			return fmt.Errorf("component %s: unknown status %q: use one of %s", id, incident.TruncateChars(m[id], 40), strings.Join(ComponentStatuses, ", "))
		}
	}
	return nil
}

// ValidComponentID reports whether id can be a Statuspage component ID:
// 1 to 64 ASCII letters, digits, "-" or "_".
func ValidComponentID(id string) bool {
	if id == "" || len(id) > maxComponentID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// PublicStatusOf is the public status that follows an incident status:
// mitigated reads monitoring, resolved resolved.
func PublicStatusOf(s incident.Status) string {
	switch s {
	case incident.Identified:
		return PublicIdentified
	case incident.Monitoring, incident.Mitigated:
		return PublicMonitoring
	case incident.Resolved:
		return PublicResolved
	}
	return PublicInvestigating
}
