package slackemu_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestEventsNeedAnApp: without a front door or Socket Mode connection the
// actions still change the state, but no event is queued.
func TestEventsNeedAnApp(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	ctx := context.Background()
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "DB failover started", "")
	must(t, err)
	must(t, srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, ":pushpin:"))
	must(t, api.AddReaction("eyes", slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}))
	must(t, srv.PinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob))
	must(t, srv.EditAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserAlice, "DB failover done"))
	if got := srv.DeliveredEvents(); len(got) != 0 {
		t.Fatalf("events without an app: %+v", got)
	}
	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID})
	must(t, err)
	m := hist.Messages[0]
	if m.Text != "DB failover done" || len(m.Reactions) != 2 || m.Reactions[0].Name != "pushpin" ||
		m.Reactions[0].Count != 1 || m.Reactions[0].Users[0] != slackemu.UserBob || m.Reactions[1].Users[0] != slackemu.BotUserID {
		t.Fatalf("history message = %+v", m)
	}
	item, err := api.GetReactions(slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}, slack.GetReactionsParameters{})
	must(t, err)
	if len(item.Reactions) != 2 || item.Message.Text != "DB failover done" {
		t.Fatalf("reactions.get = %+v", item)
	}
	var snap []slackemu.Reaction
	for _, c := range srv.Snapshot().Channels {
		if c.ID == slackemu.IncidentsChannelID {
			snap = c.Messages[0].Reactions
			if !c.Messages[0].Pinned {
				t.Error("the pin is not in the snapshot")
			}
		}
	}
	if len(snap) != 2 || snap[0].Name != "pushpin" {
		t.Fatalf("snapshot reactions = %+v", snap)
	}
}

// TestReactionEvents: a person's reaction and the bot's, over signed HTTP,
// in Slack's envelope.
func TestReactionEvents(t *testing.T) {
	srv, api, app := newEventEmu(t, nil)
	ctx := context.Background()
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Rolled back", "")
	must(t, err)
	app.wait(1)

	must(t, srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"))
	got := app.deliveries() // React waited for the answer
	if len(got) != 2 {
		t.Fatalf("deliveries = %d, want 2", len(got))
	}
	d := got[1]
	outer, ok := d.event.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || d.event.Type != slackevents.CallbackEvent || outer.TeamID != slackemu.TeamID || outer.APIAppID != slackemu.AppID ||
		len(outer.EventID) < 4 || outer.EventID[:2] != "Ev" || outer.EventTime == 0 || len(outer.Authorizations) != 1 ||
		outer.Authorizations[0].UserID != slackemu.BotUserID || !outer.Authorizations[0].IsBot || outer.EventContext == "" {
		t.Fatalf("outer envelope = %+v\n%s", d.event.Data, d.body)
	}
	ra := inner[*slackevents.ReactionAddedEvent](t, d)
	if ra.Type != "reaction_added" || ra.User != slackemu.UserBob || ra.Reaction != "pushpin" || ra.ItemUser != slackemu.UserAlice ||
		ra.Item.Type != "message" || ra.Item.Channel != slackemu.IncidentsChannelID || ra.Item.Timestamp != msg.TS || ra.EventTimestamp == "" {
		t.Fatalf("reaction_added = %+v", ra)
	}
	wantSlackErr(t, srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, "pushpin"), "already_reacted")
	wantSlackErr(t, srv.React(ctx, "C0NOPE", msg.TS, slackemu.UserBob, "pushpin"), "channel_not_found")
	wantSlackErr(t, srv.React(ctx, slackemu.IncidentsChannelID, "1.000001", slackemu.UserBob, "pushpin"), "message_not_found")
	wantSlackErr(t, srv.React(ctx, slackemu.IncidentsChannelID, msg.TS, "U0NOBODY", "pushpin"), "user_not_found")
	wantSlackErr(t, srv.Unreact(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserCarol, "pushpin"), "no_reaction")

	must(t, srv.Unreact(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob, ":pushpin:"))
	rr := inner[*slackevents.ReactionRemovedEvent](t, app.wait(3)[2])
	if rr.Type != "reaction_removed" || rr.User != slackemu.UserBob || rr.Item.Timestamp != msg.TS {
		t.Fatalf("reaction_removed = %+v", rr)
	}

	// The bot's own reactions.add answers at once; its event follows.
	must(t, api.AddReaction("pushpin", slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}))
	bot := inner[*slackevents.ReactionAddedEvent](t, app.wait(4)[3])
	if bot.User != slackemu.BotUserID || bot.Item.Timestamp != msg.TS {
		t.Fatalf("the bot's reaction_added = %+v", bot)
	}
	must(t, api.RemoveReaction("pushpin", slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}))
	if ev := inner[*slackevents.ReactionRemovedEvent](t, app.wait(5)[4]); ev.User != slackemu.BotUserID {
		t.Fatalf("the bot's reaction_removed = %+v", ev)
	}
	if app.rejected() != 0 {
		t.Fatalf("%d requests were not signed events", app.rejected())
	}
	ids := map[string]bool{}
	for _, e := range waitAcked(t, srv, 5) {
		if ids[e.EventID] || e.Attempts != 1 || e.Status != 200 {
			t.Fatalf("delivered event %+v (repeated ID or not acked once)", e)
		}
		ids[e.EventID] = true
	}
}

