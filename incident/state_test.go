package incident_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// maxText is the longest text a responder can send (a slash command's
// 4,000 characters; the modals allow 3,000), made of the character JSON
// encodes longest: "<" becomes "\u003c", six bytes.
var maxText = strings.Repeat("<", 4000)

// statuses are the statuses a long incident's updates cycle through.
var statuses = []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring, incident.Mitigated}

// longIncident is an open incident as the workflow records it: declared,
// its war room opened, then n rounds of a status update with text by one
// of four responders followed by a reminder. Update i is posted (i+1)×15
// minutes after the declaration; the status changes every ten updates.
func longIncident(n int, text string) incident.Incident {
	inc := incident.New(incident.Declaration{ID: "long1", Title: "Replication lag", Severity: incident.Critical,
		Declarer: "U0ALICE", DeclaredAt: declared})
	inc.ChannelID, inc.ChannelName = "C0WAR", "inc-20260302-1000-replication-lag"
	inc.Kickoff = incident.MessageRef{Channel: "C0WAR", TS: "1.0"}
	inc.Announcements = []incident.MessageRef{{Channel: "C0INC", TS: "2.0"}}
	inc.Record(declared, "", incident.EntryWarRoom, "war room #"+inc.ChannelName+" opened")
	inc.SeverityHistory = []incident.SeverityChange{{At: declared, By: "U0ALICE", From: incident.Major, To: incident.Critical}}
	inc.ActionItems = []incident.ActionItem{{Key: "action-3", Text: "Add a replica", At: declared, Author: "U0ALICE"}}
	for i := range n {
		at := declared.Add(time.Duration(i+1) * 15 * time.Minute)
		u := incident.StatusUpdate{At: at, Author: fmt.Sprintf("U0R%d", i%4), Status: statuses[(i/10)%len(statuses)],
			Text: text}
		inc.Updates = append(inc.Updates, u)
		inc.Record(at, u.Author, incident.EntryUpdate, string(u.Status)+": "+u.Text)
		inc.Record(at.Add(time.Minute), "", incident.EntryReminder, "reminder 1 in a row: a status update is due")
	}
	return inc
}

func TestRecordNumbersEveryEntryEverRecorded(t *testing.T) {
	inc := longIncident(30, "ok")
	require.Len(t, inc.Timeline, 62)
	inc.Compact(incident.Limits{Updates: 5, UpdateBytes: 1 << 20, Timeline: 10, TimelineBytes: 1 << 20})
	require.Len(t, inc.Timeline, 10)
	assert.Equal(t, 62, inc.Record(declared, "U0BOB", incident.EntryNote, "next"),
		"the entry after 62 is number 62 however many compaction dropped: its Slack key and action-item marker stay unique")
	inc.Compact(incident.Limits{Updates: 5, UpdateBytes: 1 << 20, Timeline: 4, TimelineBytes: 1 << 20})
	assert.Equal(t, 63, inc.Record(declared, "U0BOB", incident.EntryNote, "next"))
}

func TestRecordKeepsTheStartOfAnUpdate(t *testing.T) {
	inc := incident.New(incident.Declaration{ID: "x", Title: "t", Severity: incident.Minor, DeclaredAt: declared})
	long := "identified: line one\nline two " + strings.Repeat("é", 1000)
	inc.Record(declared, "U0BOB", incident.EntryUpdate, long)
	inc.Record(declared, "U0BOB", incident.EntryNote, long)
	update, note := inc.Timeline[1].Text, inc.Timeline[2].Text
	assert.LessOrEqual(t, len(update), 160)
	assert.True(t, strings.HasPrefix(update, "identified: line one line two éé"), update)
	assert.True(t, strings.HasSuffix(update, "…"), update)
	assert.Equal(t, long, note, "only an update's entry is shortened: the update keeps its text")
}

