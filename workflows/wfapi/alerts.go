package wfapi

import (
	"time"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
)

// AlertGroupWorkflowName is the workflow type of an alert group's
// AlertGroupWorkflow.
const AlertGroupWorkflowName = "AlertGroupWorkflow"

// AlertGroupWorkflowID is the workflow ID of alert group groupID
// (alert.IncidentID of the group's key). Every notification about the
// group signals this one workflow, whichever front door received it, so the
// group opens at most one incident at a time.
func AlertGroupWorkflowID(groupID string) string { return "alertgroup-" + groupID }

// Names of the AlertGroupWorkflow's signal, updates and query, and of the
// IncidentWorkflow update it sends.
const (
	// SignalAlertNotification delivers one notification about the group
	// (AlertNotification); the alert door sends it with signal-with-start.
	SignalAlertNotification = "alert-notification"
	// SignalAlertIncidentResolved tells the group its incident was
	// resolved (AlertIncidentResolved); the incident workflow sends it.
	SignalAlertIncidentResolved = "alert-incident-resolved"
	// UpdateAlertDeclare declares the incident of a group waiting in triage
	// (AlertDeclareRequest → AlertDeclareResult).
	UpdateAlertDeclare = "alert-declare"
	// UpdateAlertTriage ignores or snoozes a group waiting in triage
	// (AlertTriageRequest).
	UpdateAlertTriage = "alert-triage"
	// QueryAlertGroup returns the AlertGroupState.
	QueryAlertGroup = "alert-group"
	// UpdateRecordAlert records a change of the group in its incident's
	// timeline and, when asked, posts it in the war room
	// (RecordAlertRequest); IncidentWorkflow handles it.
	UpdateRecordAlert = "record-alert"
)

// Action IDs of the triage message's buttons; each button's value is the
// group ID.
const (
	ActionAlertDeclare = "alert_declare"
	ActionAlertIgnore  = "alert_ignore"
	ActionAlertSnooze  = "alert_snooze"
)

// AlertRecordEvery is how often, at most, an alert group hands its changes
// to its incident: the first change after a quiet spell goes at once, the
// ones within AlertRecordEvery of it go together when it has passed.
const AlertRecordEvery = 5 * time.Second

// MaxAlertBatch bounds how many changes one RecordAlertRequest carries.
const MaxAlertBatch = 50

// AlertGroupInput starts an AlertGroupWorkflow, or continues one as new.
// Every run takes the process from the worker's configuration as it
// begins.
type AlertGroupInput struct {
	GroupID string `json:"group_id"`
	// Process is as IncidentInput.Process: the previous run's; starters
	// leave it empty.
	Process  incident.Process `json:"process,omitzero"`
	Settings AlertSettings    `json:"settings"`
	// State is set when the workflow continues as new.
	State *AlertGroupState `json:"state,omitempty"`
	// HistoryLimit continues the workflow as new once a run's history has
	// this many events (default DefaultHistoryLimit).
	HistoryLimit int `json:"history_limit,omitempty"`
}

// AlertSettings are the alerts.* settings a group follows.
type AlertSettings struct {
	// TriageChannel is where a triage route's groups are posted.
	TriageChannel string `json:"triage_channel"`
	// PostEvery is the least time between two war-room messages about the
	// group's changes (alerts.post_every).
	PostEvery time.Duration `json:"post_every"`
	// ReopenWithin is how long after its incident is resolved a group that
	// fires again is told in that incident's war room instead of declaring
	// a new incident (alerts.reopen_within).
	ReopenWithin time.Duration `json:"reopen_within"`
	// SnoozeFor is how long Snooze puts a triage prompt aside.
	SnoozeFor time.Duration `json:"snooze_for"`
}

// DefaultSnooze is the Snooze button's delay.
const DefaultSnooze = time.Hour

// AlertNotification is the argument of SignalAlertNotification: a
// notification and what the front door's router decided for it.
type AlertNotification struct {
	Notification alert.Notification `json:"notification"`
	Decision     alert.Decision     `json:"decision"`
}

// AlertIncidentResolved is the argument of SignalAlertIncidentResolved.
type AlertIncidentResolved struct {
	IncidentID string    `json:"incident_id"`
	ChannelID  string    `json:"channel_id"`
	ResolvedAt time.Time `json:"resolved_at"`
}

