package slackemu_test

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestSocketModeEvents: events_api envelopes over Socket Mode, acked by
// envelope_id; an event left unacked comes again with retry_attempt 1.
func TestSocketModeEvents(t *testing.T) {
	srv, _, _ := newEmu(t, slackemu.Options{EventTimeout: 200 * time.Millisecond,
		EventRetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	api := client(srv, slack.OptionAppLevelToken(slackemu.DefaultAppToken))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()
	waitEvent(t, sm, socketmode.EventTypeHello)
	srv.SetTransport(slackemu.Socket)

	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Paging the DBA", "")
	must(t, err)
	first := waitEvent(t, sm, socketmode.EventTypeEventsAPI)
	if first.Request.RetryAttempt != 0 || first.Request.EnvelopeID == "" {
		t.Fatalf("first delivery = %+v", first.Request)
	}
	// Not acked: Slack tries again.
	again := waitEvent(t, sm, socketmode.EventTypeEventsAPI)
	if again.Request.RetryAttempt != 1 || again.Request.RetryReason != "timeout" || again.Request.EnvelopeID == first.Request.EnvelopeID {
		t.Fatalf("retry = %+v", again.Request)
	}
	ev := again.Data.(slackevents.EventsAPIEvent)
	if me, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); !ok || me.TimeStamp != msg.TS || me.Text != "Paging the DBA" {
		t.Fatalf("inner event = %+v", ev.InnerEvent.Data)
	}
	sm.Ack(*again.Request)

	done := make(chan error, 1)
	go func() { done <- srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin") }()
	evt := waitEvent(t, sm, socketmode.EventTypeEventsAPI)
	ra, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.ReactionAddedEvent)
	if !ok || ra.User != slackemu.UserBob || ra.Item.Timestamp != msg.TS || evt.Data.(slackevents.EventsAPIEvent).TeamID != slackemu.TeamID {
		t.Fatalf("reaction event = %+v", evt.Data)
	}
	sm.Ack(*evt.Request)
	must(t, <-done)
	got := srv.DeliveredEvents()
	if len(got) != 2 || got[0].Attempts != 2 || !got[0].Acked || got[1].Attempts != 1 || !got[1].Acked {
		t.Fatalf("delivered = %+v", got)
	}
}