func TestCompact(t *testing.T) {
	roomy := incident.Limits{Updates: 1000, UpdateBytes: 1 << 30, Timeline: 1000, TimelineBytes: 1 << 30}
	cases := []struct {
		name   string
		rounds int
		text   string
		limits incident.Limits
		// wantUpdates are the numbers of the updates kept.
		wantUpdates []int
		// wantTimeline is how many timeline entries are kept.
		wantTimeline int
	}{
		{name: "within the limits nothing changes", rounds: 40, text: "ok", limits: roomy,
			wantUpdates: seq(0, 40), wantTimeline: 82},
		{name: "by count: the most recent updates and the first of each status", rounds: 40, text: "ok",
			limits:      incident.Limits{Updates: 8, UpdateBytes: 1 << 30, Timeline: 1000, TimelineBytes: 1 << 30},
			wantUpdates: append([]int{0, 10, 20, 30}, seq(36, 40)...), wantTimeline: 82},
		{name: "by count: the declaration, the war room and the most recent entries", rounds: 40, text: "ok",
			limits:      incident.Limits{Updates: 1000, UpdateBytes: 1 << 30, Timeline: 12, TimelineBytes: 1 << 30},
			wantUpdates: seq(0, 40), wantTimeline: 12},
		{name: "by size: long updates leave fewer", rounds: 40, text: maxText,
			limits:      incident.Limits{Updates: 1000, UpdateBytes: 6 * 24200, Timeline: 1000, TimelineBytes: 1 << 30},
			wantUpdates: []int{0, 10, 20, 30, 38, 39}, wantTimeline: 82},
		{name: "pinned updates stay even over the limits", rounds: 40, text: maxText,
			limits:      incident.Limits{Updates: 2, UpdateBytes: 100, Timeline: 1, TimelineBytes: 100},
			wantUpdates: []int{0, 10, 20, 30}, wantTimeline: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := longIncident(c.rounds, c.text)
			inc := longIncident(c.rounds, c.text)
			inc.Compact(c.limits)

			var kept []int
			for _, u := range inc.Updates {
				kept = append(kept, int(u.At.Sub(declared)/(15*time.Minute))-1)
			}
			assert.Equal(t, c.wantUpdates, kept)
			assert.Equal(t, c.rounds-len(kept), inc.OmittedUpdates)
			assert.Len(t, inc.Timeline, c.wantTimeline)
			assert.Equal(t, len(before.Timeline)-c.wantTimeline, inc.OmittedTimeline)
			assert.Equal(t, incident.EntryDeclared, inc.Timeline[0].Kind)
			if c.wantTimeline > 1 {
				assert.Equal(t, incident.EntryWarRoom, inc.Timeline[1].Kind)
			}
			if c.limits.Timeline > 2 {
				assert.Equal(t, before.Timeline[len(before.Timeline)-1], inc.Timeline[len(inc.Timeline)-1], "the latest entry is kept")
			}
			for _, kind := range []string{incident.EntryDeclared, incident.EntryWarRoom, incident.EntryUpdate, incident.EntryReminder} {
				assert.Equal(t, before.EntryCount(kind), inc.EntryCount(kind), "entries of kind %s, kept or counted", kind)
			}
			assert.Equal(t, before.Participants(), inc.Participants(), "everyone who took part is still named")

			// What Compact never touches.
			assert.Equal(t, before.Declaration, inc.Declaration)
			assert.Equal(t, before.SeverityHistory, inc.SeverityHistory)
			assert.Equal(t, before.ActionItems, inc.ActionItems)
			assert.Equal(t, before.Announcements, inc.Announcements)
			assert.Equal(t, before.Kickoff, inc.Kickoff)
			assert.Equal(t, before.ChannelID, inc.ChannelID)
			if c.wantTimeline == len(before.Timeline) && len(kept) == c.rounds {
				assert.Equal(t, before, inc, "nothing to drop, nothing changes")
			}

			// Compacting again changes nothing more.
			again := inc
			again.Timeline = append([]incident.TimelineEntry(nil), inc.Timeline...)
			again.Compact(c.limits)
			assert.Equal(t, inc.OmittedTimeline, again.OmittedTimeline)
			assert.Equal(t, inc.OmittedUpdates, again.OmittedUpdates)
		})
	}
}

func TestCompactAddsUpAcrossRuns(t *testing.T) {
	limits := incident.Limits{Updates: 10, UpdateBytes: 1 << 20, Timeline: 20, TimelineBytes: 1 << 20}
	inc := longIncident(30, "ok")
	inc.Compact(limits)
	first := inc.OmittedTimeline
	for i := range 30 {
		at := declared.Add(time.Duration(i) * time.Hour)
		inc.Updates = append(inc.Updates, incident.StatusUpdate{At: at, Author: "U0NEW", Status: incident.Monitoring, Text: "later"})
		inc.Record(at, "U0NEW", incident.EntryUpdate, "monitoring: later")
		inc.Record(at, "", incident.EntryEscalation, "escalated")
	}
	inc.Compact(limits)
	assert.Equal(t, first+60, inc.OmittedTimeline, "both compactions' drops are counted")
	assert.Equal(t, 60-10, inc.OmittedUpdates)
	assert.Equal(t, 60, inc.EntryCount(incident.EntryUpdate))
	assert.Equal(t, 30, inc.EntryCount(incident.EntryReminder))
	assert.Equal(t, 30, inc.EntryCount(incident.EntryEscalation))
	assert.Equal(t, []string{"U0ALICE", "U0R0", "U0R1", "U0R2", "U0R3", "U0NEW"}, inc.Participants())
}

