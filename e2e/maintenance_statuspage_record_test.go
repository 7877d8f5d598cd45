package e2e_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestRecordMaintenanceBeforeStatusPage records, with
// INCIDENTFLOW_RECORD_HISTORY=1, a completed window and a window cancelled
// after its heads-up, as the maintenance workflow ran them before
// "maintenance-statuspage" (workflows/testdata/
// maintenance_history_before_statuspage.json and
// maintenance_cancelled_history_before_statuspage.json).
func TestRecordMaintenanceBeforeStatusPage(t *testing.T) {
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") == "" {
		t.Skip("records only (INCIDENTFLOW_RECORD_HISTORY=1)")
	}
	env, m := newMaintenance(t, incident.MaintenancePolicy{
		UpdateEvery: time.Hour, HeadsUp: []time.Duration{2 * time.Second}, Grace: time.Minute, MaxDuration: time.Hour,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	start := time.Now().Add(8 * time.Second).Truncate(time.Second)
	res, err := m.Schedule(ctx, incident.Window{ID: "e2esprec", Title: "Checkout DB upgrade", Start: start,
		Duration: 3 * time.Second, Services: []string{"checkout"}, Lead: slackemu.UserBob, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	// Due in 7s, so its run starts at once; cancelled after its heads-up.
	later := time.Now().Add(7 * time.Second).Truncate(time.Second)
	_, err = m.Schedule(ctx, incident.Window{ID: "e2esprecoff", Title: "Cache flush", Start: later,
		Duration: 3 * time.Second, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	var off starter.RunState
	require.Eventually(t, func() bool {
		var ok bool
		off, ok = runIn(ctx, m, "e2esprecoff", wfapi.PhaseScheduled)
		return ok && len(off.State.HeadsUps) == 1
	}, 10*time.Second, 100*time.Millisecond)
	_, err = m.Cancel(ctx, "e2esprecoff", slackemu.UserAlice, "not needed")
	require.NoError(t, err)

	run := activeRun(ctx, t, m, "e2esprec", wfapi.PhaseInProgress, 25*time.Second)
	_ = res
	require.Eventually(t, func() bool {
		st, ok := runIn(ctx, m, "e2esprec", wfapi.PhaseInProgress)
		return ok && st.State.ChannelID != "" && !time.Now().Before(start.Add(3*time.Second))
	}, 20*time.Second, 200*time.Millisecond)
	require.NoError(t, m.Complete(ctx, "e2esprec", slackemu.UserBob))
	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &st))
	require.Equal(t, wfapi.PhaseCompleted, st.Phase)
	var cst wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, off.WorkflowID, "").Get(ctx, &cst))
	require.Equal(t, wfapi.PhaseCancelled, cst.Phase)
	saveHistory(ctx, t, env, run.WorkflowID, "maintenance_history_before_statuspage.json")
	saveHistory(ctx, t, env, off.WorkflowID, "maintenance_cancelled_history_before_statuspage.json")
}
