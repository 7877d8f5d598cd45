package insights

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// SecurityTitle is the only title a security incident shows.
const SecurityTitle = "security incident"

// RolesWithin is how soon after the declaration an incident must have had a
// commander and a spokesperson to count in Report.RolesWithin10m.
const RolesWithin = 10 * time.Minute

// NoneKey is the group key of the incidents that have no service, source
// or commander in ByService, BySource and ByCommander, so that every group
// map adds up to the whole.
const NoneKey = "(none)"

// Compute is the figures of the records f chooses, at now. records may hold
// anything the starter read: incidents declared outside [f.Since, f.Until)
// (a zero Since or Until is unbounded), of another severity or service,
// drills and maintenance. Compute keeps those f chooses, counts the drills
// and the maintenance among them apart and computes every other figure over
// the real incidents only. A record without a declaration time is skipped.
//
// How the figures are defined:
//   - A record counts as resolved when ResolvedAt is set and as open
//     otherwise. A reopened incident (resolved, then active again) is
//     recorded with ResolvedAt cleared while it is active again and set to
//     its last resolution once it is resolved again; AcknowledgedAt and
//     MitigatedAt keep their first times. So it is open while reopened, and
//     its time to resolve runs to its last resolution.
//   - Time to acknowledge, mitigate and resolve run from DeclaredAt to
//     AcknowledgedAt, MitigatedAt and ResolvedAt; an incident without that
//     time is not in the Stat (never acknowledged is not "acknowledged in
//     zero seconds"). A time before DeclaredAt counts as zero.
//   - The median is the middle value, or the mean of the two middle ones;
//     the 90th percentile is the nearest rank: the ⌈0.9·n⌉-th smallest
//     value (so of up to 10 values, the largest).
//   - UpdatesOnTimeRatio is the sum of UpdatesOnTime over the sum of
//     UpdateIntervals.
//   - A retrospective is held when its meeting was booked and its end is
//     not after now; an action item is overdue when it is open and its due
//     date is before now; the age of an open item runs from OpenedAt to now.
//   - PerWeek has one entry per ISO week (Monday 00:00 UTC) from the week of
//     f.Since (or of the first incident when Since is zero) to the week of
//     f.Until or now, whichever is earlier, empty weeks included.
//     MTTRPerMonth has one entry per calendar month (UTC) over the same
//     span, extended to the month of the last resolution, and puts each
//     resolved incident in the month it was resolved.
//   - Incidents, and the IDs of every Stat, are in order of declaration
//     (then of ID); the maps are keyed by name. The output depends only on
//     the records, f and now, not on the records' order.
func Compute(records []Record, f Filter, now time.Time) Report {
	now = now.UTC()
	incidents := make([]*Record, 0, len(records))
	var drills []*Record
	rep := Report{Filter: f, GeneratedAt: now}
	for i := range records {
		r := &records[i]
		if !chosen(r, f) {
			continue
		}
		switch r.Kind {
		case string(incident.KindDrill):
			rep.Drills++
			if r.Drill.MaxPoints > 0 {
				drills = append(drills, r)
			}
		case string(incident.KindMaintenance):
			rep.Maintenance++
		default:
			incidents = append(incidents, r)
		}
	}
	slices.SortFunc(incidents, func(a, b *Record) int {
		return cmp.Or(a.DeclaredAt.Compare(b.DeclaredAt), cmp.Compare(a.ID, b.ID))
	})

	all := group(incidents)
	rep.Declared, rep.Resolved, rep.Open = all.Declared, all.Resolved, all.Open
	rep.TimeToAcknowledge, rep.TimeToMitigate, rep.TimeToResolve = all.TimeToAcknowledge, all.TimeToMitigate, all.TimeToResolve
	adherence(&rep, incidents)
	followThrough(&rep, incidents, now)
	rep.BySeverity = groupBy(incidents, func(r *Record) string { return r.Severity })
	rep.ByService = groupBy(incidents, func(r *Record) string { return r.Service })
	rep.BySource = groupBy(incidents, func(r *Record) string { return r.Source })
	rep.ByCommander = groupBy(incidents, func(r *Record) string { return r.Commander })
	rep.PerWeek, rep.MTTRPerMonth = trends(incidents, f, now)
	rep.Incidents = make([]Incident, len(incidents))
	for i, r := range incidents {
		rep.Incidents[i] = line(r)
	}
	rep.DrillScores = drillScores(drills)
	return rep
}

