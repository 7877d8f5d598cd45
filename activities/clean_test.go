package activities

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"
	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// hostile is text a user could type: a NUL, a right-to-left override, a
// terminal colour code, an isolate and a second line. clean is what must
// arrive of it.
const (
	hostile = "Checkout \x00down\u202e\n\x1b[31mred\x1b[0m\u2066 now"
	clean   = "Checkout down\n[31mred[0m now"
)

// assertClean fails when got (what arrived of a text holding hostile, what)
// still holds a character Clean removes, or lost what Clean keeps.
func assertClean(t *testing.T, what, got string) {
	t.Helper()
	if strings.ContainsAny(got, "\x00\x1b\u202e\u2066") {
		t.Errorf("%s arrived with control or bidi characters: %q", what, got)
	}
	if !strings.Contains(got, clean) {
		t.Errorf("%s = %q, want it to hold %q", what, got, clean)
	}
}

// blockTexts returns every string in a message's blocks (JSON as Slack got
// it) under a "text" key.
func blockTexts(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if s, ok := e.(string); ok && k == "text" {
					out = append(out, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func TestSlackTextArrivesClean(t *testing.T) {
	emu := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/"))
	s := NewSlack(api, SlackOptions{})
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(s)
	run := func(activity, req, out any) {
		t.Helper()
		val, err := env.ExecuteActivity(activity, req)
		if err != nil {
			t.Fatal(err)
		}
		if out != nil {
			if err := val.Get(out); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The emulator keeps what it is sent: sent raw, the text arrives raw.
	if _, _, err := api.PostMessage(slackemu.GeneralChannelID, slack.MsgOptionText(hostile, false)); err != nil {
		t.Fatal(err)
	}
	if got := emu.Messages(slackemu.GeneralChannelID); len(got) != 1 || got[0].Text != hostile {
		t.Fatalf("the emulator changed a raw post: %+v", got)
	}

	var ch Channel
	run(s.CreateChannel, CreateChannelRequest{IncidentID: "abc123", Names: []string{"inc-clean"}}, &ch)
	run(s.SetPurpose, PurposeRequest{Channel: ch.ID, IncidentID: "abc123", Purpose: hostile}, nil)
	run(s.SetTopic, TopicRequest{Channel: ch.ID, Topic: hostile}, nil)
	run(s.AddBookmarks, BookmarksRequest{Channel: ch.ID, Bookmarks: []Bookmark{{Title: hostile, Link: "https://docs.example.com/x"}}}, nil)
	room, _ := emu.Channel(ch.ID)
	if want := clean + purposeMarker("abc123"); room.Purpose != want {
		t.Errorf("purpose = %q, want %q", room.Purpose, want)
	}
	assertClean(t, "the topic", room.Topic)
	if len(room.Bookmarks) != 1 {
		t.Fatalf("%d bookmarks, want 1", len(room.Bookmarks))
	}
	assertClean(t, "the bookmark's title", room.Bookmarks[0].Title)

	var ref incident.MessageRef
	run(s.PostMessage, PostRequest{Channel: ch.ID, IncidentID: "abc123", Key: "update-1", Text: "*Update:* " + hostile,
		Buttons: []Button{{ActionID: "incident_update", Text: hostile, Value: "abc123"}}}, &ref)
	msgs := emu.Messages(ch.ID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	assertClean(t, "the message's text", msgs[0].Text)
	texts := blockTexts(t, msgs[0].Blocks)
	if len(texts) != 2 {
		t.Fatalf("blocks hold %d texts (%q), want the section's and the button's", len(texts), texts)
	}
	for _, text := range texts {
		assertClean(t, "a block's text", text)
	}

	run(s.UpdateMessage, UpdateRequest{Message: ref, Text: "*Resolved:* " + hostile}, nil)
	msgs = emu.Messages(ch.ID)
	assertClean(t, "the updated message's text", msgs[0].Text)
	for _, text := range blockTexts(t, msgs[0].Blocks) {
		assertClean(t, "an updated block's text", text)
	}

	run(s.Notify, NotifyRequest{User: slackemu.UserAlice, Channel: slackemu.GeneralChannelID, IncidentID: "abc123", Key: "ack", Text: hostile}, nil)
	eph := emu.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice)
	if len(eph) != 1 {
		t.Fatalf("%d ephemeral messages, want 1", len(eph))
	}
	assertClean(t, "the ephemeral message", eph[0].Text)
}

func TestGitHubTextArrivesClean(t *testing.T) {
	g, srv := newTestGitHub(t, githubemu.Options{})
	ctx := context.Background()

	// The emulator keeps what it is sent: sent raw, the text arrives raw.
	raw := hostile
	is, _, err := g.client.Issues.Create(ctx, "acme", "incidents", &github.IssueRequest{Title: &raw, Body: &raw})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Issue(testRepo, is.GetNumber()); got.Title != hostile || got.Body != hostile {
		t.Fatalf("the emulator changed a raw issue: %q, %q", got.Title, got.Body)
	}

	req := actionRequest("clean")
	req.Title, req.Body, req.Labels = hostile, "Owner: Carol\n"+hostile, []string{"incident", hostile}
	item, err := g.OpenActionItem(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Issue(testRepo, item.Number)
	assertClean(t, "the action item's title", got.Title)
	assertClean(t, "the action item's body", got.Body)
	if !strings.Contains(got.Body, incident.ActionItemMarker("clean")) {
		t.Errorf("the action item's body lost its marker:\n%s", got.Body)
	}
	if len(got.Labels) != 2 {
		t.Fatalf("labels %q, want 2", got.Labels)
	}
	assertClean(t, "a label", got.Labels[1])

	body := incident.PostmortemMarker("inc9") + "\n## Overview\n\n" + hostile + "\n\n" + incident.WrapSection(incident.ActionItemsSection, "none yet")
	pm := PostmortemRequest{IncidentID: "inc9", Title: "Postmortem: " + hostile, Body: body, ActionItems: "none yet",
		Labels: []string{incident.PostmortemLabel}, NotBefore: time.Now().Add(-time.Hour)}
	first, err := g.PublishPostmortem(ctx, pm)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = srv.Issue(testRepo, first.Number)
	assertClean(t, "the postmortem's title", got.Title)
	assertClean(t, "the postmortem's body", got.Body)

	pm.ActionItems = "- " + hostile
	if _, err := g.PublishPostmortem(ctx, pm); err != nil {
		t.Fatal(err)
	}
	got, _ = srv.Issue(testRepo, first.Number)
	assertClean(t, "the postmortem's body with its updated action items", got.Body)
	if !strings.Contains(got.Body, "- "+clean) {
		t.Errorf("the postmortem's action items were not updated:\n%s", got.Body)
	}
	edits := srv.CallCount("edit")
	if _, err := g.PublishPostmortem(ctx, pm); err != nil {
		t.Fatal(err)
	}
	if n := srv.CallCount("edit") - edits; n != 0 {
		t.Errorf("publishing the same hostile action items again edited the issue %d times, want 0", n)
	}
}

// hostileMeeting is testMeeting with hostile text in its title,
// description and an attendee's name.
func hostileMeeting(t *testing.T) Meeting {
	m := testMeeting(t)
	m.Title, m.Description = "Retrospective: "+hostile, "Postmortem: https://gh/1\n"+hostile
	m.Attendees[0].Name = `Alice "Ace" ` + hostile
	return m
}

// assertCleanEvent checks the summary, description and attendee names of
// the event an invite holds, as a calendar reads it back.
func assertCleanEvent(t *testing.T, ev ical.Event) {
	t.Helper()
	summary, _ := ev.Props.Text(ical.PropSummary)
	assertClean(t, "the event's summary", summary)
	desc, _ := ev.Props.Text(ical.PropDescription)
	if want := "Postmortem: https://gh/1\n" + clean; desc != want {
		t.Errorf("the event's description = %q, want %q", desc, want)
	}
	if cn := ev.Props.Values(ical.PropAttendee)[0].Params.Get("CN"); cn != "Alice 'Ace' Checkout down [31mred[0m now" {
		t.Errorf("the attendee's name arrived as %q, want it cleaned on one line", cn)
	}
}

func TestICSInviteArrivesClean(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	ch, err := srv.CreateChannel("inc-retro", false, slackemu.BotUserID)
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(srv.URL()+"/api/"))
	backend, err := NewCalendarBackend(CalendarOptions{Backend: BackendICS}, NewSlack(api, SlackOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	m := hostileMeeting(t)
	m.Channel = ch.ID
	if _, err := NewCalendar(backend).BookMeeting(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	assertClean(t, "the invite's title", files[0].Title)
	if strings.ContainsAny(string(files[0].Content), "\x00\x1b\u202e\u2066") {
		t.Errorf("the invite holds control or bidi characters:\n%q", files[0].Content)
	}
	_, ev := decodeInvite(t, files[0].Content)
	assertCleanEvent(t, ev)
}

func TestCalDAVEventArrivesClean(t *testing.T) {
	_, collection := radicaleCalendar(t)
	backend, err := NewCalendarBackend(CalendarOptions{Backend: BackendCalDAV, CalDAVURL: collection}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(backend)
	m := hostileMeeting(t)
	if _, err := cal.BookMeeting(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	again, err := cal.BookMeeting(context.Background(), m)
	if err != nil || again.Sequence != 0 {
		t.Errorf("booking the same hostile meeting again: %+v, %v; want it left alone", again, err)
	}
	assertCleanEvent(t, storedEvent(t, collection).Data.Events()[0])
}
