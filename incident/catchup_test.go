package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// timelineIncident is an incident with a status update and three marked
// messages around it, one of them with a file, one edited, one deleted.
func timelineIncident() incident.Incident {
	at := func(hhmm string) time.Time {
		t, err := time.Parse("2006-01-02 15:04", "2025-03-04 "+hhmm)
		if err != nil {
			panic(err)
		}
		return t
	}
	inc := incident.New(incident.Declaration{ID: "checkout-down", Title: "Checkout <!channel> down", Severity: incident.Major,
		Declarer: "U0ALICE", DeclaredAt: at("14:00")})
	inc.Status = incident.Identified
	inc.Commander = "U0ALICE"
	inc.Comms = "U0BOB"
	inc.Timeline = append(inc.Timeline,
		incident.TimelineEntry{At: at("14:02"), Actor: "U0BOB", Kind: incident.EntryMessage, Text: "card errors *spiking*\nsince 13:55",
			Message: &incident.MarkedMessage{Channel: "C1", TS: "1741096920.000100", Permalink: "https://acme.slack.com/archives/C1/p1741096920000100",
				Files: []incident.FileLink{{Name: "graph.png", URL: "https://files.slack.com/graph.png"}}}},
		incident.TimelineEntry{At: at("14:10"), Actor: "U0ALICE", Kind: incident.EntryUpdate, Text: "identified: bad deploy <https://evil|click>"},
		incident.TimelineEntry{At: at("14:12"), Actor: "U0CAROL", Kind: incident.EntryMessage, Text: "rolled back",
			Message: &incident.MarkedMessage{Channel: "C1", TS: "1741097520.000100", Edited: true}},
		incident.TimelineEntry{At: at("14:15"), Actor: "U0BOB", Kind: incident.EntryMessage, Text: "oops",
			Message: &incident.MarkedMessage{Channel: "C1", TS: "1741097700.000100", Deleted: true}},
	)
	inc.Updates = []incident.StatusUpdate{{At: at("14:10"), Author: "U0ALICE", Status: incident.Identified, Text: "bad deploy <https://evil|click>"}}
	inc.NextUpdateBy = at("14:40")
	return inc
}

func TestTimelineText(t *testing.T) {
	inc := timelineIncident()
	got := incident.TimelineText(&inc, time.UTC, 3, "<https://ui/x|The whole timeline>")
	want := "*Timeline of incident `checkout-down`* (the last 3 of 5 entries, times in UTC)\n" +
		"14:10 <@U0ALICE> identified: bad deploy &lt;https://evil|click&gt;\n" +
		"14:12 <@U0CAROL> “rolled back” _(edited)_\n" +
		"14:15 <@U0BOB> “oops” _(deleted in Slack)_\n" +
		"<https://ui/x|The whole timeline>"
	if got != want {
		t.Errorf("TimelineText =\n%s\nwant\n%s", got, want)
	}

	got = incident.TimelineText(&inc, time.UTC, 2, "")
	if want := "*Timeline of incident `checkout-down`* (the last 2 of 5 entries, times in UTC)\n" +
		"14:12 <@U0CAROL> “rolled back” _(edited)_\n" +
		"14:15 <@U0BOB> “oops” _(deleted in Slack)_"; got != want {
		t.Errorf("TimelineText without a link =\n%s\nwant\n%s", got, want)
	}
}

func TestTimelineTextAcrossDays(t *testing.T) {
	inc := timelineIncident()
	inc.Timeline[0].Text = "declared major incident: Checkout <!channel> down"
	inc.Timeline = inc.Timeline[:2]
	inc.Timeline[1].At = inc.Timeline[1].At.Add(24 * time.Hour)
	got := incident.TimelineText(&inc, time.UTC, 20, "")
	want := "*Timeline of incident `checkout-down`* (2 entries, times in UTC)\n" +
		"Mar 4 14:00 <@U0ALICE> declared major incident: Checkout &lt;!channel&gt; down\n" +
		"Mar 5 14:02 <@U0BOB> “card errors ∗spiking∗ since 13:55” <https://acme.slack.com/archives/C1/p1741096920000100|(message)> · <https://files.slack.com/graph.png|graph.png>"
	if got != want {
		t.Errorf("TimelineText =\n%s\nwant\n%s", got, want)
	}
}

