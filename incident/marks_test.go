package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
)

// markDay is when the marked messages of these tests are posted.
var markDay = time.Date(2026, 3, 2, 14, 2, 0, 0, time.UTC)

// warRoomIncident is an open incident with its war room C0WAR.
func warRoomIncident() incident.Incident {
	inc := incident.New(incident.Declaration{ID: "mark1", Title: "Checkout down", Severity: incident.Major,
		Declarer: "U0AVA", DeclaredAt: markDay.Add(-time.Hour)})
	inc.ChannelID, inc.ChannelName = "C0WAR", "inc-checkout"
	inc.Record(markDay.Add(-time.Hour), "", incident.EntryWarRoom, "war room #inc-checkout opened")
	return inc
}

// add is a mark of message ts (posted at) by by, as the front door sends it.
func add(ts, by string, via incident.MarkVia, at time.Time) incident.MessageMark {
	return incident.MessageMark{Action: incident.MarkAdd, Channel: "C0WAR", TS: ts, By: by, Via: via,
		Author: "U0BOB", Text: "the database is *down* <!channel>", PostedAt: at,
		Permalink: "https://slack.example/archives/C0WAR/p" + strings.ReplaceAll(ts, ".", "")}
}

// apply checks and applies m, failing the test when it is refused.
func apply(t *testing.T, inc *incident.Incident, m incident.MessageMark) incident.MarkOutcome {
	t.Helper()
	require.NoError(t, inc.CheckMark(m))
	return inc.ApplyMark(m)
}

// marked returns the marked-message entries of inc's timeline.
func marked(inc *incident.Incident) []incident.TimelineEntry {
	var out []incident.TimelineEntry
	for _, e := range inc.Timeline {
		if e.Message != nil {
			out = append(out, e)
		}
	}
	return out
}

func TestMarksComeAndGoWithTheirLastMark(t *testing.T) {
	inc := warRoomIncident()
	ts := "1772460120.000100"
	m := add(ts, "U0AVA", incident.ViaReaction, markDay)
	assert.Equal(t, incident.MarkAdded, apply(t, &inc, m))
	assert.Equal(t, incident.MarkAlready, apply(t, &inc, m), "the same mark twice is one mark")
	assert.Equal(t, incident.MarkAlready, apply(t, &inc, add(ts, "U0AVA", incident.ViaPin, markDay)))
	assert.Equal(t, incident.MarkAlready, apply(t, &inc, add(ts, "U0CAL", incident.ViaReaction, markDay)))

	entries := marked(&inc)
	require.Len(t, entries, 1, "one message marked three ways is one entry")
	e := entries[0]
	assert.Equal(t, incident.EntryMessage, e.Kind)
	assert.Equal(t, markDay, e.At, "the entry keeps the message's own time")
	assert.Equal(t, "U0BOB", e.Actor, "and its author")
	assert.Equal(t, "the database is *down* <!channel>", e.Text)
	assert.Equal(t, []incident.Mark{{By: "U0AVA", Via: incident.ViaReaction}, {By: "U0AVA", Via: incident.ViaPin},
		{By: "U0CAL", Via: incident.ViaReaction}}, e.Message.Marks)

	remove := func(by string, via incident.MarkVia) incident.MessageMark {
		return incident.MessageMark{Action: incident.MarkRemove, Channel: "C0WAR", TS: ts, By: by, Via: via}
	}
	assert.Equal(t, incident.MarkKept, apply(t, &inc, remove("U0AVA", incident.ViaReaction)))
	assert.ErrorContains(t, inc.CheckMark(remove("U0AVA", incident.ViaReaction)), "U0AVA didn't mark this message by reaction")
	assert.Equal(t, incident.MarkKept, apply(t, &inc, remove("U0AVA", incident.ViaPin)))
	assert.Len(t, marked(&inc), 1, "someone else still marks it")
	assert.Equal(t, incident.MarkRemoved, apply(t, &inc, remove("U0CAL", incident.ViaReaction)))
	assert.Empty(t, marked(&inc))
	assert.ErrorContains(t, inc.CheckMark(remove("U0CAL", incident.ViaReaction)), "this message isn't on the timeline of incident mark1")
}

