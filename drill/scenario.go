// Package drill holds incidentflow's incident drills: the scenarios a team
// rehearses (built in, or files in drills.scenarios_dir), their parser and
// validator, what counts as a responder's milestone, and the scored
// debrief. It is pure Go: the incident workflow plays a scenario's injects
// against the responders and grades the drill with it.
package drill

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Scenario is one scripted incident to rehearse.
type Scenario struct {
	// Name is the scenario's identifier (lowercase letters, digits and
	// dashes, at most 40): "database-outage".
	Name string `yaml:"name" json:"name"`
	// Title, Summary, Severity, Service and Security make the drill's
	// declaration (its title gets the "DRILL · " prefix).
	Title    string            `yaml:"title" json:"title"`
	Summary  string            `yaml:"summary" json:"summary,omitempty"`
	Severity incident.Severity `yaml:"severity" json:"severity"`
	Service  string            `yaml:"service" json:"service,omitempty"`
	Security bool              `yaml:"security" json:"security,omitempty"`
	// TimeLimit ends the drill if the responders haven't resolved it by
	// then (default DefaultTimeLimit).
	TimeLimit time.Duration `yaml:"time_limit" json:"time_limit"`
	// Facts are what the responders can find out, revealed one at a time,
	// in order, by /incident hint.
	Facts []string `yaml:"facts" json:"facts,omitempty"`
	// Injects are played against the responders.
	Injects []Inject `yaml:"injects" json:"injects,omitempty"`
	// Expected are the actions the debrief checks for.
	Expected []Expectation `yaml:"expected" json:"expected,omitempty"`
	// Origin is where the scenario came from: "built-in" or its file's
	// path. Set by the loader, not by the file.
	Origin string `yaml:"-" json:"origin,omitempty"`
}

// DefaultTimeLimit is a scenario's time limit when it names none.
const DefaultTimeLimit = time.Hour

// InjectKind is what an inject does.
type InjectKind string

// The kinds of inject.
const (
	// InjectMessage: a simulated person (From) posts Text in the drill room.
	InjectMessage InjectKind = "message"
	// InjectAlert: a simulated alert arrives (Alert), recorded and posted
	// as a real alert group's change is.
	InjectAlert InjectKind = "alert"
	// InjectStatusPageStale: a reminder that the status page is stale
	// (Text, or a standard one), from From.
	InjectStatusPageStale InjectKind = "status_page_stale"
)

// Inject is one event of a scenario's timeline.
type Inject struct {
	// ID names the inject within the scenario (unique), for triggers that
	// follow it ("inject:rollback-failed").
	ID   string     `yaml:"id" json:"id"`
	Kind InjectKind `yaml:"kind" json:"kind"`
	// From is the simulated person who posts it, e.g. "Priya (Head of
	// Sales)"; default "Drill control".
	From string `yaml:"from" json:"from,omitempty"`
	// Text is the message (plain text; the drill room shows it escaped).
	Text string `yaml:"text" json:"text,omitempty"`
	// Alert is the simulated alert of an InjectAlert.
	Alert *AlertInject `yaml:"alert" json:"alert,omitempty"`
	// Trigger says when it is played.
	Trigger Trigger `yaml:",inline" json:"trigger"`
}

// AlertInject is a simulated alert.
type AlertInject struct {
	// Name is the alertname label; Status "firing" (default) or
	// "resolved".
	Name    string            `yaml:"name" json:"name"`
	Status  string            `yaml:"status" json:"status,omitempty"`
	Labels  map[string]string `yaml:"labels" json:"labels,omitempty"`
	Summary string            `yaml:"summary" json:"summary,omitempty"`
	// URL is the alert's generatorURL (a graph, say).
	URL string `yaml:"url" json:"url,omitempty"`
}

// Trigger says when an inject is played: At after the drill's start, or
// Delay after the Event After happened (the drill's start when After is
// empty). Offsets are of the scenario at speed 1.
type Trigger struct {
	At    time.Duration `yaml:"at" json:"at,omitempty"`
	After Event         `yaml:"after" json:"after,omitempty"`
	Delay time.Duration `yaml:"delay" json:"delay,omitempty"`
}

