package e2e_test

import (
	"context"
	"net/http"
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

// TestMaintenanceThroughSlack schedules a window with /incident maintenance
// (a mistake first, shown in the form), lets it open its war room, and
// completes it with the Complete button, through the signed HTTP front door.
func TestMaintenanceThroughSlack(t *testing.T) {
	env, m := newMaintenance(t, incident.MaintenancePolicy{UpdateEvery: time.Hour, Grace: time.Minute, MaxDuration: time.Hour})
	m.Process = frontDoorProcess()
	fd := slackFrontDoor(env, slackdoor.FrontDoorOptions{
		Incidents:   &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: m.Process},
		Maintenance: m,
	})
	serveHTTP(t, env, frontdoor.New(frontdoor.Doors{Slack: fd}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	rep, err := env.Slack.SlashCommand(ctx, slackemu.SlashCommand{Text: "maintenance", UserID: slackemu.UserAlice, ChannelID: slackemu.GeneralChannelID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rep.Status)
	require.Empty(t, rep.Body, "the form opened")
	var view slackemu.View
	// views.open runs right after the command's answer.
	harness.Eventually(t, 3*time.Second, "the maintenance form", func() bool {
		for _, v := range env.Slack.Views() {
			if v.CallbackID == slackdoor.CallbackMaintenanceSchedule && v.Open {
				view = v
			}
		}
		return view.ID != ""
	})

	start := time.Now().Add(7 * time.Second).Truncate(time.Second)
	values := func(start time.Time, duration string) map[string]map[string]slack.BlockAction {
		field := func(id string, a slack.BlockAction) map[string]slack.BlockAction {
			a.ActionID, a.BlockID = id, id
			return map[string]slack.BlockAction{id: a}
		}
		return map[string]map[string]slack.BlockAction{
			slackdoor.FieldTitle:           field(slackdoor.FieldTitle, slack.BlockAction{Type: "plain_text_input", Value: "Checkout DB failover test"}),
			slackdoor.FieldMaintStart:      field(slackdoor.FieldMaintStart, slack.BlockAction{Type: "datetimepicker", SelectedDateTime: start.Unix()}),
			slackdoor.FieldMaintDuration:   field(slackdoor.FieldMaintDuration, slack.BlockAction{Type: "plain_text_input", Value: duration}),
			slackdoor.FieldMaintRecurrence: field(slackdoor.FieldMaintRecurrence, slack.BlockAction{Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: "none"}}),
			slackdoor.FieldMaintServices: field(slackdoor.FieldMaintServices, slack.BlockAction{Type: "multi_static_select",
				SelectedOptions: []slack.OptionBlockObject{{Value: "checkout"}}}),
			slackdoor.FieldMaintLead: field(slackdoor.FieldMaintLead, slack.BlockAction{Type: "users_select", SelectedUser: slackemu.UserBob}),
		}
	}
	rep, err = env.Slack.SubmitView(ctx, view.ID, "", values(time.Now().Add(-time.Hour), "0m"))
	require.NoError(t, err)
	require.Equal(t, "errors", rep.ResponseAction, "%s", rep.Body)
	assert.Contains(t, rep.Errors[slackdoor.FieldMaintStart], "in the past")
	assert.Contains(t, rep.Errors[slackdoor.FieldMaintDuration], "end must come after the start")

	rep, err = env.Slack.SubmitView(ctx, view.ID, "", values(start, "3s"))
	require.NoError(t, err)
	require.Equal(t, "clear", rep.ResponseAction, "%s", rep.Body)
	var list []starter.WindowSummary
	harness.Eventually(t, 5*time.Second, "the window in the list", func() bool {
		list, err = m.List(ctx)
		return err == nil && len(list) == 1
	})
	id := list[0].ID
	assert.Equal(t, "Checkout DB failover test", list[0].Window.Title)
	assert.Equal(t, slackemu.UserAlice, list[0].Window.ScheduledBy)

	var run starter.RunState
	harness.Eventually(t, 30*time.Second, "the question at the planned end", func() bool {
		var ok bool
		run, ok = runIn(ctx, m, id, wfapi.PhaseInProgress)
		return ok && run.State.ChannelID != "" && len(posts(env, run.State.ChannelID, list[0].Window.RunKey(start), "maint-confirm")) == 1
	})
	ch, _ := env.Slack.Channel(run.State.ChannelID)
	assert.Contains(t, ch.Members, slackemu.UserBob, "the lead from the form")
	assert.Contains(t, ch.Members, slackemu.UserDave, "the checkout lead")
	confirm := posts(env, run.State.ChannelID, list[0].Window.RunKey(start), "maint-confirm")[0]
	rep, err = env.Slack.ClickButton(ctx, run.State.ChannelID, confirm.TS, wfapi.ActionMaintenanceComplete, id, slackemu.UserBob)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rep.Status)
	var st wfapi.MaintenanceState
	require.NoError(t, env.Client.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &st))
	assert.Equal(t, wfapi.PhaseCompleted, st.Phase)
	assert.Equal(t, slackemu.UserBob, st.EndedBy)
}
