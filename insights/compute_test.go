package insights_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

// at is a time in March 2026 (UTC): day, hour, minute. 2 March 2026 is a
// Monday.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, time.UTC)
}

// now is when the figures of fixture are computed: Monday 30 March, noon.
var now = at(30, 12, 0)

// fixture is a month of incidents whose figures are worked out by hand in
// TestComputeFigures.
func fixture() []insights.Record {
	a1 := at(3, 10, 0)  // Tuesday of the week of 2 March
	b2 := at(4, 9, 0)   // same week
	c3 := at(17, 8, 0)  // week of 16 March
	d4 := at(18, 12, 0) // same week
	e5 := at(24, 10, 0) // week of 23 March
	return []insights.Record{
		{ // acknowledged, mitigated, resolved; a retrospective with three items
			ID: "a1", Title: "Checkout is down", Severity: "critical", Service: "checkout", Source: "slack", Kind: "incident", Commander: "U1",
			DeclaredAt: a1, AcknowledgedAt: a1.Add(2 * time.Minute), MitigatedAt: a1.Add(20 * time.Minute), ResolvedAt: a1.Add(time.Hour),
			CommanderAt: a1, CommsAt: a1.Add(5 * time.Minute),
			UpdateIntervals: 4, UpdatesOnTime: 3, Updates: 4, Reminders: 1, Escalations: 1,
			Retrospective: &insights.Retrospective{
				MeetingBooked: true, MeetingEnd: at(5, 15, 0), Done: true, PostmortemWritten: true,
				ActionItems: []insights.ActionItem{
					{OpenedAt: at(4, 10, 0), Closed: true},
					{OpenedAt: at(4, 10, 0), Due: at(10, 0, 0)}, // overdue
					{OpenedAt: at(20, 12, 0)},                   // no due date
				},
			},
		},
		{ // never acknowledged, resolved within a minute, no commander
			ID: "b2", Title: "Flaky login", Severity: "major", Service: "checkout", Source: "cli", Kind: "incident",
			DeclaredAt: b2, ResolvedAt: b2.Add(40 * time.Second),
		},
		{ // still open; the commander came after 15 minutes
			ID: "c3", Title: "Search is slow", Severity: "minor", Service: "search", Source: "alert", Kind: "incident", Commander: "U2",
			DeclaredAt: c3, AcknowledgedAt: c3.Add(10 * time.Minute),
			CommanderAt: c3.Add(15 * time.Minute), CommsAt: c3.Add(time.Minute),
			UpdateIntervals: 2, Reminders: 2,
		},
		{ // a security incident whose record kept its real title; roles at exactly 10 minutes
			ID: "d4", Title: "Leaked database credentials", Severity: "critical", Source: "slack", Kind: "incident", Commander: "U1", Security: true,
			DeclaredAt: d4, AcknowledgedAt: d4.Add(time.Minute), MitigatedAt: d4.Add(30 * time.Minute), ResolvedAt: d4.Add(3 * time.Hour),
			CommanderAt: d4, CommsAt: d4.Add(10 * time.Minute),
			UpdateIntervals: 6, UpdatesOnTime: 6, Escalations: 2,
			Retrospective: &insights.Retrospective{
				MeetingBooked: true, MeetingEnd: time.Date(2026, time.April, 2, 15, 0, 0, 0, time.UTC), // not yet
				ActionItems: []insights.ActionItem{{OpenedAt: at(19, 12, 0), Due: time.Date(2026, time.April, 10, 0, 0, 0, 0, time.UTC)}},
			},
		},
		{ // reopened: resolved, then active again, so ResolvedAt is cleared
			ID: "e5", Title: "Payments time out", Severity: "major", Service: "checkout", Source: "slack", Kind: "incident", Commander: "U3",
			DeclaredAt: e5, AcknowledgedAt: e5.Add(5 * time.Minute), MitigatedAt: e5.Add(15 * time.Minute),
			CommanderAt: e5, CommsAt: e5.Add(11 * time.Minute),
			UpdateIntervals: 2, UpdatesOnTime: 1, Reminders: 1,
		},
		{ID: "f6", Title: "Game day", Severity: "minor", Kind: "drill", Source: "drill", DeclaredAt: at(10, 9, 0), AcknowledgedAt: at(10, 9, 1), ResolvedAt: at(10, 10, 0), Reminders: 5},
		{ID: "g7", Title: "DB upgrade", Severity: "minor", Kind: "maintenance", Source: "maintenance", DeclaredAt: at(11, 2, 0), ResolvedAt: at(11, 4, 0), Escalations: 1},
		{ID: "h8", Title: "Last month", Severity: "critical", Kind: "incident", DeclaredAt: time.Date(2026, time.February, 25, 0, 0, 0, 0, time.UTC), ResolvedAt: at(1, 0, 0)},
		{ID: "i9", Title: "No declaration time", Severity: "critical", Kind: "incident"},
	}
}