// Event is something the responders (or the drill) do, that a trigger can
// follow and an expectation can ask for:
//
//	acknowledged        the incident was acknowledged (insights' definition)
//	first_update        the first status update was posted
//	roles_assigned      both a commander and a spokesperson are assigned
//	status:<status>     a status update set <status> (identified, monitoring, mitigated)
//	severity:<severity> the severity became <severity> (or was declared so)
//	statuspage_drafted  a status page post was drafted (drills publish nothing)
//	action_item         an action item was recorded
//	resolved            the incident was resolved
//	kept_private        (expectations only) the drill ended still private:
//	                    a security incident, no status page draft
//	inject:<id>         the inject <id> was played
type Event string

// The events without an argument.
const (
	EventAcknowledged      Event = "acknowledged"
	EventFirstUpdate       Event = "first_update"
	EventRolesAssigned     Event = "roles_assigned"
	EventStatusPageDrafted Event = "statuspage_drafted"
	EventActionItem        Event = "action_item"
	EventResolved          Event = "resolved"
	EventKeptPrivate       Event = "kept_private"
)

// Expectation is an action the debrief checks for: Event happened, within
// Within of the start when that is set.
type Expectation struct {
	// Text says it for the debrief: "severity raised to critical".
	Text   string        `yaml:"text" json:"text"`
	Event  Event         `yaml:"event" json:"event"`
	Within time.Duration `yaml:"within" json:"within,omitempty"`
}

// Progress is how far a drill has got, kept by the incident workflow (and
// carried across continue-as-new).
type Progress struct {
	StartedAt time.Time `json:"started_at"`
	// Speed is the drill's speed (1 = real time).
	Speed float64 `json:"speed"`
	// Played says when each inject was played, by ID.
	Played map[string]time.Time `json:"played,omitempty"`
	// Hints counts the facts /incident hint revealed.
	Hints int `json:"hints,omitempty"`
	// DraftedAt is when a status page post was first drafted.
	DraftedAt time.Time `json:"drafted_at,omitzero"`
	// EndedAt is when the drill ended; TimedOut says it was the time
	// limit, not a resolution.
	EndedAt  time.Time `json:"ended_at,omitzero"`
	TimedOut bool      `json:"timed_out,omitempty"`
}

// Score is a drill's graded debrief.
type Score struct {
	Scenario string        `json:"scenario"`
	Title    string        `json:"title"`
	Speed    float64       `json:"speed"`
	Duration time.Duration `json:"duration"`
	TimedOut bool          `json:"timed_out,omitempty"`
	// Cadence is the update cadence the drill ran at (scaled by speed).
	Cadence time.Duration `json:"cadence"`
	// TimeToAcknowledge, TimeToFirstUpdate and TimeToRoles are from the
	// start; -1 when it never happened.
	TimeToAcknowledge time.Duration `json:"time_to_acknowledge"`
	TimeToFirstUpdate time.Duration `json:"time_to_first_update"`
	TimeToRoles       time.Duration `json:"time_to_roles"`
	// UpdateIntervals and UpdatesOnTime are insights' (Record).
	UpdateIntervals int                 `json:"update_intervals"`
	UpdatesOnTime   int                 `json:"updates_on_time"`
	Expectations    []ExpectationResult `json:"expectations"`
	HintsUsed       int                 `json:"hints_used"`
	// Points of MaxPoints: one for each expectation met, one for a first
	// update within a cadence of the start, one for both roles assigned
	// within a cadence, one for every update interval ending on time (at
	// least one).
	Points    int `json:"points"`
	MaxPoints int `json:"max_points"`
}

// ExpectationResult is one expectation, graded.
type ExpectationResult struct {
	Text string `json:"text"`
	Met  bool   `json:"met"`
	// At is when it happened, from the start; -1 when it never did.
	At time.Duration `json:"at"`
}
