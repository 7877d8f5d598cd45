package activities_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// Slack's limits on a message, which the emulator does not all check: it
// takes a section of any length.
const (
	maxSectionText   = 3000
	maxMessageText   = 40000
	maxMessageBlocks = 50
)

// updateButtons are the buttons under a war room's status update.
var updateButtons = []activities.Button{{ActionID: "incident_update", Text: "Post update", Value: "abc123", Style: "primary"}}

// messageEnv runs the Slack activities against an emulator, with the rate
// limits of both out of the way so that a test may post many messages.
type messageEnv struct {
	t     *testing.T
	emu   *slackemu.Server
	slack *activities.Slack
	env   *testsuite.TestActivityEnvironment
}

func newMessageEnv(t *testing.T) *messageEnv {
	emu := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	s := activities.NewSlack(slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")),
		activities.SlackOptions{RateWindow: time.Millisecond})
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(s)
	return &messageEnv{t: t, emu: emu, slack: s, env: env}
}

// run runs one activity and decodes its result into out (may be nil).
func (e *messageEnv) run(activity, req, out any) {
	e.t.Helper()
	val, err := e.env.ExecuteActivity(activity, req)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil {
		if err := val.Get(out); err != nil {
			e.t.Fatal(err)
		}
	}
}

// post posts text with buttons in #general under key and returns the
// message as the emulator keeps it.
func (e *messageEnv) post(key, text string, buttons []activities.Button) slackemu.Message {
	e.t.Helper()
	var ref incident.MessageRef
	e.run(e.slack.PostMessage, activities.PostRequest{Channel: slackemu.GeneralChannelID, IncidentID: "abc123", Key: key,
		Text: text, Buttons: buttons}, &ref)
	return e.message(ref)
}

// message returns the message at ref as the emulator keeps it.
func (e *messageEnv) message(ref incident.MessageRef) slackemu.Message {
	e.t.Helper()
	for _, m := range e.emu.Messages(ref.Channel) {
		if m.TS == ref.TS {
			return m
		}
	}
	e.t.Fatalf("no message %s in %s", ref.TS, ref.Channel)
	return slackemu.Message{}
}

// sections checks that blocks (as Slack got them) are within Slack's
// limits, with the sections first and, when buttons, one actions block
// last, and returns the sections' texts.
func sections(t *testing.T, raw json.RawMessage, buttons bool) []string {
	t.Helper()
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	if len(blocks) > maxMessageBlocks {
		t.Errorf("%d blocks, Slack takes at most %d", len(blocks), maxMessageBlocks)
	}
	if buttons {
		if len(blocks) == 0 || blocks[len(blocks)-1].Type != "actions" {
			t.Fatalf("the buttons are not the last block: %s", raw)
		}
		blocks = blocks[:len(blocks)-1]
	}
	var out []string
	for i, b := range blocks {
		if b.Type != "section" {
			t.Fatalf("block %d is a %s among the sections: %s", i, b.Type, raw)
		}
		if n := utf8.RuneCountInString(b.Text.Text); n > maxSectionText {
			t.Errorf("section %d holds %d characters, Slack takes at most %d", i, n, maxSectionText)
		}
		out = append(out, b.Text.Text)
	}
	return out
}

// consumed checks that secs are text in order, each cut from the next at
// a line break, a space or a tab (which is dropped), or between two
// characters, and returns the rest of text, past the last of them.
func consumed(t *testing.T, text string, secs []string) string {
	t.Helper()
	rest := text
	for i, s := range secs {
		if i > 0 && !strings.HasPrefix(rest, s) && rest != "" && strings.ContainsRune("\n \t", rune(rest[0])) {
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, s) {
			t.Fatalf("section %d of %d is not where the text goes on:\nsection %.80q…\ntext    %.80q…", i, len(secs), s, rest)
		}
		rest = rest[len(s):]
	}
	return rest
}

// assertWhole fails unless secs are all of text (see consumed).
func assertWhole(t *testing.T, text string, secs []string) {
	t.Helper()
	if rest := consumed(t, text, secs); rest != "" {
		t.Fatalf("the sections lost the text's end: %q", rest)
	}
}

// entity matches the Slack entities incidentflow writes: mentions, channel
// and link references, and escaped characters.
var entity = regexp.MustCompile(`<[^<>\n]*>|&[#0-9A-Za-z]+;`)

// assertEntitiesWhole fails when a section holds part of an entity.
func assertEntitiesWhole(t *testing.T, secs []string) {
	t.Helper()
	for i, s := range secs {
		if left := entity.ReplaceAllString(s, ""); strings.ContainsAny(left, "<>&") {
			t.Fatalf("section %d holds part of an entity: starts %.40q, ends %q", i, s, s[max(0, len(s)-40):])
		}
	}
}

// assertArrivedWhole checks a message as it arrived: its fallback text is
// text, and its sections, within Slack's limits, are text whole, entities
// and all.
func assertArrivedWhole(t *testing.T, what, text, fallback string, blocks json.RawMessage, buttons bool) {
	t.Helper()
	if fallback != text {
		t.Errorf("%s's fallback text is %d characters, want the whole %d", what, utf8.RuneCountInString(fallback), utf8.RuneCountInString(text))
	}
	secs := sections(t, blocks, buttons)
	assertWhole(t, text, secs)
	assertEntitiesWhole(t, secs)
}

