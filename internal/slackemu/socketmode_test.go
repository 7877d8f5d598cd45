package slackemu_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// waitEvent returns the next Socket Mode event of the given type.
func waitEvent(t *testing.T, sm *socketmode.Client, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case evt := <-sm.Events:
			if evt.Type == typ {
				return evt
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}

func TestSocketModeEndToEnd(t *testing.T) {
	srv, _, _ := newEmu(t, slackemu.Options{})
	api := client(srv, slack.OptionAppLevelToken(slackemu.DefaultAppToken))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()

	waitEvent(t, sm, socketmode.EventTypeConnected)
	hello := waitEvent(t, sm, socketmode.EventTypeHello)
	if hello.Request == nil || hello.Request.ConnectionInfo.AppID != slackemu.AppID || hello.Request.NumConnections != 1 {
		t.Fatalf("hello = %+v", hello.Request)
	}
	if srv.SocketConnections() != 1 {
		t.Fatalf("connections = %d", srv.SocketConnections())
	}
	srv.SetTransport(slackemu.Socket)

	// The app acks slash commands with a payload and interactions without one.
	go func() {
		for evt := range sm.Events {
			switch evt.Type {
			case socketmode.EventTypeSlashCommand:
				cmd := evt.Data.(slack.SlashCommand)
				_ = sm.Ack(*evt.Request, map[string]any{"response_type": "ephemeral", "text": "got " + cmd.Text})
			case socketmode.EventTypeInteractive:
				ic := evt.Data.(slack.InteractionCallback)
				if ic.Type == slack.InteractionTypeViewSubmission {
					_ = sm.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "too short"}))
					continue
				}
				_ = sm.Ack(*evt.Request)
			}
		}
	}()

	rep, err := srv.SlashCommand(ctx, slackemu.SlashCommand{Text: "declare", UserID: slackemu.UserDave})
	must(t, err)
	var body map[string]any
	must(t, json.Unmarshal(rep.Body, &body))
	if rep.EnvelopeID == "" || body["text"] != "got declare" || rep.Status != 200 {
		t.Fatalf("ack reply = %+v body=%s", rep, rep.Body)
	}
	if eph := srv.Ephemerals(slackemu.IncidentsChannelID, slackemu.UserDave); len(eph) != 1 || eph[0].Text != "got declare" {
		t.Fatalf("ephemeral from the ack = %+v", eph)
	}

	res, err := api.OpenView(srv.MintTriggerID(), declareModal())
	must(t, err)
	rep, err = srv.SubmitView(ctx, res.View.ID, slackemu.UserDave, map[string]map[string]slack.BlockAction{
		"title": {"title_input": {Type: "plain_text_input", Value: "x"}}})
	must(t, err)
	if rep.ResponseAction != "errors" || rep.Errors["title"] != "too short" {
		t.Fatalf("view ack = %+v", rep)
	}

	_, err = srv.Shortcut(ctx, "declare_incident", slackemu.UserDave)
	must(t, err)

	// Asked to reconnect, slack-go opens a new connection.
	srv.DisconnectSockets("refresh_requested")
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err = srv.Shortcut(ctx, "after_reconnect", slackemu.UserDave)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery after reconnect: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSocketModeAuth(t *testing.T) {
	srv, _, _ := newEmu(t, slackemu.Options{})
	_, _, err := client(srv, slack.OptionAppLevelToken("xapp-wrong")).StartSocketModeContext(context.Background())
	wantSlackErr(t, err, "invalid_auth")
	_, _, err = client(srv, slack.OptionAppLevelToken(slackemu.DefaultBotToken)).StartSocketModeContext(context.Background())
	wantSlackErr(t, err, "not_allowed_token_type")
	_, url, err := client(srv, slack.OptionAppLevelToken(slackemu.DefaultAppToken)).StartSocketModeContext(context.Background())
	must(t, err)
	if len(url) < 5 || url[:5] != "ws://" {
		t.Fatalf("url = %q", url)
	}
	srv.SetTransport(slackemu.Socket)
	if _, err := srv.Shortcut(context.Background(), "x", slackemu.UserAlice); !errors.Is(err, slackemu.ErrNoSocket) {
		t.Fatalf("without a connection: %v", err)
	}
}
