package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

func TestPageEventsAreRecordedOnceAndBounded(t *testing.T) {
	var inc incident.Incident
	if !inc.RecordPageEvent("E1") || inc.RecordPageEvent("E1") {
		t.Fatal("an event ID is new once")
	}
	for i := range 150 {
		inc.RecordPageEvent(fmt.Sprintf("X%d", i))
	}
	if len(inc.PageEvents) != 100 || inc.PageEvents[99] != "X149" {
		t.Errorf("kept %d event IDs, the last %q; want the latest 100", len(inc.PageEvents), inc.PageEvents[len(inc.PageEvents)-1])
	}
}

func TestTimeToAcknowledgeCountsFromTheFirstPageSent(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	inc := incident.Incident{Pages: []incident.Page{
		{DedupKey: "b", SentAt: at.Add(5 * time.Minute)},
		{DedupKey: "a", SentAt: at.Add(time.Minute)},
		{DedupKey: "c"}, // never sent
	}}
	if _, ok := inc.TimeToAcknowledgePage(); ok {
		t.Error("measured before any acknowledgement")
	}
	inc.PageAcknowledgedAt = at.Add(15 * time.Minute)
	if d, ok := inc.TimeToAcknowledgePage(); !ok || d != 14*time.Minute {
		t.Errorf("time to acknowledge %v %v, want 14m", d, ok)
	}
	if inc.PageOf("c") != 2 || inc.PageOf("z") != -1 {
		t.Error("PageOf")
	}
}

func TestPageTexts(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	at := time.Date(2026, 1, 15, 2, 14, 0, 0, time.UTC)
	if got := incident.PageEventText("acknowledged", "Ava", at, loc); got != "paged: acknowledged by Ava at 02:14 GMT" {
		t.Errorf("got %q", got)
	}
	if got := incident.PageEventText("resolved", " \x1b\u202e ", at, time.UTC); got != "paged: resolved at 02:14 UTC" {
		t.Errorf("got %q", got)
	}
	line := incident.OnCallLine([]incident.OnCallResponder{{Name: "Ava", User: "U0AVA", Level: 1}, {Name: "<!here> Bo", Level: 2}, {Name: "Cy"}})
	if line != "<@U0AVA> (level 1), &lt;!here&gt; Bo (level 2, no Slack account), Cy (no Slack account)" {
		t.Errorf("got %q", line)
	}
	if got := (incident.Page{Service: "checkout"}).Target(); got != "the on-call of checkout" {
		t.Errorf("got %q", got)
	}
	inc := incident.Incident{Declaration: incident.Declaration{ID: "abc"}, Pages: make([]incident.Page, incident.MaxPages)}
	if err := inc.CheckRoomForPage(); err == nil || !strings.Contains(err.Error(), "page more from PagerDuty itself") {
		t.Errorf("room for page: %v", err)
	}
}

// The paging entries of the timeline reach the postmortem, and the kickoff
// names who is on call.
func TestPagingReachesThePostmortemAndTheKickoff(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	inc := incident.New(incident.Declaration{ID: "abc", Title: "Checkout down", Severity: incident.Critical, Declarer: "U0ALICE", DeclaredAt: at})
	inc.Record(at.Add(time.Minute), "", incident.EntryPage, "paged the on-call of checkout through PagerDuty (declared critical)")
	inc.Record(at.Add(14*time.Minute), "", incident.EntryPage, incident.PageEventText("acknowledged", "Ava", at.Add(14*time.Minute), time.UTC))
	md := incident.RenderPostmortem(&inc, incident.PostmortemContext{})
	for _, want := range []string{"paged the on-call of checkout through PagerDuty", "paged: acknowledged by Ava at 02:14 UTC"} {
		if !strings.Contains(md, want) {
			t.Errorf("the postmortem lacks %q:\n%s", want, md)
		}
	}
	p := incident.DefaultProcess()
	if strings.Contains(incident.KickoffText(&inc, &p), "On call") {
		t.Error("the kickoff names an on-call before anyone was found")
	}
	inc.OnCall = []incident.OnCallResponder{{Name: "Ava", User: "U0AVA", Level: 1}}
	if !strings.Contains(incident.KickoffText(&inc, &p), "*On call (PagerDuty):* <@U0AVA> (level 1)") {
		t.Error("the kickoff doesn't name who is on call")
	}
}