// march is the period of fixture: from Monday 2 March to now.
var march = insights.Filter{Since: at(2, 0, 0), Until: now}

func TestComputeFigures(t *testing.T) {
	rep := insights.Compute(fixture(), march, now)

	counts := [5]int{rep.Declared, rep.Resolved, rep.Open, rep.Drills, rep.Maintenance}
	if counts != [5]int{5, 3, 2, 1, 1} {
		t.Errorf("declared, resolved, open, drills, maintenance = %v, want [5 3 2 1 1]", counts)
	}
	// Acknowledged: a1 120 s, c3 600 s, d4 60 s, e5 300 s; b2 never.
	checkStat(t, "time to acknowledge", rep.TimeToAcknowledge, insights.Stat{Count: 4, MedianSeconds: 210, P90Seconds: 600, MeanSeconds: 270, IDs: []string{"a1", "c3", "d4", "e5"}})
	// Mitigated: a1 1200 s, d4 1800 s, e5 900 s.
	checkStat(t, "time to mitigate", rep.TimeToMitigate, insights.Stat{Count: 3, MedianSeconds: 1200, P90Seconds: 1800, MeanSeconds: 1300, IDs: []string{"a1", "d4", "e5"}})
	// Resolved: a1 3600 s, b2 40 s, d4 10800 s; c3 open, e5 reopened.
	checkStat(t, "time to resolve", rep.TimeToResolve, insights.Stat{Count: 3, MedianSeconds: 3600, P90Seconds: 10800, MeanSeconds: 14440.0 / 3, IDs: []string{"a1", "b2", "d4"}})

	if !near(rep.UpdatesOnTimeRatio, 10.0/14) || rep.UpdateIntervals != 14 {
		t.Errorf("updates on time ratio = %v of %d intervals, want 10/14", rep.UpdatesOnTimeRatio, rep.UpdateIntervals)
	}
	process := [3]int{rep.Reminders, rep.Escalations, rep.RolesWithin10m}
	if process != [3]int{4, 3, 2} {
		t.Errorf("reminders, escalations, roles within 10m = %v, want [4 3 2] (drills and maintenance left out)", process)
	}
	if want := (insights.RetroFigures{Held: 1, PostmortemsWritten: 1, Done: 1}); rep.Retrospectives != want {
		t.Errorf("retrospectives = %+v, want %+v", rep.Retrospectives, want)
	}
	// Open items are 26 d 2 h, 10 d and 11 d old: the median is 11 d.
	if want := (insights.ItemFigures{Opened: 4, Closed: 1, Overdue: 1, MedianOpenAgeSeconds: 11 * 86400}); rep.ActionItems != want {
		t.Errorf("action items = %+v, want %+v", rep.ActionItems, want)
	}

	sev := rep.BySeverity
	if len(sev) != 3 || sev["critical"].Declared != 2 || sev["critical"].Resolved != 2 || sev["major"].Open != 1 || sev["minor"].Open != 1 {
		t.Errorf("by severity = %+v", sev)
	}
	checkStat(t, "critical time to resolve", sev["critical"].TimeToResolve, insights.Stat{Count: 2, MedianSeconds: 7200, P90Seconds: 10800, MeanSeconds: 7200, IDs: []string{"a1", "d4"}})
	checkStat(t, "major time to acknowledge", sev["major"].TimeToAcknowledge, insights.Stat{Count: 1, MedianSeconds: 300, P90Seconds: 300, MeanSeconds: 300, IDs: []string{"e5"}})
	checkDeclared(t, "by service", rep.ByService, map[string]int{"checkout": 3, "search": 1, insights.NoneKey: 1})
	checkDeclared(t, "by source", rep.BySource, map[string]int{"slack": 3, "cli": 1, "alert": 1})
	checkDeclared(t, "by commander", rep.ByCommander, map[string]int{"U1": 2, "U2": 1, "U3": 1, insights.NoneKey: 1})

	weeks := []insights.Count{{Start: at(2, 0, 0), Count: 2}, {Start: at(9, 0, 0)}, {Start: at(16, 0, 0), Count: 2}, {Start: at(23, 0, 0), Count: 1}, {Start: at(30, 0, 0)}}
	if !reflect.DeepEqual(rep.PerWeek, weeks) {
		t.Errorf("per week = %+v, want %+v", rep.PerWeek, weeks)
	}
	if len(rep.MTTRPerMonth) != 1 || rep.MTTRPerMonth[0].Start != at(1, 0, 0) || rep.MTTRPerMonth[0].Count != 3 || !near(rep.MTTRPerMonth[0].MeanSeconds, 14440.0/3) {
		t.Errorf("MTTR per month = %+v, want March: 3 incidents, mean 14440/3 s", rep.MTTRPerMonth)
	}

	var ids []string
	for _, inc := range rep.Incidents {
		ids = append(ids, inc.ID)
	}
	if !slices.Equal(ids, []string{"a1", "b2", "c3", "d4", "e5"}) {
		t.Errorf("incidents = %v, want a1 b2 c3 d4 e5 (real incidents in order of declaration)", ids)
	}
	if d4 := rep.Incidents[3]; d4.Title != "security incident" || d4.ResolvedAt != at(18, 15, 0) {
		t.Errorf("the security incident is listed as %+v", d4)
	}
	if b, _ := json.Marshal(rep); strings.Contains(string(b), "Leaked") {
		t.Errorf("the report's JSON shows a security incident's title: %s", b)
	}
	if !rep.GeneratedAt.Equal(now) || rep.Filter != march {
		t.Errorf("generated at %v for %+v, want %v for %+v", rep.GeneratedAt, rep.Filter, now, march)
	}
}

