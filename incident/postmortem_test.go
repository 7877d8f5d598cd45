package incident

import (
	"strings"
	"testing"
	"time"
)

func resolvedIncident() Incident {
	t0 := time.Date(2025, 3, 7, 13, 0, 0, 0, time.UTC)
	inc := New(Declaration{ID: "abc123", Title: "Checkout <!channel> down @org/team", Summary: "Payments fail",
		Severity: Major, Service: "checkout", Declarer: "U1", DeclaredAt: t0})
	inc.ChannelID, inc.ChannelName = "C1", "inc-20250307-1300-checkout"
	inc.AcknowledgedAt = t0.Add(2 * time.Minute)
	inc.Comms = "U2"
	inc.Updates = []StatusUpdate{
		{At: t0.Add(10 * time.Minute), Author: "U1", Status: Investigating, Text: "looking"},
		{At: t0.Add(20 * time.Minute), Author: "U3", Status: Identified, Text: "bad deploy | v42"},
		{At: t0.Add(25 * time.Minute), Author: "U3", Status: Identified, Text: "rolling back"},
		{At: t0.Add(40 * time.Minute), Author: "U1", Status: Mitigated, Text: "rolled back"},
	}
	inc.MitigatedAt = t0.Add(40 * time.Minute)
	inc.SeverityHistory = []SeverityChange{{At: t0.Add(5 * time.Minute), By: "U1", From: Minor, To: Major, Reason: "all regions"}}
	inc.Record(t0.Add(5*time.Minute), "U1", EntrySeverity, "minor → major")
	inc.Record(t0.Add(20*time.Minute), "U3", EntryUpdate, "identified")
	inc.Record(t0.Add(30*time.Minute), "", EntryReminder, "update due")
	inc.Status, inc.ResolvedAt, inc.ResolvedBy, inc.Resolution = Resolved, t0.Add(65*time.Minute), "U1", "Rolled back v42"
	inc.ActionItems = []ActionItem{{Key: "k1", Text: "Add a canary", Owner: "U3", Due: "2025-03-21"}}
	return inc
}

func TestRenderPostmortem(t *testing.T) {
	inc := resolvedIncident()
	pc := PostmortemContext{
		People:      map[string]Person{"U1": {ID: "U1", Name: "Alice"}, "U3": {ID: "U3", Name: "Carol"}},
		WarRoomURL:  "https://slack.example/archives/C1",
		ActionItems: inc.ActionItems,
		Issues:      map[string]string{"k1": "https://github.example/o/r/issues/7"},
		TimeZone:    "Europe/London",
	}
	md := RenderPostmortem(&inc, pc)
	for _, want := range []string{
		PostmortemMarker("abc123"),
		"## Overview", "## Impact", "## Resolution steps", "## Root cause", "## Action items",
		"## Process improvements", "## Team learning", "## Severity history", "## Participants",
		"## Status updates", "## Timeline",
		"| Time to acknowledge | 2m |", "| Time to mitigate | 40m |", "| Time to resolve | 1h 5m |",
		"Checkout &lt;!channel&gt; down @\u2060org/team", // escaped: no HTML, no mention
		"Payments fail",
		"When the cause was identified (2025-03-07 13:20 GMT): bad deploy | v42",
		"- Add a canary (owner Carol, due 2025-03-21) — https://github.example/o/r/issues/7",
		"**minor** → **major** (Alice): all regions",
		"- Alice (commander, declared)", "- U2 (comms)", "- Carol",
		"| 2025-03-07 13:20 GMT | identified | Carol | bad deploy \\| v42 |",
		"- 1 status-update reminder(s) were sent",
		"[inc-20250307-1300-checkout](https://slack.example/archives/C1)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, md)
		}
	}
	// Impact, root cause, process improvements and learning still need people.
	if n := strings.Count(md, ToBeCompleted); n < 5 {
		t.Errorf("%d sections marked %q, want at least 5", n, ToBeCompleted)
	}
	// Two consecutive "identified" updates are one resolution step.
	if n := strings.Count(md, "**identified**"); n != 1 {
		t.Errorf("resolution steps list identified %d times, want once", n)
	}
}

func TestRenderPostmortemEmpty(t *testing.T) {
	inc := New(Declaration{ID: "x1", Title: "Something", Severity: Minor, Declarer: "U1"})
	md := RenderPostmortem(&inc, PostmortemContext{})
	for _, want := range []string{"Something", "Stayed **minor** throughout.", "No status updates were posted.",
		ToBeCompleted + ": what happened", ToBeCompleted + ": preventive action items", "| Time to resolve | — |"} {
		if !strings.Contains(md, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, md)
		}
	}
}