func TestAMarkedMessageFollowsItsEditsAndDeletion(t *testing.T) {
	inc := warRoomIncident()
	ts := "1772460120.000100"
	apply(t, &inc, add(ts, "U0AVA", incident.ViaShortcut, markDay))
	edit := incident.MessageMark{Action: incident.MarkEdit, Channel: "C0WAR", TS: ts, Text: "the primary database is down",
		Files: []incident.FileLink{{Name: "graph.png", URL: "https://files.slack.example/graph.png"}}}
	assert.Equal(t, incident.MarkEdited, apply(t, &inc, edit))
	assert.ErrorContains(t, inc.CheckMark(edit), "already on the timeline as it is now", "an edit that changes nothing writes nothing")
	e := marked(&inc)[0]
	assert.Equal(t, "the primary database is down", e.Text)
	assert.True(t, e.Message.Edited)
	assert.Equal(t, edit.Files, e.Message.Files)

	del := incident.MessageMark{Action: incident.MarkDelete, Channel: "C0WAR", TS: ts}
	assert.Equal(t, incident.MarkDeleted, apply(t, &inc, del))
	assert.ErrorContains(t, inc.CheckMark(del), "already on the timeline as it is now")
	e = marked(&inc)[0]
	assert.True(t, e.Message.Deleted, "a deleted message stays, marked deleted")
	assert.Equal(t, "the primary database is down", e.Text, "with its last text")

	other := incident.MessageMark{Action: incident.MarkEdit, Channel: "C0WAR", TS: "1772460999.000100", Text: "lunch?"}
	assert.ErrorContains(t, inc.CheckMark(other), "this message isn't on the timeline", "edits of unmarked messages are refused")
}

func TestCheckMarkRefusesWithASentence(t *testing.T) {
	inc := warRoomIncident()
	good := add("1772460120.000100", "U0AVA", incident.ViaReaction, markDay)
	with := func(f func(*incident.MessageMark)) incident.MessageMark {
		m := good
		f(&m)
		return m
	}
	for want, m := range map[string]incident.MessageMark{
		"only messages in the war room of incident mark1 (#inc-checkout)": with(func(m *incident.MessageMark) { m.Channel = "C0GENERAL" }),
		`"yesterday" is not a Slack message timestamp`:                    with(func(m *incident.MessageMark) { m.TS = "yesterday" }),
		`unknown mark action "star"`:                                      with(func(m *incident.MessageMark) { m.Action = "star" }),
		`unknown way to mark a message "email"`:                           with(func(m *incident.MessageMark) { m.Via = "email" }),
		"say who marks the message":                                       with(func(m *incident.MessageMark) { m.By = " " }),
	} {
		assert.ErrorContains(t, inc.CheckMark(m), want)
	}
	noRoom := incident.New(incident.Declaration{ID: "mark2"})
	assert.ErrorContains(t, noRoom.CheckMark(good), "incident mark2 has no war room yet")
}

func TestMarksAreBounded(t *testing.T) {
	inc := warRoomIncident()
	long := add("1772460120.000100", "U0AVA", incident.ViaReaction, markDay)
	long.Text = strings.Repeat("é", incident.MaxMarkedText)
	for i := range incident.MaxMarkFiles + 5 {
		long.Files = append(long.Files, incident.FileLink{Name: fmt.Sprint("f", i), URL: "https://files.slack.example/f"})
	}
	apply(t, &inc, long)
	e := marked(&inc)[0]
	assert.LessOrEqual(t, len(e.Text), incident.MaxMarkedText)
	assert.True(t, strings.HasSuffix(e.Text, "…"))
	assert.Len(t, e.Message.Files, incident.MaxMarkFiles)

	inc = warRoomIncident()
	for i := range incident.MaxMarkedMessages {
		apply(t, &inc, add(fmt.Sprintf("1772460120.%06d", i), "U0AVA", incident.ViaReaction, markDay))
	}
	next := add("1772460999.000001", "U0AVA", incident.ViaReaction, markDay)
	assert.ErrorContains(t, inc.CheckMark(next), "the timeline already holds 200 marked messages")
	assert.NoError(t, inc.CheckMark(add("1772460120.000000", "U0CAL", incident.ViaPin, markDay)), "a message already marked can take more marks")

	inc = warRoomIncident()
	big := add("", "U0AVA", incident.ViaReaction, markDay)
	big.Text = strings.Repeat("<", incident.MaxMarkedText) // 12 KB of JSON
	var err error
	n := 0
	for ; err == nil; n++ {
		big.TS = fmt.Sprintf("1772460120.%06d", n)
		if err = inc.CheckMark(big); err == nil {
			inc.ApplyMark(big)
		}
	}
	assert.ErrorContains(t, err, "as much text as one incident keeps: unmark one to make room")
	assert.Less(t, n, incident.MaxMarkedMessages, "the bytes run out before the count")
}