func TestComputeFilters(t *testing.T) {
	crit := march
	crit.Severity = "critical"
	rep := insights.Compute(fixture(), crit, now)
	if rep.Declared != 2 || rep.Drills != 0 || rep.Maintenance != 0 || len(rep.BySeverity) != 1 {
		t.Errorf("--severity critical: declared %d, drills %d, maintenance %d, severities %v; want 2, 0, 0, only critical",
			rep.Declared, rep.Drills, rep.Maintenance, rep.BySeverity)
	}
	checkout := march
	checkout.Service = "checkout"
	if rep := insights.Compute(fixture(), checkout, now); rep.Declared != 3 || rep.Open != 1 || rep.TimeToResolve.Count != 2 {
		t.Errorf("--service checkout: declared %d, open %d, resolved in %d; want 3, 1, 2", rep.Declared, rep.Open, rep.TimeToResolve.Count)
	}
	// Until is exclusive: an incident declared at Until is in the next period.
	firstTwo := insights.Filter{Since: at(2, 0, 0), Until: at(17, 8, 0)}
	if rep := insights.Compute(fixture(), firstTwo, now); rep.Declared != 2 || rep.Drills != 1 || rep.Maintenance != 1 {
		t.Errorf("until c3's declaration: declared %d, drills %d, maintenance %d; want 2, 1, 1", rep.Declared, rep.Drills, rep.Maintenance)
	}
	// An unbounded filter takes everything with a declaration time, and
	// its weeks start at the first incident's.
	rep = insights.Compute(fixture(), insights.Filter{}, now)
	if rep.Declared != 6 || rep.PerWeek[0].Start != time.Date(2026, time.February, 23, 0, 0, 0, 0, time.UTC) || len(rep.PerWeek) != 6 {
		t.Errorf("no filter: declared %d, weeks %+v; want 6 from 23 February to 30 March", rep.Declared, rep.PerWeek)
	}
	if got := len(rep.MTTRPerMonth); got != 2 || rep.MTTRPerMonth[0].Count != 0 || rep.MTTRPerMonth[1].Count != 4 {
		t.Errorf("no filter: MTTR per month %+v; want February empty (h8 was resolved on 1 March), March with 4", rep.MTTRPerMonth)
	}
}