// TestALongStatusUpdateArrivesWhole posts, rewrites and shows to one
// person a status update of the longest text a responder may type, in
// several alphabets: it arrives whole, footer included, in every door.
func TestALongStatusUpdateArrivesWhole(t *testing.T) {
	e := newMessageEnv(t)
	for _, tc := range []struct {
		name, unit string
		// lines: every line of the update fits in a section, so each
		// section is whole lines: the heading, the text, the footer.
		lines bool
	}{
		{"words", "checkout ", true},
		{"accents", "é", true},
		{"accented words", "café au lait ", true},
		{"emoji", "🔥", true},
		{"flags", "🇫🇷", true},
		{"escaped characters", "&<>", false}, // escaped, the text grows to 13,000 characters
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []rune(strings.Repeat(tc.unit, incident.MaxText))[:incident.MaxText]
			u := incident.StatusUpdate{Author: slackemu.UserAlice, Status: incident.Investigating, Text: string(body),
				NextUpdateBy: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
			text := incident.UpdateText(u, time.UTC)
			const footer = "\n_Next update by 09:30 UTC_"
			if !strings.HasSuffix(text, footer) {
				t.Fatalf("the update doesn't end with its footer: %q", text[len(text)-80:])
			}

			posted := e.post("update-"+tc.name, text, updateButtons)
			assertArrivedWhole(t, "the post", text, posted.Text, posted.Blocks, true)
			if secs := sections(t, posted.Blocks, true); tc.lines && strings.Join(secs, "\n") != text {
				t.Errorf("the update's %d sections are not its lines", len(secs))
			}

			ref := incident.MessageRef{Channel: posted.Channel, TS: posted.TS}
			e.run(e.slack.UpdateMessage, activities.UpdateRequest{Message: ref, Text: text}, nil)
			updated := e.message(ref)
			assertArrivedWhole(t, "the rewritten post", text, updated.Text, updated.Blocks, false)

			e.run(e.slack.Notify, activities.NotifyRequest{User: slackemu.UserAlice, Channel: slackemu.GeneralChannelID,
				IncidentID: "abc123", Key: "ack", Text: text}, nil)
			eph := e.emu.Ephemerals(slackemu.GeneralChannelID, slackemu.UserAlice)
			last := eph[len(eph)-1]
			assertArrivedWhole(t, "the ephemeral message", text, last.Text, last.Blocks, false)
		})
	}
}

func TestALongLineIsCutBetweenWords(t *testing.T) {
	e := newMessageEnv(t)
	text := strings.Repeat("checkout ", 1000) + "down"
	m := e.post("words", text, nil)
	secs := sections(t, m.Blocks, false)
	if len(secs) < 3 {
		t.Fatalf("%d sections for %d characters", len(secs), len(text))
	}
	assertWhole(t, text, secs)
	for i, s := range secs {
		for _, w := range strings.Fields(s) {
			if w != "checkout" && w != "down" {
				t.Fatalf("section %d cuts a word: %q", i, w)
			}
		}
	}
}

func TestMultibyteTextIsCutBetweenCharacters(t *testing.T) {
	e := newMessageEnv(t)
	text := strings.Repeat("é🔥🇫🇷", 2*maxSectionText/3)
	m := e.post("multibyte", text, nil)
	secs := sections(t, m.Blocks, false)
	if n := utf8.RuneCountInString(text); len(secs) != (n+maxSectionText-1)/maxSectionText {
		t.Errorf("%d sections for %d characters, want them full", len(secs), n)
	}
	assertWhole(t, text, secs)
}

// TestEntitiesAreNeverSplit posts lines of entities with no space between
// them (there is one in a link's label), shifted one character at a time,
// so that the end of a section falls at every place within an entity.
func TestEntitiesAreNeverSplit(t *testing.T) {
	e := newMessageEnv(t)
	unit := incident.SlackLink("https://runbooks.example.com/checkout", "the checkout runbook") + "&amp;" +
		incident.Mention(slackemu.UserAlice) + "<#C0GENERAL|general>" + "&lt;🔥"
	line := strings.Repeat(unit, 2*maxSectionText/len(unit))
	for shift := range utf8.RuneCountInString(unit) + 1 {
		text := strings.Repeat("x", shift) + line
		m := e.post(fmt.Sprintf("entities-%d", shift), text, nil)
		secs := sections(t, m.Blocks, false)
		assertWhole(t, text, secs)
		assertEntitiesWhole(t, secs)
	}
}

// TestATextPastSlacksLimitsIsShortened posts a text that needs more
// sections than a message may have and more fallback text than Slack
// keeps: it is shortened to fit both, and says so with "…".
func TestATextPastSlacksLimitsIsShortened(t *testing.T) {
	e := newMessageEnv(t)
	text := strings.Repeat(strings.Repeat("é", maxSectionText-1)+"\n", 2*maxMessageBlocks)
	m := e.post("huge", text, updateButtons)
	// Cut at a line break, the fallback keeps all but at most one line of
	// what Slack would keep.
	if n := utf8.RuneCountInString(m.Text); n > maxMessageText || n < maxMessageText-maxSectionText ||
		!strings.HasSuffix(m.Text, "…") || !strings.HasPrefix(text, strings.TrimSuffix(m.Text, "…")) {
		t.Errorf("the fallback text is %d characters, want the text's first %d or nearly, ending with …", n, maxMessageText)
	}
	secs := sections(t, m.Blocks, true)
	if len(secs) != maxMessageBlocks-1 {
		t.Errorf("%d sections beside the buttons, want %d", len(secs), maxMessageBlocks-1)
	}
	last := secs[len(secs)-1]
	if !strings.HasSuffix(last, "…") {
		t.Errorf("the last section doesn't say the text goes on: ends %q", last[len(last)-20:])
	}
	kept := append(secs[:len(secs)-1:len(secs)-1], strings.TrimSuffix(last, "…"))
	if consumed(t, text, kept) == "" {
		t.Error("the sections hold the whole text, yet the last ends with …")
	}
}
