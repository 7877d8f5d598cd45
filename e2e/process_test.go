package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestTheIncidentFollowsTheWorkersProcess declares through a starter that
// has no process at all: the incident follows the worker's (testProcess),
// and a severity the worker doesn't define is refused with its sentence
// before any channel opens. Recorded for the replay tests with
// INCIDENTFLOW_RECORD_HISTORY=1 (incident_history_process_from_worker.json).
func TestTheIncidentFollowsTheWorkersProcess(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	env.NewWorker(t, register(env, testProcess()))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, declaration("e2eproc"), true)
	require.NoError(t, err)
	assertWarRoom(t, env, room)
	ch, _ := env.Slack.Channel(room.ChannelID)
	assert.Contains(t, bookmarkLinks(ch), "http://127.0.0.1:8233/namespaces/"+env.Temporal.Namespace()+"/workflows/"+room.WorkflowID)
	require.NoError(t, incidents.PostStatus(ctx, "e2eproc", wfapi.PostStatusRequest{
		Author: slackemu.UserAlice, Status: incident.Identified, Text: "Bad deploy"}))
	assert.Len(t, posts(env, slackemu.GeneralChannelID, "e2eproc", "update-"), 1, "broadcast where the worker says")
	require.NoError(t, incidents.Resolve(ctx, "e2eproc", wfapi.ResolveRequest{By: slackemu.UserAlice, Summary: "Rolled back"}))
	result(ctx, t, env, room.WorkflowID)
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, room.WorkflowID, "incident_history_process_from_worker.json")
	}

	channels := len(env.Slack.Channels())
	d := declaration("e2eunknown")
	d.Severity = incident.Major // the worker's process has critical and minor
	_, err = incidents.Declare(ctx, d, true)
	require.EqualError(t, err, `incident e2eunknown was not declared: unknown severity "major": use one of critical, minor`)
	assert.Len(t, env.Slack.Channels(), channels, "no war room")
	assert.Empty(t, posts(env, slackemu.IncidentsChannelID, "e2eunknown", ""), "nothing announced")
}

// bookmarkLinks lists the links bookmarked in ch.
func bookmarkLinks(ch slackemu.Channel) []string {
	var out []string
	for _, b := range ch.Bookmarks {
		out = append(out, strings.TrimSpace(b.Link))
	}
	return out
}