// TestComputeTrendsHaveNoGaps: weeks and months without incidents are
// there with zero, the weeks end at Until, and a resolution after Until
// adds its month.
func TestComputeTrendsHaveNoGaps(t *testing.T) {
	jan := time.Date(2026, time.January, 20, 9, 0, 0, 0, time.UTC)
	mar := time.Date(2026, time.March, 19, 9, 0, 0, 0, time.UTC)
	records := []insights.Record{
		{ID: "jan", Kind: "incident", Severity: "minor", DeclaredAt: jan, ResolvedAt: jan.Add(2 * time.Hour)},
		{ID: "mar", Kind: "incident", Severity: "minor", DeclaredAt: mar, ResolvedAt: time.Date(2026, time.April, 2, 9, 0, 0, 0, time.UTC)},
	}
	// 15 January is a Thursday (its week starts on the 12th); 20 March a
	// Friday (its week starts on the 16th).
	f := insights.Filter{Since: time.Date(2026, time.January, 15, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, time.March, 20, 0, 0, 0, 0, time.UTC)}
	rep := insights.Compute(records, f, time.Date(2026, time.April, 30, 0, 0, 0, 0, time.UTC))
	if len(rep.PerWeek) != 10 || rep.PerWeek[0].Start != time.Date(2026, time.January, 12, 0, 0, 0, 0, time.UTC) ||
		rep.PerWeek[9].Start != time.Date(2026, time.March, 16, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("per week = %+v, want the 10 Mondays from 12 January to 16 March", rep.PerWeek)
	}
	for i, w := range rep.PerWeek {
		want := 0
		if i == 1 || i == 9 {
			want = 1
		}
		if w.Count != want || w.Start.Weekday() != time.Monday {
			t.Errorf("week %d (%s): %d incidents, want %d", i, w.Start.Format(time.DateOnly), w.Count, want)
		}
	}
	var months []string
	for _, m := range rep.MTTRPerMonth {
		months = append(months, fmt.Sprintf("%s:%d:%g", m.Start.Format("2006-01"), m.Count, m.MeanSeconds))
	}
	if want := []string{"2026-01:1:7200", "2026-02:0:0", "2026-03:0:0", "2026-04:1:1.2096e+06"}; !slices.Equal(months, want) {
		t.Errorf("MTTR per month = %v, want %v", months, want)
	}

	// Nothing at all: the weeks of the period, all empty, and empty lists
	// (JSON [] and {}, never null).
	rep = insights.Compute(nil, march, now)
	if len(rep.PerWeek) != 5 || rep.Declared != 0 || rep.TimeToResolve.Count != 0 {
		t.Errorf("no records: %+v", rep)
	}
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), "null") {
		t.Errorf("an empty report has null in its JSON: %s", b)
	}
}

