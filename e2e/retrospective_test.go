package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

const retroRepo = "acme/incidents"

// retroProcess runs retrospectives with a follow-up fast enough for a test:
// the issues are checked every second.
func retroProcess() incident.Process {
	p := testProcess()
	p.Retrospective.Enabled = true
	p.Retrospective.Labels = []string{"retro"}
	p.Retrospective.Assignees = map[string]string{slackemu.UserBob: "bob"}
	p.Retrospective.CheckEvery = time.Second
	p.Retrospective.ArchiveChannel = true
	return p
}

// registerRetro registers the incident and retrospective workflows and
// every activity they call, against the emulators, on a worker whose
// process is retroProcess.
func registerRetro(t *testing.T, env *harness.Env, gh *githubemu.Server) func(worker.Registry) {
	ghClient, err := activities.NewGitHubClient(githubemu.SandboxToken, gh.URL(), nil)
	require.NoError(t, err)
	return func(r worker.Registry) {
		slackActs := activities.NewSlack(env.SlackAPI, activities.SlackOptions{RateWindow: rateWindow})
		backend, err := activities.NewCalendarBackend(activities.CalendarOptions{Backend: activities.BackendICS, OrganizerEmail: "incidents@example.com"}, slackActs)
		require.NoError(t, err)
		r.RegisterWorkflowWithOptions(workflows.IncidentWorkflow, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
		r.RegisterWorkflowWithOptions(workflows.RetrospectiveWorkflow, workflow.RegisterOptions{Name: wfapi.RetrospectiveWorkflowName})
		r.RegisterActivity(slackActs)
		r.RegisterActivity(activities.NewGitHub(ghClient, retroRepo))
		r.RegisterActivity(activities.NewCalendar(backend))
		r.RegisterActivity(&activities.Process{Current: retroProcess()})
	}
}

func TestRetrospectiveEndToEnd(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	gh := githubemu.NewTestServer(t, githubemu.Options{})
	env.NewWorker(t, registerRetro(t, env, gh))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: retroProcess()}
	retros := &starter.Retrospectives{Client: env.Client}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	d := declaration("e2eretro")
	d.Severity = incident.Minor // no reminders during the test
	room, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)
	require.NoError(t, incidents.AddActionItem(ctx, "e2eretro", wfapi.AddActionItemRequest{
		By: slackemu.UserAlice, Text: "Add a canary stage", Owner: slackemu.UserBob, Due: "2030-01-31"}))
	require.NoError(t, incidents.Resolve(ctx, "e2eretro", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))

	// Resolution → the postmortem and the action item's issue on GitHub,
	// the invite and the announcement in the war room.
	harness.Eventually(t, 30*time.Second, "the retrospective's announcement", func() bool {
		return len(posts(env, room.ChannelID, "e2eretro", "retro-announce")) == 1
	})
	// A worker killed inside a workflow task holds it up for this long
	// only: the incident's and its retrospective's.
	for _, id := range []string{room.WorkflowID, wfapi.RetrospectiveWorkflowID("e2eretro")} {
		desc, err := env.Client.DescribeWorkflowExecution(ctx, id, "")
		require.NoError(t, err)
		assert.Equal(t, wfapi.WorkflowTaskTimeout, desc.GetExecutionConfig().GetDefaultWorkflowTaskTimeout().AsDuration(), id)
	}
	issues := gh.Issues(retroRepo)
	require.Len(t, issues, 2)
	pm, item := issues[0], issues[1]
	assert.Equal(t, "Postmortem: Checkout <!channel> down", pm.Title)
	assert.Contains(t, pm.Labels, incident.PostmortemLabel)
	assert.Contains(t, pm.Body, incident.PostmortemMarker("e2eretro"))
	assert.Contains(t, pm.Body, item.HTMLURL, "the postmortem lists the action item's issue")
	assert.Equal(t, "Add a canary stage", item.Title)
	assert.ElementsMatch(t, []string{"retro", "incident", "minor"}, item.Labels)
	assert.Equal(t, []string{"bob"}, item.Assignees)
	assert.Contains(t, item.Body, pm.HTMLURL)

	var invite *slackemu.File
	for _, f := range env.Slack.Files() {
		if f.Name == activities.InviteFileName("e2eretro") {
			invite = &f
		}
	}
	require.NotNil(t, invite, "the invite is posted in the war room")
	assert.Equal(t, []string{room.ChannelID}, invite.Channels)
	ics := string(invite.Content)
	for _, want := range []string{"METHOD:REQUEST", "UID:retro-e2eretro@incidentflow", "mailto:alice@example.com", "mailto:bob@example.com", pm.HTMLURL} {
		assert.Contains(t, strings.ReplaceAll(ics, "\r\n ", ""), want)
	}
	announce := posts(env, room.ChannelID, "e2eretro", "retro-announce")[0]
	assert.Contains(t, announce.Text, pm.HTMLURL)
	assert.Contains(t, announce.Text, "/_emu/files/")
	assert.Contains(t, string(announce.Blocks), wfapi.ActionAddActionItems)

	err = retros.MarkDone(ctx, "nosuchincident", slackemu.UserAlice)
	assert.ErrorIs(t, err, starter.ErrNoRetrospective)
	assert.Contains(t, err.Error(), "nosuchincident")

	st, err := retros.Get(ctx, "e2eretro")
	require.NoError(t, err)
	assert.Equal(t, incident.RetroScheduled, st.Phase)
	assert.True(t, st.Booked)
	assert.Equal(t, pm.HTMLURL, st.Postmortem.URL)

	// An action item from the modal becomes a third issue, once.
	added := []incident.ActionItem{{Key: "slack-view1", Text: "Alert on the 502 rate", Owner: slackemu.UserDave, Author: slackemu.UserCarol}}
	require.NoError(t, retros.AddActionItems(ctx, "e2eretro", added))
	require.NoError(t, retros.AddActionItems(ctx, "e2eretro", added))
	harness.Eventually(t, 20*time.Second, "the added item's issue", func() bool { return len(gh.Issues(retroRepo)) == 3 })

	// Marked done: the follow-up starts, a digest lists the open issues,
	// and closing them ends the retrospective and archives the war room.
	require.NoError(t, retros.MarkDone(ctx, "e2eretro", slackemu.UserAlice))
	harness.Eventually(t, 20*time.Second, "a digest", func() bool {
		return len(posts(env, room.ChannelID, "e2eretro", "retro-digest")) == 1
	})
	for _, is := range gh.Issues(retroRepo)[1:] {
		require.NoError(t, gh.CloseIssue(retroRepo, is.Number))
	}
	harness.Eventually(t, 20*time.Second, "the all-closed message", func() bool {
		return len(posts(env, room.ChannelID, "e2eretro", "retro-all-closed")) == 1
	})
	harness.Eventually(t, 10*time.Second, "the archived war room", func() bool {
		ch, _ := env.Slack.Channel(room.ChannelID)
		return ch.IsArchived
	})
	assert.Len(t, gh.Issues(retroRepo), 3, "no issue was opened twice")
	_, err = retros.Get(ctx, "e2eretro")
	assert.NoError(t, err, "a closed workflow still answers queries")
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, wfapi.RetrospectiveWorkflowID("e2eretro"), "retrospective_history.json")
	}
}
