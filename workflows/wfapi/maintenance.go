package wfapi

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// MaintenanceInput starts one run of MaintenanceWorkflow: the schedule of a
// window passes the same input to every run it starts. Each run takes the
// process from the worker's configuration as it begins; the war room runs
// under incident.MaintenanceProcess of it.
type MaintenanceInput struct {
	Window incident.Window `json:"window"`
	// Process is as IncidentInput.Process: set only in schedules recorded
	// before the process came from the worker; schedules leave it empty.
	Process incident.Process           `json:"process,omitzero"`
	Policy  incident.MaintenancePolicy `json:"policy"`
	// TimeZone (IANA name) is the zone the window's start and recurrence
	// were given in, the scheduler's time_zone, in which the schedule
	// fires; empty in inputs recorded before it, whose Process.TimeZone
	// says it.
	TimeZone string `json:"time_zone,omitempty"`
	// HeadsUp are the offsets this window's runs honour
	// (incident.MaintenancePlan.HeadsUp); Policy.HeadsUp when nil (null),
	// none when empty.
	HeadsUp []time.Duration `json:"heads_up"`
}

// WindowZone is the zone of the window's start and recurrence: TimeZone,
// or Process.TimeZone in inputs recorded before TimeZone; UTC when unset or
// unknown.
func (in *MaintenanceInput) WindowZone() *time.Location {
	tz := in.TimeZone
	if tz == "" {
		tz = in.Process.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// MaintenanceRoom makes an IncidentWorkflow the war room of a maintenance
// window: it runs under incident.MaintenanceProcess(the worker's process,
// Window, Policy), reminding at the maintenance cadence and inviting the
// leads of the window's services.
type MaintenanceRoom struct {
	Window incident.Window            `json:"window"`
	Policy incident.MaintenancePolicy `json:"policy"`
}

// Names of the MaintenanceWorkflow's updates and query.
const (
	// UpdateMaintenanceComplete confirms the window is complete
	// (CompleteMaintenanceRequest) and returns its MaintenanceState.
	UpdateMaintenanceComplete = "maintenance-complete"
	// UpdateMaintenancePromote turns the window into an incident
	// (PromoteMaintenanceRequest) and returns a PromoteMaintenanceResult.
	UpdateMaintenancePromote = "maintenance-promote"
	// UpdateMaintenanceCancel calls off a window that hasn't started
	// (CancelMaintenanceRequest) and returns its MaintenanceState.
	UpdateMaintenanceCancel = "maintenance-cancel"
	// QueryMaintenance returns the run's MaintenanceState.
	QueryMaintenance = "maintenance"
)

// SearchScheduledStart is the time a schedule meant to start a workflow,
// which Temporal sets on every workflow a schedule starts.
var SearchScheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// MaintenancePhase is where one window stands.
type MaintenancePhase string

// The phases of a window: scheduled (heads-ups), in progress, overrun
// (past its end and grace, unconfirmed), then completed, promoted to an
// incident or cancelled.
const (
	PhaseScheduled  MaintenancePhase = "scheduled"
	PhaseInProgress MaintenancePhase = "in_progress"
	PhaseOverrun    MaintenancePhase = "overrun"
	PhaseCompleted  MaintenancePhase = "completed"
	PhasePromoted   MaintenancePhase = "promoted"
	PhaseCancelled  MaintenancePhase = "cancelled"
)

// Over reports whether the window is finished one way or another.
func (p MaintenancePhase) Over() bool {
	return p == PhaseCompleted || p == PhasePromoted || p == PhaseCancelled
}

// Started reports whether the window has started (and maybe ended).
func (p MaintenancePhase) Started() bool {
	return p != PhaseScheduled && p != PhaseCancelled && p != ""
}

// SentHeadsUp is one heads-up and where it was posted.
type SentHeadsUp struct {
	Before time.Duration         `json:"before"`
	At     time.Time             `json:"at"`
	Posts  []incident.MessageRef `json:"posts"`
}

// MaintenanceState is one window as its run holds it: what QueryMaintenance
// and the updates return.
type MaintenanceState struct {
	Window incident.Window  `json:"window"`
	Phase  MaintenancePhase `json:"phase"`
	// Start and End are this window's planned times.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// HeadsUps were posted; Skipped were due before the run began.
	HeadsUps []SentHeadsUp   `json:"heads_ups,omitempty"`
	Skipped  []time.Duration `json:"skipped,omitempty"`
	// IncidentID names the war room's incident (kind maintenance).
	IncidentID    string                `json:"incident_id,omitempty"`
	ChannelID     string                `json:"channel_id,omitempty"`
	ChannelName   string                `json:"channel,omitempty"`
	Announcements []incident.MessageRef `json:"announcements,omitempty"`
	OverrunAt     time.Time             `json:"overrun_at,omitempty"`
	EndedAt       time.Time             `json:"ended_at,omitempty"`
	EndedBy       string                `json:"ended_by,omitempty"`
	// PromotedTo is the incident the window became.
	PromotedTo string `json:"promoted_to,omitempty"`
	// CancelReason and MovedTo say why a window was called off.
	CancelReason string    `json:"cancel_reason,omitempty"`
	MovedTo      time.Time `json:"moved_to,omitempty"`
	// Notes are things that went wrong without stopping the window.
	Notes []string `json:"notes,omitempty"`
	// StatusPage is the window's scheduled maintenance on the public
	// status page (a window with statuspage: true).
	StatusPage *MaintenanceStatusPage `json:"statuspage,omitempty"`
}

// MaintenanceStatusPage is where a window's scheduled maintenance stands on
// the public status page.
type MaintenanceStatusPage struct {
	// PageIncidentID is Statuspage's ID of the scheduled maintenance, once
	// made; Shortlink its public address.
	PageIncidentID string `json:"page_incident_id,omitempty"`
	Shortlink      string `json:"shortlink,omitempty"`
	// Status is the public status last posted (scheduled, in_progress,
	// completed).
	Status string `json:"status,omitempty"`
	// Timeline has an entry for each public post (kind
	// incident.EntryStatusPage): "published to the status page at 14:05: …".
	Timeline []incident.TimelineEntry `json:"timeline,omitempty"`
	// Pending counts the posts still to go out.
	Pending int `json:"pending,omitempty"`
	// Told is set once the war room (or, before it opens, the first
	// announce channel) has heard that the status page isn't taking posts.
	Told bool `json:"told,omitempty"`
}

// HeadsUpChannels lists the channels (IDs) that got a heads-up.
func (s *MaintenanceState) HeadsUpChannels() []string {
	var out []string
	for _, h := range s.HeadsUps {
		for _, p := range h.Posts {
			if !slices.Contains(out, p.Channel) {
				out = append(out, p.Channel)
			}
		}
	}
	return out
}

// CompleteMaintenanceRequest is the argument of UpdateMaintenanceComplete.
type CompleteMaintenanceRequest struct {
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	// Retrospective asks for a retrospective of this window.
	Retrospective bool `json:"retrospective,omitempty"`
}

// PromoteMaintenanceRequest is the argument of UpdateMaintenancePromote.
type PromoteMaintenanceRequest struct {
	By       string            `json:"by"`
	Severity incident.Severity `json:"severity"`
	Note     string            `json:"note,omitempty"`
}

// PromoteMaintenanceResult names the incident a window became.
type PromoteMaintenanceResult struct {
	IncidentID string `json:"incident_id"`
	WorkflowID string `json:"workflow_id"`
}

// CancelMaintenanceRequest is the argument of UpdateMaintenanceCancel.
type CancelMaintenanceRequest struct {
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	// MovedTo is set when the window is called off because it was
	// rescheduled: the channels hear of the new start instead.
	MovedTo time.Time `json:"moved_to,omitempty"`
}
