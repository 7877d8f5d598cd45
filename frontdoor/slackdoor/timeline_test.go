package slackdoor

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// marks waits until the door has made n MarkMessage calls, and a moment
// more for a call too many, and returns them.
func (d *door) marks(n int) []markCall {
	d.t.Helper()
	eventually(d.t, "the timeline marks", func() bool { return len(d.ops.callsOf("MarkMessage")) >= n })
	time.Sleep(100 * time.Millisecond)
	var out []markCall
	for _, c := range d.ops.callsOf("MarkMessage") {
		out = append(out, c.Arg.(markCall))
	}
	if len(out) != n {
		d.t.Fatalf("%d MarkMessage calls, want %d: %+v", len(out), n, out)
	}
	return out
}

// lastEventID is the ID of the last event of type typ the emulator sent.
func (d *door) lastEventID(typ string) string {
	d.t.Helper()
	evs := d.emu.DeliveredEvents()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i].EventID
		}
	}
	d.t.Fatalf("no %s event delivered", typ)
	return ""
}

// postAs posts text as user in channel and returns its ts.
func (d *door) postAs(channel, user, text string) string {
	d.t.Helper()
	m, err := d.emu.PostAs(channel, user, text, "")
	if err != nil {
		d.t.Fatal(err)
	}
	return m.TS
}

func (d *door) permalinkOf(channel, ts string) string {
	d.t.Helper()
	link, err := d.fd.slack.GetPermalink(&slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		d.t.Fatal(err)
	}
	return link
}