// TestComputePercentilesOfSmallSets: the median is the middle (or the mean
// of the two middles) and p90 the nearest rank.
func TestComputePercentilesOfSmallSets(t *testing.T) {
	for _, c := range []struct {
		n              int
		median, p90, m float64
	}{
		{1, 60, 60, 60},
		{2, 90, 120, 90},
		{9, 300, 540, 300},
		{10, 330, 540, 330},
		{11, 360, 600, 360},
		{20, 630, 1080, 630},
	} {
		var records []insights.Record
		for i := 1; i <= c.n; i++ {
			d := at(3, 0, i)
			records = append(records, insights.Record{ID: fmt.Sprintf("x%02d", i), Kind: "incident", DeclaredAt: d, ResolvedAt: d.Add(time.Duration(i) * time.Minute)})
		}
		got := insights.Compute(records, march, now).TimeToResolve
		if got.Count != c.n || !near(got.MedianSeconds, c.median) || !near(got.P90Seconds, c.p90) || !near(got.MeanSeconds, c.m) {
			t.Errorf("%d incidents resolved in 1..%d min: %+v, want median %g p90 %g mean %g", c.n, c.n, got, c.median, c.p90, c.m)
		}
	}
}

// TestComputeEdgeCases: a resolution before the declaration counts as no
// time; an item due now is not overdue yet; a meeting that ends now took
// place; a security record keeps only "security incident".
func TestComputeEdgeCases(t *testing.T) {
	d := at(10, 9, 0)
	records := []insights.Record{{
		ID: "skew", Title: "secret plans", Security: true, Kind: "incident", DeclaredAt: d, AcknowledgedAt: d.Add(-time.Second), ResolvedAt: d.Add(30 * time.Second),
		Retrospective: &insights.Retrospective{MeetingBooked: true, MeetingEnd: now, ActionItems: []insights.ActionItem{{OpenedAt: now.Add(time.Hour), Due: now}}},
	}, {
		ID: "unbooked", Kind: "incident", DeclaredAt: d.Add(time.Hour),
		Retrospective: &insights.Retrospective{MeetingEnd: at(11, 0, 0)}, // an end without a booking is no meeting
	}}
	rep := insights.Compute(records, march, now)
	checkStat(t, "time to acknowledge", rep.TimeToAcknowledge, insights.Stat{Count: 1, IDs: []string{"skew"}})
	checkStat(t, "time to resolve", rep.TimeToResolve, insights.Stat{Count: 1, MedianSeconds: 30, P90Seconds: 30, MeanSeconds: 30, IDs: []string{"skew"}})
	if rep.Retrospectives.Held != 1 || rep.ActionItems.Overdue != 0 || rep.ActionItems.MedianOpenAgeSeconds != 0 {
		t.Errorf("retrospectives %+v, items %+v; want 1 held, none overdue, age 0 for an item opened after now", rep.Retrospectives, rep.ActionItems)
	}
	if rep.Incidents[0].Title != "security incident" {
		t.Errorf("a security incident is listed as %q", rep.Incidents[0].Title)
	}
}

// TestComputeIsDeterministic: the records' order changes nothing.
func TestComputeIsDeterministic(t *testing.T) {
	want, _ := json.Marshal(insights.Compute(fixture(), march, now))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		records := fixture()
		rng.Shuffle(len(records), func(i, j int) { records[i], records[j] = records[j], records[i] })
		if got, _ := json.Marshal(insights.Compute(records, march, now)); string(got) != string(want) {
			t.Fatalf("shuffled records give another report:\n%s\nwant\n%s", got, want)
		}
	}
}

// BenchmarkCompute is the figures of 10,000 incidents over 90 days.
func BenchmarkCompute(b *testing.B) {
	records := manyRecords(10000)
	f := insights.Filter{Since: now.AddDate(0, 0, -90), Until: now}
	b.ResetTimer()
	for b.Loop() {
		insights.Compute(records, f, now)
	}
}