// TestTheMarkBeyondTheLastIsRefused: a message keeps every mark it takes,
// so the 21st is refused with a sentence rather than dropped, and the entry
// goes only when nobody's mark is left on it.
func TestTheMarkBeyondTheLastIsRefused(t *testing.T) {
	inc := warRoomIncident()
	ts := "1772460120.000100"
	marker := func(i int) string { return fmt.Sprint("U0P", i) }
	for i := range incident.MaxMarksPerMessage {
		apply(t, &inc, add(ts, marker(i), incident.ViaReaction, markDay))
	}
	extra := add(ts, "U0LATE", incident.ViaReaction, markDay)
	err := inc.CheckMark(extra)
	require.Error(t, err)
	assert.Equal(t, "this message already has 20 marks, the most one message keeps: it stays on the timeline of incident mark1 while any of them remains", err.Error())
	assert.Equal(t, incident.MarkAlready, apply(t, &inc, add(ts, marker(0), incident.ViaReaction, markDay)),
		"a mark the message has is no new one")
	assert.Error(t, inc.CheckMark(add(ts, marker(0), incident.ViaPin, markDay)), "the same person another way is a new mark")

	apply(t, &inc, incident.MessageMark{Action: incident.MarkRemove, Channel: "C0WAR", TS: ts, By: marker(0), Via: incident.ViaReaction})
	assert.Equal(t, incident.MarkAlready, apply(t, &inc, extra), "a mark taken back makes room")
	for i := 1; i < incident.MaxMarksPerMessage; i++ {
		assert.Equal(t, incident.MarkKept, apply(t, &inc, incident.MessageMark{Action: incident.MarkRemove, Channel: "C0WAR", TS: ts,
			By: marker(i), Via: incident.ViaReaction}))
	}
	require.Len(t, marked(&inc), 1, "the late mark keeps the entry once the first twenty are gone")
	assert.Equal(t, []incident.Mark{{By: "U0LATE", Via: incident.ViaReaction}}, marked(&inc)[0].Message.Marks)
}

// TestAnEditKeepsWhatItDoesNotCarry: the front door's edit has the message's
// text and files from message_changed but no permalink; the entry keeps its
// permalink, author and time, and takes the files as the edit has them.
func TestAnEditKeepsWhatItDoesNotCarry(t *testing.T) {
	inc := warRoomIncident()
	ts := "1772460120.000100"
	graph := incident.FileLink{Name: "graph.png", URL: "https://files.slack.example/graph.png"}
	logs := incident.FileLink{Name: "logs.txt", URL: "https://files.slack.example/logs.txt"}
	m := add(ts, "U0AVA", incident.ViaPin, markDay)
	m.Files = []incident.FileLink{graph}
	apply(t, &inc, m)

	edit := incident.MessageMark{Action: incident.MarkEdit, Channel: "C0WAR", TS: ts, Author: "U0SOMEONE",
		PostedAt: markDay.Add(time.Hour), Text: "the primary database is down", Files: []incident.FileLink{graph, logs}}
	assert.Equal(t, incident.MarkEdited, apply(t, &inc, edit))
	e := marked(&inc)[0]
	assert.Equal(t, m.Permalink, e.Message.Permalink, "an edit without a permalink keeps the stored one")
	assert.Equal(t, "U0BOB", e.Actor, "an edit doesn't change who wrote the message")
	assert.Equal(t, markDay, e.At, "nor when it was posted")
	assert.Equal(t, []incident.FileLink{graph, logs}, e.Message.Files, "a file added with the edit")

	edit.Files = nil
	assert.Equal(t, incident.MarkEdited, apply(t, &inc, edit), "the files taken off the message are a change")
	e = marked(&inc)[0]
	assert.Empty(t, e.Message.Files, "an edit carries all of the message's files")
	assert.Equal(t, m.Permalink, e.Message.Permalink)
	assert.Equal(t, "the primary database is down", e.Text)
}

func TestMarkedMessagesTakeTheirPlaceInTime(t *testing.T) {
	inc := warRoomIncident()
	update := inc.Record(markDay.Add(10*time.Minute), "U0AVA", incident.EntryUpdate, "investigating: looking")
	apply(t, &inc, add("1772460120.000100", "U0AVA", incident.ViaReaction, markDay))
	apply(t, &inc, add("1772460000.000100", "U0AVA", incident.ViaReaction, time.Time{})) // time from its ts
	for i := 1; i < len(inc.Timeline); i++ {
		assert.False(t, inc.Timeline[i].At.Before(inc.Timeline[i-1].At), "the timeline stays in time order")
	}
	assert.Equal(t, time.Unix(1772460000, 100000).UTC(), marked(&inc)[0].At)
	apply(t, &inc, incident.MessageMark{Action: incident.MarkRemove, Channel: "C0WAR", TS: "1772460000.000100", By: "U0AVA", Via: incident.ViaReaction})
	assert.Equal(t, update+1, inc.Record(markDay.Add(20*time.Minute), "", incident.EntryReminder, "due"),
		"marks coming and going don't renumber the entries recorded")
}

