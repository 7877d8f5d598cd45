package slackdoor

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// replaySlash delivers a slash command as Slack would, signed, with the
// given trigger_id, and returns the text of its answer. Delivering the same
// command twice is a replay: the signature holds for five minutes.
func (d *door) replaySlash(channelID, user, text, triggerID string) string {
	d.t.Helper()
	body := url.Values{"command": {"/incident"}, "text": {text}, "user_id": {user}, "channel_id": {channelID},
		"team_id": {slackemu.TeamID}, "trigger_id": {triggerID}}.Encode()
	resp := d.signedPost("/slack/commands", "application/x-www-form-urlencoded", []byte(body), nil)
	var answer ephemeral
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		d.t.Fatalf("/incident %s: %d, %v", text, resp.StatusCode, err)
	}
	return answer.Text
}

// TestReplayedCommandIsAppliedOnce: a signed slash command delivered again
// (same trigger_id) changes the incident once and is answered as the first
// delivery was; the same words typed again are a new command.
func TestReplayedCommandIsAppliedOnce(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Checkout errors")
	for _, c := range []struct{ text, op, answer string }{
		{"severity critical spreading to EU", "SetSeverity", "now *CRITICAL*"},
		{"action add an alert on queue depth", "AddActionItem", "Recorded the action item"},
		{"lead <@U0CAROL>", "AssignRole", "<@U0CAROL> is now the commander"},
	} {
		trigger := "1111." + c.op + ".a1b2"
		first := d.replaySlash(room, slackemu.UserBob, c.text, trigger)
		again := d.replaySlash(room, slackemu.UserBob, c.text, trigger)
		if !strings.Contains(first, c.answer) || again != first {
			t.Fatalf("/incident %s answered %q, then %q", c.text, first, again)
		}
		if calls := d.ops.callsOf(c.op); len(calls) != 1 || calls[0].ID != decl.ID {
			t.Fatalf("/incident %s delivered twice: %d %s calls applied, want 1", c.text, len(calls), c.op)
		}
	}
	d.replaySlash(room, slackemu.UserBob, "action add an alert on queue depth", "2222.typed-again.c3d4")
	if n := len(d.ops.callsOf("AddActionItem")); n != 2 {
		t.Fatalf("the same command typed again recorded %d action items in all, want 2", n)
	}
	ids := d.ops.updates.ids()
	if len(ids) != 7 || ids[0] != "cmd-1111.SetSeverity.a1b2" || ids[0] != ids[1] {
		t.Fatalf("update IDs %q", ids)
	}
}

