package slackemu_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// mintedID is the shape of the IDs the emulator mints: prefix, "0", the
// workspace's four random characters, a counter.
var mintedID = regexp.MustCompile(`^C0[A-Z2-7]{4}[0-9A-F]{5,}$`)

// TestStateFileRoundTrip: a war room (channel, members, topic, pinned
// kickoff with metadata, thread, bookmark), a modal, a file and a scheduled
// message survive a restart; IDs and ts keep counting from where they were.
func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slack-sandbox.json")
	clock := newClock()
	srv := slackemu.NewTestServer(t, slackemu.Options{StateFile: path, Now: clock.Now})
	api := client(srv)

	ch, err := api.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-checkout"})
	must(t, err)
	if !mintedID.MatchString(ch.ID) {
		t.Errorf("channel ID %q is not shaped like Slack's", ch.ID)
	}
	_, err = api.InviteUsersToConversation(ch.ID, slackemu.UserBob, slackemu.UserCarol)
	must(t, err)
	_, err = api.SetTopicOfConversation(ch.ID, "SEV1 · Checkout is down")
	must(t, err)
	_, kickoff, err := api.PostMessage(ch.ID, slack.MsgOptionText("Kickoff", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "incident_kickoff", EventPayload: map[string]any{"id": "abc"}}))
	must(t, err)
	must(t, api.AddPin(ch.ID, slack.ItemRef{Channel: ch.ID, Timestamp: kickoff}))
	_, reply, err := api.PostMessage(ch.ID, slack.MsgOptionText("Rolling back", false), slack.MsgOptionTS(kickoff))
	must(t, err)
	_, err = api.AddBookmark(ch.ID, slack.AddBookmarkParameters{Title: "Runbook", Type: "link", Link: "https://wiki.example.com/checkout"})
	must(t, err)
	view, err := api.OpenView(srv.MintTriggerID(), slack.ModalViewRequest{Type: slack.VTModal, Title: plainText("Declare"),
		CallbackID: "incident_declare", Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}})
	must(t, err)
	content := []byte("timeline\n")
	file, err := api.UploadFile(slack.UploadFileParameters{Channel: ch.ID, Filename: "timeline.txt",
		Content: string(content), FileSize: len(content)})
	must(t, err)
	_, _, err = api.ScheduleMessage(ch.ID, "1700003600", slack.MsgOptionText("Time for an update", false))
	must(t, err)
	srv.AddUser(slackemu.User{ID: "U0HEIDI", Name: "heidi", RealName: "Heidi Hall"})
	srv.Close()

	clock.Advance(time.Minute)
	again := slackemu.NewTestServer(t, slackemu.Options{StateFile: path, Now: clock.Now})
	if err := again.StateFileError(); err != nil {
		t.Fatal(err)
	}
	got, ok := again.Channel(ch.ID)
	if !ok {
		t.Fatalf("channel %s is gone after a restart", ch.ID)
	}
	if got.Name != "inc-checkout" || got.Topic != "SEV1 · Checkout is down" ||
		!slices.Equal(got.Members, []string{slackemu.BotUserID, slackemu.UserBob, slackemu.UserCarol}) ||
		len(got.Bookmarks) != 1 || got.Bookmarks[0].Link != "https://wiki.example.com/checkout" {
		t.Errorf("channel after restart = %+v", got)
	}
	msgs := again.Messages(ch.ID)
	if len(msgs) != 3 { // kickoff, reply, and the file share
		t.Fatalf("messages after restart = %+v", msgs)
	}
	k := msgs[0]
	if k.TS != kickoff || !k.Pinned || k.Metadata == nil || k.Metadata.EventType != "incident_kickoff" || k.ReplyCount != 1 {
		t.Errorf("kickoff after restart = %+v", k)
	}
	if msgs[1].TS != reply || msgs[1].ThreadTS != kickoff {
		t.Errorf("reply after restart = %+v", msgs[1])
	}
	if v, ok := again.View(view.ID); !ok || v.CallbackID != "incident_declare" || !v.Open {
		t.Errorf("view after restart = %+v, %v", v, ok)
	}
	files := again.Files()
	if len(files) != 1 || files[0].ID != file.ID || !bytes.Equal(files[0].Content, content) {
		t.Errorf("files after restart = %+v", files)
	}
	if sm := again.ScheduledMessages(); len(sm) != 1 || sm[0].Text != "Time for an update" {
		t.Errorf("scheduled after restart = %+v", sm)
	}
	if !slices.ContainsFunc(again.Users(), func(u slackemu.User) bool { return u.ID == "U0HEIDI" }) {
		t.Error("added user is gone")
	}

	// The history reads back through the API, and counting goes on.
	api2 := client(again)
	hist, err := api2.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch.ID, IncludeAllMetadata: true})
	must(t, err)
	if len(hist.Messages) != 2 {
		t.Errorf("history = %+v", hist.Messages)
	}
	next, err := api2.CreateConversation(slack.CreateConversationParams{ChannelName: "inc-next"})
	must(t, err)
	if next.ID == ch.ID || next.ID[:6] != ch.ID[:6] || next.ID <= ch.ID {
		t.Errorf("IDs do not continue: %s after %s", next.ID, ch.ID)
	}
	clock.Advance(-time.Hour) // even with the clock behind, ts keep increasing
	_, ts, err := api2.PostMessage(ch.ID, slack.MsgOptionText("later", false))
	must(t, err)
	if ts <= reply {
		t.Errorf("ts %s after %s", ts, reply)
	}
}

