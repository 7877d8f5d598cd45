package statuspageemu

import (
	"slices"
	"time"
)

// Realtime incident and scheduled maintenance statuses, and component
// statuses, as Statuspage spells them.
var (
	realtimeStatuses  = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	scheduledStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
	componentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	impacts           = []string{"none", "minor", "major", "critical"}
)

// Incident is one incident or scheduled maintenance of the page, in the
// shape the API answers.
type Incident struct {
	ID              string                    `json:"id"`
	PageID          string                    `json:"page_id"`
	Name            string                    `json:"name"`
	Status          string                    `json:"status"`
	Impact          string                    `json:"impact"`
	ImpactOverride  *string                   `json:"impact_override"`
	Shortlink       string                    `json:"shortlink"`
	CreatedAt       time.Time                 `json:"created_at"`
	UpdatedAt       time.Time                 `json:"updated_at"`
	StartedAt       time.Time                 `json:"started_at"`
	ResolvedAt      *time.Time                `json:"resolved_at"`
	MonitoringAt    *time.Time                `json:"monitoring_at"`
	ScheduledFor    *time.Time                `json:"scheduled_for"`
	ScheduledUntil  *time.Time                `json:"scheduled_until"`
	Metadata        map[string]map[string]any `json:"metadata"`
	Components      []Component               `json:"components"`
	IncidentUpdates []Update                  `json:"incident_updates"`
}

// Update is one incident update.
type Update struct {
	ID                   string     `json:"id"`
	IncidentID           string     `json:"incident_id"`
	Status               string     `json:"status"`
	Body                 string     `json:"body"`
	CreatedAt            time.Time  `json:"created_at"`
	DisplayAt            time.Time  `json:"display_at"`
	DeliverNotifications bool       `json:"deliver_notifications"`
	AffectedComponents   []Affected `json:"affected_components"`
}

// Affected is a component's status as an update recorded it.
type Affected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	NewStatus string `json:"new_status"`
}

// Scheduled reports whether the incident is scheduled maintenance.
func (in *Incident) Scheduled() bool { return in.ScheduledFor != nil }

// Resolved reports whether a realtime incident is over.
func (in *Incident) Resolved() bool {
	return !in.Scheduled() && (in.Status == "resolved" || in.Status == "postmortem")
}

func validStatus(in *Incident, status string) bool {
	if in.Scheduled() {
		return slices.Contains(scheduledStatuses, status)
	}
	return slices.Contains(realtimeStatuses, status)
}
