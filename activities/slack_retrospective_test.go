package activities

import (
	"context"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestRetroPeopleAndArchive(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	ch, err := srv.CreateChannel("inc-people", false, slackemu.BotUserID, slackemu.UserAlice)
	if err != nil {
		t.Fatal(err)
	}
	kickoff, err := srv.PostAs(ch.ID, slackemu.BotUserID, "kickoff", "")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(srv.URL()+"/api/")), SlackOptions{})
	ctx := context.Background()
	got, err := s.RetroPeople(ctx, RetroPeopleRequest{
		Users:   []string{slackemu.UserAlice, "U0NOBODY", slackemu.BotUserID, slackemu.UserBob},
		Channel: ch.ID, KickoffTS: kickoff.TS,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.People) != 3 {
		t.Fatalf("people = %+v, want Alice, the bot and Bob", got.People)
	}
	alice, bot, bob := got.People[0], got.People[1], got.People[2]
	if alice.ID != slackemu.UserAlice || alice.Name != "Alice Anders" || alice.Email != "alice@example.com" || alice.Bot {
		t.Errorf("alice = %+v", alice)
	}
	if !bot.Bot || bob.Email != "bob@example.com" {
		t.Errorf("bot = %+v, bob = %+v", bot, bob)
	}
	if got.WarRoomURL == "" {
		t.Error("no war-room link")
	}
	for i := 0; i < 2; i++ { // archiving again is fine
		if err := s.ArchiveChannel(ctx, ArchiveRequest{Channel: ch.ID}); err != nil {
			t.Fatalf("archive #%d: %v", i+1, err)
		}
	}
	if c, _ := srv.Channel(ch.ID); !c.IsArchived {
		t.Error("the channel is not archived")
	}
}
