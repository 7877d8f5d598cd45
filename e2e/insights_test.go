package e2e_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestInsightsFromVisibility declares, acknowledges, updates, mitigates and
// resolves incidents through the starter the CLI verbs call, against the
// real workflows and the emulators, and checks the figures read back from
// SQLite visibility (the memo and the Datetime search attributes): the
// counts, every timestamp against the incident's own state, the drill kept
// apart and the retrospective joined.
func TestInsightsFromVisibility(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	gh := githubemu.NewTestServer(t, githubemu.Options{})
	env.NewWorker(t, registerRetro(t, env, gh))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: retroProcess()}
	reader := &starter.Insights{Client: env.Client, Namespace: env.Temporal.Namespace()}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	begin := time.Now().UTC()

	// As `incidentflow declare` without --as declares: no declarer, so no
	// commander until someone takes the role.
	fromCLI := func(id string, kind incident.Kind) incident.Declaration {
		d := declaration(id)
		d.Severity, d.Declarer, d.OriginChannel = incident.Minor, "", "" // minor: no reminders during the test
		d.DeclaredVia, d.Source, d.Kind = "the CLI on host e2e", incident.SourceCLI, kind
		return d
	}
	_, err := incidents.Declare(ctx, fromCLI("insfixed", incident.KindIncident), true)
	require.NoError(t, err)
	require.NoError(t, incidents.AssignRole(ctx, "insfixed", wfapi.AssignRoleRequest{By: slackemu.UserBob, Role: incident.Commander, User: slackemu.UserBob, Operator: true}))
	require.NoError(t, incidents.PostStatus(ctx, "insfixed", wfapi.PostStatusRequest{Author: slackemu.UserBob, Status: incident.Identified, Text: "Bad deploy"}))
	require.NoError(t, incidents.PostStatus(ctx, "insfixed", wfapi.PostStatusRequest{Author: slackemu.UserBob, Status: incident.Mitigated, Text: "Rolled back"}))
	require.NoError(t, incidents.AddActionItem(ctx, "insfixed", wfapi.AddActionItemRequest{By: slackemu.UserBob, Text: "Add a canary stage", Due: "2030-01-31"}))
	require.NoError(t, incidents.Resolve(ctx, "insfixed", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))
	fixed := result(ctx, t, env, wfapi.IncidentWorkflowID("insfixed"))

	_, err = incidents.Declare(ctx, fromCLI("insopen", incident.KindIncident), true)
	require.NoError(t, err)
	require.NoError(t, incidents.PostStatus(ctx, "insopen", wfapi.PostStatusRequest{Author: slackemu.UserCarol, Status: incident.Monitoring, Text: "Watching"}))
	open, err := incidents.Get(ctx, "insopen")
	require.NoError(t, err)

	_, err = incidents.Declare(ctx, fromCLI("insdrill", incident.KindDrill), true)
	require.NoError(t, err)
	require.NoError(t, incidents.Resolve(ctx, "insdrill", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Drill over", Operator: true}))

	// Visibility catches up within moments; the retrospective's memo
	// once its postmortem is on GitHub.
	day := insights.Filter{Since: begin.Add(-24 * time.Hour)}
	var rep insights.Report
	harness.Eventually(t, 30*time.Second, "the figures of two incidents and a drill, one retrospective", func() bool {
		rep, err = reader.Report(ctx, day, time.Now())
		return err == nil && rep.Declared == 2 && rep.Resolved == 1 && rep.Drills == 1 &&
			rep.Retrospectives.PostmortemsWritten == 1 && rep.ActionItems.Opened == 1
	})
	assert.Equal(t, 1, rep.Open)
	require.Len(t, rep.Incidents, 2)
	got := map[string]insights.Incident{}
	for _, inc := range rep.Incidents {
		got[inc.ID] = inc
	}

	f := got["insfixed"]
	assert.Equal(t, "Checkout <!channel> down", f.Title)
	assert.Equal(t, "minor", f.Severity)
	assert.Equal(t, "cli", f.Source)
	assert.Equal(t, slackemu.UserBob, f.Commander)
	assert.True(t, f.DeclaredAt.Equal(fixed.Declaration.DeclaredAt), "declared %v, want %v", f.DeclaredAt, fixed.Declaration.DeclaredAt)
	assert.True(t, f.AcknowledgedAt.Equal(roleEntry(t, fixed).At), "acknowledged %v when Bob took the lead", f.AcknowledgedAt)
	assert.True(t, f.MitigatedAt.Equal(fixed.MitigatedAt), "mitigated %v, want %v", f.MitigatedAt, fixed.MitigatedAt)
	assert.True(t, f.ResolvedAt.Equal(fixed.ResolvedAt), "resolved %v, want %v", f.ResolvedAt, fixed.ResolvedAt)
	assert.Equal(t, fixed.ChannelID, f.ChannelID)

	o := got["insopen"]
	assert.True(t, o.DeclaredAt.Equal(open.Declaration.DeclaredAt))
	assert.True(t, o.AcknowledgedAt.Equal(open.Updates[0].At), "acknowledged by the first update")
	assert.True(t, o.MitigatedAt.Equal(open.Updates[0].At), "monitoring counts as mitigated")
	assert.True(t, o.ResolvedAt.IsZero())

	assert.Equal(t, 1, rep.TimeToResolve.Count)
	assert.Equal(t, []string{"insfixed"}, rep.TimeToResolve.IDs)
	assert.InDelta(t, fixed.ResolvedAt.Sub(fixed.Declaration.DeclaredAt).Seconds(), rep.TimeToResolve.MedianSeconds, 1e-6)
	assert.Equal(t, 2, rep.TimeToAcknowledge.Count)
	assert.Equal(t, 2, rep.TimeToMitigate.Count)
	assert.InDelta(t, 1.0, rep.UpdatesOnTimeRatio, 1e-9, "three updates, no reminder")
	assert.Equal(t, 2, rep.BySeverity["minor"].Declared)

	// The Datetime search attributes answer queries of their own.
	list, err := env.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: "WorkflowType = 'IncidentWorkflow' AND IncidentResolvedAt >= '" + begin.Add(-time.Minute).Format(time.RFC3339) + "'"})
	require.NoError(t, err)
	var resolved []string
	for _, ex := range list.GetExecutions() {
		resolved = append(resolved, ex.GetExecution().GetWorkflowId())
	}
	assert.ElementsMatch(t, []string{"incident-insfixed", "incident-insdrill"}, resolved)

	// A period that holds none of them.
	later, err := reader.Report(ctx, insights.Filter{Since: time.Now().Add(time.Hour)}, time.Now())
	require.NoError(t, err)
	assert.Zero(t, later.Declared+later.Drills)
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, wfapi.IncidentWorkflowID("insfixed"), "incident_history_insights.json")
		saveHistory(ctx, t, env, wfapi.RetrospectiveWorkflowID("insfixed"), "retrospective_history_insights.json")
	}
}

// roleEntry is the timeline entry of the commander's assignment.
func roleEntry(t *testing.T, inc incident.Incident) incident.TimelineEntry {
	t.Helper()
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryRole {
			return e
		}
	}
	t.Fatalf("no role entry in %+v", inc.Timeline)
	return incident.TimelineEntry{}
}
