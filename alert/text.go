package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// The texts an alert group writes: the timeline entries and war-room posts
// of its incident, and the triage prompt. Every label, annotation and URL
// comes from the sender and is escaped (incident.Escape) or kept out of
// links that aren't http(s) (incident.SlackLink).

// maxListed is how many alerts a message lists before "…and N more".
const maxListed = 10

// Refs are what the incident shows of the alerts that started it, at most
// incident.MaxAlertRefs, and how many it leaves out.
func Refs(alerts []Alert) ([]incident.AlertRef, int) {
	n := min(len(alerts), incident.MaxAlertRefs)
	refs := make([]incident.AlertRef, 0, n)
	for _, a := range alerts[:n] {
		ref := incident.AlertRef{
			Name:    clip(orUnnamed(a.Name()), incident.MaxAlertRefText),
			Summary: clip(a.Annotations["summary"], incident.MaxAlertRefText),
		}
		for _, k := range sortedKeys(a.Labels) {
			if k != "alertname" && len(ref.Labels) < incident.MaxAlertLabels {
				ref.Labels = append(ref.Labels, clip(k+"="+a.Labels[k], incident.MaxAlertRefText))
			}
		}
		for _, l := range links(a) {
			if len(ref.Links) < incident.MaxAlertLinks {
				ref.Links = append(ref.Links, l)
			}
		}
		refs = append(refs, ref)
	}
	return refs, len(alerts) - n
}

// links are an alert's links: its rule (generatorURL), dashboard, panel
// and silence page.
func links(a Alert) []incident.Link {
	var out []incident.Link
	for _, l := range []incident.Link{
		{Label: "source", URL: a.GeneratorURL}, {Label: "dashboard", URL: a.DashboardURL},
		{Label: "panel", URL: a.PanelURL}, {Label: "silence", URL: a.SilenceURL},
	} {
		if l.URL != "" {
			out = append(out, l)
		}
	}
	return out
}

func orUnnamed(name string) string {
	if name == "" {
		return "unnamed alert"
	}
	return name
}

// alertLine is one alert in mrkdwn: its name, labels, summary and links.
func alertLine(a Alert) string {
	line := "• *" + incident.Escape(clip(orUnnamed(a.Name()), 200)) + "*"
	if ls := labelList(a.Labels, "alertname"); ls != "" {
		line += " (" + incident.Escape(clip(ls, 300)) + ")"
	}
	if s := a.Annotations["summary"]; s != "" {
		line += ": " + incident.Escape(clip(oneLine(s), 300))
	}
	for _, l := range links(a) {
		line += " · " + incident.SlackLink(l.URL, l.Label)
	}
	return line
}

// alertLines lists alerts in mrkdwn, at most maxListed.
func alertLines(alerts []Alert) string {
	lines := make([]string, 0, min(len(alerts), maxListed)+1)
	for i, a := range alerts {
		if i == maxListed {
			lines = append(lines, fmt.Sprintf("…and %d more", len(alerts)-maxListed))
			break
		}
		lines = append(lines, alertLine(a))
	}
	return strings.Join(lines, "\n")
}

// names lists alerts by name in plain text, at most maxListed.
func names(alerts []Alert) string {
	parts := make([]string, 0, min(len(alerts), maxListed)+1)
	for i, a := range alerts {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(alerts)-maxListed))
			break
		}
		name := orUnnamed(a.Name())
		if ls := labelList(a.Labels, "alertname"); ls != "" {
			name += " (" + clip(ls, 120) + ")"
		}
		parts = append(parts, clip(name, 200))
	}
	return strings.Join(parts, "; ")
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ChangeTimeline is the timeline entry of a change, in plain text.
func ChangeTimeline(c Change) string {
	var parts []string
	if len(c.Firing) > 0 {
		parts = append(parts, count(len(c.Firing), "alert")+" firing: "+names(c.Firing))
	}
	if len(c.Resolved) > 0 {
		parts = append(parts, count(len(c.Resolved), "alert")+" resolved: "+names(c.Resolved))
	}
	if c.AllResolved {
		parts = append(parts, "every alert of the group is resolved")
	}
	return strings.Join(parts, "; ")
}

// ChangePost tells the war room what changed in the group since it was
// last told.
func ChangePost(c Change, _ *time.Location) string {
	var b strings.Builder
	b.WriteString(":bell: *Alerts changed*")
	if len(c.Firing) > 0 {
		fmt.Fprintf(&b, "\nNow firing (%d):\n%s", len(c.Firing), alertLines(c.Firing))
	}
	if len(c.Resolved) > 0 {
		fmt.Fprintf(&b, "\nResolved (%d):\n%s", len(c.Resolved), alertLines(c.Resolved))
	}
	if len(c.StillFiring) > 0 {
		fmt.Fprintf(&b, "\nStill firing: %d", len(c.StillFiring))
	}
	return b.String()
}

// resolvedWhen is when the group resolved: its alerts' end, or now.
func resolvedWhen(g Group, now time.Time, loc *time.Location) string {
	at := g.ResolvedAt()
	if at.IsZero() || at.After(now) {
		at = now
	}
	return incident.Clock(at, loc)
}

// AllResolvedText tells the war room that every alert of the group
// resolved.
func AllResolvedText(g Group, now time.Time, loc *time.Location) string {
	return fmt.Sprintf(":white_check_mark: All %s resolved at %s — resolve the incident?",
		count(len(g.Alerts), "alert"), resolvedWhen(g, now, loc))
}

// FiringAgainText tells the war room of resolved incident id that its
// alerts fire again.
func FiringAgainText(c Change, id string) string {
	return fmt.Sprintf(":repeat: The alerts of incident `%s` fire again (%d):\n%s\nIf the problem is back, declare a new incident with `/incident declare`.",
		id, len(c.Firing), alertLines(c.Firing))
}

// TriageText is the triage prompt: the group's firing alerts and what the
// route suggests.
func TriageText(g Group, d Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, ":rotating_light: *Declare incident?* %s\n", incident.Escape(clip(d.Title, 200)))
	if d.Severity != "" || d.Service != "" {
		fmt.Fprintf(&b, "Suggested: severity %s · service %s\n", orDash(string(d.Severity)), incident.Escape(orDash(d.Service)))
	}
	firing := g.FiringAlerts()
	fmt.Fprintf(&b, "%s firing:\n%s", count(len(firing), "alert"), alertLines(firing))
	return b.String()
}

// TriageResolvedText closes a prompt whose alerts resolved before anyone
// answered.
func TriageResolvedText(g Group, now time.Time, loc *time.Location) string {
	return fmt.Sprintf(":white_check_mark: Resolved by itself at %s before anyone declared it; nothing was declared. %s",
		resolvedWhen(g, now, loc), incident.Escape(names(g.Alerts)))
}

// TriageDecidedText closes a prompt someone answered: by did what.
func TriageDecidedText(g Group, what, by string) string {
	return fmt.Sprintf(":ballot_box_with_check: %s %s. Alerts: %s", incident.MentionOr(by, "Someone"), what,
		incident.Escape(names(g.FiringAlerts())))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
