package incident

import "time"

// Incident is the whole state of one incident as its workflow holds it. It is
// what the status query returns and what continue-as-new carries over.
type Incident struct {
	Declaration Declaration `json:"declaration"`

	Severity  Severity `json:"severity"`
	Status    Status   `json:"status"`
	Commander string   `json:"commander,omitempty"`
	Comms     string   `json:"comms,omitempty"`

	// ChannelID and ChannelName name the war room once it exists.
	ChannelID   string `json:"channel_id,omitempty"`
	ChannelName string `json:"channel_name,omitempty"`
	// Kickoff is the pinned kickoff message in the war room.
	Kickoff MessageRef `json:"kickoff,omitempty"`
	// Announcements are the posts in the announce channels, where the
	// resolution is announced again.
	Announcements []MessageRef `json:"announcements,omitempty"`

	Timeline        []TimelineEntry  `json:"timeline"`
	Updates         []StatusUpdate   `json:"updates,omitempty"`
	ActionItems     []ActionItem     `json:"action_items,omitempty"`
	SeverityHistory []SeverityChange `json:"severity_history,omitempty"`

	// NextUpdateBy is when the next status update is due.
	NextUpdateBy time.Time `json:"next_update_by,omitempty"`
	// MissedReminders counts reminders in a row with no update between.
	MissedReminders int `json:"missed_reminders,omitempty"`

	AcknowledgedAt time.Time `json:"acknowledged_at,omitempty"`
	MitigatedAt    time.Time `json:"mitigated_at,omitempty"`
	ResolvedAt     time.Time `json:"resolved_at,omitempty"`
	Resolution     string    `json:"resolution,omitempty"`
	ResolvedBy     string    `json:"resolved_by,omitempty"`
}

// TimelineEntry is one thing that happened during an incident: who did what,
// when.
type TimelineEntry struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor,omitempty"` // Slack user ID; empty for incidentflow itself
	Kind  string    `json:"kind"`            // declared, update, severity, role, reminder, escalation, action, resolved, ...
	Text  string    `json:"text"`
}

// Timeline entry kinds.
const (
	EntryDeclared   = "declared"
	EntryWarRoom    = "war_room"
	EntryUpdate     = "update"
	EntrySeverity   = "severity"
	EntryRole       = "role"
	EntryReminder   = "reminder"
	EntryEscalation = "escalation"
	EntryAction     = "action"
	EntryResolved   = "resolved"
	EntryNote       = "note"
)

// New returns the initial state of the incident d declares.
func New(d Declaration) Incident {
	if d.Kind == "" {
		d.Kind = KindIncident
	}
	commander := d.Commander
	if commander == "" {
		commander = d.Declarer
	}
	d.Commander = commander
	return Incident{
		Declaration: d,
		Severity:    d.Severity,
		Status:      Investigating,
		Commander:   commander,
		Timeline: []TimelineEntry{{
			At: d.DeclaredAt, Actor: d.Declarer, Kind: EntryDeclared,
			Text: "declared " + string(d.Severity) + " " + string(d.Kind) + ": " + d.Title,
		}},
	}
}

// Record appends an entry to the timeline.
func (inc *Incident) Record(at time.Time, actor, kind, text string) {
	inc.Timeline = append(inc.Timeline, TimelineEntry{At: at, Actor: actor, Kind: kind, Text: text})
}

// IsResolved reports whether the incident is resolved.
func (inc *Incident) IsResolved() bool { return inc.Status == Resolved }

// Participants returns everyone who holds a role or appears in the timeline,
// in order of first appearance, without duplicates.
func (inc *Incident) Participants() []string {
	seen := map[string]bool{}
	var out []string
	add := func(u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	add(inc.Commander)
	add(inc.Comms)
	add(inc.Declaration.Declarer)
	for _, e := range inc.Timeline {
		add(e.Actor)
	}
	return out
}

// Durations are the response-time figures of a resolved incident.
type Durations struct {
	ToAcknowledge time.Duration `json:"to_acknowledge"`
	ToMitigate    time.Duration `json:"to_mitigate"`
	ToResolve     time.Duration `json:"to_resolve"`
}

// Durations measures the time from declaration to acknowledgement, to
// mitigation (the first mitigated update, or the resolution) and to
// resolution. A step that hasn't happened yet measures zero.
func (inc *Incident) Durations() Durations {
	start := inc.Declaration.DeclaredAt
	since := func(t time.Time) time.Duration {
		if t.IsZero() || start.IsZero() {
			return 0
		}
		return t.Sub(start)
	}
	mitigated := inc.MitigatedAt
	if mitigated.IsZero() {
		mitigated = inc.ResolvedAt
	}
	return Durations{
		ToAcknowledge: since(inc.AcknowledgedAt),
		ToMitigate:    since(mitigated),
		ToResolve:     since(inc.ResolvedAt),
	}
}