// manyRecords is n incidents spread over 90 days before now, with every
// field that Compute reads.
func manyRecords(n int) []insights.Record {
	rng := rand.New(rand.NewPCG(3, 4))
	sevs, services := []string{"critical", "major", "minor"}, []string{"checkout", "search", "auth", ""}
	records := make([]insights.Record, n)
	for i := range records {
		d := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		r := insights.Record{
			ID: fmt.Sprintf("i%05d", i), Kind: "incident", Severity: sevs[i%3], Service: services[i%4], Source: "slack", Commander: fmt.Sprintf("U%d", i%50),
			DeclaredAt: d, AcknowledgedAt: d.Add(time.Duration(rng.IntN(600)) * time.Second), CommanderAt: d, CommsAt: d.Add(time.Minute),
			UpdateIntervals: 4, UpdatesOnTime: 3, Reminders: 1,
			Retrospective: &insights.Retrospective{MeetingBooked: true, MeetingEnd: d.Add(48 * time.Hour), ActionItems: []insights.ActionItem{{OpenedAt: d, Due: d.Add(7 * 24 * time.Hour)}}},
		}
		if i%10 != 0 {
			r.MitigatedAt = d.Add(time.Duration(rng.IntN(3600)) * time.Second)
			r.ResolvedAt = r.MitigatedAt.Add(time.Hour)
		}
		if i%100 == 0 {
			r.Kind = "drill"
		}
		records[i] = r
	}
	return records
}

func checkStat(t *testing.T, what string, got, want insights.Stat) {
	t.Helper()
	if got.Count != want.Count || !near(got.MedianSeconds, want.MedianSeconds) || !near(got.P90Seconds, want.P90Seconds) ||
		!near(got.MeanSeconds, want.MeanSeconds) || !slices.Equal(got.IDs, want.IDs) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func checkDeclared(t *testing.T, what string, got map[string]insights.Group, want map[string]int) {
	t.Helper()
	declared := map[string]int{}
	for k, g := range got {
		declared[k] = g.Declared
	}
	if !reflect.DeepEqual(declared, want) {
		t.Errorf("%s declared %v, want %v", what, declared, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// Drill scores are kept apart, per team (the scenario's service), each
// team's drills in order of declaration; drills not yet debriefed and
// incidents count in none.
func TestComputeDrillScoresPerTeam(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	drill := func(id, svc string, d, points, max int) insights.Record {
		return insights.Record{ID: id, Kind: string(incident.KindDrill), Service: svc, Severity: "major", DeclaredAt: day(d),
			Drill: insights.DrillResult{Scenario: "bad-deploy", Points: points, MaxPoints: max}}
	}
	recs := []insights.Record{
		drill("d3", "checkout", 20, 8, 9),
		drill("d1", "checkout", 2, 3, 9),
		drill("d2", "", 10, 1, 2),
		{ID: "d4", Kind: string(incident.KindDrill), Service: "checkout", DeclaredAt: day(21)},
		{ID: "i1", Kind: string(incident.KindIncident), Service: "checkout", Severity: "major", DeclaredAt: day(3)},
	}
	rep := insights.Compute(recs, insights.Filter{Since: day(1), Until: day(30)}, day(30))
	if rep.Drills != 4 || rep.Declared != 1 {
		t.Fatalf("drills %d, declared %d", rep.Drills, rep.Declared)
	}
	want := []insights.DrillTeam{
		{Team: "", MeanPercent: 50, Drills: []insights.DrillScore{{ID: "d2", Scenario: "bad-deploy", DeclaredAt: day(10), Points: 1, MaxPoints: 2}}},
		{Team: "checkout", MeanPercent: 61.1, Drills: []insights.DrillScore{
			{ID: "d1", Scenario: "bad-deploy", DeclaredAt: day(2), Points: 3, MaxPoints: 9},
			{ID: "d3", Scenario: "bad-deploy", DeclaredAt: day(20), Points: 8, MaxPoints: 9},
		}},
	}
	if !reflect.DeepEqual(rep.DrillScores, want) {
		t.Fatalf("drill scores:\n got %+v\nwant %+v", rep.DrillScores, want)
	}
	if got := insightstext.DrillScores(rep); got != "no team 50% (1/2); checkout 61% (3/9, 8/9)" {
		t.Errorf("DrillScores = %q", got)
	}
}