// TestMarkByReaction: a 📌 on a war-room message becomes a mark with the
// message's author, text, time and permalink, keyed by the event's ID; a
// redelivery is applied once.
func TestMarkByReaction(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Checkout down")
	ctx := context.Background()
	ts := d.postAs(room, slackemu.UserBob, "card errors <!channel> spiking since <https://grafana.example.com/d/1|13:55>")
	if err := d.emu.React(ctx, room, ts, slackemu.UserAlice, "pushpin"); err != nil {
		t.Fatal(err)
	}
	got := d.marks(1)[0]
	want := markCall{Key: d.lastEventID("reaction_added"), Mark: incident.MessageMark{
		Action: incident.MarkAdd, Channel: room, TS: ts, By: slackemu.UserAlice, Via: incident.ViaReaction,
		Author: slackemu.UserBob, Text: "card errors @channel spiking since 13:55 (https://grafana.example.com/d/1)",
		PostedAt: tsTime(ts), Permalink: d.permalinkOf(room, ts),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mark\n%+v\nwant\n%+v", got, want)
	}
	if got.Mark.PostedAt.IsZero() || time.Since(got.Mark.PostedAt) > time.Minute {
		t.Fatalf("posted at %v", got.Mark.PostedAt)
	}
	if err := d.emu.Redeliver(ctx, want.Key); err != nil {
		t.Fatal(err)
	}
	d.marks(1)

	// A thread reply isn't in the channel's history: it is read from its thread.
	reply, err := d.emu.PostAs(room, slackemu.UserCarol, "same in EU", ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.emu.React(ctx, room, reply.TS, slackemu.UserAlice, "pushpin"); err != nil {
		t.Fatal(err)
	}
	if got := d.marks(2)[1].Mark; got.TS != reply.TS || got.Author != slackemu.UserCarol || got.Text != "same in EU" {
		t.Fatalf("mark of a reply %+v", got)
	}
}

// TestMarkEvents: each of the six events makes its mark.
func TestMarkEvents(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Search slow")
	ctx := context.Background()
	ts := d.postAs(room, slackemu.UserBob, "index rebuild started")
	alice, bob := slackemu.UserAlice, slackemu.UserBob
	steps := []struct {
		act  func() error
		want incident.MessageMark
	}{
		{func() error { return d.emu.React(ctx, room, ts, alice, ":pushpin:") },
			incident.MessageMark{Action: incident.MarkAdd, By: alice, Via: incident.ViaReaction}},
		{func() error { return d.emu.PinAs(ctx, room, ts, bob) },
			incident.MessageMark{Action: incident.MarkAdd, By: bob, Via: incident.ViaPin}},
		{func() error { return d.emu.EditAs(ctx, room, ts, bob, "index rebuild *done*") },
			incident.MessageMark{Action: incident.MarkEdit, Author: bob, Text: "index rebuild *done*", PostedAt: tsTime(ts)}},
		{func() error { return d.emu.Unreact(ctx, room, ts, alice, "pushpin") },
			incident.MessageMark{Action: incident.MarkRemove, By: alice, Via: incident.ViaReaction}},
		{func() error { return d.emu.UnpinAs(ctx, room, ts, bob) },
			incident.MessageMark{Action: incident.MarkRemove, By: bob, Via: incident.ViaPin}},
		{func() error { return d.emu.DeleteAs(ctx, room, ts, bob) },
			incident.MessageMark{Action: incident.MarkDelete}},
	}
	for i, s := range steps {
		if err := s.act(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got := d.marks(i + 1)[i].Mark
		want := s.want
		want.Channel, want.TS = room, ts
		if want.Action == incident.MarkAdd {
			got.Author, got.Text, got.PostedAt, got.Permalink = "", "", time.Time{}, "" // TestMarkByReaction checks them
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: mark\n%+v\nwant\n%+v", i, got, want)
		}
	}
}

// TestMarksIgnored: another reaction, the bot's own reaction, new messages
// and events outside the war rooms make no mark, and the last cost one
// Temporal lookup per channel.
func TestMarksIgnored(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Login fails")
	ctx := context.Background()
	ts := d.postAs(room, slackemu.UserBob, "IdP cert expired?")
	if err := d.emu.React(ctx, room, ts, slackemu.UserAlice, "eyes"); err != nil {
		t.Fatal(err)
	}
	if err := d.emu.React(ctx, room, ts, slackemu.BotUserID, "pushpin"); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		other := d.postAs(slackemu.GeneralChannelID, slackemu.UserBob, "lunch?")
		if err := d.emu.React(ctx, slackemu.GeneralChannelID, other, slackemu.UserCarol, "pushpin"); err != nil {
			t.Fatal(i, err)
		}
	}
	d.marks(0)
	if n := d.ops.lookups.Load(); n != 1 {
		t.Fatalf("%d war-room lookups, want 1 (the general channel, then cached)", n)
	}
}

// TestBotMessageChanges: the edits of this app's own bot (it rewrites its
// kickoff and prompts) stop at the door without a Temporal call; another
// bot's edits and deletions, an alerting integration's post someone pinned,
// are followed like a person's.
func TestBotMessageChanges(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Checkout down")
	_, ts, err := d.fd.slack.PostMessage(room, slack.MsgOptionText("Status: investigating", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := d.fd.slack.UpdateMessage(room, ts, slack.MsgOptionText("Status: mitigated", false)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the bot's message_changed delivered", func() bool {
		for _, ev := range d.emu.DeliveredEvents() {
			if ev.Subtype == "message_changed" && ev.Acked {
				return true
			}
		}
		return false
	})
	d.marks(0)
	if n := d.ops.lookups.Load(); n != 0 {
		t.Fatalf("%d war-room lookups for the bot's own edit, want none", n)
	}

	alert := "1700000000.000100"
	for i, event := range []string{
		`{"type":"message","subtype":"message_changed","channel":"` + room + `","message":{"type":"message","subtype":"bot_message","bot_id":"B0ALERTS","ts":"` + alert +
			`","text":"RESOLVED: checkout 5xx"},"previous_message":{"type":"message","subtype":"bot_message","bot_id":"B0ALERTS","ts":"` + alert + `","text":"FIRING: checkout 5xx"}}`,
		`{"type":"message","subtype":"message_deleted","channel":"` + room + `","deleted_ts":"` + alert +
			`","previous_message":{"type":"message","subtype":"bot_message","bot_id":"B0ALERTS","ts":"` + alert + `","text":"RESOLVED: checkout 5xx"}}`,
	} {
		body := []byte(`{"type":"event_callback","event_id":"Ev0ALERT` + fmt.Sprint(i) + `","event":` + event + `}`)
		if resp := d.signedPost("/slack/events", "application/json", body, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("event %d: %d", i, resp.StatusCode)
		}
		d.marks(i + 1) // in order
	}
	got := d.marks(2)
	want := []incident.MessageMark{
		{Action: incident.MarkEdit, Channel: room, TS: alert, Text: "RESOLVED: checkout 5xx", PostedAt: tsTime(alert)},
		{Action: incident.MarkDelete, Channel: room, TS: alert},
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Mark, want[i]) {
			t.Errorf("mark %d\n%+v\nwant\n%+v", i, got[i].Mark, want[i])
		}
	}
}

// TestMarkDeliveries: redeliveries (X-Slack-Retry-Num) are answered 200
// and applied once; unsigned, badly signed and oversized events are refused
// before anything runs.
func TestMarkDeliveries(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Queue backlog")
	ts := d.postAs(room, slackemu.UserBob, "consumers stuck")
	body := []byte(`{"type":"event_callback","event_id":"Ev0RETRY","event":{"type":"pin_added","user":"U0CAROL","channel_id":"` +
		room + `","item":{"type":"message","channel":"` + room + `","message":{"ts":"` + ts + `","user":"U0BOB","text":"consumers stuck"}}}}`)
	for i, retry := range []string{"1", "2"} {
		resp := d.signedPost("/slack/events", "application/json", body, http.Header{"X-Slack-Retry-Num": {retry}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, resp.StatusCode)
		}
	}
	if c := d.marks(1)[0]; c.Key != "Ev0RETRY" || c.Mark.By != slackemu.UserCarol || c.Mark.Via != incident.ViaPin {
		t.Fatalf("mark %+v", c)
	}

	post := func(req *http.Request) int {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	unsigned, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/slack/events", bytes.NewReader(body))
	badly, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/slack/events", bytes.NewReader(body))
	stamp, sig := slackemu.Sign("not-the-secret", time.Now(), body)
	badly.Header.Set("X-Slack-Request-Timestamp", stamp)
	badly.Header.Set("X-Slack-Signature", sig)
	for name, req := range map[string]*http.Request{"unsigned": unsigned, "badly signed": badly} {
		if code := post(req); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	big := append(bytes.Repeat([]byte(" "), MaxBodyBytes), body...)
	if resp := d.signedPost("/slack/events", "application/json", big, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d, want 413", resp.StatusCode)
	}
	d.marks(1)
}

// TestMarkOverSocketMode: the same events over Socket Mode.
func TestMarkOverSocketMode(t *testing.T) {
	d := newDoor(t)
	d.emu.SetTransport(slackemu.Socket)
	d.runSocketMode()
	_, room := d.warRoom("Checkout down")
	ctx := context.Background()
	ts := d.postAs(room, slackemu.UserBob, "rolled back")
	if err := d.emu.PinAs(ctx, room, ts, slackemu.UserAlice); err != nil {
		t.Fatal(err)
	}
	got := d.marks(1)[0]
	if got.Key != d.lastEventID("pin_added") || got.Mark.Via != incident.ViaPin || got.Mark.Text != "rolled back" || got.Mark.Author != slackemu.UserBob {
		t.Fatalf("mark %+v", got)
	}
	if err := d.emu.Redeliver(ctx, got.Key); err != nil {
		t.Fatal(err)
	}
	d.marks(1)
}

// TestAddToTimelineShortcut: the message shortcut marks the message in a
// war room and says so privately; elsewhere it says where it works.
func TestAddToTimelineShortcut(t *testing.T) {
	d := newDoor(t)
	decl, room := d.warRoom("Checkout down")
	ctx := context.Background()
	ts := d.postAs(room, slackemu.UserBob, "the graph")
	for i := 1; i <= 2; i++ {
		if _, err := d.emu.MessageShortcut(ctx, ShortcutAddToTimeline, room, ts, slackemu.UserCarol); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the answer", func() bool { return len(d.ephemeralTexts(room, slackemu.UserCarol)) == i })
	}
	texts := d.ephemeralTexts(room, slackemu.UserCarol)
	if !strings.HasPrefix(texts[0], "Added to the timeline of incident `"+decl.ID+"`") ||
		texts[1] != "That message is already in the timeline of incident `"+decl.ID+"`." {
		t.Fatalf("answers %q", texts)
	}
	c := d.marks(2)[0]
	if c.Mark.Via != incident.ViaShortcut || c.Mark.By != slackemu.UserCarol || c.Mark.Author != slackemu.UserBob ||
		c.Mark.Text != "the graph" || c.Mark.Permalink != d.permalinkOf(room, ts) || c.Key == "" {
		t.Fatalf("mark %+v", c)
	}

	other := d.postAs(slackemu.GeneralChannelID, slackemu.UserBob, "lunch?")
	if _, err := d.emu.MessageShortcut(ctx, ShortcutAddToTimeline, slackemu.GeneralChannelID, other, slackemu.UserCarol); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refusal", func() bool {
		texts := d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserCarol)
		return len(texts) == 1 && strings.Contains(texts[0], "only works in an incident's war room")
	})
	d.marks(2)
}

// TestAddToTimelineFiles: the shortcut's message files become links.
func TestAddToTimelineFiles(t *testing.T) {
	d := newDoor(t)
	_, room := d.warRoom("Checkout down")
	cb := &slack.InteractionCallback{Type: slack.InteractionTypeMessageAction, CallbackID: ShortcutAddToTimeline,
		TriggerID: "1337.42.abc", Team: slack.Team{ID: slackemu.TeamID, Domain: slackemu.TeamDomain}, User: slack.User{ID: slackemu.UserAlice},
		Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: room}}},
		Message: slack.Message{Msg: slack.Msg{User: slackemu.UserBob, Text: "see graph", Timestamp: "1700000000.000100",
			Files: []slack.File{{Name: "graph.png", Permalink: "https://acme.slack.com/files/U0BOB/F1/graph.png"},
				{Title: "notes", URLPrivate: "https://files.slack.com/files-pri/T1-F2/notes.txt"}, {Name: "no link"}}}}}
	if resp := d.postInteraction(cb, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("shortcut: %d", resp.StatusCode)
	}
	c := d.marks(1)[0]
	want := []incident.FileLink{{Name: "graph.png", URL: "https://acme.slack.com/files/U0BOB/F1/graph.png"},
		{Name: "notes", URL: "https://files.slack.com/files-pri/T1-F2/notes.txt"}}
	if c.Key != "1337.42.abc" || !reflect.DeepEqual(c.Mark.Files, want) || !c.Mark.PostedAt.Equal(time.Unix(1700000000, 100000)) {
		t.Fatalf("mark %+v", c)
	}
}

