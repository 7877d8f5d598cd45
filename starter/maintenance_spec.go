package starter

import (
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// scheduleOptions describes window w's schedule: when it fires (plan), the
// run it starts, and notes, memo and search attributes that make it
// readable (and pausable) in the Temporal Web UI. The run's input carries
// the window, the maintenance policy and the zone its times are in, not
// the process: each run takes the worker's.
func (m *Maintenance) scheduleOptions(w incident.Window, plan incident.MaintenancePlan) client.ScheduleOptions {
	id := wfapi.MaintenanceWorkflowID(w.ID)
	input := wfapi.MaintenanceInput{
		Window: w, Policy: m.Policy, TimeZone: m.loc().String(),
		HeadsUp: append([]time.Duration{}, plan.HeadsUp...), // [] rather than null: none, not the policy's
	}
	attrs := []temporal.SearchAttributeUpdate{
		wfapi.SearchKind.ValueSet(string(incident.KindMaintenance)),
		wfapi.SearchSeverity.ValueSet(string(w.Severity)),
		wfapi.SearchStatus.ValueSet(string(wfapi.PhaseScheduled)),
	}
	if w.Lead != "" {
		attrs = append(attrs, wfapi.SearchCommander.ValueSet(w.Lead))
	}
	remaining := 0
	if !plan.Once.IsZero() {
		remaining = 1
	}
	return client.ScheduleOptions{
		ID:   id,
		Spec: scheduleSpec(plan, m.loc()),
		Action: &client.ScheduleWorkflowAction{
			ID:                    id,
			Workflow:              wfapi.MaintenanceWorkflowName,
			Args:                  []any{input},
			TaskQueue:             m.TaskQueue,
			WorkflowTaskTimeout:   wfapi.WorkflowTaskTimeout,
			TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
			Memo:                  map[string]any{"window": w.ID, "title": w.Title},
			StaticSummary:         "Maintenance window: " + incident.Truncate(w.Title, 200),
			StaticDetails:         windowDetails(&w, plan, m.loc()),
		},
		// The next window's run may start while the last one overruns.
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
		// After an outage, a run still starts while its window is on.
		CatchupWindow:      max(plan.Lead+w.Duration, time.Minute),
		Note:               scheduleNote(&w, plan, m.loc()),
		RemainingActions:   remaining,
		TriggerImmediately: plan.TriggerNow,
		Memo:               map[string]any{"window": w.ID, "kind": string(incident.KindMaintenance)},
		TypedSearchAttributes: temporal.NewSearchAttributes(
			wfapi.SearchKind.ValueSet(string(incident.KindMaintenance)),
		),
	}
}

// scheduleSpec turns a plan into Temporal's calendar specs: one exact time
// in UTC for a one-off window, the recurrence's fire times in the
// process's zone otherwise. A one-off window triggered at once has none.
func scheduleSpec(plan incident.MaintenancePlan, loc *time.Location) client.ScheduleSpec {
	one := func(v int) []client.ScheduleRange { return []client.ScheduleRange{{Start: v}} }
	if !plan.Once.IsZero() {
		t := plan.Once.UTC()
		return client.ScheduleSpec{TimeZoneName: "UTC", Calendars: []client.ScheduleCalendarSpec{{
			Second: one(t.Second()), Minute: one(t.Minute()), Hour: one(t.Hour()),
			DayOfMonth: one(t.Day()), Month: one(int(t.Month())), Year: one(t.Year()),
			Comment: "one-off window: heads-ups, then the window itself",
		}}}
	}
	spec := client.ScheduleSpec{TimeZoneName: loc.String(), StartAt: plan.StartAt}
	for _, c := range plan.Calendars {
		cal := client.ScheduleCalendarSpec{
			Second: one(c.Second), Minute: one(c.Minute), Hour: one(c.Hour),
			DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}},
			Month:      []client.ScheduleRange{{Start: 1, End: 12}},
			DayOfWeek:  []client.ScheduleRange{{Start: 0, End: 6}},
			Comment:    fmt.Sprintf("%s before each window", incident.FormatDuration(plan.Lead)),
		}
		if len(c.DaysOfWeek) > 0 {
			cal.DayOfWeek = ranges(c.DaysOfWeek)
		}
		if len(c.DaysOfMonth) > 0 {
			cal.DayOfMonth = ranges(c.DaysOfMonth)
		}
		spec.Calendars = append(spec.Calendars, cal)
	}
	return spec
}

func ranges(values []int) []client.ScheduleRange {
	out := make([]client.ScheduleRange, len(values))
	for i, v := range values {
		out[i] = client.ScheduleRange{Start: v}
	}
	return out
}

// scheduleNote is the schedule's note in the Web UI.
func scheduleNote(w *incident.Window, plan incident.MaintenancePlan, loc *time.Location) string {
	heads := make([]string, len(plan.HeadsUp))
	for i, h := range plan.HeadsUp {
		heads[i] = incident.FormatDuration(h)
	}
	note := fmt.Sprintf("Planned maintenance %q (%s): %s for %s; heads-ups %s before; each run starts %s ahead.",
		w.Title, w.ID, w.Describe(loc), incident.FormatDuration(w.Duration), orNone(strings.Join(heads, ", ")), incident.FormatDuration(plan.Lead))
	if w.ScheduledBy != "" {
		note += " Scheduled by " + w.ScheduledBy + "."
	}
	return note + " Pause the schedule to skip windows; cancel with `incidentflow maintenance cancel --id " + w.ID + "`."
}

// windowDetails is the markdown each run shows in the Web UI.
func windowDetails(w *incident.Window, plan incident.MaintenancePlan, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Planned maintenance: %s**\n\n", w.Title)
	if w.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", w.Description)
	}
	fmt.Fprintf(&b, "When: %s, for %s  \nServices: %s  \nLead: %s  \nAnnounced in: %s  \nSeverity of the war room: %s",
		w.Describe(loc), incident.FormatDuration(w.Duration), orNone(strings.Join(w.Services, ", ")),
		orNone(w.Lead), strings.Join(w.AnnounceChannels, ", "), w.Severity)
	if len(plan.Dropped) > 0 {
		fmt.Fprintf(&b, "  \nHeads-ups dropped (as long as the time between windows): %d", len(plan.Dropped))
	}
	return b.String()
}
