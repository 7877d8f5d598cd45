package e2e_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// registerMaintenance registers what a maintenance window needs: the
// incident workflow and Slack activities (its war room), the maintenance
// workflow and the activities that reach the war room.
func registerMaintenance(env *harness.Env) func(worker.Registry) {
	return func(r worker.Registry) {
		register(env, testProcess())(r)
		r.RegisterWorkflowWithOptions(workflows.MaintenanceWorkflow, workflow.RegisterOptions{Name: wfapi.MaintenanceWorkflowName})
		r.RegisterActivity(&activities.Incidents{Workflows: &starter.Incidents{Client: env.Client}})
	}
}

// newMaintenance starts Temporal, Slack and a worker, and returns the
// maintenance operations with a policy in seconds.
func newMaintenance(t *testing.T, pol incident.MaintenancePolicy) (*harness.Env, *starter.Maintenance) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	env.NewWorker(t, registerMaintenance(env))
	return env, &starter.Maintenance{Client: env.Client, TaskQueue: harness.TaskQueue, Process: testProcess(), Policy: pol}
}

// activeRun waits for window id's run to reach phase and returns it.
func activeRun(ctx context.Context, t *testing.T, m *starter.Maintenance, id string, phase wfapi.MaintenancePhase, timeout time.Duration) starter.RunState {
	t.Helper()
	var run starter.RunState
	harness.Eventually(t, timeout, "a run "+string(phase), func() bool {
		var ok bool
		run, ok = runIn(ctx, m, id, phase)
		return ok
	})
	return run
}

// runIn returns window id's run in phase, if there is one.
func runIn(ctx context.Context, m *starter.Maintenance, id string, phase wfapi.MaintenancePhase) (starter.RunState, bool) {
	s, err := m.Get(ctx, id)
	if err != nil {
		return starter.RunState{}, false
	}
	for _, r := range s.Runs {
		if r.State.Phase == phase {
			return r, true
		}
	}
	return starter.RunState{}, false
}

// schedules lists the maintenance schedules Temporal knows, by ID.
func schedules(ctx context.Context, t *testing.T, env *harness.Env) []string {
	t.Helper()
	iter, err := env.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	require.NoError(t, err)
	var ids []string
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		if strings.HasPrefix(e.ID, "maintenance-") {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func TestMaintenanceWindowOpensItsWarRoomAndAnnouncesItsEnd(t *testing.T) {
	env, m := newMaintenance(t, incident.MaintenancePolicy{
		UpdateEvery: time.Hour, HeadsUp: []time.Duration{2 * time.Second}, Grace: time.Minute, MaxDuration: time.Hour,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	start := time.Now().Add(9 * time.Second).Truncate(time.Second)
	res, err := m.Schedule(ctx, incident.Window{
		ID: "e2emaint", Title: "Checkout DB upgrade <!channel>", Description: "Postgres 16", Start: start,
		Duration: 3 * time.Second, Services: []string{"checkout"}, Lead: slackemu.UserBob, ScheduledBy: slackemu.UserAlice,
	})
	require.NoError(t, err)
	require.False(t, res.Plan.TriggerNow, "the schedule itself fires, 2s before the start")
	runKey := res.Window.RunKey(start)

	// The schedule fires 2s before the start: the heads-up, then the war room.
	harness.Eventually(t, 15*time.Second, "the heads-up", func() bool {
		return len(posts(env, slackemu.IncidentsChannelID, runKey, "maint-headsup-")) == 1
	})
	heads := posts(env, slackemu.IncidentsChannelID, runKey, "maint-headsup-")[0]
	assert.Contains(t, heads.Text, "Planned maintenance in 2s")
	assert.NotContains(t, heads.Text, "<!channel>")
	var run starter.RunState
	harness.Eventually(t, 20*time.Second, "the war room and the announcement", func() bool {
		var ok bool
		run, ok = runIn(ctx, m, "e2emaint", wfapi.PhaseInProgress)
		return ok && run.State.ChannelID != "" && len(posts(env, slackemu.IncidentsChannelID, runKey, "maint-start")) == 1
	})
	assert.False(t, time.Now().Before(start), "the war room opens at the start")
	room, ok := env.Slack.Channel(run.State.ChannelID)
	require.True(t, ok)
	assert.Contains(t, room.Members, slackemu.UserBob, "the lead is in the war room")
	assert.Contains(t, room.Members, slackemu.UserDave, "so is the service's lead")
	assert.Contains(t, room.Topic, "MAINTENANCE")
	require.NotEmpty(t, room.Bookmarks)
	announced := posts(env, slackemu.IncidentsChannelID, runKey, "maint-start")
	require.Len(t, announced, 1)
	assert.Contains(t, announced[0].Text, "Maintenance in progress")
	assert.Contains(t, announced[0].Text, "<#"+run.State.ChannelID+">")
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: testProcess()}
	harness.Eventually(t, 5*time.Second, "the war room listed with the window's title", func() bool {
		list, err := incidents.List(ctx)
		return err == nil && len(list) == 1 && list[0].Kind == string(incident.KindMaintenance) &&
			list[0].Title == "Checkout DB upgrade <!channel>"
	})
	desc, err := env.Client.DescribeWorkflowExecution(ctx, wfapi.IncidentWorkflowID(run.State.IncidentID), "")
	require.NoError(t, err)
	var title string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(desc.GetWorkflowExecutionInfo().GetMemo().GetFields()[wfapi.MemoTitle], &title))
	assert.Equal(t, "Checkout DB upgrade <!channel>", title, "the war room's memo holds the title lists show")

	// At the planned end the lead is asked; the Complete button ends it.
	harness.Eventually(t, 10*time.Second, "the question at the planned end", func() bool {
		return len(posts(env, run.State.ChannelID, runKey, "maint-confirm")) == 1
	})
	require.NoError(t, m.Complete(ctx, "e2emaint", slackemu.UserBob))
	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &st))
	assert.Equal(t, wfapi.PhaseCompleted, st.Phase)
	assert.Empty(t, st.Notes)
	end := posts(env, slackemu.IncidentsChannelID, runKey, "maint-end")
	require.Len(t, end, 1, "the end is announced")
	assert.Contains(t, end[0].Text, "Maintenance complete")
	var inIncidents []string
	for _, m := range posts(env, slackemu.IncidentsChannelID, runKey, "") {
		inIncidents = append(inIncidents, m.Metadata.EventPayload["key"].(string))
	}
	assert.Equal(t, []string{"maint-headsup-2s", "maint-start", "maint-end"}, inIncidents,
		"one post for each news: the war room doesn't announce itself as an incident too")
	inc := result(ctx, t, env, wfapi.IncidentWorkflowID(runKey))
	assert.True(t, inc.IsResolved(), "the war room is resolved")
	assert.Equal(t, incident.KindMaintenance, inc.Declaration.Kind)
	assert.Equal(t, []string{"maintenance-e2emaint"}, schedules(ctx, t, env))
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, run.WorkflowID, "maintenance_history.json")
		saveHistory(ctx, t, env, wfapi.IncidentWorkflowID(runKey), "maintenance_war_room_history.json")
	}
}

