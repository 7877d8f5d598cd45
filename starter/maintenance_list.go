package starter

import (
	"context"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// WindowSummary is one scheduled maintenance window.
type WindowSummary struct {
	ID         string          `json:"id"`
	ScheduleID string          `json:"schedule_id"`
	Window     incident.Window `json:"window"`
	// When says in words when windows start.
	When string `json:"when"`
	// NextStart is when the next window starts; zero when none will.
	NextStart time.Time `json:"next_start,omitempty"`
	// NextFires are when the schedule next starts a run (ahead of a window).
	NextFires []time.Time `json:"next_fires,omitempty"`
	Paused    bool        `json:"paused"`
	Note      string      `json:"note,omitempty"`
	// Runs are the runs under way: waiting with heads-ups, or in progress.
	Runs []RunState `json:"runs,omitempty"`
}

// List returns the scheduled maintenance windows, soonest first. Temporal
// lists schedules from visibility, so one created a moment ago may be
// missing for a second.
func (m *Maintenance) List(ctx context.Context) ([]WindowSummary, error) {
	iter, err := m.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 200})
	if err != nil {
		return nil, explain(err, "")
	}
	var out []WindowSummary
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return nil, explain(err, "")
		}
		if !strings.HasPrefix(e.ID, wfapi.MaintenanceWorkflowID("")) || e.WorkflowType.Name != wfapi.MaintenanceWorkflowName {
			continue
		}
		sum, err := m.Get(ctx, strings.TrimPrefix(e.ID, wfapi.MaintenanceWorkflowID("")))
		if err != nil {
			continue // deleted since it was listed
		}
		out = append(out, sum)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].NextStart, out[j].NextStart
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	return out, nil
}

// Get describes window id: its schedule and its runs under way.
func (m *Maintenance) Get(ctx context.Context, id string) (WindowSummary, error) {
	sum := WindowSummary{ID: id, ScheduleID: wfapi.MaintenanceWorkflowID(id)}
	desc, err := m.Client.ScheduleClient().GetHandle(ctx, sum.ScheduleID).Describe(ctx)
	if err != nil {
		return sum, explainWindow(err, id)
	}
	in, _ := scheduledInput(desc.Schedule.Action, m.DataConverter)
	sum.Window = in.Window
	// The window's times are in the zone it was scheduled in, this
	// machine's or not.
	zone := in.WindowZone()
	sum.When = in.Window.Describe(zone)
	sum.NextFires = desc.Info.NextActionTimes
	if desc.Schedule.State != nil {
		sum.Paused, sum.Note = desc.Schedule.State.Paused, desc.Schedule.State.Note
	}
	sum.Runs = m.runStates(ctx, m.runIDs(ctx, sum.ScheduleID, desc))
	if next, err := in.Window.StartFor(m.now(), zone); err == nil && in.Window.End(next).After(m.now()) {
		sum.NextStart = next
	}
	return sum, nil
}
