// Package insightstext writes the response figures for people: durations
// as "2h 05m", and a Report's summary in Slack mrkdwn, the one
// `/incident insights` answers and the digest posts.
package insightstext

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
)

// Duration writes a number of seconds for people: 45s, 12m 30s, 2h 05m,
// 3d 4h, 1d.
func Duration(seconds float64) string {
	s := int64(math.Round(seconds))
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %02dm", s/3600, s%3600/60)
	}
	if s%86400/3600 == 0 {
		return fmt.Sprintf("%dd", s/86400)
	}
	return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
}

// Percent is a ratio as a whole percentage: 0.834 is "83%".
func Percent(r float64) string { return fmt.Sprintf("%.0f%%", math.Round(r*100)) }

// Summary is rep in Slack mrkdwn under heading (plain text, escaped here):
// the counts, the medians of time to acknowledge, mitigate and resolve,
// updates on time, escalations, follow-through and, by severity (in the
// order of severities, then any other), the count and median time to
// resolve. It ends with a link to the page at pageURL, or, when that is
// empty, says where the page is. It names no incident, so it shows
// nothing of a security incident.
func Summary(rep insights.Report, heading, pageURL string, severities []string) string {
	lines := []string{"*" + incident.Escape(heading) + "*"}
	counts := fmt.Sprintf("• *%d* declared, *%d* resolved, *%d* open now", rep.Declared, rep.Resolved, rep.Open)
	if rep.Drills+rep.Maintenance > 0 {
		counts += fmt.Sprintf(" (besides %d %s and %d maintenance %s, not counted)", rep.Drills, plural(rep.Drills, "drill", "drills"),
			rep.Maintenance, plural(rep.Maintenance, "window", "windows"))
	}
	lines = append(lines, counts)
	for _, t := range []struct {
		what string
		stat insights.Stat
	}{{"acknowledge", rep.TimeToAcknowledge}, {"mitigate", rep.TimeToMitigate}, {"resolve", rep.TimeToResolve}} {
		if t.stat.Count == 0 {
			lines = append(lines, fmt.Sprintf("• Time to %s: no incident yet", t.what))
			continue
		}
		lines = append(lines, fmt.Sprintf("• Time to %s: median *%s*, 90th percentile %s (%d %s)", t.what,
			Duration(t.stat.MedianSeconds), Duration(t.stat.P90Seconds), t.stat.Count, plural(t.stat.Count, "incident", "incidents")))
	}
	updates := "• Status updates on time: no update interval ended"
	if rep.UpdateIntervals > 0 {
		updates = fmt.Sprintf("• Status updates on time: *%s* of %d update %s", Percent(rep.UpdatesOnTimeRatio), rep.UpdateIntervals, plural(rep.UpdateIntervals, "interval", "intervals"))
	}
	lines = append(lines, updates+fmt.Sprintf("; %d %s, %d %s", rep.Reminders, plural(rep.Reminders, "reminder", "reminders"),
		rep.Escalations, plural(rep.Escalations, "escalation", "escalations")))
	lines = append(lines, fmt.Sprintf("• Follow-through: %d %s held, %d %s written; action items %d opened, %d closed, %d overdue",
		rep.Retrospectives.Held, plural(rep.Retrospectives.Held, "retrospective", "retrospectives"),
		rep.Retrospectives.PostmortemsWritten, plural(rep.Retrospectives.PostmortemsWritten, "postmortem", "postmortems"),
		rep.ActionItems.Opened, rep.ActionItems.Closed, rep.ActionItems.Overdue))
	if by := bySeverity(rep, severities); by != "" {
		lines = append(lines, "• By severity: "+by)
	}
	if drills := DrillScores(rep); drills != "" {
		lines = append(lines, "• Drill scores by team: "+incident.Escape(drills))
	}
	if pageURL != "" {
		lines = append(lines, incident.SlackLink(pageURL, "Open the insights page")+" for the charts and every incident.")
	} else {
		lines = append(lines, "The charts and every incident are on the insights page: GET /insights on incidentflow's front door (set insights.url to link it here).")
	}
	return strings.Join(lines, "\n")
}

// bySeverity is "critical 2 (median to resolve 45m), major 3 (…)".
func bySeverity(rep insights.Report, severities []string) string {
	names := slices.Clone(severities)
	for _, name := range incident.SortedKeys(rep.BySeverity) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	var parts []string
	for _, name := range names {
		g, ok := rep.BySeverity[name]
		if !ok || g.Declared == 0 {
			continue
		}
		part := fmt.Sprintf("%s %d", incident.Escape(name), g.Declared)
		if g.TimeToResolve.Count > 0 {
			part += fmt.Sprintf(" (median to resolve %s)", Duration(g.TimeToResolve.MedianSeconds))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DrillScores is rep's drill scores per team in plain text, "" when no
// drill was debriefed: "checkout 72% (5/9, 7/9, 8/9); no team 50% (2/4)",
// each team's drills in order, so the trend reads left to right. Team
// names are as configured (escape them for a markup).
func DrillScores(rep insights.Report) string {
	var parts []string
	for _, t := range rep.DrillScores {
		team := t.Team
		if team == "" {
			team = "no team"
		}
		scores := make([]string, len(t.Drills))
		for i, d := range t.Drills {
			scores[i] = fmt.Sprintf("%d/%d", d.Points, d.MaxPoints)
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%% (%s)", team, t.MeanPercent, strings.Join(scores, ", ")))
	}
	return strings.Join(parts, "; ")
}
