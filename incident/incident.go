// Package incident holds incidentflow's domain: what an incident is, the
// process a team configures for it, and the pure rules (channel names, update
// cadence, topics, postmortems) the workflows apply. It does no I/O.
package incident

import (
	"fmt"
	"time"
)

// Severity names how bad an incident is. The configured process decides which
// names exist; Critical, Major and Minor are the defaults.
type Severity string

// The default severities.
const (
	Critical Severity = "critical"
	Major    Severity = "major"
	Minor    Severity = "minor"
)

// Status is where an incident stands.
type Status string

// The statuses an incident moves through.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Mitigated     Status = "mitigated"
	Resolved      Status = "resolved"
)

// UpdateStatuses are the statuses a status update may set; resolving is its
// own command because it needs a resolution summary.
var UpdateStatuses = []Status{Investigating, Identified, Monitoring, Mitigated}

// ParseUpdateStatus returns the status named s, or an error listing the
// statuses a status update may use.
func ParseUpdateStatus(s string) (Status, error) {
	for _, st := range UpdateStatuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q: use one of investigating, identified, monitoring, mitigated (resolve with the resolve command)", s)
}

// Kind tells incidents from planned maintenance and drills.
type Kind string

// The kinds of incident.
const (
	KindIncident    Kind = "incident"
	KindMaintenance Kind = "maintenance"
	KindDrill       Kind = "drill"
)

// Role is a responsibility a person holds during an incident.
type Role string

// The roles of an incident.
const (
	// Commander leads the response (the "incident operator").
	Commander Role = "commander"
	// Comms is the spokesperson who keeps stakeholders informed.
	Comms Role = "comms"
)

// ParseRole returns the role named s; "lead" and "operator" mean commander,
// "spokesperson" means comms.
func ParseRole(s string) (Role, error) {
	switch s {
	case "commander", "lead", "operator", "ic":
		return Commander, nil
	case "comms", "spokesperson":
		return Comms, nil
	}
	return "", fmt.Errorf("unknown role %q: use commander or comms", s)
}

// Declaration is what a responder says when declaring an incident. Users are
// Slack user IDs.
type Declaration struct {
	// ID is the incident's short identifier; the workflow ID is "incident-" + ID.
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary,omitempty"`
	Severity Severity `json:"severity"`
	Service  string   `json:"service,omitempty"`
	// Commander defaults to the declarer.
	Commander string `json:"commander,omitempty"`
	Declarer  string `json:"declarer,omitempty"`
	// DeclaredVia says how an incident with no Slack declarer was declared,
	// e.g. "the CLI on host build-7", for the texts that name the declarer
	// ("Declared via the CLI on host build-7"). It is never a person.
	DeclaredVia string `json:"declared_via,omitempty"`
	// Security makes the war room private and keeps details out of every
	// other channel.
	Security bool `json:"security,omitempty"`
	Kind     Kind `json:"kind,omitempty"`
	// DeclaredAt is when the declaration was made (set by the starter).
	DeclaredAt time.Time `json:"declared_at"`
	// OriginChannel is the channel the declaration came from, for the
	// declarer's acknowledgement; empty when declared outside Slack.
	OriginChannel string `json:"origin_channel,omitempty"`
	// SourceMessage links the message an incident was declared from.
	SourceMessage string `json:"source_message,omitempty"`
	// Source is how the incident began (the IncidentSource search
	// attribute); empty in incidents declared before it was recorded.
	Source Source `json:"source,omitempty"`
	// AlertsText lists, in Slack mrkdwn with the sender's text escaped, the
	// alerts that started an incident declared from an alert group; the
	// kickoff and the announcement show it. AlertsMarkdown is the same list
	// in GitHub Markdown, for the postmortem. Each is cut to MaxAlertsText.
	AlertsText     string `json:"alerts_text,omitempty"`
	AlertsMarkdown string `json:"alerts_markdown,omitempty"`
	// AlertGroup is the ID of the alert group that declared the incident,
	// which hears of its resolution.
	AlertGroup string `json:"alert_group,omitempty"`
}

// Source is how an incident began.
type Source string

// The sources of incidents.
const (
	SourceSlack       Source = "slack"
	SourceCLI         Source = "cli"
	SourceAlert       Source = "alert"
	SourceMaintenance Source = "maintenance"
	SourceDrill       Source = "drill"
)

// MaxAlertsText bounds Declaration.AlertsText and AlertsMarkdown.
const MaxAlertsText = 3000

// StatusUpdate is one status update posted by a responder.
type StatusUpdate struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Status Status    `json:"status"`
	Text   string    `json:"text"`
	// NextUpdateBy is when the next update is due; zero means the cadence
	// of the current severity decides.
	NextUpdateBy time.Time `json:"next_update_by,omitempty"`
}

// ActionItem is a follow-up recorded for the retrospective.
type ActionItem struct {
	// Key identifies the item across retries (it marks the GitHub issue).
	Key    string    `json:"key"`
	Text   string    `json:"text"`
	Owner  string    `json:"owner,omitempty"`
	Due    string    `json:"due,omitempty"` // YYYY-MM-DD
	At     time.Time `json:"at"`
	Author string    `json:"author"`
}

// SeverityChange records a change of severity.
type SeverityChange struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	From   Severity  `json:"from"`
	To     Severity  `json:"to"`
	Reason string    `json:"reason,omitempty"`
}

// MessageRef points at a Slack message.
type MessageRef struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// WarRoom is where an incident is worked: its IDs and its Slack channel.
// The incident workflow returns it once the channel is ready.
type WarRoom struct {
	ID          string `json:"id"`
	WorkflowID  string `json:"workflow_id"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel"`
}
