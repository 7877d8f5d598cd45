package slackemu_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestPostMessage(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "Incident declared", false, false)),
		slack.NewActionBlock("actions", slack.NewButtonBlockElement("ack", "inc-1", slack.NewTextBlockObject("plain_text", "Acknowledge", false, false))),
	}
	ch, ts, msg, err := api.PostMessageWithResponse(slackemu.IncidentsChannelID,
		slack.MsgOptionText("Incident declared", false), slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl(),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "incident_declared", EventPayload: map[string]any{"id": "inc-1"}}))
	must(t, err)
	if ch != slackemu.IncidentsChannelID || msg.BotID != slackemu.BotID || len(msg.Blocks.BlockSet) != 2 {
		t.Fatalf("post = %s %s %+v", ch, ts, msg)
	}
	stored := srv.Messages(slackemu.IncidentsChannelID)[0]
	if stored.TS != ts || stored.User != slackemu.BotUserID || stored.UnfurlLinks == nil || *stored.UnfurlLinks ||
		stored.UnfurlMedia == nil || *stored.UnfurlMedia || stored.Metadata.EventType != "incident_declared" {
		t.Fatalf("stored = %+v", stored)
	}

	// Thread reply by the reply's own ts lands under the parent.
	_, r1, err := api.PostMessage(ch, slack.MsgOptionText("first reply", false), slack.MsgOptionTS(ts))
	must(t, err)
	_, r2, err := api.PostMessage(ch, slack.MsgOptionText("second reply", false), slack.MsgOptionTS(r1), slack.MsgOptionBroadcast())
	must(t, err)
	for _, m := range srv.Messages(ch) {
		if (m.TS == r1 || m.TS == r2) && m.ThreadTS != ts {
			t.Fatalf("reply %s thread_ts %s, want %s", m.TS, m.ThreadTS, ts)
		}
	}

	// Public channel the bot is not in: allowed. Private: not_in_channel.
	pub, _ := srv.CreateChannel("public-elsewhere", false, slackemu.UserBob)
	_, _, err = api.PostMessage(pub.ID, slack.MsgOptionText("hello", false))
	must(t, err)
	priv, _ := srv.CreateChannel("private-elsewhere", true, slackemu.UserBob)
	_, _, err = api.PostMessage(priv.ID, slack.MsgOptionText("hello", false))
	wantSlackErr(t, err, "not_in_channel")
	_, _, err = api.PostMessage("C0MISSING", slack.MsgOptionText("hello", false))
	wantSlackErr(t, err, "channel_not_found")
	_, _, err = api.PostMessage(ch)
	wantSlackErr(t, err, "no_text")
	_, _, err = api.PostMessage("#incidents", slack.MsgOptionText("by name", false))
	must(t, err)

	// Obviously malformed blocks.
	bad := []slack.Block{slack.NewSectionBlock(nil, nil, nil)}
	_, _, err = api.PostMessage(ch, slack.MsgOptionBlocks(bad...))
	wantSlackErr(t, err, "invalid_blocks")
	var many []slack.Block
	for range 51 {
		many = append(many, slack.NewDividerBlock())
	}
	_, _, err = api.PostMessage(ch, slack.MsgOptionBlocks(many...))
	wantSlackErr(t, err, "invalid_blocks")
	_, _, err = api.PostMessage(ch, slack.MsgOptionText(strings.Repeat("x", 40001), false))
	wantSlackErr(t, err, "msg_too_long")

	archived, _ := srv.CreateChannel("old", false, slackemu.BotUserID)
	must(t, api.ArchiveConversation(archived.ID))
	_, _, err = api.PostMessage(archived.ID, slack.MsgOptionText("late", false))
	wantSlackErr(t, err, "is_archived")
}