func TestCompactKeepsEveryMarkedMessage(t *testing.T) {
	inc := longIncident(50, "ok")
	inc.ChannelID = "C0WAR"
	for i := range 30 {
		apply(t, &inc, add(fmt.Sprintf("1772460120.%06d", i), "U0AVA", incident.ViaReaction, declared.Add(time.Duration(i)*time.Minute)))
	}
	inc.Compact(incident.Limits{Updates: 5, UpdateBytes: 1 << 20, Timeline: 10, TimelineBytes: 1 << 20})
	assert.Len(t, marked(&inc), 30, "marked messages are never dropped")
	assert.Len(t, inc.Timeline, 40, "nor counted against the entries kept")
	assert.Zero(t, inc.OmittedByKind[incident.EntryMessage])
}

func TestThePostmortemShowsTheMarkedMessages(t *testing.T) {
	inc := warRoomIncident()
	apply(t, &inc, add("1772460120.000100", "U0AVA", incident.ViaReaction, markDay))
	edited := add("1772460300.000100", "U0AVA", incident.ViaPin, markDay.Add(3*time.Minute))
	edited.Author = "U0CAL"
	apply(t, &inc, edited)
	edited.Action, edited.Text = incident.MarkEdit, "rolled back v42 @org/team"
	edited.Files = []incident.FileLink{{Name: "graph (1).png", URL: "https://files.slack.example/F1/graph (1).png"}}
	apply(t, &inc, edited)
	gone := add("1772460060.000100", "U0AVA", incident.ViaShortcut, markDay.Add(-time.Minute))
	apply(t, &inc, gone)
	gone.Action = incident.MarkDelete
	apply(t, &inc, gone)
	inc.Record(markDay.Add(5*time.Minute), "U0AVA", incident.EntryUpdate, "mitigated: rolled back")
	pc := incident.PostmortemContext{People: map[string]incident.Person{
		"U0AVA": {ID: "U0AVA", Name: "Ava"}, "U0BOB": {ID: "U0BOB", Name: "Bob"}, "U0CAL": {ID: "U0CAL", Name: "Cal"}}}

	md := incident.RenderPostmortem(&inc, pc)
	inOrder(t, md,
		"- 13:02 UTC — declared (Ava): declared major incident: Checkout down",
		"- 14:01 UTC — Bob (marked): the database is *down* &lt;!channel&gt; _(deleted in Slack)_ — [link](https://slack.example/archives/C0WAR/p1772460060000100)",
		"- 14:02 UTC — Bob (marked): the database is *down* &lt;!channel&gt; — [link](https://slack.example/archives/C0WAR/p1772460120000100)",
		"- 14:05 UTC — Cal (marked): rolled back v42 @\u2060org/team _(edited)_ — files: [graph (1).png](https://files.slack.example/F1/graph%20%281%29.png) — [link](https://slack.example/archives/C0WAR/p1772460300000100)",
		"- 14:07 UTC — update (Ava): mitigated: rolled back",
	)

	inc.Record(markDay.Add(11*time.Hour), "U0AVA", incident.EntryUpdate, "monitoring: quiet night")
	md = incident.RenderPostmortem(&inc, incident.PostmortemContext{People: pc.People, TimeZone: "Europe/Berlin"})
	inOrder(t, md, "- 2026-03-02 14:02 CET — declared (Ava)", "- 2026-03-02 15:02 CET — Bob (marked): the database",
		"- 2026-03-03 02:02 CET — update (Ava): monitoring: quiet night")

	inc.Declaration.Security = true
	md = incident.RenderPostmortem(&inc, pc)
	assert.NotContains(t, md, "rolled back v42")
	assert.NotContains(t, md, "graph")
	shows(t, md, "- 2026-03-02 14:05 UTC — Cal (marked): _(in the private war room)_ _(edited)_ — 1 file(s) — [link](https://slack.example/archives/C0WAR/p1772460300000100)")
}

// inOrder fails the test unless md holds each of lines, in this order.
func inOrder(t *testing.T, md string, lines ...string) {
	t.Helper()
	rest := md
	for _, l := range lines {
		i := strings.Index(rest, l)
		if i < 0 {
			t.Errorf("the postmortem lacks %q after what came before, in:\n%s", l, md[strings.Index(md, "## Timeline"):])
			return
		}
		rest = rest[i+len(l):]
	}
}
