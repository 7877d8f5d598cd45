package insightsdoor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

// now is the fixed "now" of the tests.
var now = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

// at is now minus d.
func at(d time.Duration) time.Time { return now.Add(-d) }

const (
	day     = 24 * time.Hour
	testTok = "0123456789abcdef-insights"
)

// records are hand-built incidents with known figures: five real
// incidents (one still open, one security), a drill and a maintenance
// window, over the last seven weeks.
func records() []insights.Record {
	return []insights.Record{
		{ID: "inc-1", WorkflowID: "incident-inc-1", Title: "Checkout is down", Severity: "critical", Service: "checkout", Source: "slack", Kind: "incident",
			Commander: "U0ALICE", ChannelID: "C001", Channel: "inc-20260201-0900-checkout-is-down",
			DeclaredAt: at(47 * day), AcknowledgedAt: at(47*day - 2*time.Minute), MitigatedAt: at(47*day - 20*time.Minute), ResolvedAt: at(47*day - time.Hour),
			CommanderAt: at(47 * day), CommsAt: at(47*day - 5*time.Minute), UpdateIntervals: 4, UpdatesOnTime: 3, Updates: 3, Reminders: 1},
		{ID: "inc-2", WorkflowID: "incident-inc-2", Title: `Search <script>alert("x")</script> slow`, Severity: "major", Service: "search", Source: "cli", Kind: "incident",
			Commander: "U0BOB", ChannelID: "C002", Channel: "inc-20260215-1000-search-slow",
			DeclaredAt: at(33 * day), AcknowledgedAt: at(33*day - 10*time.Minute), MitigatedAt: at(33*day - time.Hour), ResolvedAt: at(33*day - 3*time.Hour),
			UpdateIntervals: 6, UpdatesOnTime: 6, Updates: 6},
		{ID: "inc-3", WorkflowID: "incident-inc-3", Title: "security incident", Severity: "critical", Source: "slack", Kind: "incident", Security: true,
			Commander: "U0ALICE", ChannelID: "C003", Channel: "inc-20260301-0800-security",
			DeclaredAt: at(19 * day), AcknowledgedAt: at(19*day - time.Minute), ResolvedAt: at(19*day - 30*time.Second),
			UpdateIntervals: 1, UpdatesOnTime: 1, Updates: 1},
		{ID: "inc-4", WorkflowID: "incident-inc-4", Title: "Payments flaky", Severity: "minor", Service: "checkout", Source: "alert", Kind: "incident",
			DeclaredAt: at(5 * day), UpdateIntervals: 3, Reminders: 3, Escalations: 1},
		{ID: "inc-5", WorkflowID: "incident-inc-5", Title: "Login errors", Severity: "major", Service: "auth", Source: "slack", Kind: "incident",
			Commander: "U0CAROL", ChannelID: "C005", Channel: "inc-20260318-1400-login-errors",
			DeclaredAt: at(2 * day), AcknowledgedAt: at(2*day - 4*time.Minute), MitigatedAt: at(2*day - 15*time.Minute), ResolvedAt: at(2*day - 45*time.Minute),
			Retrospective: &insights.Retrospective{MeetingBooked: true, MeetingEnd: at(day), PostmortemWritten: true,
				ActionItems: []insights.ActionItem{{OpenedAt: at(day), Closed: true}, {OpenedAt: at(day), Due: at(time.Hour)}}}},
		{ID: "drill-1", WorkflowID: "incident-drill-1", Title: "Drill: database failover", Severity: "critical", Source: "drill", Kind: "drill",
			DeclaredAt: at(10 * day), ResolvedAt: at(10*day - time.Hour)},
		{ID: "maint-1", WorkflowID: "incident-maint-1", Title: "Maintenance: upgrade", Severity: "minor", Source: "maintenance", Kind: "maintenance",
			DeclaredAt: at(8 * day), ResolvedAt: at(8*day - 2*time.Hour)},
	}
}

// fakeReports computes the figures of its records with insights.Compute,
// as starter.Insights does over Temporal's, and remembers the filters it
// was asked for; err, when set, is returned instead.
type fakeReports struct {
	mu      sync.Mutex
	records []insights.Record
	err     error
	asked   []insights.Filter
}

func (f *fakeReports) Report(ctx context.Context, filter insights.Filter, now time.Time) (insights.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, filter)
	if f.err != nil {
		return insights.Report{}, f.err
	}
	return insights.Compute(f.records, filter, now), nil
}

func (f *fakeReports) filters() []insights.Filter {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]insights.Filter(nil), f.asked...)
}

// testProcess is the default process with a Web UI to link to.
func testProcess() incident.Process {
	p := incident.DefaultProcess()
	p.WebUIURL = "http://127.0.0.1:8233"
	p.Namespace = "default"
	return p
}

// newDoor is a door over reports with options o (Reports, Process and the
// clock filled in when unset).
func newDoor(t *testing.T, reports *fakeReports, o insightsdoor.Options) *insightsdoor.Door {
	t.Helper()
	o.Reports = reports
	if o.Process.Severities == nil {
		o.Process = testProcess()
	}
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	d, err := insightsdoor.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