func TestEphemeralUpdateDeletePermalink(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{DisableRateLimits: true})
	ts, err := api.PostEphemeral(slackemu.IncidentsChannelID, slackemu.UserBob, slack.MsgOptionText("only for bob", false))
	must(t, err)
	eph := srv.Ephemerals(slackemu.IncidentsChannelID, slackemu.UserBob)
	if len(eph) != 1 || eph[0].TS != ts || eph[0].Text != "only for bob" {
		t.Fatalf("ephemerals = %+v", eph)
	}
	if len(srv.Ephemerals(slackemu.IncidentsChannelID, slackemu.UserAlice)) != 0 || len(srv.Messages(slackemu.IncidentsChannelID)) != 0 {
		t.Fatal("ephemeral leaked")
	}
	_, err = api.PostEphemeral(slackemu.IncidentsChannelID, slackemu.UserFrank, slack.MsgOptionText("x", false))
	wantSlackErr(t, err, "user_not_in_channel")

	_, ts, err = api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("status: investigating", false))
	must(t, err)
	_, _, text, err := api.UpdateMessage(slackemu.IncidentsChannelID, ts, slack.MsgOptionText("status: identified", false))
	must(t, err)
	if text != "status: identified" || srv.Messages(slackemu.IncidentsChannelID)[0].Text != text {
		t.Fatalf("update text %q", text)
	}
	_, _, _, err = api.UpdateMessage(slackemu.IncidentsChannelID, "1600000000.000001", slack.MsgOptionText("x", false))
	wantSlackErr(t, err, "message_not_found")
	human, err := srv.PostAs(slackemu.IncidentsChannelID, slackemu.UserAlice, "I'm on it", "")
	must(t, err)
	_, _, _, err = api.UpdateMessage(slackemu.IncidentsChannelID, human.TS, slack.MsgOptionText("x", false))
	wantSlackErr(t, err, "cant_update_message")
	_, _, err = api.DeleteMessage(slackemu.IncidentsChannelID, human.TS)
	wantSlackErr(t, err, "cant_delete_message")

	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: slackemu.IncidentsChannelID, Ts: ts})
	must(t, err)
	if !strings.HasPrefix(link, srv.URL()+"/archives/C0INCIDENTS/p") {
		t.Fatalf("permalink %q", link)
	}
	_, _, err = api.DeleteMessage(slackemu.IncidentsChannelID, ts)
	must(t, err)
	_, _, err = api.DeleteMessage(slackemu.IncidentsChannelID, ts)
	wantSlackErr(t, err, "message_not_found")
}

func TestScheduleMessage(t *testing.T) {
	srv, api, clock := newEmu(t, slackemu.Options{})
	now := clock.Now()
	_, _, err := api.ScheduleMessage(slackemu.IncidentsChannelID, strconv.FormatInt(now.Add(-time.Minute).Unix(), 10), slack.MsgOptionText("x", false))
	wantSlackErr(t, err, "time_in_past")
	_, _, err = api.ScheduleMessage(slackemu.IncidentsChannelID, strconv.FormatInt(now.Add(200*24*time.Hour).Unix(), 10), slack.MsgOptionText("x", false))
	wantSlackErr(t, err, "time_too_far")
	_, id, err := api.ScheduleMessage(slackemu.IncidentsChannelID, strconv.FormatInt(now.Add(15*time.Minute).Unix(), 10), slack.MsgOptionText("Status update due", false))
	must(t, err)
	if sm := srv.ScheduledMessages(); len(sm) != 1 || sm[0].ID != id || sm[0].Posted {
		t.Fatalf("scheduled = %+v", sm)
	}
	clock.Advance(15 * time.Minute)
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	if len(msgs) != 1 || msgs[0].Text != "Status update due" {
		t.Fatalf("after due: %+v", msgs)
	}
	if sm := srv.ScheduledMessages(); !sm[0].Posted || sm[0].MessageTS != msgs[0].TS {
		t.Fatalf("scheduled = %+v", sm)
	}
}

