package wfapi

import (
	"github.com/incidentflow/incidentflow/drill"
)

// DrillLaunchWorkflowName is the workflow type a drill's schedule runs: it
// starts the drill's incident workflow and ends.
const DrillLaunchWorkflowName = "DrillLaunchWorkflow"

// DrillScheduleID is the ID of the Temporal schedule that runs the drills
// of scenario (drills.schedules).
func DrillScheduleID(scenario string) string { return "drill-schedule-" + scenario }

// DrillRoom is set on the incident workflow of a drill: the scenario it
// plays and how far it has got. Each run follows the drill's rewrite of the
// worker's process: the war room is drill-…, nothing is announced but in
// Channel, no lead, escalation group or on-call is called, nothing is
// published.
type DrillRoom struct {
	// Scenario is the scenario as chosen, at speed 1; the workflow plays
	// it scaled by Speed.
	Scenario drill.Scenario `json:"scenario"`
	// Speed plays the scenario faster (offsets and the update cadence
	// divided by it); 0 means 1.
	Speed float64 `json:"speed,omitempty"`
	// Participants are invited to the drill room (Slack user IDs).
	Participants []string `json:"participants,omitempty"`
	// Channel is drills.channel: where the drill is announced, if set.
	Channel string `json:"channel,omitempty"`
	// Progress is set when the workflow continues as new.
	Progress *drill.Progress `json:"progress,omitempty"`
}

// DrillLaunchInput is the input a drill's schedule gives each run of
// DrillLaunchWorkflow: the drill to start. It has no declarer and no
// commander (the schedule declared it): a participant takes the lead.
type DrillLaunchInput struct {
	Room DrillRoom `json:"room"`
}

// UpdateDrillHint reveals the drill's next fact (HintRequest) and returns
// it (HintOutcome).
const UpdateDrillHint = "drill-hint"

// HintRequest is the argument of UpdateDrillHint.
type HintRequest struct {
	By string `json:"by"`
}

// HintOutcome is what UpdateDrillHint returns.
type HintOutcome struct {
	// Hint is the fact revealed; N is its number (from 1) of Of.
	Hint string `json:"hint"`
	N    int    `json:"n"`
	Of   int    `json:"of"`
}

// QueryDrill returns a drill's DrillReport.
const QueryDrill = "drill"

// DrillReport is how a drill stands: its scenario (as played, at its
// speed), its progress, and once debriefed its score.
type DrillReport struct {
	Scenario drill.Scenario `json:"scenario"`
	Progress drill.Progress `json:"progress"`
	Score    *drill.Score   `json:"score,omitempty"`
}

// MemoDrillScore is the memo field that holds a finished drill's whole
// drill.Score, for operators reading it in the Temporal Web UI (QueryDrill
// needs a worker; insights keep only the points).
const MemoDrillScore = "drill_score"
