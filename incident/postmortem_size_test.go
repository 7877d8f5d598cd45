package incident_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/incidentflow/incidentflow/incident"
)

// gitHubBodyLimit is the most characters (runes, as internal/githubemu
// counts them) GitHub accepts in an issue body.
const gitHubBodyLimit = 65536

// retroCut is where the retrospective cuts a longer draft (bytes): a draft
// that fits needs no cut.
const retroCut = 65000

func TestPostmortemFitsGitHubsBodyLimit(t *testing.T) {
	// Three weeks of updates at the longest the modal allows, in a
	// character that takes two bytes, with a pipe and a mention to escape.
	text := strings.Repeat("é", 2990) + " | @team"
	resolved := func(inc incident.Incident) incident.Incident {
		end := inc.Updates[len(inc.Updates)-1].At.Add(time.Hour)
		inc.Record(end, "U0R1", incident.EntryResolved, "resolved: rolled back")
		inc.Status, inc.ResolvedAt, inc.ResolvedBy, inc.Resolution = incident.Resolved, end, "U0R1", "Rolled back the replica"
		return inc
	}
	compacted := func(inc incident.Incident) incident.Incident {
		inc.Compact(incident.DefaultLimits)
		return resolved(inc)
	}
	cases := []struct {
		name string
		inc  incident.Incident
		// fitted is set when the logs must be shortened to fit.
		fitted bool
		// wantShown are texts the draft must show.
		wantShown []string
	}{
		{name: "a short incident is drafted whole", inc: resolved(longIncident(12, "replicas caught up")),
			wantShown: []string{"- 12 status-update reminder(s) were sent"}},
		{name: "a long incident keeps its first and latest entries", inc: resolved(longIncident(2000, text)), fitted: true,
			wantShown: []string{"- 2000 status-update reminder(s) were sent"}},
		{name: "a compacted incident says what it dropped", inc: compacted(longIncident(2000, text)), fitted: true,
			wantShown: []string{
				"earlier status updates are not listed", "earlier entries are not listed",
				"the full record is in the war room's Slack history (#inc-20260302-1000-replication-lag)",
				"- 2000 status-update reminder(s) were sent",
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inc := c.inc
			pc := incident.PostmortemContext{
				People:      map[string]incident.Person{"U0ALICE": {ID: "U0ALICE", Name: "Alice"}},
				WarRoomURL:  "https://slack.example/archives/C0WAR",
				ActionItems: inc.ActionItems,
			}
			md := incident.RenderPostmortem(&inc, pc)
			assert.LessOrEqual(t, utf8.RuneCountInString(md), gitHubBodyLimit, "GitHub takes the body")
			assert.LessOrEqual(t, len(md), retroCut, "the retrospective has nothing to cut")

			for _, want := range append([]string{
				incident.PostmortemMarker("long1"),
				"## Overview", "## Impact", "## Resolution steps", "## Root cause", "## Action items",
				"## Process improvements", "## Team learning", "## Severity history", "## Participants",
				"## Status updates", "## Timeline",
				incident.WrapSection(incident.ActionItemsSection, pc.ActionItemsMarkdown()),
				"| When | Status | By | Update |",
				"— declared (Alice): declared critical incident: Replication lag",
				"— war_room (incidentflow): war room #inc-20260302-1000-replication-lag opened",
				"— resolved (U0R1): resolved: rolled back",
				"— **resolved**: Rolled back the replica (U0R1)",
				"which steps helped, which didn't, and why",
				"- Alice (commander, declared)", "- U0R3",
			}, c.wantShown...) {
				shows(t, md, want)
			}
			first, last := inc.Updates[0], inc.Updates[len(inc.Updates)-1]
			shows(t, md, "| "+first.At.Format("2006-01-02 15:04 UTC")+" | investigating | U0R0 | ")
			shows(t, md, "| "+last.At.Format("2006-01-02 15:04 UTC")+" | "+string(last.Status)+" | "+last.Author+" | ")
			shows(t, md, "- "+first.At.Format("2006-01-02 15:04 UTC")+" — **investigating**: ")

			gaps := []string{"steps left out here", "updates left out here", "entries left out here"}
			for _, gap := range gaps {
				if c.fitted {
					shows(t, md, gap+" to keep this issue within GitHub's size limit; the full record is in the war room's Slack history (#inc-20260302-1000-replication-lag)")
				} else {
					assert.False(t, strings.Contains(md, gap), "a draft that fits leaves nothing out, yet says %q", gap)
				}
			}
		})
	}
}

func TestPostmortemOfASecurityIncidentFits(t *testing.T) {
	inc := longIncident(3000, strings.Repeat("secret ", 400))
	inc.Declaration.Security = true
	inc.Compact(incident.DefaultLimits)
	md := incident.RenderPostmortem(&inc, incident.PostmortemContext{})
	assert.LessOrEqual(t, len(md), retroCut)
	assert.False(t, strings.Contains(md, "secret"), "a security incident's postmortem shows no user text")
	shows(t, md, "entries left out here")
}

// shows fails the test when the postmortem md lacks want, without printing
// the whole (long) postmortem.
func shows(t *testing.T, md, want string) {
	t.Helper()
	if !strings.Contains(md, want) {
		t.Errorf("the postmortem (%d bytes) lacks %q", len(md), want)
	}
}

func TestDetailsShowWhatCompactDropped(t *testing.T) {
	inc := longIncident(1200, "ok")
	md := incident.Details(&inc, time.UTC)
	assert.Contains(t, md, "- 2402 timeline entries, 1200 updates, 1 action items\n")
	assert.NotContains(t, md, "no longer kept")

	inc.Compact(incident.DefaultLimits)
	md = incident.Details(&inc, time.UTC)
	assert.Contains(t, md, "- 1000 timeline entries, 500 updates, 1 action items\n")
	assert.Contains(t, md, "- 700 older updates and 1402 older timeline entries are no longer kept here: every update and reminder was posted in the war room")
}
