package activities

import (
	"context"
	"errors"
	"time"
)

// CONTRACT SKELETON (helper S1 replaces the bodies; the names and fields
// below are what the workflows, written by helper S2 in parallel, call).

// StatusPage keeps an Atlassian Statuspage page current: public incidents
// and scheduled maintenance. The API key and page ID stay in the worker's
// configuration.
type StatusPage struct{}

// Statuspage component statuses.
const (
	ComponentOperational         = "operational"
	ComponentDegradedPerformance = "degraded_performance"
	ComponentPartialOutage       = "partial_outage"
	ComponentMajorOutage         = "major_outage"
	ComponentUnderMaintenance    = "under_maintenance"
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
// scheduled maintenance: status scheduled, in_progress, verifying or
// completed; Cancel deletes it... (S1 decides how cancel maps to the API
// and documents it here).
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

var errStatusPageContract = errors.New("Statuspage activities are not built yet")

// PublishIncident creates or updates req's public incident.
func (s *StatusPage) PublishIncident(ctx context.Context, req PublicIncidentRequest) (PublicIncident, error) {
	return PublicIncident{}, errStatusPageContract
}

// ScheduleMaintenance creates, moves or cancels req's scheduled
// maintenance.
func (s *StatusPage) ScheduleMaintenance(ctx context.Context, req ScheduledMaintenanceRequest) (PublicIncident, error) {
	return PublicIncident{}, errStatusPageContract
}
