package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
)

const frontDoorSecret = "e2e-signing-secret"

// frontDoorProcess is the default process with a service and no
// retrospective (it has its own tests).
func frontDoorProcess() incident.Process {
	p := incident.DefaultProcess()
	p.Services = map[string]incident.Service{"checkout": {Leads: []string{slackemu.UserDave}}}
	p.Retrospective.Enabled = false
	return p
}

// TestFrontDoorOverHTTP drives an incident the way a responder does: the
// declare modal, then /incident update and /incident resolve in the war room,
// all through the signed HTTP front door, against a real Temporal server and
// a worker running the incident workflow.
func TestFrontDoorOverHTTP(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	env.NewWorker(t, register(env, frontDoorProcess()))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: frontDoorProcess()}
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents})
	serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	drv := slackDriver{t: t, env: env, ctx: ctx}
	slash, openView, submit, text, selected := drv.slash, drv.openView, drv.submit, textInput, selectedInput

	// Declare from #general through the modal.
	require.Empty(t, slash(slackemu.GeneralChannelID, slackemu.UserAlice, "declare Checkout is down").Body)
	v := openView(slackdoor.CallbackDeclare)
	rep := submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldTitle:    text(slackdoor.FieldTitle, "Checkout is down"),
		slackdoor.FieldSummary:  text(slackdoor.FieldSummary, "Card payments fail with 502"),
		slackdoor.FieldSeverity: selected(slackdoor.FieldSeverity, "major"),
		slackdoor.FieldService:  selected(slackdoor.FieldService, "checkout"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "declare answered %s", rep.Body)

	// The workflow opens the war room; visibility finds it by channel.
	var sum starter.Summary
	harness.Eventually(t, 20*time.Second, "the war room", func() bool {
		list, err := incidents.List(ctx)
		if err != nil || len(list) != 1 || list[0].ChannelID == "" {
			return false
		}
		sum = list[0]
		return true
	})
	room := sum.ChannelID
	ch, ok := env.Slack.Channel(room)
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(ch.Name, "inc-"), ch.Name)
	// The channel is listed once it exists; the invitations follow it.
	harness.Eventually(t, 10*time.Second, "the service lead invited", func() bool {
		ch, _ := env.Slack.Channel(room)
		return slices.Contains(ch.Members, slackemu.UserDave)
	})
	assert.Equal(t, "Checkout is down", sum.Title)
	harness.Eventually(t, 10*time.Second, "the acknowledgement to the declarer", func() bool {
		return len(env.Slack.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice)) > 0
	})
	id, err := incidents.ByChannel(ctx, room)
	require.NoError(t, err)
	require.Equal(t, sum.ID, id)

	inc, err := incidents.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, slackemu.UserAlice, inc.Commander, "the declarer leads by default")

	// Bob joins the war room: only its members may work in it.
	_, err = env.SlackAPI.InviteUsersToConversationContext(ctx, room, slackemu.UserBob)
	require.NoError(t, err)

	// /incident update in the war room.
	require.Empty(t, slash(room, slackemu.UserBob, "update identified").Body)
	v = openView(slackdoor.CallbackUpdate)
	rep = submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldStatus: selected(slackdoor.FieldStatus, "identified"),
		slackdoor.FieldText:   text(slackdoor.FieldText, "A bad deploy of the payment gateway; rolling back"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "update answered %s", rep.Body)
	harness.Eventually(t, 10*time.Second, "the status update in the war room", func() bool {
		for _, m := range env.Slack.Messages(room) {
			if strings.Contains(m.Text, "rolling back") {
				return true
			}
		}
		return false
	})
	status := slash(room, slackemu.UserBob, "status")
	assert.Contains(t, status.JSON["text"], "A bad deploy of the payment gateway")
	assert.Contains(t, status.JSON["text"], "Status: *identified*")

	// /incident severity and lead, answered inline. Only the commander
	// (and the spokesperson, the leads, the admins) may change the
	// severity: the workflow refuses Bob until Alice hands him the lead.
	assert.Equal(t, "Only the commander (<@U0ALICE>), the spokesperson, the major leads or an incident admin can change this incident's severity.",
		slash(room, slackemu.UserBob, "severity critical spreading to EU").JSON["text"])
	assert.Contains(t, slash(room, slackemu.UserAlice, "lead <@U0BOB|bob>").JSON["text"], "<@U0BOB> is now the commander")
	assert.Contains(t, slash(room, slackemu.UserBob, "severity critical spreading to EU").JSON["text"], "now *CRITICAL*")
	// The workflow's validator has the last word, in its own words.
	assert.Equal(t, "The incident refused: incident "+id+" is already critical.",
		slash(room, slackemu.UserBob, "severity critical").JSON["text"])

	// /incident resolve in the war room.
	require.Empty(t, slash(room, slackemu.UserBob, "resolve").Body)
	v = openView(slackdoor.CallbackResolve)
	rep = submit(v.ID, map[string]map[string]slack.BlockAction{slackdoor.FieldResolution: text(slackdoor.FieldResolution, "")})
	require.Equal(t, "errors", rep.ResponseAction)
	rep = submit(v.ID, map[string]map[string]slack.BlockAction{
		slackdoor.FieldResolution: text(slackdoor.FieldResolution, "Rolled back; 3% of payments failed for 25 minutes"),
	})
	require.Equal(t, "clear", rep.ResponseAction, "resolve answered %s", rep.Body)
	inc = result(ctx, t, env, sum.WorkflowID)
	assert.Equal(t, incident.Resolved, inc.Status)
	assert.Equal(t, slackemu.UserBob, inc.ResolvedBy)
	assert.Equal(t, incident.Critical, inc.Severity)
	assert.Equal(t, slackemu.UserBob, inc.Commander)
	assert.Equal(t, 1, inc.EntryCount(incident.EntryRefused), "Bob's first severity change is on the timeline, refused")

	// The war room is no longer an open incident's, once visibility has
	// seen the workflow close.
	harness.Eventually(t, 5*time.Second, "the war room to be closed", func() bool {
		text, _ := slash(room, slackemu.UserBob, "update").JSON["text"].(string)
		return strings.Contains(text, "isn't the war room of an open incident")
	})
}
