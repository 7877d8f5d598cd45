package starter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// DrillSchedule is one scheduled drill, as drills.schedules gives it.
type DrillSchedule struct {
	Scenario     drill.Scenario
	When         drill.When
	Participants []string
	Speed        float64
}

// DrillSchedules keeps the Temporal schedules of the scheduled drills
// (wfapi.DrillScheduleID of each scenario) as the configuration says:
// every worker ensures them as it starts, so several workers keep one
// schedule each; the schedules of drills no longer configured are deleted.
type DrillSchedules struct {
	Client    client.Client
	TaskQueue string
	// Channel is drills.channel; TimeZone the process's time zone, in
	// which the schedules' times are read.
	Channel  string
	TimeZone string
}

// spec is when's Temporal schedule spec.
func (d *DrillSchedules) spec(w drill.When) client.ScheduleSpec {
	spec := client.ScheduleSpec{TimeZoneName: d.TimeZone}
	if w.Cron != "" {
		spec.CronExpressions = []string{w.Cron}
		return spec
	}
	cal := client.ScheduleCalendarSpec{
		Second:    []client.ScheduleRange{{Start: 0}},
		Minute:    []client.ScheduleRange{{Start: w.Minute}},
		Hour:      []client.ScheduleRange{{Start: w.Hour}},
		DayOfWeek: []client.ScheduleRange{{Start: int(w.Weekday)}},
	}
	if w.Week > 0 {
		cal.DayOfMonth = []client.ScheduleRange{{Start: 7*(w.Week-1) + 1, End: 7 * w.Week}}
	}
	spec.Calendars = []client.ScheduleCalendarSpec{cal}
	return spec
}

// Ensure creates or updates the schedule of every drill in want and
// deletes the drill schedules not in it. It returns the schedule IDs it
// kept.
func (d *DrillSchedules) Ensure(ctx context.Context, want []DrillSchedule) ([]string, error) {
	var kept []string
	var errs []error
	for _, ds := range want {
		id := wfapi.DrillScheduleID(ds.Scenario.Name)
		if err := d.ensure(ctx, id, ds); err != nil {
			errs = append(errs, fmt.Errorf("drill schedule %s: %w", id, err))
			continue
		}
		kept = append(kept, id)
	}
	iter, err := d.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 200})
	if err != nil {
		return kept, errors.Join(append(errs, explain(err, ""))...)
	}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			errs = append(errs, explain(err, ""))
			break
		}
		if !strings.HasPrefix(e.ID, wfapi.DrillScheduleID("")) || slices.Contains(kept, e.ID) {
			continue
		}
		if err := d.Client.ScheduleClient().GetHandle(ctx, e.ID).Delete(ctx); err != nil {
			errs = append(errs, fmt.Errorf("deleting the drill schedule %s, no longer configured: %w", e.ID, explain(err, "")))
		}
	}
	return kept, errors.Join(errs...)
}

// ensure creates schedule id for ds, or updates the one there.
func (d *DrillSchedules) ensure(ctx context.Context, id string, ds DrillSchedule) error {
	spec := d.spec(ds.When)
	in := wfapi.DrillLaunchInput{Room: wfapi.DrillRoom{
		Scenario: ds.Scenario, Speed: drill.NormalSpeed(ds.Speed), Participants: ds.Participants, Channel: d.Channel,
	}}
	action := &client.ScheduleWorkflowAction{
		ID:                  id,
		Workflow:            wfapi.DrillLaunchWorkflowName,
		Args:                []any{in},
		TaskQueue:           d.TaskQueue,
		WorkflowTaskTimeout: wfapi.WorkflowTaskTimeout,
		StaticSummary:       "Drill launch: " + ds.Scenario.Name,
		// A launch that can't start its drill within an hour gives way.
		WorkflowExecutionTimeout: time.Hour,
	}
	_, err := ensureSchedule(ctx, d.Client, "its schedule", client.ScheduleOptions{
		ID: id, Spec: spec, Action: action,
		// A drill missed during an outage is not played late.
		CatchupWindow: time.Minute,
		Note:          "drills.schedules; every worker keeps it as configured",
	})
	return err
}