func TestRenderPostmortemSecurity(t *testing.T) {
	inc := resolvedIncident()
	inc.Declaration.Security = true
	md := RenderPostmortem(&inc, PostmortemContext{ActionItems: inc.ActionItems})
	for _, secret := range []string{"Checkout", "Payments fail", "bad deploy", "Rolled back v42", "all regions"} {
		if strings.Contains(md, secret) {
			t.Errorf("security postmortem shows %q", secret)
		}
	}
	if got := PostmortemTitle(&inc); got != "Postmortem: security incident abc123" {
		t.Errorf("title = %q", got)
	}
}

func TestReplaceSection(t *testing.T) {
	body := "intro edited by people\n" + WrapSection(ActionItemsSection, "old") + "\nmore edits"
	got, ok := ReplaceSection(body, ActionItemsSection, "new list")
	if !ok || got != "intro edited by people\n"+WrapSection(ActionItemsSection, "new list")+"\nmore edits" {
		t.Fatalf("ReplaceSection = %q, %v", got, ok)
	}
	if _, ok := ReplaceSection("markers deleted", ActionItemsSection, "x"); ok {
		t.Error("ReplaceSection without markers reported success")
	}
}

func TestEscapeMarkdown(t *testing.T) {
	cases := map[string]string{
		"ping @alice":                    "ping @\u2060alice",
		"mail alice@example.com":         "mail alice@example.com",
		"<!-- incidentflow:action:x -->": "&lt;!-- incidentflow:action:x --&gt;",
		"(@team)":                        "(@\u2060team)",
	}
	for in, want := range cases {
		if got := EscapeMarkdown(in); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPostmortemNamesPeopleInTexts: a Slack user named in a text (the
// timeline's role changes, a mention in an update) is shown by name when
// the retrospective looked them up, as the other sections show people.
func TestPostmortemNamesPeopleInTexts(t *testing.T) {
	t0 := time.Date(2025, 3, 7, 13, 0, 0, 0, time.UTC)
	inc := New(Declaration{ID: "abc123", Title: "Checkout down", Severity: Major, Declarer: "U0ALICE", DeclaredAt: t0})
	inc.Comms = "U0ERIN"
	inc.Record(t0.Add(5*time.Minute), "U0ALICE", EntryRole, "U0DAVE is now comms")
	inc.Record(t0.Add(9*time.Minute), "U0ALICE", EntryRole, "U0ERIN is now comms")
	inc.Updates = []StatusUpdate{{At: t0.Add(10 * time.Minute), Author: "U0ALICE", Status: Identified,
		Text: "<@U0DAVE> found the bad deploy; U0NOBODY and <@U0NOBODY|nobody> are unknown, UTC stays"}}
	inc.Record(t0.Add(10*time.Minute), "U0ALICE", EntryUpdate, "identified: "+inc.Updates[0].Text)

	if got, want := inc.NamedUsers(), []string{"U0DAVE", "U0NOBODY"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("NamedUsers = %v, want %v (Alice and Erin are participants)", got, want)
	}
	md := RenderPostmortem(&inc, PostmortemContext{People: map[string]Person{
		"U0ALICE": {ID: "U0ALICE", Name: "Alice"}, "U0DAVE": {ID: "U0DAVE", Name: "Dave"}, "U0ERIN": {ID: "U0ERIN", Name: "Erin"},
	}})
	for _, want := range []string{
		"- 13:05 UTC — role (Alice): Dave is now comms",
		"- 13:09 UTC — role (Alice): Erin is now comms",
		"- 13:10 UTC — update (Alice): identified: Dave found the bad deploy; U0NOBODY and nobody are unknown, UTC stays",
		"| 2025-03-07 13:10 UTC | identified | Alice | Dave found the bad deploy; U0NOBODY and nobody are unknown, UTC stays |",
		"When the cause was identified (2025-03-07 13:10 UTC): Dave found the bad deploy;",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "U0DAVE") {
		t.Errorf("postmortem shows Dave's Slack ID:\n%s", md)
	}
}

// TestPostmortemWithoutMitigationSaysNotRecorded: nobody posted a
// mitigated update, so there is no time to mitigate to report.
func TestPostmortemWithoutMitigationSaysNotRecorded(t *testing.T) {
	inc := resolvedIncident()
	inc.MitigatedAt = time.Time{}
	md := RenderPostmortem(&inc, PostmortemContext{})
	for _, want := range []string{
		"| Time to mitigate | not recorded |",
		"- Duration: 1h 5m from declaration to resolution\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "mitigated after") {
		t.Errorf("postmortem reports a time to mitigate nobody recorded:\n%s", md)
	}
	// With a mitigated update, both say when.
	inc = resolvedIncident()
	md = RenderPostmortem(&inc, PostmortemContext{})
	for _, want := range []string{"| Time to mitigate | 40m |", "- Duration: 1h 5m from declaration to resolution (mitigated after 40m)\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("postmortem lacks %q:\n%s", want, md)
		}
	}
}
