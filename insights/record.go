// Package insights computes incidentflow's response figures (counts, time
// to acknowledge, mitigate and resolve, process adherence, follow-through,
// trends) from the facts each incident's workflows record. It is pure Go:
// the starter reads the records from Temporal's visibility store, and the
// CLI, the front door's page, Slack and the benchmark compute the same
// figures from them with Compute.
package insights

import "time"

// Record is what one incident contributes to the figures: the facts its
// workflow keeps in the memo field wfapi.MemoInsights (JSON of this type),
// updated at every milestone, and what its retrospective adds when read.
// Times are UTC; a zero time means the step hasn't happened.
type Record struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	// Title is the listed title: "security incident" for a security one.
	Title     string `json:"title"`
	Severity  string `json:"severity"`
	Service   string `json:"service,omitempty"`
	Source    string `json:"source,omitempty"`
	Kind      string `json:"kind"`
	Commander string `json:"commander,omitempty"`
	Security  bool   `json:"security,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	Channel   string `json:"channel,omitempty"`

	DeclaredAt     time.Time `json:"declared_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	MitigatedAt    time.Time `json:"mitigated_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	// CommanderAt and CommsAt are when a commander and a spokesperson were
	// first assigned (the declaration's commander counts at DeclaredAt).
	CommanderAt time.Time `json:"commander_at,omitzero"`
	CommsAt     time.Time `json:"comms_at,omitzero"`

	// UpdateIntervals counts the update intervals that have ended (by an
	// update or by a reminder); UpdatesOnTime those that ended with an
	// update before the reminder.
	UpdateIntervals int `json:"update_intervals"`
	UpdatesOnTime   int `json:"updates_on_time"`
	Updates         int `json:"updates"`
	Reminders       int `json:"reminders"`
	Escalations     int `json:"escalations"`

	// Retrospective is nil until the incident's retrospective has begun.
	Retrospective *Retrospective `json:"retrospective,omitempty"`

	// Drill is a finished drill's score (zero for incidents, and for a
	// drill until its debrief).
	Drill DrillResult `json:"drill,omitzero"`
}

// DrillResult is the score of one drill.
type DrillResult struct {
	Scenario  string `json:"scenario"`
	Points    int    `json:"points"`
	MaxPoints int    `json:"max_points"`
}

// Retrospective is the follow-through of one incident.
type Retrospective struct {
	// MeetingBooked says a review meeting was booked; MeetingEnd is when
	// it ends (it took place once that has passed).
	MeetingBooked bool      `json:"meeting_booked"`
	MeetingEnd    time.Time `json:"meeting_end,omitzero"`
	// Done says the retrospective was marked done.
	Done bool `json:"done"`
	// PostmortemWritten says the postmortem issue (or file) exists.
	PostmortemWritten bool         `json:"postmortem_written"`
	ActionItems       []ActionItem `json:"action_items,omitempty"`
}

// ActionItem is one action item of a retrospective.
type ActionItem struct {
	OpenedAt time.Time `json:"opened_at"`
	// Due is the item's due date (zero if none); Closed says its issue is
	// closed.
	Due    time.Time `json:"due,omitzero"`
	Closed bool      `json:"closed"`
}
