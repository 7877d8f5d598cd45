package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// StatusPage keeps an Atlassian Statuspage page current: public incidents
// and scheduled maintenance. The API key and page ID stay in the worker's
// configuration (statuspage.*); no workflow payload holds them. Build it
// with NewStatusPage; a StatusPage without a key or page answers every
// call with a non-retryable error that names the keys to set.
type StatusPage struct {
	api *statusPageAPI
}

// StatusPageOptions configure NewStatusPage.
type StatusPageOptions struct {
	// APIURL is Statuspage's base URL (default https://api.statuspage.io).
	APIURL string
	PageID string
	APIKey string
	// Timeout bounds one HTTP request (default 20 s).
	Timeout time.Duration
}

// DefaultStatusPageURL is the base URL of Atlassian's Statuspage API.
const DefaultStatusPageURL = "https://api.statuspage.io"

// NewStatusPage returns the Statuspage activities for the page opts name.
func NewStatusPage(opts StatusPageOptions) *StatusPage {
	return &StatusPage{api: newStatusPageAPI(opts)}
}

// Statuspage component statuses.
const (
	ComponentOperational         = "operational"
	ComponentDegradedPerformance = "degraded_performance"
	ComponentPartialOutage       = "partial_outage"
	ComponentMajorOutage         = "major_outage"
	ComponentUnderMaintenance    = "under_maintenance"
)

// Public incident statuses, and scheduled maintenance statuses.
const (
	PublicInvestigating = "investigating"
	PublicIdentified    = "identified"
	PublicMonitoring    = "monitoring"
	PublicResolved      = "resolved"

	MaintenanceScheduled  = "scheduled"
	MaintenanceInProgress = "in_progress"
	MaintenanceVerifying  = "verifying"
	MaintenanceCompleted  = "completed"
)

var (
	publicStatuses      = []string{PublicInvestigating, PublicIdentified, PublicMonitoring, PublicResolved}
	maintenanceStatuses = []string{MaintenanceScheduled, MaintenanceInProgress, MaintenanceVerifying, MaintenanceCompleted}
	componentStatuses   = []string{ComponentOperational, ComponentDegradedPerformance, ComponentPartialOutage, ComponentMajorOutage, ComponentUnderMaintenance}
	publicImpacts       = []string{"none", "minor", "major", "critical"}
)

// Bounds of what goes to Statuspage: its own limit on a name, and the
// incident's limit on free text for a body.
const (
	MaxPublicName = 255
	MaxPublicBody = incident.MaxText
	// maxUpdateKeys is how many update keys a public incident's metadata
	// remembers: far more than the retries of one update overlap.
	maxUpdateKeys = 40
	maxUpdateKey  = 80
)

// PublicIncidentRequest creates the public incident of an incident (when
// PageIncidentID is empty) or posts an update to it. Creating is
// idempotent: a retry finds the public incident it made before (by the
// incident's ID in its metadata) instead of making a second.
type PublicIncidentRequest struct {
	IncidentID string `json:"incident_id"`
	// PageIncidentID is Statuspage's ID of the public incident, once made.
	PageIncidentID string `json:"page_incident_id,omitempty"`
	// Name is the public title (never the internal one unless a person
	// typed it as public).
	Name string `json:"name"`
	// Status: investigating, identified, monitoring or resolved.
	Status string `json:"status"`
	// Body is the public text of this update.
	Body string `json:"body"`
	// Impact overrides the impact: none, minor, major or critical.
	Impact string `json:"impact,omitempty"`
	// Components maps component IDs to their status (Component*).
	Components map[string]string `json:"components,omitempty"`
	// UpdateKey makes one update idempotent: a retry with the same key
	// posts nothing new.
	UpdateKey string `json:"update_key"`
}

// PublicIncident is Statuspage's public incident.
type PublicIncident struct {
	ID        string `json:"id"`
	Shortlink string `json:"shortlink,omitempty"`
	Status    string `json:"status"`
}

// ScheduledMaintenanceRequest creates (PageIncidentID empty) or moves a
// scheduled maintenance of a maintenance window's run (WindowID is its run
// key, incident.Window.RunKey).
//
// Status is scheduled, in_progress, verifying or completed. While the
// status is scheduled only the affected components are listed
// (component_ids): their statuses are left alone, so a live incident's
// outage isn't overwritten by a maintenance still to come. Any other
// status sets the components to the statuses in Components
// (under_maintenance while in progress, operational when completed).
//
// Cancel calls the maintenance off: the maintenance is moved to completed
// with Body as its last update (the workflow says "cancelled" and why) and
// its components set as in Components, rather than deleted. Subscribers
// were told when it was scheduled; a DELETE would make it vanish from the
// page without a word, where a completed update tells them it won't happen.
type ScheduledMaintenanceRequest struct {
	WindowID       string            `json:"window_id"`
	PageIncidentID string            `json:"page_incident_id,omitempty"`
	Name           string            `json:"name"`
	Body           string            `json:"body"`
	Status         string            `json:"status"`
	ScheduledFor   time.Time         `json:"scheduled_for"`
	ScheduledUntil time.Time         `json:"scheduled_until"`
	Components     map[string]string `json:"components,omitempty"`
	Cancel         bool              `json:"cancel,omitempty"`
	UpdateKey      string            `json:"update_key"`
}