// AlertPhase is where an alert group stands.
type AlertPhase string

// The phases of an alert group.
const (
	// AlertWaiting: no firing alert has arrived yet.
	AlertWaiting AlertPhase = "waiting"
	// AlertTriage: posted in the triage channel, waiting for a person.
	AlertTriage AlertPhase = "triage"
	// AlertSnoozed: a person snoozed the triage prompt.
	AlertSnoozed AlertPhase = "snoozed"
	// AlertIgnored: a person ignored the group; it ends when it resolves.
	AlertIgnored AlertPhase = "ignored"
	// AlertDeclared: the group's incident is open.
	AlertDeclared AlertPhase = "declared"
	// AlertReopenable: the incident is resolved; a group firing again
	// within ReopenWithin is told in its war room.
	AlertReopenable AlertPhase = "reopenable"
	// AlertDone: nothing more to do; the workflow ends.
	AlertDone AlertPhase = "done"
)

// AlertGroupState is the state of an alert group, as QueryAlertGroup
// returns it and continue-as-new carries it.
type AlertGroupState struct {
	GroupID  string         `json:"group_id"`
	Phase    AlertPhase     `json:"phase"`
	Decision alert.Decision `json:"decision"`
	Group    alert.Group    `json:"group"`
	// Notifications counts the notifications received.
	Notifications int `json:"notifications"`
	// Changes counts the notifications that changed the group; it keys
	// the incident updates and posts about them.
	Changes int `json:"changes"`
	// IncidentID and ChannelID are the group's incident and war room.
	IncidentID string    `json:"incident_id,omitempty"`
	ChannelID  string    `json:"channel_id,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitempty"`
	// Attempts counts incident IDs tried (an ID a closed incident of an
	// earlier run of the group holds is taken).
	Attempts int `json:"attempts,omitempty"`
	// TriageMessage is the "Declare incident?" message; DecidedBy who
	// answered it.
	TriageMessage incident.MessageRef `json:"triage_message,omitempty"`
	DecidedBy     string              `json:"decided_by,omitempty"`
	SnoozedUntil  time.Time           `json:"snoozed_until,omitempty"`
	// LastPost is when the war room was last told of a change; Pending is
	// set while a change waits for the throttle.
	LastPost time.Time `json:"last_post,omitempty"`
	Pending  bool      `json:"pending,omitempty"`
	// LastRecord is when changes were last handed to the incident.
	LastRecord time.Time `json:"last_record,omitempty"`
}

// AlertDeclareRequest is the argument of UpdateAlertDeclare: the
// declaration a person made from the triage prompt (its ID is the group's
// to choose).
type AlertDeclareRequest struct {
	By          string               `json:"by"`
	Declaration incident.Declaration `json:"declaration"`
}

// AlertDeclareResult is the answer of UpdateAlertDeclare.
type AlertDeclareResult struct {
	IncidentID string `json:"incident_id"`
}

// Triage answers of AlertTriageRequest.Action.
const (
	TriageIgnore = "ignore"
	TriageSnooze = "snooze"
)

// AlertTriageRequest is the argument of UpdateAlertTriage.
type AlertTriageRequest struct {
	By     string `json:"by"`
	Action string `json:"action"`
}

// RecordAlertRequest is the argument of UpdateRecordAlert.
type RecordAlertRequest struct {
	// Key names the change within the group; a repeated key is recorded
	// once.
	Key string `json:"key"`
	// Timeline is the entry's text (plain text).
	Timeline string `json:"timeline,omitempty"`
	// Earlier are the entries of the changes before it that the group
	// applied in the same go (a burst of notifications), oldest first, at
	// most MaxAlertBatch-1.
	Earlier []string `json:"earlier,omitempty"`
	// Post, when set, is posted in the war room (mrkdwn, escaped).
	Post string `json:"post,omitempty"`
	// AllResolved offers the Resolve button under the post, and with
	// AutoResolve resolves a minor incident.
	AllResolved bool `json:"all_resolved,omitempty"`
	AutoResolve bool `json:"auto_resolve,omitempty"`
}
