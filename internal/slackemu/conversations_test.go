package slackemu_test

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestSeededWorkspace(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	for _, name := range []string{"general", "incidents"} {
		ch, ok := srv.ChannelByName(name)
		if !ok || ch.IsPrivate || !contains(ch.Members, slackemu.BotUserID) {
			t.Fatalf("seeded #%s = %+v", name, ch)
		}
	}
	u, err := api.GetUserByEmail("alice@example.com")
	must(t, err)
	if u.ID != slackemu.UserAlice || u.RealName != "Alice Anders" || u.TZ != "America/New_York" {
		t.Fatalf("alice = %+v", u)
	}
	_, err = api.GetUserByEmail("nobody@example.com")
	wantSlackErr(t, err, "users_not_found")
	_, err = api.GetUserInfo("U0NOBODY")
	wantSlackErr(t, err, "user_not_found")
	users, err := api.GetUsers(slack.GetUsersOptionLimit(3))
	must(t, err)
	if len(users) != len(slackemu.DefaultUsers()) {
		t.Fatalf("users.list paginated: %d users", len(users))
	}
	groups, err := api.GetUserGroups(slack.GetUserGroupsOptionIncludeUsers(true))
	must(t, err)
	if len(groups) == 0 || len(groups[0].Users) == 0 {
		t.Fatalf("usergroups = %+v", groups)
	}
}

func TestCreateChannelRules(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-20240101-db-down"})
	must(t, err)
	if ch.ID == "" || ch.Name != "inc-20240101-db-down" || !ch.IsMember || ch.Creator != slackemu.BotUserID {
		t.Fatalf("created = %+v", ch)
	}
	priv, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "sec-incident", IsPrivate: true})
	must(t, err)
	if !priv.IsPrivate {
		t.Fatalf("private = %+v", priv)
	}
	for name, code := range map[string]string{
		"":                      "invalid_name_required",
		strings.Repeat("a", 81): "invalid_name_maxlength",
		"Has Space":             "invalid_name_specials",
		"UPPER":                 "invalid_name_specials",
		"dots.here":             "invalid_name_specials",
		"émoji":                 "invalid_name_specials",
		"---":                   "invalid_name_punctuation",
		"inc-20240101-db-down":  "name_taken",
		"general":               "name_taken",
	} {
		_, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: name})
		wantSlackErr(t, err, code)
	}
	_, err = api.CreateConversation(slack.CreateConversationParams{ChannelName: strings.Repeat("a", 80)})
	must(t, err)

	// Archived channels keep their names.
	must(t, api.ArchiveConversation(ch.ID))
	_, err = api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-20240101-db-down"})
	wantSlackErr(t, err, "name_taken")
	wantSlackErr(t, api.ArchiveConversation(ch.ID), "already_archived")
	wantSlackErr(t, api.ArchiveConversation(slackemu.GeneralChannelID), "cant_archive_general")
	_, err = api.SetTopicOfConversation(ch.ID, "x")
	wantSlackErr(t, err, "is_archived")
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserBob)
	wantSlackErr(t, err, "is_archived")
	if got, _ := srv.Channel(ch.ID); !got.IsArchived {
		t.Fatal("archive not recorded")
	}
}

func TestInviteKickTopicPurpose(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "war-room"})
	must(t, err)

	got, err := api.InviteUsersToConversation(ch.ID, slackemu.UserAlice, slackemu.UserBob)
	must(t, err)
	if got.NumMembers != 3 {
		t.Fatalf("after invite: %+v", got)
	}
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserAlice)
	wantSlackErr(t, err, "already_in_channel")
	// A mix invites the new ones and succeeds.
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserAlice, slackemu.UserCarol)
	must(t, err)
	if c, _ := srv.Channel(ch.ID); !contains(c.Members, slackemu.UserCarol) {
		t.Fatalf("carol not invited: %v", c.Members)
	}
	_, err = api.InviteUsersToConversation(ch.ID, "U0NOBODY")
	wantSlackErr(t, err, "user_not_found")
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.BotUserID)
	wantSlackErr(t, err, "cant_invite_self")
	_, err = api.InviteUsersToConversation("C0MISSING", slackemu.UserBob)
	wantSlackErr(t, err, "channel_not_found")

	// The bot is not in this public fixture channel.
	other, err := srv.CreateChannel("not-mine", false, slackemu.UserAlice)
	must(t, err)
	_, err = api.InviteUsersToConversation(other.ID, slackemu.UserBob)
	wantSlackErr(t, err, "not_in_channel")
	_, err = api.SetTopicOfConversation(other.ID, "hi")
	wantSlackErr(t, err, "not_in_channel")
	// A private channel the bot is not in is invisible.
	hidden, err := srv.CreateChannel("hidden", true, slackemu.UserAlice)
	must(t, err)
	_, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: hidden.ID})
	wantSlackErr(t, err, "channel_not_found")

	must(t, api.KickUserFromConversation(ch.ID, slackemu.UserBob))
	wantSlackErr(t, api.KickUserFromConversation(ch.ID, slackemu.UserBob), "not_in_channel")
	wantSlackErr(t, api.KickUserFromConversation(ch.ID, slackemu.BotUserID), "cant_kick_self")

	_, err = api.SetTopicOfConversation(ch.ID, strings.Repeat("t", 250))
	must(t, err)
	_, err = api.SetTopicOfConversation(ch.ID, strings.Repeat("t", 251))
	wantSlackErr(t, err, "too_long")
	info, err := api.SetPurposeOfConversation(ch.ID, "Fix the database")
	must(t, err)
	if info.Purpose.Value != "Fix the database" {
		t.Fatalf("purpose = %+v", info.Purpose)
	}
	_, err = api.SetPurposeOfConversation(ch.ID, strings.Repeat("p", 251))
	wantSlackErr(t, err, "too_long")

	members, _, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: ch.ID, Limit: 2})
	must(t, err)
	if len(members) != 2 {
		t.Fatalf("members page = %v", members)
	}
}