// drillScores groups the scored drills by team, teams by name and each
// team's drills in order of declaration.
func drillScores(drills []*Record) []DrillTeam {
	slices.SortFunc(drills, func(a, b *Record) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), a.DeclaredAt.Compare(b.DeclaredAt), cmp.Compare(a.ID, b.ID))
	})
	out := []DrillTeam{}
	for _, r := range drills {
		if len(out) == 0 || out[len(out)-1].Team != r.Service {
			out = append(out, DrillTeam{Team: r.Service})
		}
		t := &out[len(out)-1]
		t.Drills = append(t.Drills, DrillScore{ID: r.ID, Scenario: r.Drill.Scenario, DeclaredAt: utc(r.DeclaredAt), Points: r.Drill.Points, MaxPoints: r.Drill.MaxPoints})
	}
	for i := range out {
		var sum float64
		for _, d := range out[i].Drills {
			sum += 100 * float64(d.Points) / float64(d.MaxPoints)
		}
		out[i].MeanPercent = math.Round(10*sum/float64(len(out[i].Drills))) / 10
	}
	return out
}

// chosen says whether f chooses r.
func chosen(r *Record, f Filter) bool {
	switch {
	case r.DeclaredAt.IsZero():
		return false
	case !f.Since.IsZero() && r.DeclaredAt.Before(f.Since):
		return false
	case !f.Until.IsZero() && !r.DeclaredAt.Before(f.Until):
		return false
	case f.Severity != "" && r.Severity != f.Severity:
		return false
	case f.Service != "" && r.Service != f.Service:
		return false
	}
	return true
}

// group is the counts and the times of recs, which are in order of
// declaration.
func group(recs []*Record) Group {
	g := Group{Declared: len(recs)}
	var ack, mit, res stat
	for _, r := range recs {
		if r.ResolvedAt.IsZero() {
			g.Open++
		} else {
			g.Resolved++
		}
		ack.add(r, r.AcknowledgedAt)
		mit.add(r, r.MitigatedAt)
		res.add(r, r.ResolvedAt)
	}
	g.TimeToAcknowledge, g.TimeToMitigate, g.TimeToResolve = ack.summary(), mit.summary(), res.summary()
	return g
}

// groupBy is the groups of recs by key; an empty key is NoneKey.
func groupBy(recs []*Record, key func(*Record) string) map[string]Group {
	members := map[string][]*Record{}
	for _, r := range recs {
		k := key(r)
		if k == "" {
			k = NoneKey
		}
		members[k] = append(members[k], r)
	}
	groups := make(map[string]Group, len(members))
	for k, m := range members {
		groups[k] = group(m)
	}
	return groups
}

// adherence adds up the process figures of recs.
func adherence(rep *Report, recs []*Record) {
	var intervals, onTime int
	for _, r := range recs {
		intervals += r.UpdateIntervals
		onTime += r.UpdatesOnTime
		rep.Reminders += r.Reminders
		rep.Escalations += r.Escalations
		if assignedWithin(r, r.CommanderAt) && assignedWithin(r, r.CommsAt) {
			rep.RolesWithin10m++
		}
	}
	rep.UpdateIntervals = intervals
	if intervals > 0 {
		rep.UpdatesOnTimeRatio = float64(onTime) / float64(intervals)
	}
}

// assignedWithin says a role assigned at t was assigned within RolesWithin
// of r's declaration.
func assignedWithin(r *Record, t time.Time) bool {
	return !t.IsZero() && t.Sub(r.DeclaredAt) <= RolesWithin
}

// followThrough adds up the retrospectives and action items of recs at now.
func followThrough(rep *Report, recs []*Record, now time.Time) {
	var ages []float64
	for _, r := range recs {
		retro := r.Retrospective
		if retro == nil {
			continue
		}
		if retro.MeetingBooked && !retro.MeetingEnd.IsZero() && !retro.MeetingEnd.After(now) {
			rep.Retrospectives.Held++
		}
		if retro.PostmortemWritten {
			rep.Retrospectives.PostmortemsWritten++
		}
		if retro.Done {
			rep.Retrospectives.Done++
		}
		for _, item := range retro.ActionItems {
			rep.ActionItems.Opened++
			if item.Closed {
				rep.ActionItems.Closed++
				continue
			}
			if !item.Due.IsZero() && item.Due.Before(now) {
				rep.ActionItems.Overdue++
			}
			if !item.OpenedAt.IsZero() {
				ages = append(ages, max(0, now.Sub(item.OpenedAt).Seconds()))
			}
		}
	}
	slices.Sort(ages)
	rep.ActionItems.MedianOpenAgeSeconds = median(ages)
}

