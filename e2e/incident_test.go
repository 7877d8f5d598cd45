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

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func TestIncidentLifecycle(t *testing.T) {
	env, incidents := newEnv(t)
	env.NewWorker(t, register(env, testProcess()))
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, declaration("e2eone"), true)
	require.NoError(t, err)
	require.NotEmpty(t, room.ChannelID)
	assertWarRoom(t, env, room)

	harness.Eventually(t, 4*cadence, "two reminders", func() bool {
		return len(posts(env, room.ChannelID, "e2eone", "reminder-")) >= 2
	})
	require.Len(t, posts(env, room.ChannelID, "e2eone", "escalation-"), 1, "escalated after two reminders")
	assert.Contains(t, posts(env, room.ChannelID, "e2eone", "escalation-")[0].Text, "<!subteam^S0ONCALL>")

	require.NoError(t, incidents.PostStatus(ctx, "e2eone", wfapi.PostStatusRequest{
		Author: slackemu.UserBob, Status: incident.Mitigated, Text: "Rolled back *v42*"}))
	require.Len(t, posts(env, room.ChannelID, "e2eone", "update-"), 1)
	broadcast := posts(env, slackemu.GeneralChannelID, "e2eone", "update-")
	require.Len(t, broadcast, 1, "the update is broadcast")
	assert.Contains(t, broadcast[0].Text, "Next update by")

	harness.Eventually(t, 5*time.Second, "the search attributes to follow the incident", func() bool {
		id, err := incidents.ByChannel(ctx, room.ChannelID)
		list, lerr := incidents.List(ctx)
		return err == nil && id == "e2eone" && lerr == nil && len(list) == 1 && list[0].Status == string(incident.Mitigated)
	})

	require.NoError(t, incidents.Resolve(ctx, "e2eone", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))
	inc := result(ctx, t, env, room.WorkflowID)
	assertResolved(t, env, room, inc)
	if os.Getenv("INCIDENTFLOW_RECORD_HISTORY") != "" {
		saveHistory(ctx, t, env, room.WorkflowID, "incident_history.json")
	}
}

func TestIncidentSurvivesAWorkerRestart(t *testing.T) {
	env, incidents := newEnv(t)
	first := env.NewWorker(t, register(env, testProcess()))
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, declaration("e2etwo"), true)
	require.NoError(t, err)
	first.Stop()
	worker.PurgeStickyWorkflowCache()
	// With no worker to answer a query, the list's title comes from the memo.
	harness.Eventually(t, 5*time.Second, "the incident listed with its title", func() bool {
		list, err := incidents.List(ctx)
		return err == nil && len(list) == 1 && list[0].Title == "Checkout <!channel> down"
	})
	time.Sleep(cadence + cadence/2) // a reminder falls due with no worker running
	env.NewWorker(t, register(env, testProcess()))

	again, err := incidents.Declare(ctx, declaration("e2etwo"), true)
	require.NoError(t, err)
	assert.Equal(t, room, again, "declaring again joins the incident")
	harness.Eventually(t, 6*cadence, "two reminders", func() bool {
		return len(posts(env, room.ChannelID, "e2etwo", "reminder-")) >= 2
	})
	require.NoError(t, incidents.PostStatus(ctx, "e2etwo", wfapi.PostStatusRequest{
		Author: slackemu.UserBob, Status: incident.Identified, Text: "Bad deploy"}))
	require.NoError(t, incidents.Resolve(ctx, "e2etwo", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))
	inc := result(ctx, t, env, room.WorkflowID)

	assert.Len(t, warRooms(env, "e2etwo"), 1, "one war room")
	assert.Len(t, posts(env, room.ChannelID, "e2etwo", "kickoff"), 1, "one kickoff message")
	assert.Len(t, posts(env, slackemu.IncidentsChannelID, "e2etwo", "announce"), 1, "one announcement")
	assertResolved(t, env, room, inc)
}

// assertWarRoom checks the war room is complete once Declare returns.
func assertWarRoom(t *testing.T, env *harness.Env, room incident.WarRoom) {
	t.Helper()
	ch, ok := env.Slack.Channel(room.ChannelID)
	require.True(t, ok)
	assert.Equal(t, room.ChannelName, ch.Name)
	assert.True(t, strings.HasPrefix(ch.Name, "inc-") && strings.HasSuffix(ch.Name, "-checkout-channel-down"), ch.Name)
	assert.Contains(t, ch.Topic, "CRITICAL · investigating · IC <@U0ALICE> · next update by")
	assert.Equal(t, "Payments fail with 502 · incident "+room.ID, ch.Purpose)
	assert.ElementsMatch(t, []string{slackemu.BotUserID, slackemu.UserAlice, slackemu.UserErin, slackemu.UserDave}, ch.Members)
	assert.Len(t, ch.Bookmarks, 3)
	kickoff := posts(env, room.ChannelID, room.ID, "kickoff")
	require.Len(t, kickoff, 1)
	assert.True(t, kickoff[0].Pinned)
	assert.Contains(t, kickoff[0].Text, "Checkout &lt;!channel&gt; down")
	assert.Contains(t, string(kickoff[0].Blocks), wfapi.ActionResolve)
	announce := posts(env, slackemu.IncidentsChannelID, room.ID, "announce")
	require.Len(t, announce, 1)
	assert.Contains(t, announce[0].Text, "<#"+room.ChannelID+">")
	acks := env.Slack.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice)
	require.Len(t, acks, 1)
	assert.Contains(t, acks[0].Text, "<#"+room.ChannelID+">")
}

// assertResolved checks the resolution was posted, pinned and announced.
func assertResolved(t *testing.T, env *harness.Env, room incident.WarRoom, inc incident.Incident) {
	t.Helper()
	assert.Equal(t, incident.Resolved, inc.Status)
	assert.False(t, inc.AcknowledgedAt.IsZero())
	resolved := posts(env, room.ChannelID, room.ID, "resolved-")
	require.Len(t, resolved, 1)
	assert.True(t, resolved[0].Pinned)
	ch, _ := env.Slack.Channel(room.ChannelID)
	assert.Contains(t, ch.Topic, "resolved")
	reply := posts(env, slackemu.IncidentsChannelID, room.ID, "resolved-")
	require.Len(t, reply, 1)
	assert.Equal(t, inc.Announcements[0].TS, reply[0].ThreadTS, "the resolution answers the announcement")
}
