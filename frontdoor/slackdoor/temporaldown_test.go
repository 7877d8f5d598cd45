package slackdoor

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestTemporalHangs: when Temporal doesn't answer, every command and
// submission is still answered within Slack's 3 seconds, saying what
// happened. The requests run at once, as they would during an outage.
func TestTemporalHangs(t *testing.T) {
	d := newDoor(t, func(o *FrontDoorOptions) { o.SubmitTimeout = 2 * time.Second })
	decl, room := d.warRoom("Latency spike")
	ts := d.postButtons(room, decl.ID, wfapi.ActionPostUpdate)
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare")
	declareView := d.openView(CallbackDeclare)
	d.click(room, ts, wfapi.ActionPostUpdate, slackemu.UserAlice)
	updateView := d.openView(CallbackUpdate)
	d.ops.block.Store(true)

	type result struct {
		rep *slackemu.Reply
		err error
	}
	cases := map[string]func() (*slackemu.Reply, error){}
	for _, c := range []struct{ channel, text string }{
		{slackemu.GeneralChannelID, "list"}, {room, "severity critical"}, {room, "update"},
		{room, "status"}, {room, "lead me"}, {room, "action add a timeout"},
	} {
		cases["/incident "+c.text] = func() (*slackemu.Reply, error) {
			return d.emu.SlashCommand(context.Background(), slackemu.SlashCommand{Text: c.text, UserID: slackemu.UserAlice, ChannelID: c.channel})
		}
	}
	cases["declare form"] = func() (*slackemu.Reply, error) {
		return d.emu.SubmitView(context.Background(), declareView.ID, "", form().text(FieldTitle, "Search down").sel(FieldSeverity, "major"))
	}
	cases["update form"] = func() (*slackemu.Reply, error) {
		return d.emu.SubmitView(context.Background(), updateView.ID, "", form().sel(FieldStatus, "identified").text(FieldText, "GC pauses"))
	}
	results := map[string]result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, run := range cases {
		wg.Go(func() {
			rep, err := run()
			mu.Lock()
			results[name] = result{rep, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	for name, r := range results {
		if r.err != nil || r.rep.Status != 200 || r.rep.Late {
			t.Errorf("%s: %v %+v", name, r.err, r.rep)
			continue
		}
		t.Logf("%s answered in %v", name, r.rep.Elapsed.Round(time.Millisecond))
		var got string
		switch name {
		case "declare form", "update form":
			// The modal closes at once; the change goes on in the background.
			if r.rep.ResponseAction != "clear" || r.rep.Elapsed > time.Second {
				t.Errorf("%s: %s after %v", name, r.rep.Body, r.rep.Elapsed)
			}
			continue
		default:
			got = replyText(r.rep)
		}
		if !strings.Contains(got, "Temporal didn't answer within 2 s") {
			t.Errorf("%s: %q", name, got)
		}
	}
	// Once the background calls give up, the user is told where each form
	// came from: the declare form in #general, the update form in the war room.
	hasText := func(channel, want string) func() bool {
		return func() bool {
			for _, text := range d.ephemeralTexts(channel, slackemu.UserAlice) {
				if strings.Contains(text, want) {
					return true
				}
			}
			return false
		}
	}
	eventually(t, "the declare failure", hasText(slackemu.GeneralChannelID,
		"Temporal didn't confirm within 2 s, so your incident may not be declared. Check `/incident list`"))
	eventually(t, "the update failure", hasText(room, "Temporal didn't answer within 2 s"))
	eventually(t, "the update failure", hasText(room, "your update was NOT posted"))

	// Temporal is back: a repeated delivery of the same declare form
	// declares, once.
	d.ops.block.Store(false)
	resp := d.postInteraction(submission(declareView, slackemu.UserAlice,
		form().text(FieldTitle, "Search down").sel(FieldSeverity, "major")), nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"clear"`) {
		t.Fatalf("retry answered %d %s", resp.StatusCode, body)
	}
	eventually(t, "the declaration", func() bool { return d.ops.count() == 1 })
}

// TestTemporalDown: with Temporal's port closed (the real Incidents, dialed
// lazily), the answers say Temporal is unreachable and nothing was done.
func TestTemporalDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := client.NewLazyClient(client.Options{HostPort: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	incidents := &starter.Incidents{Client: c, TaskQueue: wfapi.TaskQueue, Process: incident.DefaultProcess()}
	d := newDoor(t, func(o *FrontDoorOptions) { o.Incidents = incidents; o.Process = nil })

	for _, text := range []string{"list", "status", "update", "severity minor"} {
		got := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, text))
		if !strings.Contains(got, "Temporal is unreachable") {
			t.Errorf("%s: %q", text, got)
		}
	}
	d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "declare")
	v := d.openView(CallbackDeclare)
	rep := d.submit(v.ID, "", form().text(FieldTitle, "Everything is down").sel(FieldSeverity, "critical"))
	want := "Temporal is unreachable; your incident was NOT declared. Press Declare again to retry, or declare by hand in #incidents."
	if rep.ResponseAction != "errors" || rep.Errors[FieldTitle] != want {
		t.Fatalf("declare answered %s", rep.Body)
	}
}
