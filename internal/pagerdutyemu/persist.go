package pagerdutyemu

import (
	"encoding/json"
	"fmt"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

const stateFormat = "incidentflow-pagerduty-sandbox/1"

// savedState is the state file.
type savedState struct {
	Format   string    `json:"format"`
	NextNum  int       `json:"next_num"`
	NextID   int       `json:"next_id"`
	Alerts   []*Alert  `json:"alerts"`
	Events   []Event   `json:"events"`
	Fixtures *Fixtures `json:"fixtures"`
}

// load reads Options.StateFile; one that can't be read is moved aside.
func (s *Server) load() {
	data, err := statefile.Read(s.opts.StateFile)
	if err == nil && data == nil {
		return // no file yet
	}
	var st savedState
	if err == nil {
		err = json.Unmarshal(data, &st)
	}
	if err == nil && st.Format != stateFormat {
		err = fmt.Errorf("format %q, want %q", st.Format, stateFormat)
	}
	if err == nil && st.Fixtures != nil {
		err = checkFixtures(st.Fixtures)
	}
	if err != nil {
		moved, _ := statefile.MoveAside(s.opts.StateFile)
		s.stateErr = &statefile.Error{What: "PagerDuty sandbox", Fresh: "no alerts", Path: s.opts.StateFile, MovedTo: moved, Err: err}
		return
	}
	s.nextNum, s.nextID, s.alerts, s.events = st.NextNum, st.NextID, st.Alerts, st.Events
	if st.Fixtures != nil {
		s.fixtures = st.Fixtures
	}
}

// saveLocked writes the state file (s.mu held), before the change is
// answered.
func (s *Server) saveLocked() {
	if s.opts.StateFile == "" {
		return
	}
	data, err := json.Marshal(savedState{Format: stateFormat, NextNum: s.nextNum, NextID: s.nextID,
		Alerts: s.alerts, Events: s.events, Fixtures: s.fixtures})
	if err == nil {
		err = statefile.WriteAtomic(s.opts.StateFile, data)
	}
	if err != nil {
		s.stateErr = fmt.Errorf("the PagerDuty sandbox could not write its state file %s, so changes may be lost: %w", s.opts.StateFile, err)
	}
}
