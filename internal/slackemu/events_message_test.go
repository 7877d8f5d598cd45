package slackemu_test

import (
	"context"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestMessageEvents: new messages (a person's, a reply, the bot's), edits
// and deletions, by people (author only) and by the bot.
func TestMessageEvents(t *testing.T) {
	srv, api, app := newEventEmu(t, nil)
	ctx := context.Background()
	ch := slackemu.IncidentsChannelID
	msg, err := srv.PostAs(ch, slackemu.UserAlice, "Checkout errors at 40%", "")
	must(t, err)
	me := inner[*slackevents.MessageEvent](t, app.wait(1)[0])
	if me.Type != "message" || me.SubType != "" || me.User != slackemu.UserAlice || me.Text != "Checkout errors at 40%" ||
		me.TimeStamp != msg.TS || me.Channel != ch || me.ChannelType != "channel" || me.EventTimeStamp != msg.TS {
		t.Fatalf("message = %+v", me)
	}
	reply, err := srv.PostAs(ch, slackemu.UserBob, "Looking", msg.TS)
	must(t, err)
	if ev := inner[*slackevents.MessageEvent](t, app.wait(2)[1]); ev.ThreadTimeStamp != msg.TS || ev.TimeStamp != reply.TS {
		t.Fatalf("reply = %+v", ev)
	}
	_, botTS, err := api.PostMessage(ch, slack.MsgOptionText("Status: investigating", false))
	must(t, err)
	bot := inner[*slackevents.MessageEvent](t, app.wait(3)[2])
	if bot.Message == nil || bot.Message.BotID != slackemu.BotID || bot.TimeStamp != botTS {
		t.Fatalf("the bot's message = %+v", bot)
	}

	wantSlackErr(t, srv.EditAs(ctx, ch, msg.TS, slackemu.UserBob, "hijacked"), "cant_update_message")
	wantSlackErr(t, srv.EditAs(ctx, ch, botTS, slackemu.UserAlice, "hijacked"), "cant_update_message")
	wantSlackErr(t, srv.DeleteAs(ctx, ch, msg.TS, slackemu.UserBob), "cant_delete_message")
	wantSlackErr(t, srv.EditAs(ctx, ch, msg.TS, slackemu.UserAlice, " "), "no_text")
	must(t, srv.EditAs(ctx, ch, msg.TS, slackemu.UserAlice, "Checkout errors at 60%"))
	mc := inner[*slackevents.MessageEvent](t, app.wait(4)[3])
	if mc.SubType != "message_changed" || mc.Channel != ch || mc.Message == nil || mc.Message.Text != "Checkout errors at 60%" ||
		mc.Message.Timestamp != msg.TS || mc.Message.Edited == nil || mc.Message.Edited.User != slackemu.UserAlice ||
		mc.TimeStamp == msg.TS || mc.PreviousMessage == nil || mc.PreviousMessage.Text != "Checkout errors at 40%" || !mc.IsEdited() {
		t.Fatalf("message_changed = %+v (message %+v, previous %+v)", mc, mc.Message, mc.PreviousMessage)
	}

	must(t, srv.DeleteAs(ctx, ch, reply.TS, slackemu.UserBob))
	md := inner[*slackevents.MessageEvent](t, app.wait(5)[4])
	if md.SubType != "message_deleted" || md.DeletedTimeStamp != reply.TS || md.PreviousMessage == nil ||
		md.PreviousMessage.Text != "Looking" || md.PreviousMessage.ThreadTimestamp != msg.TS {
		t.Fatalf("message_deleted = %+v", md)
	}
	wantSlackErr(t, srv.DeleteAs(ctx, ch, reply.TS, slackemu.UserBob), "message_not_found")

	_, _, _, err = api.UpdateMessage(ch, botTS, slack.MsgOptionText("Status: identified", false))
	must(t, err)
	if ev := inner[*slackevents.MessageEvent](t, app.wait(6)[5]); ev.SubType != "message_changed" ||
		ev.Message.Text != "Status: identified" || ev.PreviousMessage.Text != "Status: investigating" {
		t.Fatalf("chat.update's message_changed = %+v", ev)
	}
	_, _, err = api.DeleteMessage(ch, botTS)
	must(t, err)
	if ev := inner[*slackevents.MessageEvent](t, app.wait(7)[6]); ev.SubType != "message_deleted" || ev.DeletedTimeStamp != botTS {
		t.Fatalf("chat.delete's message_deleted = %+v", ev)
	}
	var types []string
	for _, e := range srv.DeliveredEvents() {
		types = append(types, e.Type+"/"+e.Subtype)
	}
	want := []string{"message/", "message/", "message/", "message/message_changed", "message/message_deleted",
		"message/message_changed", "message/message_deleted"}
	if len(types) != len(want) {
		t.Fatalf("delivered %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("delivered %v, want %v", types, want)
		}
	}
}

// TestMessageEventsInPrivateChannels: channel_type "group"; people outside
// a private channel cannot see its messages.
func TestMessageEventsInPrivateChannels(t *testing.T) {
	srv, _, app := newEventEmu(t, nil)
	c, err := srv.CreateChannel("inc-secret", true, slackemu.UserAlice, slackemu.BotUserID)
	must(t, err)
	msg, err := srv.PostAs(c.ID, slackemu.UserAlice, "Token leaked", "")
	must(t, err)
	if ev := inner[*slackevents.MessageEvent](t, app.wait(1)[0]); ev.ChannelType != "group" {
		t.Fatalf("channel_type = %q", ev.ChannelType)
	}
	wantSlackErr(t, srv.React(context.Background(), c.ID, msg.TS, slackemu.UserBob, "pushpin"), "channel_not_found")
}