// TestTimelineCommands: /incident timeline and /incident catchup answer
// privately in a war room, and elsewhere say where they work.
func TestTimelineCommands(t *testing.T) {
	d := newDoor(t, func(o *FrontDoorOptions) { o.Process.WebUIURL = "http://127.0.0.1:8233/" })
	decl, room := d.warRoom("Checkout down")
	d.ops.mu.Lock()
	inc := d.ops.incidents[decl.ID]
	inc.Timeline = append(inc.Timeline, incident.TimelineEntry{At: decl.DeclaredAt, Actor: slackemu.UserBob, Kind: incident.EntryMessage,
		Text: "card errors", Message: &incident.MarkedMessage{Channel: room, TS: "1700000000.000100"}})
	d.ops.mu.Unlock()

	rep := d.command(room, slackemu.UserAlice, "timeline")
	if rep.JSON["response_type"] != "ephemeral" {
		t.Fatalf("timeline answered %s", rep.Body)
	}
	if got, want := replyText(rep), incident.TimelineText(inc, time.UTC, 20,
		"<http://127.0.0.1:8233/namespaces/default/workflows/incident-"+decl.ID+"|The whole history: the incident's page in the Temporal Web UI>"); got != want {
		t.Fatalf("timeline answered\n%s\nwant\n%s", got, want)
	}
	proc := d.fd.process
	if got, want := replyText(d.command(room, slackemu.UserAlice, "catchup")), incident.CatchupText(inc, &proc, time.UTC); got != want ||
		!strings.Contains(got, "“card errors”") {
		t.Fatalf("catchup answered\n%s\nwant\n%s", got, want)
	}
	for _, verb := range []string{"timeline", "catchup"} {
		if got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, verb)); !strings.Contains(got, "`/incident "+verb+"` works in an incident's war room") {
			t.Errorf("%s outside a war room: %q", verb, got)
		}
	}
}