// TestStateFileCorrupt: a file the emulator cannot decode is reported and
// replaced by the seeded workspace (how it is moved aside is statefile's).
func TestStateFileCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":    `{"format":"incidentflow-slack-sandbox/1","channels":[{"id":"C0`,
		"other format": `{"format":"something-else/9"}`,
		"repeated IDs": `{"format":"incidentflow-slack-sandbox/1","channels":[{"id":"C1"},{"id":"C1"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "slack-sandbox.json")
			must(t, os.WriteFile(path, []byte(content), 0o600))
			srv := slackemu.NewTestServer(t, slackemu.Options{StateFile: path})
			var serr *slackemu.StateFileError
			if err := srv.StateFileError(); !errors.As(err, &serr) || serr.Path != path || serr.MovedTo != path+".corrupt" {
				t.Fatalf("StateFileError() = %v", err)
			}
			if !strings.Contains(serr.Error(), path) || !strings.Contains(serr.Error(), "fresh") {
				t.Errorf("message: %s", serr)
			}
			if _, ok := srv.Channel(slackemu.IncidentsChannelID); !ok || len(srv.Channels()) != 2 {
				t.Errorf("not the seeded workspace: %+v", srv.Channels())
			}
			must(t, srv.Save())
			again := slackemu.New(slackemu.Options{StateFile: path})
			defer again.Close()
			if err := again.StateFileError(); err != nil {
				t.Fatalf("the new file does not load: %v", err)
			}
		})
	}
}

// TestIDsDifferAcrossWorkspaces: two fresh sandboxes mint different channel
// IDs, so an incident of one never names a channel of the other.
func TestIDsDifferAcrossWorkspaces(t *testing.T) {
	var ids []string
	for range 2 {
		srv := slackemu.NewTestServer(t, slackemu.Options{})
		ch, err := srv.CreateChannel("inc-x", false, slackemu.UserAlice)
		must(t, err)
		if !mintedID.MatchString(ch.ID) {
			t.Errorf("channel ID %q", ch.ID)
		}
		ids = append(ids, ch.ID)
	}
	if ids[0] == ids[1] {
		t.Errorf("two fresh sandboxes minted %s", ids[0])
	}
}

// plainText is a plain_text text object.
func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}
