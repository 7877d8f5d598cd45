package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func TestIncidentContinuesAsNewWithoutRebuildingTheWarRoom(t *testing.T) {
	env, incidents := newEnv(t)
	env.NewWorker(t, register(env, testProcess()))
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	d := declaration("e2ecan")
	d.DeclaredAt = time.Now().UTC()
	run, err := env.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wfapi.IncidentWorkflowID(d.ID), TaskQueue: harness.TaskQueue,
	}, wfapi.IncidentWorkflowName, wfapi.IncidentInput{Declaration: d, HistoryLimit: 80})
	require.NoError(t, err)
	harness.Eventually(t, 8*cadence, "a second run", func() bool {
		desc, err := env.Client.DescribeWorkflowExecution(ctx, run.GetID(), "")
		return err == nil && desc.WorkflowExecutionInfo.Execution.RunId != run.GetRunID()
	})
	harness.Eventually(t, 4*cadence, "a reminder in the second run", func() bool {
		inc, err := incidents.Get(ctx, d.ID)
		require.NoError(t, err)
		return inc.MissedReminders >= 3
	})
	require.NoError(t, incidents.PostStatus(ctx, d.ID, wfapi.PostStatusRequest{Author: slackemu.UserBob, Text: "Found it"}))
	require.NoError(t, incidents.Resolve(ctx, d.ID, wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Fixed", Operator: true}))
	inc := result(ctx, t, env, run.GetID())

	assert.Len(t, warRooms(env, d.ID), 1, "one war room")
	assert.Len(t, posts(env, inc.ChannelID, d.ID, "kickoff"), 1, "one kickoff message")
	assert.Len(t, posts(env, slackemu.IncidentsChannelID, d.ID, "announce"), 1, "one announcement")
	reminders := 0
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryReminder {
			reminders++
		}
	}
	assert.Equal(t, reminders, len(posts(env, inc.ChannelID, d.ID, "reminder-")), "the timeline kept every run's reminders")
	assert.Equal(t, incident.EntryDeclared, inc.Timeline[0].Kind)
	assert.Equal(t, incident.Resolved, inc.Status)
}