func TestPinsBookmarksReactions(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	_, ts, err := api.PostMessage(slackemu.IncidentsChannelID, slack.MsgOptionText("Summary", false))
	must(t, err)
	ref := slack.NewRefToMessage(slackemu.IncidentsChannelID, ts)

	must(t, api.AddPin(slackemu.IncidentsChannelID, ref))
	wantSlackErr(t, api.AddPin(slackemu.IncidentsChannelID, ref), "already_pinned")
	wantSlackErr(t, api.AddPin(slackemu.IncidentsChannelID, slack.NewRefToMessage(slackemu.IncidentsChannelID, "1600000000.000001")), "message_not_found")
	wantSlackErr(t, api.AddPin(slackemu.IncidentsChannelID, slack.NewRefToFile("F123")), "not_pinnable")
	items, _, err := api.ListPins(slackemu.IncidentsChannelID)
	must(t, err)
	if len(items) != 1 || items[0].Message == nil || items[0].Message.Timestamp != ts {
		t.Fatalf("pins = %+v", items)
	}
	if !srv.Messages(slackemu.IncidentsChannelID)[0].Pinned {
		t.Fatal("pin not recorded")
	}

	bm, err := api.AddBookmark(slackemu.IncidentsChannelID, slack.AddBookmarkParameters{Title: "Runbook", Type: "link", Link: "https://example.com/runbook"})
	must(t, err)
	if bm.ID == "" || bm.Title != "Runbook" {
		t.Fatalf("bookmark = %+v", bm)
	}
	_, err = api.AddBookmark(slackemu.IncidentsChannelID, slack.AddBookmarkParameters{Title: "Bad", Type: "link", Link: "not a url"})
	wantSlackErr(t, err, "invalid_link")
	list, err := api.ListBookmarks(slackemu.IncidentsChannelID)
	must(t, err)
	if len(list) != 1 || list[0].Link != "https://example.com/runbook" {
		t.Fatalf("bookmarks = %+v", list)
	}
	if ch, _ := srv.Channel(slackemu.IncidentsChannelID); len(ch.Bookmarks) != 1 {
		t.Fatalf("bookmarks in state = %+v", ch.Bookmarks)
	}

	must(t, api.AddReaction("eyes", ref))
	wantSlackErr(t, api.AddReaction("eyes", ref), "already_reacted")
	wantSlackErr(t, api.AddReaction("eyes", slack.NewRefToMessage(slackemu.IncidentsChannelID, "1600000000.000001")), "message_not_found")
	must(t, api.AddReaction("white_check_mark", ref))
	if rs := srv.Messages(slackemu.IncidentsChannelID)[0].Reactions; len(rs) != 2 || rs[0].Users[0] != slackemu.BotUserID {
		t.Fatalf("reactions = %+v", rs)
	}
}

func TestUploadFile(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})
	content := "# Postmortem\n\nThe database ran out of disk.\n"
	sum, err := api.UploadFile(slack.UploadFileParameters{Filename: "postmortem.md", Title: "Postmortem", Content: content,
		FileSize: len(content), Channel: slackemu.IncidentsChannelID, InitialComment: "Postmortem draft"})
	must(t, err)
	files := srv.Files()
	if len(files) != 1 || files[0].ID != sum.ID || string(files[0].Content) != content || files[0].Title != "Postmortem" ||
		!contains(files[0].Channels, slackemu.IncidentsChannelID) {
		t.Fatalf("files = %+v", files)
	}
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	if len(msgs) != 1 || msgs[0].Text != "Postmortem draft" || len(msgs[0].Files) != 1 {
		t.Fatalf("share message = %+v", msgs)
	}
	f, _, _, err := api.GetFileInfo(sum.ID, 0, 0)
	must(t, err)
	if f.Name != "postmortem.md" || f.Size != len(content) {
		t.Fatalf("files.info = %+v", f)
	}
	var buf strings.Builder
	must(t, api.GetFile(f.URLPrivate, &buf))
	if buf.String() != content {
		t.Fatalf("download = %q", buf.String())
	}
	_, _, _, err = api.GetFileInfo("F0NOPE", 0, 0)
	wantSlackErr(t, err, "file_not_found")
	_, err = api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: "F0NOPE"}}})
	wantSlackErr(t, err, "file_not_found")
	raw, _ := json.Marshal(srv.Snapshot().Files)
	if !strings.Contains(string(raw), "postmortem.md") {
		t.Fatalf("state files = %s", raw)
	}
}