// trends is the declarations per week and the mean time to resolve per
// month of recs, over the span Compute's documentation gives.
func trends(recs []*Record, f Filter, now time.Time) ([]Count, []Mean) {
	weeks, months := []Count{}, []Mean{}
	start, end := f.Since.UTC(), now
	if !f.Until.IsZero() && f.Until.Before(end) {
		end = f.Until.UTC()
	}
	if start.IsZero() {
		if len(recs) == 0 {
			return weeks, months
		}
		start = recs[0].DeclaredAt.UTC()
	}
	if !start.Before(end) {
		return weeks, months
	}
	last := end.Add(-time.Nanosecond)

	for w := weekStart(start); !w.After(last); w = w.AddDate(0, 0, 7) {
		weeks = append(weeks, Count{Start: w})
	}
	first := weekStart(start)
	for _, r := range recs {
		if i := int(weekStart(r.DeclaredAt).Sub(first) / (7 * 24 * time.Hour)); i >= 0 && i < len(weeks) {
			weeks[i].Count++
		}
	}

	lastMonth := monthStart(last)
	for _, r := range recs {
		if !r.ResolvedAt.IsZero() && monthStart(r.ResolvedAt).After(lastMonth) {
			lastMonth = monthStart(r.ResolvedAt)
		}
	}
	firstMonth := monthStart(start)
	for m := firstMonth; !m.After(lastMonth); m = m.AddDate(0, 1, 0) {
		months = append(months, Mean{Start: m})
	}
	sums := make([]float64, len(months))
	for _, r := range recs {
		if r.ResolvedAt.IsZero() {
			continue
		}
		res := r.ResolvedAt.UTC()
		i := (res.Year()-firstMonth.Year())*12 + int(res.Month()-firstMonth.Month())
		if i >= 0 && i < len(months) {
			months[i].Count++
			sums[i] += since(r, r.ResolvedAt)
		}
	}
	for i := range months {
		if months[i].Count > 0 {
			months[i].MeanSeconds = sums[i] / float64(months[i].Count)
		}
	}
	return weeks, months
}

// weekStart is the Monday 00:00 UTC that begins t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
}

// monthStart is the first of t's month, 00:00 UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// line is r's line in a Report.
func line(r *Record) Incident {
	title := r.Title
	if r.Security {
		title = SecurityTitle
	}
	return Incident{
		ID: r.ID, WorkflowID: r.WorkflowID, Title: title, Severity: r.Severity, Service: r.Service, Source: r.Source,
		Commander: r.Commander, ChannelID: r.ChannelID, Channel: r.Channel,
		DeclaredAt: r.DeclaredAt.UTC(), AcknowledgedAt: utc(r.AcknowledgedAt), MitigatedAt: utc(r.MitigatedAt), ResolvedAt: utc(r.ResolvedAt),
	}
}

// utc is t in UTC, and the zero time unchanged (omitzero keeps it out of
// the JSON).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// stat collects the durations of one Stat.
type stat struct {
	secs []float64
	ids  []string
}

// add adds the time from r's declaration to at, unless at is zero.
func (s *stat) add(r *Record, at time.Time) {
	if at.IsZero() {
		return
	}
	s.secs = append(s.secs, since(r, at))
	s.ids = append(s.ids, r.ID)
}

// summary is the Stat of what s collected.
func (s *stat) summary() Stat {
	if len(s.secs) == 0 {
		return Stat{}
	}
	st := Stat{Count: len(s.secs), IDs: s.ids}
	var sum float64
	for _, v := range s.secs {
		sum += v
	}
	st.MeanSeconds = sum / float64(len(s.secs))
	sorted := slices.Clone(s.secs)
	slices.Sort(sorted)
	st.MedianSeconds = median(sorted)
	st.P90Seconds = sorted[(9*len(sorted)+9)/10-1] // rank ⌈0.9·n⌉
	return st
}

// since is the seconds from r's declaration to at, zero if at is before.
func since(r *Record, at time.Time) float64 {
	return max(0, at.Sub(r.DeclaredAt).Seconds())
}

// median is the median of sorted, 0 when it is empty.
func median(sorted []float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return sorted[n/2]
	default:
		return (sorted[n/2-1] + sorted[n/2]) / 2
	}
}
