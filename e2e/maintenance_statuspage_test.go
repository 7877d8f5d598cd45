package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/statuspageemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// maintenanceOnPage finds the scheduled maintenance of run key runKey on
// the emulated page.
func maintenanceOnPage(emu *statuspageemu.Server, runKey string) (statuspageemu.StateIncident, bool) {
	for _, in := range emu.State().Incidents {
		if in.Metadata["incidentflow"]["window_id"] == runKey {
			return in, true
		}
	}
	return statuspageemu.StateIncident{}, false
}

func TestMaintenanceOnTheStatusPage(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	emu := statuspageemu.NewTestServer(t, statuspageemu.Options{})
	proc := testProcess()
	proc.StatusPage = true
	checkout := proc.Services["checkout"]
	checkout.StatusPageComponents = []string{"cmpcheckout01"}
	proc.Services["checkout"] = checkout
	env.NewWorker(t, func(r worker.Registry) {
		register(env, proc)(r)
		r.RegisterWorkflowWithOptions(workflows.MaintenanceWorkflow, workflow.RegisterOptions{Name: wfapi.MaintenanceWorkflowName})
		r.RegisterActivity(&activities.Incidents{Workflows: &starter.Incidents{Client: env.Client}})
		r.RegisterActivity(activities.NewStatusPage(activities.StatusPageOptions{APIURL: emu.URL(),
			PageID: statuspageemu.SandboxPageID, APIKey: statuspageemu.SandboxAPIKey}))
	})
	m := &starter.Maintenance{Client: env.Client, TaskQueue: harness.TaskQueue, Process: proc, Policy: incident.MaintenancePolicy{
		UpdateEvery: time.Hour, HeadsUp: []time.Duration{2 * time.Second}, Grace: time.Minute, MaxDuration: time.Hour}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A window cancelled before its start is cancelled on the page, in
	// words, rather than vanishing. Due in 7 s, its run starts at once.
	off := time.Now().Add(7 * time.Second).Truncate(time.Second)
	offRes, err := m.Schedule(ctx, incident.Window{ID: "e2espoff", Title: "Cache flush", Start: off, Duration: time.Minute,
		ScheduledBy: slackemu.UserAlice, StatusPage: true})
	require.NoError(t, err)
	offKey := offRes.Window.RunKey(off)
	harness.Eventually(t, 5*time.Second, "the scheduled maintenance on the page", func() bool {
		_, ok := maintenanceOnPage(emu, offKey)
		return ok
	})
	_, err = m.Cancel(ctx, "e2espoff", slackemu.UserAlice, "not needed")
	require.NoError(t, err)
	harness.Eventually(t, 15*time.Second, "the cancelled maintenance on the page", func() bool {
		in, ok := maintenanceOnPage(emu, offKey)
		return ok && in.Status == "completed"
	})
	cancelled, _ := maintenanceOnPage(emu, offKey)
	assert.Equal(t, "This scheduled maintenance has been cancelled.", cancelled.Body)
	assert.Len(t, cancelled.Updates, 2)

	start := time.Now().Add(8 * time.Second).Truncate(time.Second)
	res, err := m.Schedule(ctx, incident.Window{ID: "e2espmaint", Title: "Checkout DB upgrade", Description: "Checkout may be slow for a few minutes.",
		Start: start, Duration: 3 * time.Second, Services: []string{"checkout"}, ScheduledBy: slackemu.UserAlice, StatusPage: true})
	require.NoError(t, err)
	runKey := res.Window.RunKey(start)

	// The schedule fires 2 s before the start: the maintenance is
	// scheduled on the page, its components untouched.
	harness.Eventually(t, 15*time.Second, "the scheduled maintenance on the page", func() bool {
		_, ok := maintenanceOnPage(emu, runKey)
		return ok
	})
	on, _ := maintenanceOnPage(emu, runKey)
	assert.Equal(t, "Checkout DB upgrade", on.Name)
	assert.Equal(t, "Checkout may be slow for a few minutes.", on.Body)
	require.NotNil(t, on.ScheduledFor)
	assert.True(t, on.ScheduledFor.Equal(start))
	status, _ := emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, "operational", status)

	// Statuspage hiccups at the start: the move retries and lands once.
	emu.FailNext("update", 503, 2)
	harness.Eventually(t, 20*time.Second, "in progress on the page", func() bool {
		on, _ = maintenanceOnPage(emu, runKey)
		return on.Status == "in_progress"
	})
	status, _ = emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, "under_maintenance", status)

	run := activeRun(ctx, t, m, "e2espmaint", wfapi.PhaseInProgress, 10*time.Second)
	harness.Eventually(t, 10*time.Second, "the war room hears of the public posts", func() bool {
		return len(posts(env, run.State.ChannelID, runKey, "maint-statuspage-")) == 2
	})
	require.NoError(t, m.Complete(ctx, "e2espmaint", slackemu.UserBob))
	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &st))
	on, _ = maintenanceOnPage(emu, runKey)
	assert.Equal(t, "completed", on.Status, "the run ends once its last post is out")
	var statuses []string
	for _, u := range on.Updates {
		statuses = append(statuses, u.Status)
	}
	assert.Equal(t, []string{"scheduled", "in_progress", "completed"}, statuses, "one update each, retries included")
	status, _ = emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, "operational", status)
	require.NotNil(t, st.StatusPage)
	assert.Len(t, st.StatusPage.Timeline, 3)
	assert.Empty(t, st.Notes)
}
