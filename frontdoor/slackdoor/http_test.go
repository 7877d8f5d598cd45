package slackdoor

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestContentType: a signed request of another content type than Slack
// sends for its kind is refused with 400 and one line saying which it must
// be, and starts nothing: no modal, no Slack call, no Temporal call. (A
// slash command sent as JSON used to be read as an empty form: a declare.)
func TestContentType(t *testing.T) {
	d := newDoor(t)
	command := func() []byte {
		return []byte(url.Values{"command": {"/incident"}, "text": {"declare Checkout is down"}, "user_id": {slackemu.UserAlice},
			"channel_id": {slackemu.IncidentsChannelID}, "trigger_id": {d.emu.MintTriggerID()}}.Encode())
	}
	click, err := json.Marshal(slack.InteractionCallback{Type: slack.InteractionTypeShortcut, CallbackID: ShortcutDeclare,
		User: slack.User{ID: slackemu.UserAlice}, TriggerID: d.emu.MintTriggerID()})
	if err != nil {
		t.Fatal(err)
	}
	interaction := []byte(url.Values{"payload": {string(click)}}.Encode())
	event := []byte(`{"type":"url_verification","challenge":"abc"}`)
	const (
		commandsMust     = "slash commands must be application/x-www-form-urlencoded\n"
		interactionsMust = "interactions must be application/x-www-form-urlencoded\n"
		eventsMust       = "events must be application/json\n"
	)
	tests := []struct {
		path, contentType string
		body              []byte
		want              string // the refusal; "" for accepted
	}{
		{"/slack/commands", "application/json", command(), commandsMust},
		{"/slack/commands", "", command(), commandsMust},
		{"/slack/commands", "text/plain", command(), commandsMust},
		{"/slack/commands", "multipart/form-data; boundary=x", command(), commandsMust},
		{"/slack/interactions", "application/json", interaction, interactionsMust},
		{"/slack/interactions", "", interaction, interactionsMust},
		{"/slack/events", "application/x-www-form-urlencoded", event, eventsMust},
		{"/slack/events", "text/plain; charset=utf-8", event, eventsMust},
		{"/slack/events", "", event, eventsMust},
		// What Slack sends, parameters and capitals included, is accepted.
		{"/slack/events", "application/json; charset=utf-8", event, ""},
		{"/slack/commands", "Application/X-WWW-Form-Urlencoded; charset=utf-8", []byte("command=/incident&text=help&user_id=" + slackemu.UserAlice), ""},
	}
	for _, tt := range tests {
		before := d.ops.count() + len(d.emu.Calls()) + len(d.emu.Views())
		resp := d.signedPost(tt.path, tt.contentType, tt.body, nil)
		body, _ := io.ReadAll(resp.Body)
		if tt.want == "" {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s as %q: %d %q, want 200", tt.path, tt.contentType, resp.StatusCode, body)
			}
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || string(body) != tt.want {
			t.Errorf("%s as %q: %d %q, want 400 %q", tt.path, tt.contentType, resp.StatusCode, body, tt.want)
		}
		d.fd.Wait() // what the door would have done after answering
		if after := d.ops.count() + len(d.emu.Calls()) + len(d.emu.Views()); after != before {
			t.Errorf("%s as %q: refused, yet it started something (%d calls and views before, %d after)", tt.path, tt.contentType, before, after)
		}
	}
}