func TestCatchupText(t *testing.T) {
	inc := timelineIncident()
	proc := incident.DefaultProcess()
	got := incident.CatchupText(&inc, &proc, time.UTC)
	want := "*Catching up on `checkout-down`*: Checkout &lt;!channel&gt; down\n" +
		"• Severity: *MAJOR* (A major feature is broken or badly degraded) · Status: *identified*\n" +
		"• Commander: <@U0ALICE> · Comms: <@U0BOB>\n" +
		"• Declared 14:00 UTC by <@U0ALICE>\n" +
		"• Last update 14:10 UTC by <@U0ALICE> (identified): bad deploy &lt;https://evil|click&gt;\n" +
		"• Next update due by 14:40 UTC\n" +
		"*Marked since that update*\n" +
		"• 14:12 <@U0CAROL> “rolled back” _(edited)_\n" +
		"• 14:15 <@U0BOB> “oops” _(deleted in Slack)_"
	if got != want {
		t.Errorf("CatchupText =\n%s\nwant\n%s", got, want)
	}
}

func TestCatchupTextBeforeTheFirstUpdate(t *testing.T) {
	inc := timelineIncident()
	inc.Declaration.Security = true
	inc.Updates = nil
	inc.Comms = ""
	inc.NextUpdateBy = time.Time{}
	inc.Timeline = inc.Timeline[:2]
	proc := incident.DefaultProcess()
	got := incident.CatchupText(&inc, &proc, time.UTC)
	want := "*Catching up on `checkout-down`*: security incident\n" +
		"• Severity: *MAJOR* (A major feature is broken or badly degraded) · Status: *identified*\n" +
		"• Commander: <@U0ALICE> · Comms: nobody\n" +
		"• Declared 14:00 UTC by <@U0ALICE>\n" +
		"• No status update yet\n" +
		"*Marked since the declaration*\n" +
		"• 14:02 <@U0BOB> “card errors ∗spiking∗ since 13:55” <https://acme.slack.com/archives/C1/p1741096920000100|(message)> · <https://files.slack.com/graph.png|graph.png>"
	if got != want {
		t.Errorf("CatchupText =\n%s\nwant\n%s", got, want)
	}
	inc.Timeline = inc.Timeline[:1]
	if got := incident.CatchupText(&inc, &proc, time.UTC); !strings.HasSuffix(got, "\nNothing was marked for the timeline since the declaration.") {
		t.Errorf("CatchupText with nothing marked =\n%s", got)
	}
}

func TestCatchupAndPostmortemSayHowACLIDeclarationWasMade(t *testing.T) {
	at := time.Date(2026, 3, 10, 14, 32, 0, 0, time.UTC)
	inc := incident.New(incident.Declaration{ID: "cli1", Title: "Checkout down", Severity: incident.Major,
		DeclaredAt: at, DeclaredVia: "the CLI on host build-7"})
	proc := incident.DefaultProcess()
	if got := incident.CatchupText(&inc, &proc, time.UTC); !strings.Contains(got, "• Declared 14:32 UTC via the CLI on host build-7") || strings.Contains(got, "by nobody") {
		t.Errorf("catch-up: %q", got)
	}
	inc.Status, inc.ResolvedAt = incident.Resolved, at.Add(time.Hour)
	md := incident.RenderPostmortem(&inc, incident.PostmortemContext{})
	if !strings.Contains(md, "via the CLI on host build-7") {
		t.Errorf("postmortem:\n%s", md)
	}
}
