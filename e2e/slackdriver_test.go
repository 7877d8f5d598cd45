package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// slackDriver works the front door the way responders do, through the
// Slack emulator: slash commands, the modals they open, submissions.
type slackDriver struct {
	t   *testing.T
	env *harness.Env
	ctx context.Context
}

// slash sends text as user's /incident in channel and requires a timely 200.
func (d slackDriver) slash(channel, user, text string) *slackemu.Reply {
	d.t.Helper()
	rep, err := d.env.Slack.SlashCommand(d.ctx, slackemu.SlashCommand{Text: text, UserID: user, ChannelID: channel})
	require.NoError(d.t, err)
	require.Equal(d.t, http.StatusOK, rep.Status)
	require.False(d.t, rep.Late, "answered after %v", rep.Elapsed)
	return rep
}

// openView waits for the latest open modal with callbackID (views.open runs
// right after the command's answer).
func (d slackDriver) openView(callbackID string) slackemu.View {
	d.t.Helper()
	var open slackemu.View
	harness.Eventually(d.t, 3*time.Second, "an open "+callbackID+" modal", func() bool {
		views := d.env.Slack.Views()
		for i := len(views) - 1; i >= 0; i-- {
			if views[i].CallbackID == callbackID && views[i].Open {
				open = views[i]
				return true
			}
		}
		return false
	})
	return open
}

// submit submits view viewID with values and requires a timely 200.
func (d slackDriver) submit(viewID string, values map[string]map[string]slack.BlockAction) *slackemu.Reply {
	d.t.Helper()
	rep, err := d.env.Slack.SubmitView(d.ctx, viewID, "", values)
	require.NoError(d.t, err)
	require.Equal(d.t, http.StatusOK, rep.Status)
	require.False(d.t, rep.Late, "answered after %v", rep.Elapsed)
	return rep
}

// input is a modal's input block field of type typ, filled by fill.
func input(typ, field string, fill func(*slack.BlockAction)) map[string]slack.BlockAction {
	a := slack.BlockAction{ActionID: field, BlockID: field, Type: slack.ActionType(typ)}
	fill(&a)
	return map[string]slack.BlockAction{field: a}
}

// textInput is a plain-text field holding v.
func textInput(field, v string) map[string]slack.BlockAction {
	return input("plain_text_input", field, func(a *slack.BlockAction) { a.Value = v })
}

// selectedInput is a static select with v chosen.
func selectedInput(field, v string) map[string]slack.BlockAction {
	return input("static_select", field, func(a *slack.BlockAction) { a.SelectedOption = slack.OptionBlockObject{Value: v} })
}