func TestMaintenanceCancelAndRescheduleLeaveOneSchedule(t *testing.T) {
	env, m := newMaintenance(t, incident.DefaultMaintenancePolicy())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Bad input is refused with the reason, and nothing is scheduled.
	_, err := m.Schedule(ctx, incident.Window{ID: "e2ebad", Title: "Too late", Start: time.Now().Add(-time.Hour), Duration: -time.Minute, Services: []string{"dns"}})
	var ferrs incident.FieldErrors
	require.True(t, errors.As(err, &ferrs), "%v", err)
	assert.Contains(t, ferrs.For(incident.WindowFieldStart), "in the past")
	assert.Contains(t, ferrs.For(incident.WindowFieldDuration), "end must come after the start")
	assert.Contains(t, ferrs.For(incident.WindowFieldServices), `unknown service "dns"`)

	// An hour ahead: the run starts at once (the 24h heads-up is past) and
	// posts the 1h heads-up.
	first := time.Now().Add(time.Hour).Truncate(time.Second)
	res, err := m.Schedule(ctx, incident.Window{ID: "e2emove", Title: "Cache flush", Start: first, Duration: 30 * time.Minute, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	require.True(t, res.Plan.TriggerNow)
	oldKey := res.Window.RunKey(first)
	harness.Eventually(t, 15*time.Second, "the 1h heads-up", func() bool {
		return len(posts(env, slackemu.IncidentsChannelID, oldKey, "maint-headsup-")) == 1
	})
	oldRun := activeRun(ctx, t, m, "e2emove", wfapi.PhaseScheduled, 5*time.Second)
	// The run triggered by the move may get the same workflow ID (Temporal
	// names triggered runs by the second), so the old one is read by run ID.
	oldDesc, err := env.Client.DescribeWorkflowExecution(ctx, oldRun.WorkflowID, "")
	require.NoError(t, err)
	oldRunID := oldDesc.WorkflowExecutionInfo.Execution.RunId

	// Moving it changes the schedule and calls off the waiting run, whose
	// heads-up channel hears of the new time.
	moved := first.Add(2 * time.Hour)
	res, err = m.Schedule(ctx, incident.Window{ID: "e2emove", Title: "Cache flush", Start: moved, Duration: 30 * time.Minute, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	assert.True(t, res.Updated)
	assert.Equal(t, []string{oldRun.WorkflowID}, res.CalledOff)
	assert.Equal(t, []string{slackemu.IncidentsChannelID}, res.Notified, "the channel that had the heads-up")
	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, oldRun.WorkflowID, oldRunID).Get(ctx, &st))
	assert.Equal(t, wfapi.PhaseCancelled, st.Phase)
	assert.True(t, st.MovedTo.Equal(moved))
	movedPosts := posts(env, slackemu.IncidentsChannelID, oldKey, "maint-moved")
	require.Len(t, movedPosts, 1)
	assert.Contains(t, movedPosts[0].Text, "Rescheduled")

	harness.Eventually(t, 10*time.Second, "one schedule, at the new time", func() bool {
		list, err := m.List(ctx)
		return err == nil && len(list) == 1 && list[0].NextStart.Equal(moved) && len(schedules(ctx, t, env)) == 1
	})
	newRun := activeRun(ctx, t, m, "e2emove", wfapi.PhaseScheduled, 10*time.Second)
	assert.True(t, newRun.State.Start.Equal(moved))

	// Submitting the same window again changes nothing.
	res, err = m.Schedule(ctx, incident.Window{ID: "e2emove", Title: "Cache flush", Start: moved, Duration: 30 * time.Minute, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)

	// Cancelling deletes the schedule and calls off the waiting run; it
	// had posted no heads-up, so nobody is told.
	out, err := m.Cancel(ctx, "e2emove", slackemu.UserAlice, "not needed")
	require.NoError(t, err)
	assert.Equal(t, []string{newRun.WorkflowID}, out.CalledOff)
	assert.Empty(t, out.Notified)
	require.NoError(t, env.Client.GetWorkflow(ctx, newRun.WorkflowID, "").Get(ctx, &st))
	assert.Equal(t, wfapi.PhaseCancelled, st.Phase)
	assert.Empty(t, posts(env, slackemu.IncidentsChannelID, res.Window.RunKey(moved), ""))
	harness.Eventually(t, 10*time.Second, "no schedule left", func() bool { return len(schedules(ctx, t, env)) == 0 })
	_, err = m.Cancel(ctx, "e2emove", slackemu.UserAlice, "")
	assert.ErrorIs(t, err, starter.ErrNoWindow)
}

func TestMaintenanceOverrunIsPromotedToAnIncident(t *testing.T) {
	env, m := newMaintenance(t, incident.MaintenancePolicy{UpdateEvery: time.Hour, Grace: time.Second, MaxDuration: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	start := time.Now().Add(7 * time.Second).Truncate(time.Second)
	res, err := m.Schedule(ctx, incident.Window{ID: "e2eover", Title: "Search reindex", Start: start, Duration: 2 * time.Second,
		Services: []string{"checkout"}, Lead: slackemu.UserBob, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	assert.Empty(t, res.Plan.FirstHeadsUps)
	runKey := res.Window.RunKey(start)

	run := activeRun(ctx, t, m, "e2eover", wfapi.PhaseOverrun, 20*time.Second)
	harness.Eventually(t, 10*time.Second, "the overrun notice in the war room and the announce channel", func() bool {
		return len(posts(env, run.State.ChannelID, runKey, "maint-overrun")) == 1 &&
			len(posts(env, slackemu.IncidentsChannelID, runKey, "maint-overrun")) == 1
	})
	assert.Contains(t, posts(env, run.State.ChannelID, runKey, "maint-overrun")[0].Text, "<!subteam^S0ONCALL>")

	// Cancelling the series now leaves the window in progress alone; it is
	// still found (through visibility) once its schedule is gone.
	out, err := m.Cancel(ctx, "e2eover", slackemu.UserAlice, "")
	require.NoError(t, err)
	assert.Equal(t, []string{run.WorkflowID}, out.InProgress)
	assert.Empty(t, out.CalledOff)

	promoted, err := m.PromoteWith(ctx, "e2eover", wfapi.PromoteMaintenanceRequest{By: slackemu.UserAlice, Severity: incident.Critical, Note: "index corrupt"})
	require.NoError(t, err)
	incidents := &starter.Incidents{Client: env.Client, Process: testProcess()}
	harness.Eventually(t, 15*time.Second, "the incident's war room", func() bool {
		inc, err := incidents.Get(ctx, promoted.IncidentID)
		return err == nil && inc.ChannelID != "" && inc.ChannelID != run.State.ChannelID
	})
	inc, err := incidents.Get(ctx, promoted.IncidentID)
	require.NoError(t, err)
	assert.Equal(t, incident.KindIncident, inc.Declaration.Kind)
	assert.Equal(t, incident.Critical, inc.Severity)
	assert.Contains(t, inc.Declaration.Summary, "Search reindex")
	assert.Contains(t, inc.Declaration.Summary, "index corrupt")

	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &st))
	assert.Equal(t, wfapi.PhasePromoted, st.Phase)
	assert.Equal(t, promoted.IncidentID, st.PromotedTo)
	room := result(ctx, t, env, wfapi.IncidentWorkflowID(runKey))
	assert.True(t, room.IsResolved(), "the maintenance war room hands over")
	assert.Contains(t, room.Resolution, promoted.IncidentID)
}
