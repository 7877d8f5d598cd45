package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// Limits of the rendered texts, so that a message stays well within a
// Slack section (3,000 characters) whatever the alerts hold.
const (
	maxListed      = 10  // alert lines in a list, then "…and N more"
	maxNamed       = 3   // alerts named in a one-line headline
	maxShownLabels = 5   // labels shown per alert
	maxShownValue  = 60  // bytes of a label value shown
	maxShownText   = 150 // bytes of a summary annotation shown
)

// style says how to write untrusted text and links in one markup.
type style struct {
	text   func(string) string
	link   func(url, label string) string
	bullet string
}

// slack writes Slack mrkdwn: incident.Escape neutralises mentions and
// formatting, and links take the <url|label> form.
var slack = style{text: incident.Escape, link: incident.SlackLink, bullet: "• "}

// markdown writes GitHub Markdown, for the postmortem.
var markdown = style{text: incident.EscapeMarkdown, link: markdownLink, bullet: "- "}

// markdownURL keeps a URL inside the parentheses of a Markdown link.
var markdownURL = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")

func markdownLink(url, label string) string {
	return "[" + label + "](" + markdownURL.Replace(url) + ")"
}

// Headline is one line for an announcement: how many alerts fire and the
// first few by name and labels, e.g. "3 alerts firing: HighErrorRate
// (service=checkout), … and 1 more". more counts alerts not in alerts
// (Notification.Truncated). Slack mrkdwn, user text escaped.
func Headline(alerts []Alert, more int) string {
	total := len(alerts) + more
	names := make([]string, 0, maxNamed)
	for i, a := range alerts {
		if i == maxNamed {
			break
		}
		names = append(names, slack.alertName(a))
	}
	line := fmt.Sprintf("%s firing: %s", countAlerts(total), strings.Join(names, ", "))
	if rest := total - len(names); rest > 0 {
		line += fmt.Sprintf(" and %d more", rest)
	}
	return line
}

// AlertsText lists alerts for a kickoff message: a count line, then one
// line per alert with its labels, summary and links to its source,
// dashboard, panel and silence page. Slack mrkdwn, user text escaped.
func AlertsText(alerts []Alert, more int) string {
	return slack.list("firing", alerts, more)
}

// AlertsMarkdown is AlertsText in GitHub Markdown, for the postmortem's
// "what started it".
func AlertsMarkdown(alerts []Alert, more int) string {
	return markdown.list("firing", alerts, more)
}

// ChangeText summarises a change for the war room (Group.SincePost between
// throttled posts): the alerts that started firing and resolved, with their
// links, and how many still fire; "" for an empty change. Slack mrkdwn, user
// text escaped.
func ChangeText(c Change) string {
	if c.Empty() {
		return ""
	}
	var parts []string
	if len(c.Firing) > 0 {
		parts = append(parts, slack.list("newly firing", c.Firing, 0))
	}
	if len(c.Resolved) > 0 {
		parts = append(parts, slack.list("resolved", c.Resolved, 0))
	}
	if n := len(c.StillFiring); n > 0 {
		parts = append(parts, fmt.Sprintf("%s still firing.", countAlerts(n)))
	}
	return strings.Join(parts, "\n")
}

// AllResolvedText tells the war room its whole group resolved, e.g. "All 3
// alerts resolved at 14:32 UTC — resolve the incident?". at is
// Group.ResolvedAt; zero leaves the time out.
func AllResolvedText(count int, at time.Time, loc *time.Location) string {
	what := fmt.Sprintf("All %d alerts", count)
	if count == 1 {
		what = "The alert"
	}
	when := ""
	if !at.IsZero() {
		when = " at " + incident.Clock(at, loc)
	}
	return fmt.Sprintf(":white_check_mark: %s resolved%s — resolve the incident?", what, when)
}

// TimelineText is one plain-text timeline line for a notification and what
// it changed, e.g. "alertmanager: 1 newly firing (HighLatency), 2 resolved
// (HighErrorRate, HighErrorRate); 1 still firing". It is not escaped: the
// renderer that shows a timeline escapes it for its markup.
func TimelineText(n Notification, c Change) string {
	var parts []string
	add := func(what string, as []Alert) {
		if len(as) == 0 {
			return
		}
		names := make([]string, 0, maxNamed)
		for i, a := range as {
			if i == maxNamed {
				names = append(names, "…")
				break
			}
			names = append(names, incident.Truncate(oneLine(displayName(a)), maxShownValue))
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", len(as), what, strings.Join(names, ", ")))
	}
	add("newly firing", c.Firing)
	add("resolved", c.Resolved)
	line := fmt.Sprintf("%s: ", n.Source)
	if len(parts) == 0 {
		line += "no change"
	} else {
		line += strings.Join(parts, ", ")
	}
	if len(c.StillFiring) > 0 {
		line += fmt.Sprintf("; %d still firing", len(c.StillFiring))
	}
	if c.AllResolved {
		line += "; all resolved"
	}
	return line
}

// list writes a count line ("3 alerts firing:") and one line per alert, at
// most maxListed, then how many more there are.
func (s style) list(what string, alerts []Alert, more int) string {
	total := len(alerts) + more
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", countAlerts(total), what)
	for i, a := range alerts {
		if i == maxListed {
			break
		}
		b.WriteString("\n" + s.bullet + s.alertLine(a))
	}
	if rest := total - min(len(alerts), maxListed); rest > 0 {
		fmt.Fprintf(&b, "\n…and %d more.", rest)
	}
	return b.String()
}

// alertLine is one alert: name and labels, summary, links.
func (s style) alertLine(a Alert) string {
	line := s.alertName(a)
	if sum := oneLine(a.Annotations["summary"]); sum != "" {
		line += ": " + s.text(incident.Truncate(sum, maxShownText))
	}
	for _, l := range []struct{ url, label string }{
		{a.GeneratorURL, "source"}, {a.DashboardURL, "dashboard"}, {a.PanelURL, "panel"}, {a.SilenceURL, "silence"},
	} {
		if u := cleanURL(l.url); u != "" {
			line += " · " + s.link(u, l.label)
		}
	}
	return line
}

// alertName is an alert's name and its first labels, e.g.
// "HighErrorRate (instance=a, service=checkout, …)".
func (s style) alertName(a Alert) string {
	var shown []string
	for _, k := range incident.SortedKeys(a.Labels) {
		if k == "alertname" {
			continue
		}
		if len(shown) == maxShownLabels {
			shown = append(shown, "…")
			break
		}
		shown = append(shown, incident.Truncate(oneLine(k), maxShownValue)+"="+incident.Truncate(oneLine(a.Labels[k]), maxShownValue))
	}
	name := s.text(incident.Truncate(oneLine(displayName(a)), maxShownValue))
	if len(shown) == 0 {
		return name
	}
	return name + " (" + s.text(strings.Join(shown, ", ")) + ")"
}

// displayName is the alert's name, or its fingerprint when it has none.
func displayName(a Alert) string {
	if n := a.Name(); n != "" {
		return n
	}
	return "alert " + a.Fingerprint
}

// countAlerts writes "1 alert" or "3 alerts".
func countAlerts(n int) string {
	if n == 1 {
		return "1 alert"
	}
	return fmt.Sprintf("%d alerts", n)
}
