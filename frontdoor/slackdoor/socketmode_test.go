package slackdoor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestSocketModeFlow runs declare → update → resolve over Socket Mode: the
// same handlers as HTTP, answered through the WebSocket acknowledgements.
func TestSocketModeFlow(t *testing.T) {
	d := newDoor(t)
	d.emu.SetTransport(slackemu.Socket)
	d.ops.onDeclare = func(decl incident.Declaration) string {
		ch, err := d.emu.CreateChannel("inc-"+decl.ID, decl.Security, decl.Declarer)
		if err != nil {
			t.Error(err)
			return ""
		}
		return ch.ID
	}
	d.runSocketMode()

	alice := slackemu.UserAlice
	if rep := d.command(slackemu.IncidentsChannelID, alice, "declare Login fails"); rep.EnvelopeID == "" || len(rep.Body) != 0 && string(rep.Body) != "null" {
		t.Fatalf("declare over the socket answered %+v", rep)
	}
	v := d.openView(CallbackDeclare)
	if rep := d.submit(v.ID, "", form().text(FieldTitle, "").sel(FieldSeverity, "major")); rep.ResponseAction != "errors" || rep.Errors[FieldTitle] == "" {
		t.Fatalf("empty title answered %s", rep.Body)
	}
	if rep := d.submit(v.ID, "", form().text(FieldTitle, "Login fails").sel(FieldSeverity, "major")); rep.ResponseAction != "clear" {
		t.Fatalf("declare answered %s", rep.Body)
	}
	id := declarationID(slack.View{ID: v.ID, PrivateMetadata: v.PrivateMetadata})
	d.ops.mu.Lock()
	room := d.ops.incidents[id].ChannelID
	d.ops.mu.Unlock()
	if room == "" {
		t.Fatal("no war room")
	}

	d.command(room, alice, "update")
	v = d.openView(CallbackUpdate)
	if rep := d.submit(v.ID, "", form().sel(FieldStatus, "identified").text(FieldText, "Expired IdP certificate")); rep.ResponseAction != "clear" {
		t.Fatalf("update answered %s", rep.Body)
	}
	if got := replyText(d.command(room, alice, "status")); !strings.Contains(got, "Expired IdP certificate") {
		t.Fatalf("status over the socket: %q", got)
	}
	d.command(room, alice, "resolve")
	v = d.openView(CallbackResolve)
	if rep := d.submit(v.ID, "", form().text(FieldResolution, "Rotated the certificate")); rep.ResponseAction != "clear" {
		t.Fatalf("resolve answered %s", rep.Body)
	}
	if c := d.ops.callsOf("Resolve"); len(c) != 1 || c[0].ID != id || c[0].Arg != (wfapi.ResolveRequest{By: alice, Summary: "Rotated the certificate"}) {
		t.Fatalf("resolve calls %+v", c)
	}
}

// runSocketMode runs the door's Socket Mode until the test ends, connected
// once it returns.
func (d *door) runSocketMode() {
	d.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.fd.RunSocketMode(ctx, slackemu.DefaultAppToken) }()
	d.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				d.t.Errorf("RunSocketMode: %v", err)
			}
		case <-time.After(5 * time.Second):
			d.t.Error("RunSocketMode didn't return after cancel")
		}
	})
	eventually(d.t, "the Socket Mode connection", func() bool { return d.emu.SocketConnections() == 1 })
}

func TestSocketModeBadToken(t *testing.T) {
	d := newDoor(t)
	if err := d.fd.RunSocketMode(context.Background(), "xoxb-not-an-app-token"); err == nil || !strings.Contains(err.Error(), "xapp-") {
		t.Fatalf("RunSocketMode with a bot token: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.fd.RunSocketMode(ctx, "xapp-wrong"); err == nil || !strings.Contains(err.Error(), "slack.app_token") {
		t.Fatalf("RunSocketMode with a wrong app token: %v", err)
	}
}
