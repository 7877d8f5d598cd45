package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// signedPost posts body to the front door at base+path signed with the
// e2e secret, as Slack does, and returns the answer's body.
func signedPost(t *testing.T, base, path string, body []byte) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	require.NoError(t, err)
	ts, sig := slackemu.Sign(frontDoorSecret, time.Now(), body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", answer)
	return answer
}

// TestReplayedRequestsAreAppliedOnce: a signed slash command replayed
// within Slack's five minutes, and a status-update submission delivered
// twice, each change the incident once and post once in the war room, and
// the repeat is answered as the first delivery was.
func TestReplayedRequestsAreAppliedOnce(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	env.NewWorker(t, register(env, frontDoorProcess()))
	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: frontDoorProcess()}
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{Incidents: incidents})
	base := serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	room, err := incidents.Declare(ctx, incident.Declaration{ID: "e2eonce", Title: "Checkout is down", Severity: incident.Major,
		Declarer: slackemu.UserAlice, OriginChannel: slackemu.GeneralChannelID}, true)
	require.NoError(t, err)
	harness.Eventually(t, 10*time.Second, "the war room listed", func() bool {
		id, err := incidents.ByChannel(ctx, room.ChannelID)
		return err == nil && id == room.ID
	})

	// One signed /incident action, delivered twice.
	command := []byte(url.Values{"command": {"/incident"}, "text": {"action add an alert on queue depth"},
		"user_id": {slackemu.UserAlice}, "channel_id": {room.ChannelID}, "team_id": {slackemu.TeamID},
		"trigger_id": {env.Slack.MintTriggerID()}}.Encode())
	first := signedPost(t, base, "/slack/commands", command)
	again := signedPost(t, base, "/slack/commands", command)
	for _, answer := range [][]byte{first, again} { // the first may add that it is still being posted
		assert.Contains(t, string(answer), "Recorded the action item", "the replay is answered as the first delivery was")
	}

	// One status-update submission, delivered twice.
	rep, err := env.Slack.SlashCommand(ctx, slackemu.SlashCommand{Text: "update", UserID: slackemu.UserAlice, ChannelID: room.ChannelID})
	require.NoError(t, err)
	require.Empty(t, rep.Body)
	var view slackemu.View
	harness.Eventually(t, 3*time.Second, "the status update form", func() bool {
		for _, v := range env.Slack.Views() {
			if v.CallbackID == slackdoor.CallbackUpdate && v.Open {
				view = v
			}
		}
		return view.ID != ""
	})
	field := func(id string, a slack.BlockAction) map[string]slack.BlockAction {
		a.ActionID, a.BlockID = id, id
		return map[string]slack.BlockAction{id: a}
	}
	values := map[string]map[string]slack.BlockAction{
		slackdoor.FieldStatus: field(slackdoor.FieldStatus, slack.BlockAction{Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: "identified"}}),
		slackdoor.FieldText:   field(slackdoor.FieldText, slack.BlockAction{Type: "plain_text_input", Value: "A bad deploy; rolling back"}),
	}
	rep, err = env.Slack.SubmitView(ctx, view.ID, slackemu.UserAlice, values)
	require.NoError(t, err)
	require.Equal(t, "clear", rep.ResponseAction, "%s", rep.Body)
	payload, err := json.Marshal(slack.InteractionCallback{
		Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: slackemu.TeamID}, User: slack.User{ID: slackemu.UserAlice},
		View: slack.View{ID: view.ID, Hash: view.Hash, Type: slack.VTModal, CallbackID: view.CallbackID,
			PrivateMetadata: view.PrivateMetadata, State: &slack.ViewState{Values: values}},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"response_action":"clear"}`, string(signedPost(t, base, "/slack/interactions", []byte(url.Values{"payload": {string(payload)}}.Encode()))))
	fd.Wait() // the repeat's change, finished in the background

	inc, err := incidents.Get(ctx, room.ID)
	require.NoError(t, err)
	assert.Len(t, inc.ActionItems, 1, "the replayed command recorded one action item")
	assert.Len(t, inc.Updates, 1, "the repeated submission posted one status update")
	harness.Eventually(t, 10*time.Second, "the posts in the war room", func() bool {
		return len(posts(env, room.ChannelID, room.ID, "action-")) == 1 && len(posts(env, room.ChannelID, room.ID, "update-")) == 1
	})
	assert.Empty(t, env.Slack.Ephemerals(room.ChannelID, slackemu.UserAlice), "nobody is told of a failure")
}

// TestRepeatedMaintenanceCompletionJoinsTheFirst: completing a window is
// refused once the window is over, but a repeat of the same request (the
// same update ID: a click delivered twice, a CLI retry with its key) gets
// the first attempt's answer.
func TestRepeatedMaintenanceCompletionJoinsTheFirst(t *testing.T) {
	_, m := newMaintenance(t, incident.MaintenancePolicy{UpdateEvery: time.Hour, Grace: time.Minute, MaxDuration: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now().Add(4 * time.Second).Truncate(time.Second)
	_, err := m.Schedule(ctx, incident.Window{ID: "e2eonce", Title: "Cache flush", Start: start, Duration: time.Hour, ScheduledBy: slackemu.UserAlice})
	require.NoError(t, err)
	activeRun(ctx, t, m, "e2eonce", wfapi.PhaseInProgress, 20*time.Second)

	once := starter.WithUpdateID(ctx, "click-e2e.complete")
	first, err := m.CompleteWith(once, "e2eonce", wfapi.CompleteMaintenanceRequest{By: slackemu.UserBob})
	require.NoError(t, err)
	require.Equal(t, wfapi.PhaseCompleted, first.Phase)
	again, err := m.CompleteWith(once, "e2eonce", wfapi.CompleteMaintenanceRequest{By: slackemu.UserBob})
	require.NoError(t, err, "the repeat joins the first attempt")
	assert.Equal(t, first.Phase, again.Phase)
	assert.Equal(t, first.EndedBy, again.EndedBy)

	_, err = m.CompleteWith(starter.WithUpdateID(ctx, "click-e2e.another"), "e2eonce", wfapi.CompleteMaintenanceRequest{By: slackemu.UserBob})
	assert.ErrorContains(t, err, "no window in progress", "another request is told the window is over")
}