func TestHistoryMetadataPaginationAndThreads(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{DisableRateLimits: true})
	meta := slack.SlackMetadata{EventType: "incident_update", EventPayload: map[string]any{"incident": "42", "seq": float64(1)}}
	var tss []string
	for i := range 5 {
		_, ts, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("update "+string(rune('a'+i)), false), slack.MsgOptionMetadata(meta))
		must(t, err)
		tss = append(tss, ts)
		clock.Advance(1e9)
	}
	if !strings.HasPrefix(tss[0], "1700000000.") || len(tss[0]) != len("1700000000.000100") {
		t.Fatalf("ts format: %s", tss[0])
	}
	for i := 1; i < len(tss); i++ {
		if tss[i] <= tss[i-1] {
			t.Fatalf("ts not increasing: %v", tss)
		}
	}
	// A reply stays out of history but counts on its parent.
	_, _, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("in thread", false), slack.MsgOptionTS(tss[0]))
	must(t, err)

	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID})
	must(t, err)
	if len(h.Messages) != 5 || h.Messages[0].Timestamp != tss[4] {
		t.Fatalf("history = %d messages, first %s", len(h.Messages), h.Messages[0].Timestamp)
	}
	if h.Messages[0].Metadata.EventType != "" {
		t.Fatal("metadata returned without include_all_metadata")
	}
	if h.Messages[4].ReplyCount != 1 || h.Messages[4].ThreadTimestamp != tss[0] {
		t.Fatalf("parent = %+v", h.Messages[4].Msg)
	}

	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID, IncludeAllMetadata: true, Limit: 2})
	must(t, err)
	if len(h.Messages) != 2 || !h.HasMore || h.ResponseMetaData.NextCursor == "" {
		t.Fatalf("page 1: %+v", h)
	}
	if h.Messages[0].Metadata.EventType != "incident_update" || h.Messages[0].Metadata.EventPayload["incident"] != "42" {
		t.Fatalf("metadata = %+v", h.Messages[0].Metadata)
	}
	var all []string
	cursor := ""
	for {
		h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID, Limit: 2, Cursor: cursor})
		must(t, err)
		for _, m := range h.Messages {
			all = append(all, m.Timestamp)
		}
		if cursor = h.ResponseMetaData.NextCursor; cursor == "" {
			break
		}
	}
	if len(all) != 5 {
		t.Fatalf("paginated = %v", all)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID, Oldest: tss[1], Latest: tss[3]})
	must(t, err)
	if len(h.Messages) != 1 || h.Messages[0].Timestamp != tss[2] {
		t.Fatalf("oldest/latest exclusive: %d", len(h.Messages))
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID, Oldest: tss[1], Latest: tss[3], Inclusive: true})
	must(t, err)
	if len(h.Messages) != 3 {
		t.Fatalf("inclusive: %d", len(h.Messages))
	}
	_, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: slackemu.IncidentsChannelID, Cursor: "!!"})
	wantSlackErr(t, err, "invalid_cursor")

	replies, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: slackemu.IncidentsChannelID, Timestamp: tss[0]})
	must(t, err)
	if len(replies) != 2 || replies[1].Text != "in thread" {
		t.Fatalf("replies = %+v", replies)
	}
	if n := len(srv.Messages(slackemu.IncidentsChannelID)); n != 6 {
		t.Fatalf("Messages() = %d, want 6 with the reply", n)
	}
}

func TestListJoinOpen(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	pub, err := srv.CreateChannel("lobby", false, slackemu.UserBob)
	must(t, err)
	_, err = srv.CreateChannel("secret", true, slackemu.UserBob)
	must(t, err)

	chans, _, err := api.GetConversations(&slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}})
	must(t, err)
	var names []string
	for _, c := range chans {
		names = append(names, c.Name)
	}
	if !contains(names, "lobby") || contains(names, "secret") {
		t.Fatalf("list = %v", names)
	}

	_, warning, _, err := api.JoinConversation(pub.ID)
	must(t, err)
	if warning != "" {
		t.Fatalf("first join warning %q", warning)
	}
	_, warning, _, err = api.JoinConversation(pub.ID)
	must(t, err)
	if warning != "already_in_channel" {
		t.Fatalf("second join warning %q", warning)
	}

	dm, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{slackemu.UserCarol}})
	must(t, err)
	if !strings.HasPrefix(dm.ID, "D") {
		t.Fatalf("DM id %q", dm.ID)
	}
	dm2, _, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{slackemu.UserCarol}, ReturnIM: true})
	must(t, err)
	if dm2.ID != dm.ID || !already || !dm2.IsIM {
		t.Fatalf("reopen = %+v already=%v", dm2, already)
	}
	_, _, err = api.PostMessage(dm.ID, slack.MsgOptionText("psst", false))
	must(t, err)
	if msgs := srv.Messages(dm.ID); len(msgs) != 1 {
		t.Fatalf("dm messages %v", msgs)
	}
	_, _, _, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U0NOBODY"}})
	wantSlackErr(t, err, "user_not_found")
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
