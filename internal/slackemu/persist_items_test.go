package slackemu_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestReactionsAndPinsSurviveRestart: people's reactions and pins are in the state file.
func TestReactionsAndPinsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slack-sandbox.json")
	clock := newClock()
	srv := slackemu.NewTestServer(t, slackemu.Options{StateFile: path, Now: clock.Now})
	ctx := context.Background()
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Failover done", "")
	must(t, err)
	must(t, srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"))
	must(t, srv.PinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserCarol))
	srv.Close()

	again := slackemu.NewTestServer(t, slackemu.Options{StateFile: path, Now: clock.Now})
	items, _, err := client(again).ListPins(slackemu.IncidentsChannelID)
	must(t, err)
	if len(items) != 1 || items[0].Message.Timestamp != msg.TS {
		t.Fatalf("pins after a restart = %+v", items)
	}
	m := again.Messages(slackemu.IncidentsChannelID)[0]
	if len(m.Reactions) != 1 || m.Reactions[0].Name != "pushpin" || m.Reactions[0].Users[0] != slackemu.UserBob {
		t.Fatalf("reactions after a restart = %+v", m.Reactions)
	}
	wantSlackErr(t, again.Unreact(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserCarol, "pushpin"), "no_reaction")
	must(t, again.Unreact(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"))
}
