package starter

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Drills starts drills: an incident workflow playing a scenario under the
// drill's rules (wfapi.DrillRoom).
type Drills struct {
	Incidents *Incidents
	// Scenarios are the scenarios there are (config.DrillScenarios).
	Scenarios []drill.Scenario
	// Channel is drills.channel.
	Channel string
}

// DrillRequest asks for a drill.
type DrillRequest struct {
	Scenario string `json:"scenario"`
	// Participants are invited to the drill room (Slack user IDs).
	Participants []string `json:"participants,omitempty"`
	// Commander plays the commander (default: who starts it).
	Commander string  `json:"commander,omitempty"`
	Speed     float64 `json:"speed,omitempty"`
	// By starts it (a Slack user ID); DeclaredVia says how when nobody
	// in Slack did.
	By          string `json:"by,omitempty"`
	DeclaredVia string `json:"declared_via,omitempty"`
	// OriginChannel is the channel it was started from.
	OriginChannel string `json:"origin_channel,omitempty"`
	// Key makes a repeated request (a double submit) start one drill.
	Key string `json:"key,omitempty"`
}

// DrillStarted is a drill under way.
type DrillStarted struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	Channel    string `json:"channel,omitempty"`
	ChannelID  string `json:"channel_id,omitempty"`
	Scenario   string `json:"scenario"`
}

// Check refuses a request that can't start a drill, saying what to change.
func (d *Drills) check(req DrillRequest) (drill.Scenario, error) {
	s, ok := drill.Find(d.Scenarios, req.Scenario)
	if !ok {
		return s, fmt.Errorf("there is no scenario %q: choose one of %s (incidentflow drill list)", req.Scenario, strings.Join(drill.Names(d.Scenarios), ", "))
	}
	if err := drill.CheckSpeed(req.Speed); err != nil {
		return s, err
	}
	if len(req.Participants) > drill.MaxParticipants {
		return s, fmt.Errorf("a drill takes at most %d participants", drill.MaxParticipants)
	}
	for _, u := range append([]string{req.Commander}, req.Participants...) {
		if u != "" && !incident.IsUserID(u) {
			return s, fmt.Errorf("%q isn't a Slack user ID: give one like U0123ABCDEF", u)
		}
	}
	if p := d.Incidents.Process; len(p.Severities) > 0 {
		if err := p.CheckSeverity(s.Severity); err != nil {
			return s, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	return s, nil
}

// Start starts the drill req asks for. With wait it returns once the drill
// room is open and equipped.
func (d *Drills) Start(ctx context.Context, req DrillRequest, wait bool) (DrillStarted, error) {
	s, err := d.check(req)
	if err != nil {
		return DrillStarted{Scenario: req.Scenario}, err
	}
	key := req.Key
	if key == "" {
		key = rand.Text()
	}
	id := incident.IDFromKey("drill:" + key)
	commander := req.Commander
	if commander == "" {
		commander = req.By
	}
	decl := s.Declaration(drill.Start{
		ID: id, Declarer: req.By, DeclaredVia: req.DeclaredVia, Commander: commander,
		OriginChannel: req.OriginChannel, At: time.Now(),
	})
	room, err := d.Incidents.Start(ctx, wfapi.IncidentInput{Declaration: decl, Drill: &wfapi.DrillRoom{
		Scenario: s, Speed: drill.NormalSpeed(req.Speed), Participants: req.Participants, Channel: d.Channel,
	}}, wait)
	return DrillStarted{ID: room.ID, WorkflowID: room.WorkflowID, Channel: room.ChannelName, ChannelID: room.ChannelID, Scenario: s.Name}, err
}

// Hint asks drill id for its next hint.
func (d *Drills) Hint(ctx context.Context, id, by string) (wfapi.HintOutcome, error) {
	var out wfapi.HintOutcome
	err := d.Incidents.update(ctx, id, wfapi.UpdateDrillHint, wfapi.HintRequest{By: by}, &out)
	return out, err
}

// List returns the scenarios there are, by name.
func (d *Drills) List() []drill.Scenario { return d.Scenarios }