// TestRepeatedSubmissionIsAppliedOnce: a status update whose submission
// arrives twice is posted once, and the repeat is answered as the first
// (the modal closes, nobody is told of a failure). The same form sent with
// other values is another request.
func TestRepeatedSubmissionIsAppliedOnce(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Search is slow")
	d.command(room, slackemu.UserBob, "update")
	v := d.openView(CallbackUpdate)
	values := form().sel(FieldStatus, "identified").text(FieldText, "A bad index; rebuilding it")
	if rep := d.submit(v.ID, slackemu.UserBob, values); rep.ResponseAction != "clear" {
		t.Fatalf("the submission answered %s", rep.Body)
	}
	for _, retry := range []string{"", "1"} { // a replay, then Slack's own retry
		h := http.Header{}
		if retry != "" {
			h.Set("X-Slack-Retry-Num", retry)
		}
		resp := d.postInteraction(submission(v, slackemu.UserBob, values), h)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"response_action":"clear"`) {
			t.Fatalf("the repeated submission answered %d %s", resp.StatusCode, body)
		}
	}
	d.fd.Wait()
	if calls := d.ops.callsOf("PostStatus"); len(calls) != 1 {
		t.Fatalf("one submission delivered three times posted %d updates, want 1", len(calls))
	}
	if told := d.ephemeralTexts(room, slackemu.UserBob); len(told) != 0 {
		t.Fatalf("the repeats were answered with %q", told)
	}

	other := form().sel(FieldStatus, "identified").text(FieldText, "A bad index; rebuilt, watching")
	resp := d.postInteraction(submission(v, slackemu.UserBob, other), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the form with other values answered %d", resp.StatusCode)
	}
	d.fd.Wait()
	if calls := d.ops.callsOf("PostStatus"); len(calls) != 2 || calls[1].Arg.(wfapi.PostStatusRequest).Text != "A bad index; rebuilt, watching" {
		t.Fatalf("the form sent with other values: %+v", calls)
	}
}

// TestRepeatedClickIsAppliedOnce: a button's click delivered twice (same
// trigger_id) is carried out once and confirmed both times; another click
// is a request of its own.
func TestRepeatedClickIsAppliedOnce(t *testing.T) {
	m, retro := &fakeMaintenance{}, &fakeRetro{}
	d := newDoor(t, withMaintenance(m), withRetro(retro))
	_, room := d.maintenanceRoom("db-upgrade")
	click := func(actionID, value, trigger string) {
		t.Helper()
		cb := &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, TriggerID: trigger,
			Team: slack.Team{ID: slackemu.TeamID}, User: slack.User{ID: slackemu.UserBob},
			Channel:        slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: room}}},
			ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: actionID, Value: value}}}}
		if resp := d.postInteraction(cb, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("click %s: %d", actionID, resp.StatusCode)
		}
	}
	click(wfapi.ActionMaintenanceComplete, "db-upgrade", "3333.complete.e5f6")
	click(wfapi.ActionMaintenanceComplete, "db-upgrade", "3333.complete.e5f6")
	click(wfapi.ActionRetroDone, "inc1", "4444.retro.g7h8")
	click(wfapi.ActionRetroDone, "inc1", "4444.retro.g7h8")
	click(wfapi.ActionRetroDone, "inc1", "5555.retro-again.i9j0")
	eventually(t, "five confirmations", func() bool { return len(d.ephemeralTexts(room, slackemu.UserBob)) == 5 })
	told := strings.Join(d.ephemeralTexts(room, slackemu.UserBob), "\n")
	if strings.Count(told, "Marked maintenance `db-upgrade` complete.") != 2 || strings.Count(told, "Marked the retrospective of `inc1` done") != 3 {
		t.Fatalf("told %q", told)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	retro.mu.Lock()
	defer retro.mu.Unlock()
	if len(m.done) != 1 || len(retro.done) != 2 {
		t.Fatalf("maintenance %q, retrospective %q: want one completion and two marks", m.done, retro.done)
	}
	if ids := m.updates.ids(); len(ids) != 2 || ids[0] != "click-3333.complete.e5f6" {
		t.Fatalf("update IDs %q", ids)
	}
}

func TestViewKey(t *testing.T) {
	values := &slack.ViewState{Values: form().sel(FieldStatus, "identified").text(FieldText, "rebuilding")}
	v := slack.View{ID: "V1", Hash: "1712.abc", State: values}
	same := slack.View{ID: "V1", Hash: "1712.abc", State: &slack.ViewState{Values: form().text(FieldText, "rebuilding").sel(FieldStatus, "identified")}}
	if viewKey(v) != viewKey(same) || !strings.HasPrefix(viewKey(v), "V1-1712.abc-") {
		t.Fatalf("one submission, two keys: %q %q", viewKey(v), viewKey(same))
	}
	for _, other := range []slack.View{
		{ID: "V2", Hash: "1712.abc", State: values},
		{ID: "V1", Hash: "1713.def", State: values},
		{ID: "V1", Hash: "1712.abc", State: &slack.ViewState{Values: form().sel(FieldStatus, "identified").text(FieldText, "rebuilt")}},
	} {
		if viewKey(other) == viewKey(v) {
			t.Errorf("%+v has the key of %+v", other, v)
		}
	}
}