// PublishIncident creates or updates req's public incident. A retry never
// creates a second public incident (the incident's ID is in the public
// incident's metadata, which a create first looks for) nor posts an update
// twice (UpdateKey is recorded in the metadata by the same request that
// posts the update, and an update first checks for it).
func (s *StatusPage) PublishIncident(ctx context.Context, req PublicIncidentRequest) (PublicIncident, error) {
	if err := s.api.configured("publish to the status page"); err != nil {
		return PublicIncident{}, err
	}
	if err := checkPublicIncident(req); err != nil {
		return PublicIncident{}, err
	}
	w := spWrite{
		Name: cleanPublic(req.Name, MaxPublicName), Status: req.Status,
		Body: cleanPublic(req.Body, MaxPublicBody), Impact: req.Impact, Components: req.Components,
	}
	return s.api.upsert(ctx, upsertSpec{
		op: "publish the incident", metaKey: metaIncidentID, metaValue: req.IncidentID,
		pageIncidentID: req.PageIncidentID, updateKey: req.UpdateKey, write: w,
		lists: []string{"unresolved"},
	})
}

// ScheduleMaintenance creates, moves or cancels req's scheduled
// maintenance, with the same idempotence as PublishIncident (the window's
// run key in the metadata, UpdateKey for each move).
func (s *StatusPage) ScheduleMaintenance(ctx context.Context, req ScheduledMaintenanceRequest) (PublicIncident, error) {
	if err := s.api.configured("schedule the maintenance on the status page"); err != nil {
		return PublicIncident{}, err
	}
	if req.Cancel {
		req.Status = MaintenanceCompleted
	}
	if err := checkMaintenance(req); err != nil {
		return PublicIncident{}, err
	}
	w := spWrite{
		Name: cleanPublic(req.Name, MaxPublicName), Status: req.Status,
		Body: cleanPublic(req.Body, MaxPublicBody),
	}
	if req.PageIncidentID == "" {
		w.ScheduledFor, w.ScheduledUntil = timeRef(req.ScheduledFor), timeRef(req.ScheduledUntil)
	}
	if req.Status == MaintenanceScheduled {
		w.ComponentIDs = sortedComponentIDs(req.Components)
	} else {
		w.Components = req.Components
	}
	op := "move the scheduled maintenance to " + req.Status
	switch {
	case req.Cancel:
		op = "cancel the scheduled maintenance"
	case req.PageIncidentID == "":
		op = "schedule the maintenance"
	}
	return s.api.upsert(ctx, upsertSpec{
		op: op, metaKey: metaWindowID, metaValue: req.WindowID,
		pageIncidentID: req.PageIncidentID, updateKey: req.UpdateKey, write: w,
		lists: []string{"scheduled", "active_maintenance"},
	})
}

func timeRef(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func sortedComponentIDs(m map[string]string) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// cleanPublic cleans user text (incident.Clean) and bounds it.
func cleanPublic(s string, n int) string {
	return incident.TruncateChars(strings.TrimSpace(incident.Clean(s)), n)
}

func checkPublicIncident(req PublicIncidentRequest) error {
	var errs []string
	if req.IncidentID == "" {
		errs = append(errs, "no incident ID")
	}
	if req.PageIncidentID == "" && strings.TrimSpace(req.Name) == "" {
		errs = append(errs, "a public incident needs a public title")
	}
	if !slices.Contains(publicStatuses, req.Status) {
		errs = append(errs, fmt.Sprintf("status %q isn't one of %s", req.Status, strings.Join(publicStatuses, ", ")))
	}
	if req.Impact != "" && !slices.Contains(publicImpacts, req.Impact) {
		errs = append(errs, fmt.Sprintf("impact %q isn't one of %s", req.Impact, strings.Join(publicImpacts, ", ")))
	}
	errs = append(errs, checkComponents(req.Components)...)
	errs = append(errs, checkUpdateKey(req.UpdateKey)...)
	return requestError("publish to the status page", errs)
}

func checkMaintenance(req ScheduledMaintenanceRequest) error {
	var errs []string
	if req.WindowID == "" {
		errs = append(errs, "no window ID")
	}
	if !slices.Contains(maintenanceStatuses, req.Status) {
		errs = append(errs, fmt.Sprintf("status %q isn't one of %s", req.Status, strings.Join(maintenanceStatuses, ", ")))
	}
	if req.PageIncidentID == "" {
		if strings.TrimSpace(req.Name) == "" {
			errs = append(errs, "a scheduled maintenance needs a title")
		}
		if req.ScheduledFor.IsZero() || !req.ScheduledUntil.After(req.ScheduledFor) {
			errs = append(errs, "a scheduled maintenance needs a start and an end after it")
		}
	}
	errs = append(errs, checkComponents(req.Components)...)
	errs = append(errs, checkUpdateKey(req.UpdateKey)...)
	return requestError("schedule the maintenance on the status page", errs)
}

func checkComponents(m map[string]string) []string {
	var errs []string
	for _, id := range sortedComponentIDs(m) {
		if id == "" || strings.ContainsAny(id, "/?#% ") {
			errs = append(errs, fmt.Sprintf("%q isn't a Statuspage component ID (statuspage_components)", id))
		}
		if !slices.Contains(componentStatuses, m[id]) {
			errs = append(errs, fmt.Sprintf("component status %q isn't one of %s", m[id], strings.Join(componentStatuses, ", ")))
		}
	}
	return errs
}

func checkUpdateKey(k string) []string {
	switch {
	case k == "":
		return []string{"no update key (it makes a retried update post once)"}
	case len(k) > maxUpdateKey || strings.ContainsAny(k, " \t\n"):
		return []string{fmt.Sprintf("update key %q is not a short word", incident.TruncateChars(k, 20))}
	}
	return nil
}

// requestError is a non-retryable refusal of a request the workflow got
// wrong, or nil when errs is empty.
func requestError(op string, errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return temporal.NewNonRetryableApplicationError("could not "+op+": "+strings.Join(errs, "; "), ErrStatusPageRejected, nil)
}