// TestCompactBoundsTheWorstCase compacts the largest state responders can
// build: months of updates and reminders, every text the longest they can
// send and made of characters JSON escapes, ten action items and ten
// severity changes as long, and as many marked messages as MaxMarkedBytes
// lets in, each as long as a mark keeps. What the workflow carries to its
// next run, and every payload made of it (the next run's input, the
// retrospective's input, the incident query's answer), must stay well under
// Temporal's 2 MiB payload limit.
func TestCompactBoundsTheWorstCase(t *testing.T) {
	inc := longIncident(20000, maxText) // seven months at one update every 15 minutes
	inc.Declaration.Title, inc.Declaration.Summary = maxText, maxText
	inc.Timeline[0].Text = "declared critical incident: " + maxText
	for i := range 10 {
		inc.ActionItems = append(inc.ActionItems, incident.ActionItem{Key: fmt.Sprint("action-", i), Text: maxText, Owner: "U0BOB", Due: "2026-04-01", At: declared, Author: "U0BOB"})
		inc.SeverityHistory = append(inc.SeverityHistory, incident.SeverityChange{At: declared, By: "U0BOB", From: incident.Major, To: incident.Critical, Reason: maxText})
		inc.Record(declared, "U0BOB", incident.EntryAction, "action item: "+maxText)
		inc.Record(declared, "U0BOB", incident.EntrySeverity, "severity changed from major to critical: "+maxText)
	}
	marks := markToTheBound(&inc)
	inc.Compact(incident.DefaultLimits)

	state, err := json.Marshal(inc)
	require.NoError(t, err)
	assert.Less(t, len(state), 3<<19, "the carried state stays under 1.5 MiB")
	updates, _ := json.Marshal(inc.Updates)
	var recorded, markedEntries []incident.TimelineEntry
	for _, e := range inc.Timeline {
		if e.Message != nil {
			markedEntries = append(markedEntries, e)
		} else {
			recorded = append(recorded, e)
		}
	}
	timeline, _ := json.Marshal(recorded)
	markedJSON, _ := json.Marshal(markedEntries)
	assert.LessOrEqual(t, len(updates), incident.DefaultLimits.UpdateBytes)
	assert.LessOrEqual(t, len(timeline), incident.DefaultLimits.TimelineBytes)
	assert.LessOrEqual(t, len(markedJSON), incident.MaxMarkedBytes)
	assert.Len(t, markedEntries, marks, "Compact keeps every marked message")
	assert.NotEmpty(t, inc.Updates)
	assert.Equal(t, 20000, len(inc.Updates)+inc.OmittedUpdates)

	process := incident.DefaultProcess()
	for name, payload := range map[string]any{
		"the next run's input":      wfapi.IncidentInput{Declaration: inc.Declaration, Process: process, State: &inc},
		"the retrospective's input": wfapi.RetrospectiveInput{Incident: inc, Process: process},
		"the incident query":        inc,
	} {
		b, err := json.Marshal(payload)
		require.NoError(t, err)
		assert.Less(t, len(b), 1600<<10, "%s stays under 1.6 MiB", name)
	}
	t.Logf("worst case: %d KiB carried (updates %d KiB: %d kept; timeline %d KiB: %d kept; %d marked messages %d KiB; the rest %d KiB)",
		len(state)>>10, len(updates)>>10, len(inc.Updates), len(timeline)>>10, len(recorded), marks, len(markedJSON)>>10,
		(len(state)-len(updates)-len(timeline)-len(markedJSON))>>10)
}

// markToTheBound marks war-room messages of inc, each with the longest
// text, files and marks a mark keeps, all of it escaping to six bytes a
// character, until CheckMark refuses one; it returns how many it marked.
func markToTheBound(inc *incident.Incident) int {
	worst := strings.Repeat("<", 300)
	m := incident.MessageMark{Action: incident.MarkAdd, Channel: inc.ChannelID, Author: worst, Text: maxText,
		PostedAt: declared, Permalink: "https://slack.example/" + worst}
	for range incident.MaxMarkFiles + 1 {
		m.Files = append(m.Files, incident.FileLink{Name: worst, URL: "https://files.slack.example/" + worst})
	}
	for n := 0; ; n++ {
		m.TS = fmt.Sprintf("1772460120.%06d", n)
		for i := range incident.MaxMarksPerMessage {
			m.By, m.Via = worst+fmt.Sprint(i), incident.ViaReaction
			if inc.CheckMark(m) != nil {
				return n + min(i, 1)
			}
			inc.ApplyMark(m)
		}
	}
}

// seq is the numbers from up to but not including to.
func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
