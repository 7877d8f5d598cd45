package slackdoor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
)

// fakeInsights computes the figures of its records and remembers the
// filters it was asked for; err, when set, is returned instead.
type fakeInsights struct {
	mu      sync.Mutex
	records []insights.Record
	err     error
	asked   []insights.Filter
}

func (f *fakeInsights) Report(_ context.Context, filter insights.Filter, now time.Time) (insights.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, filter)
	if f.err != nil {
		return insights.Report{}, f.err
	}
	return insights.Compute(f.records, filter, now), nil
}

func withInsights(r InsightsReports, pageURL string, now time.Time) doorOption {
	return func(o *FrontDoorOptions) {
		o.Insights, o.InsightsURL = r, pageURL
		o.Now = func() time.Time { return now }
	}
}

// insightsRecords are three incidents of the last 30 days (one a
// security incident, one still open), one older, and a drill.
func insightsRecords(now time.Time) []insights.Record {
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	const day = 24 * time.Hour
	return []insights.Record{
		{ID: "inc-1", Title: "Checkout <!channel> down", Severity: "critical", Kind: "incident", DeclaredAt: ago(20 * day),
			AcknowledgedAt: ago(20*day - 2*time.Minute), MitigatedAt: ago(20*day - 30*time.Minute), ResolvedAt: ago(20*day - time.Hour),
			UpdateIntervals: 4, UpdatesOnTime: 3, Reminders: 1},
		{ID: "inc-2", Title: "security incident", Security: true, Severity: "major", Kind: "incident", DeclaredAt: ago(10 * day),
			AcknowledgedAt: ago(10*day - 6*time.Minute), ResolvedAt: ago(10*day - 2*time.Hour)},
		{ID: "inc-3", Title: "Search slow", Severity: "minor", Kind: "incident", DeclaredAt: ago(day), Escalations: 1},
		{ID: "inc-old", Title: "Long ago", Severity: "critical", Kind: "incident", DeclaredAt: ago(45 * day), ResolvedAt: ago(44 * day)},
		{ID: "drill-1", Title: "Drill", Severity: "critical", Kind: "drill", Source: "drill", DeclaredAt: ago(3 * day), ResolvedAt: ago(3*day - time.Hour)},
	}
}

func TestInsightsCommand(t *testing.T) {
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	reports := &fakeInsights{records: insightsRecords(now)}
	d := newDoor(t, withInsights(reports, "https://incidents.example.com/insights", now))
	rep := d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "insights")
	if rep.JSON["response_type"] != "ephemeral" {
		t.Fatalf("/incident insights answered %v, want an ephemeral reply", rep.JSON)
	}
	text := replyText(rep)
	for _, want := range []string{
		"*Incident insights: the last 30 days*",
		"*3* declared, *2* resolved, *1* open now (besides 1 drill and 0 maintenance windows, not counted)",
		"Time to acknowledge: median *", "(2 incidents)",
		"Time to resolve: median *",
		"Status updates on time: *75%* of 4 update intervals; 1 reminder, 1 escalation",
		"By severity: critical 1 (median to resolve 1h 00m), major 1 (median to resolve 2h 00m), minor 1",
		"<https://incidents.example.com/insights|Open the insights page>",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range []string{"Checkout", "<!channel>", "security", "Long ago"} {
		if strings.Contains(text, leak) {
			t.Errorf("the answer shows %q:\n%s", leak, text)
		}
	}
	want := insights.Filter{Since: now.Add(-30 * 24 * time.Hour), Until: now}
	if len(reports.asked) != 1 || reports.asked[0] != want {
		t.Errorf("asked for %+v, want %+v", reports.asked, want)
	}
	if again := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "stats")); again != text {
		t.Errorf("/incident stats answered differently:\n%s", again)
	}
}

func TestInsightsCommandWithoutPageURL(t *testing.T) {
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	d := newDoor(t, withInsights(&fakeInsights{}, "", now))
	text := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "insights"))
	for _, want := range []string{"*0* declared", "Time to resolve: no incident yet", "no update interval ended", "GET /insights on incidentflow's front door (set insights.url to link it here)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer lacks %q:\n%s", want, text)
		}
	}
}

func TestInsightsCommandFailures(t *testing.T) {
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	d := newDoor(t, withInsights(&fakeInsights{err: fmt.Errorf("listing: %w", starter.ErrUnavailable)}, "", now))
	if text := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "insights")); !strings.Contains(text, "Temporal is unreachable, so I can't show the insights") {
		t.Errorf("with Temporal down: %s", text)
	}
	d = newDoor(t)
	if text := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "insights")); !strings.Contains(text, "not set up") {
		t.Errorf("with no insights: %s", text)
	}
}

func TestHelpListsInsights(t *testing.T) {
	d := newDoor(t)
	text := replyText(d.command(slackemu.GeneralChannelID, slackemu.UserAlice, "help"))
	if !strings.Contains(text, "• `/incident insights` — how we responded over the last 30 days") {
		t.Errorf("help lacks /incident insights:\n%s", text)
	}
}
