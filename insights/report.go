package insights

import "time"

// Filter chooses the incidents a Report covers: those declared in
// [Since, Until), of the severity and service when set.
type Filter struct {
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
	Severity string    `json:"severity,omitempty"`
	Service  string    `json:"service,omitempty"`
}

// Report is the figures for a Filter, as `incidentflow insights --json`
// prints it (the JSON names are fixed: other tools rely on them). Response
// figures count real incidents only; drills and maintenance are counted
// apart and never mixed in.
type Report struct {
	Filter Filter `json:"filter"`
	// GeneratedAt is the "now" the figures were computed at (open
	// incidents, overdue items and meetings that took place depend on it).
	GeneratedAt time.Time `json:"generated_at"`

	Declared    int `json:"declared"`
	Resolved    int `json:"resolved"`
	Open        int `json:"open"`
	Drills      int `json:"drills"`
	Maintenance int `json:"maintenance"`

	TimeToAcknowledge Stat `json:"time_to_acknowledge"`
	TimeToMitigate    Stat `json:"time_to_mitigate"`
	TimeToResolve     Stat `json:"time_to_resolve"`

	// UpdatesOnTimeRatio is the share of ended update intervals that ended
	// with an update before the reminder (0 when none ended).
	UpdatesOnTimeRatio float64 `json:"updates_on_time_ratio"`
	// UpdateIntervals is how many update intervals ended: the ratio's
	// denominator, which tells "none on time" from "none ended".
	UpdateIntervals int `json:"update_intervals"`
	Reminders       int `json:"reminders"`
	Escalations     int `json:"escalations"`
	// RolesWithin10m counts incidents that had a commander and a
	// spokesperson assigned within 10 minutes of the declaration.
	RolesWithin10m int `json:"roles_within_10m"`

	Retrospectives RetroFigures `json:"retrospectives"`
	ActionItems    ItemFigures  `json:"action_items"`

	BySeverity  map[string]Group `json:"by_severity"`
	ByService   map[string]Group `json:"by_service"`
	BySource    map[string]Group `json:"by_source"`
	ByCommander map[string]Group `json:"by_commander"`

	// PerWeek counts declarations per ISO week (Monday, UTC) and
	// MTTRPerMonth is the mean time to resolve per calendar month, both in
	// order and without gaps over the filter's period.
	PerWeek      []Count `json:"per_week"`
	MTTRPerMonth []Mean  `json:"mttr_per_month"`

	// Incidents are the real incidents behind the figures, in order of
	// declaration.
	Incidents []Incident `json:"incidents"`

	// DrillScores are the scores of the drills debriefed in the period,
	// per team (the scenario's service; "" for none), teams by name: the
	// trend of how each team rehearses.
	DrillScores []DrillTeam `json:"drill_scores"`
}

// DrillTeam is one team's drills.
type DrillTeam struct {
	Team string `json:"team"`
	// MeanPercent is the mean of the drills' points as a share of their
	// maximum, 0–100.
	MeanPercent float64 `json:"mean_percent"`
	// Drills are the team's scored drills, in order of declaration.
	Drills []DrillScore `json:"drills"`
}

// DrillScore is one drill's score.
type DrillScore struct {
	ID         string    `json:"id"`
	Scenario   string    `json:"scenario"`
	DeclaredAt time.Time `json:"declared_at"`
	Points     int       `json:"points"`
	MaxPoints  int       `json:"max_points"`
}

// Stat summarises durations: how many, and their median, 90th percentile
// and mean in seconds (0 when Count is 0). IDs are the incidents behind it.
type Stat struct {
	Count         int      `json:"count"`
	MedianSeconds float64  `json:"median_seconds"`
	P90Seconds    float64  `json:"p90_seconds"`
	MeanSeconds   float64  `json:"mean_seconds"`
	IDs           []string `json:"ids,omitempty"`
}

// Group is the figures of one severity, service, source or commander.
type Group struct {
	Declared          int  `json:"declared"`
	Resolved          int  `json:"resolved"`
	Open              int  `json:"open"`
	TimeToAcknowledge Stat `json:"time_to_acknowledge"`
	TimeToMitigate    Stat `json:"time_to_mitigate"`
	TimeToResolve     Stat `json:"time_to_resolve"`
}

// RetroFigures is the follow-through of the retrospectives.
type RetroFigures struct {
	// Held counts retrospectives whose meeting was booked and has ended.
	Held int `json:"held"`
	// PostmortemsWritten counts postmortems that exist.
	PostmortemsWritten int `json:"postmortems_written"`
	Done               int `json:"done"`
}

// ItemFigures counts action items: opened, closed, and open past their due
// date; MedianOpenAgeSeconds is the median age of the open ones.
type ItemFigures struct {
	Opened               int     `json:"opened"`
	Closed               int     `json:"closed"`
	Overdue              int     `json:"overdue"`
	MedianOpenAgeSeconds float64 `json:"median_open_age_seconds"`
}

// Count is a count for the period that starts at Start.
type Count struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// Mean is a mean duration for the period that starts at Start, over Count
// incidents.
type Mean struct {
	Start       time.Time `json:"start"`
	Count       int       `json:"count"`
	MeanSeconds float64   `json:"mean_seconds"`
}

// Incident is one incident's line in a Report.
type Incident struct {
	ID             string    `json:"id"`
	WorkflowID     string    `json:"workflow_id"`
	Title          string    `json:"title"`
	Severity       string    `json:"severity"`
	Service        string    `json:"service,omitempty"`
	Source         string    `json:"source,omitempty"`
	Commander      string    `json:"commander,omitempty"`
	ChannelID      string    `json:"channel_id,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	DeclaredAt     time.Time `json:"declared_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	MitigatedAt    time.Time `json:"mitigated_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
}