// TestPinEvents: pins by people and by the bot, and their errors.
func TestPinEvents(t *testing.T) {
	srv, api, app := newEventEmu(t, nil)
	ctx := context.Background()
	msg, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "Customer impact confirmed", "")
	must(t, err)
	app.wait(1)

	wantSlackErr(t, srv.PinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserErin), "not_in_channel")
	must(t, srv.PinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserCarol))
	pa := inner[*slackevents.PinAddedEvent](t, app.wait(2)[1])
	if pa.Type != "pin_added" || pa.User != slackemu.UserCarol || pa.Channel != slackemu.IncidentsChannelID ||
		pa.Item.Type != "message" || pa.Item.Message == nil || pa.Item.Message.Timestamp != msg.TS ||
		pa.Item.Message.Text != "Customer impact confirmed" || pa.Item.Message.User != slackemu.UserAlice {
		t.Fatalf("pin_added = %+v", pa)
	}
	var raw struct {
		Event struct {
			ItemUser   string `json:"item_user"`
			PinCount   int    `json:"pin_count"`
			PinnedInfo struct {
				Channel  string `json:"channel"`
				PinnedBy string `json:"pinned_by"`
			} `json:"pinned_info"`
			Item struct {
				CreatedBy string `json:"created_by"`
				Created   int64  `json:"created"`
			} `json:"item"`
		} `json:"event"`
	}
	must(t, json.Unmarshal(app.deliveries()[1].body, &raw))
	if raw.Event.ItemUser != slackemu.UserAlice || raw.Event.PinCount != 1 || raw.Event.PinnedInfo.PinnedBy != slackemu.UserCarol ||
		raw.Event.PinnedInfo.Channel != slackemu.IncidentsChannelID ||
		raw.Event.Item.CreatedBy != slackemu.UserCarol || raw.Event.Item.Created == 0 {
		t.Fatalf("pin_added fields = %+v", raw.Event)
	}
	wantSlackErr(t, srv.PinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob), "already_pinned")
	items, _, err := api.ListPins(slackemu.IncidentsChannelID)
	must(t, err)
	if len(items) != 1 || items[0].Message.Timestamp != msg.TS {
		t.Fatalf("pins.list = %+v", items)
	}

	must(t, srv.UnpinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob))
	pr := inner[*slackevents.PinRemovedEvent](t, app.wait(3)[2])
	if pr.Type != "pin_removed" || pr.User != slackemu.UserBob || pr.HasPins {
		t.Fatalf("pin_removed = %+v", pr)
	}
	wantSlackErr(t, srv.UnpinAs(ctx, slackemu.IncidentsChannelID, msg.TS, slackemu.UserBob), "no_pin")

	must(t, api.AddPin(slackemu.IncidentsChannelID, slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}))
	if ev := inner[*slackevents.PinAddedEvent](t, app.wait(4)[3]); ev.User != slackemu.BotUserID {
		t.Fatalf("the bot's pin_added = %+v", ev)
	}
	must(t, api.RemovePin(slackemu.IncidentsChannelID, slack.ItemRef{Channel: slackemu.IncidentsChannelID, Timestamp: msg.TS}))
	if ev := inner[*slackevents.PinRemovedEvent](t, app.wait(5)[4]); ev.User != slackemu.BotUserID {
		t.Fatalf("the bot's pin_removed = %+v", ev)
	}
}
