package slackemu_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestPageMessageControls: on the page a person reacts with 📌 and takes it
// back, pins and unpins, edits and deletes their own message and uses the
// message shortcut; the app gets each event.
func TestPageMessageControls(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	app := &eventApp{t: t}
	var mu sync.Mutex
	var shortcuts []string
	mux := http.NewServeMux()
	mux.Handle("/slack/events", app)
	mux.HandleFunc("/slack/interactions", func(w http.ResponseWriter, r *http.Request) {
		ic, err := slack.InteractionCallbackParse(r)
		if err != nil || ic.Type != slack.InteractionTypeMessageAction {
			t.Errorf("interaction %+v: %v", ic, err)
		}
		mu.Lock()
		shortcuts = append(shortcuts, ic.CallbackID+" "+ic.MessageTs)
		mu.Unlock()
	})
	door := httptest.NewServer(mux)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Rolled back deploy 42", "")
	must(t, err)
	app.wait(1)

	b := &browser{t: t, base: srv.URL()}
	page := b.get("as=" + slackemu.UserBob)
	for _, want := range []string{`action="/_emu/act/message"`, `React 📌`, `>Pin<`, `⋯ Add to incident timeline`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, `name="op" value="edit"`) {
		t.Error("bob may edit alice's message")
	}
	act := func(as string, form url.Values) string {
		form.Set("as", as)
		form.Set("channel", slackemu.IncidentsChannelID)
		form.Set("ts", msg.TS)
		return b.post("/_emu/act/message", form)
	}

	page = act(slackemu.UserBob, url.Values{"op": {"react"}, "name": {"pushpin"}})
	if ev := inner[*slackevents.ReactionAddedEvent](t, app.wait(2)[1]); ev.User != slackemu.UserBob || ev.Reaction != "pushpin" {
		t.Fatalf("reaction_added = %+v", ev)
	}
	for _, want := range []string{"📌 :pushpin: 1", `title="@bob (click to remove yours)"`, "Remove 📌", "the app acknowledged the event"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the reaction, the page lacks %q", want)
		}
	}
	act(slackemu.UserBob, url.Values{"op": {"unreact"}, "name": {"pushpin"}})
	inner[*slackevents.ReactionRemovedEvent](t, app.wait(3)[2])
	page = act(slackemu.UserBob, url.Values{"op": {"pin"}})
	inner[*slackevents.PinAddedEvent](t, app.wait(4)[3])
	if !strings.Contains(page, "📌 Pinned:") || !strings.Contains(page, ">Unpin<") {
		t.Error("the page does not show the pin")
	}
	act(slackemu.UserBob, url.Values{"op": {"unpin"}})
	inner[*slackevents.PinRemovedEvent](t, app.wait(5)[4])

	page = act(slackemu.UserBob, url.Values{"op": {"edit"}, "text": {"mine now"}})
	if !strings.Contains(page, "Slack refused it: cant_update_message") {
		t.Error("bob's edit of alice's message was not refused")
	}
	b.get("as=" + slackemu.UserAlice)
	act(slackemu.UserAlice, url.Values{"op": {"edit"}, "text": {"Rolled back deploy 43"}})
	if ev := inner[*slackevents.MessageEvent](t, app.wait(6)[5]); ev.SubType != "message_changed" || ev.Message.Text != "Rolled back deploy 43" {
		t.Fatalf("message_changed = %+v", ev)
	}
	act(slackemu.UserAlice, url.Values{"op": {"shortcut"}, "callback": {"add_to_timeline"}, "label": {"Add to incident timeline"}})
	mu.Lock()
	got := strings.Join(shortcuts, ",")
	mu.Unlock()
	if got != "add_to_timeline "+msg.TS {
		t.Fatalf("shortcuts = %q", got)
	}
	page = act(slackemu.UserAlice, url.Values{"op": {"delete"}})
	if ev := inner[*slackevents.MessageEvent](t, app.wait(7)[6]); ev.SubType != "message_deleted" || ev.DeletedTimeStamp != msg.TS {
		t.Fatalf("message_deleted = %+v", ev)
	}
	if strings.Contains(page, "Rolled back deploy") {
		t.Error("the deleted message is still on the page")
	}
}

// TestPageSendsAMessage: the composer's "Send as a message" posts what a
// person typed in the channel, and the app gets the message event.
func TestPageSendsAMessage(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	app := &eventApp{t: t}
	door := httptest.NewServer(app)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)

	b := &browser{t: t, base: srv.URL()}
	if page := b.get("as=" + slackemu.UserBob); !strings.Contains(page, `formaction="/_emu/act/post"`) {
		t.Fatal("the composer has no Send as a message")
	}
	page := b.post("/_emu/act/post", url.Values{"user": {slackemu.UserBob}, "channel": {slackemu.IncidentsChannelID},
		"text": {"Found it: the 14:00 deploy"}})
	if !strings.Contains(page, "Found it: the 14:00 deploy") {
		t.Error("the page does not show the message")
	}
	if ev := inner[*slackevents.MessageEvent](t, app.wait(1)[0]); ev.User != slackemu.UserBob || ev.Text != "Found it: the 14:00 deploy" {
		t.Fatalf("message event = %+v", ev)
	}
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	if len(msgs) != 1 || msgs[0].User != slackemu.UserBob {
		t.Fatalf("messages = %+v", msgs)
	}
	if page := b.post("/_emu/act/post", url.Values{"user": {slackemu.UserBob}, "channel": {"C0NOWHERE"}, "text": {"x"}}); !strings.Contains(page, "Slack refused it") {
		t.Error("a post to no channel is not refused on the page")
	}
}
