package incident

import (
	"fmt"
	"strings"
)

// AlertLines lists the alerts that started d in mrkdwn, one line each: the
// alert's name, its labels, its summary and its links (the rule, the
// dashboard, the silence page).
func AlertLines(d Declaration) string {
	lines := make([]string, 0, len(d.Alerts)+1)
	for _, a := range d.Alerts {
		line := "• *" + safe(a.Name, MaxAlertRefText) + "*"
		if len(a.Labels) > 0 {
			line += " (" + safe(strings.Join(a.Labels, ", "), MaxAlertRefText) + ")"
		}
		if a.Summary != "" {
			line += ": " + safe(a.Summary, MaxAlertRefText)
		}
		for _, l := range a.Links {
			line += " · " + SlackLink(l.URL, safe(l.Label, 40))
		}
		lines = append(lines, line)
	}
	if d.MoreAlerts > 0 {
		lines = append(lines, fmt.Sprintf("…and %d more", d.MoreAlerts))
	}
	return strings.Join(lines, "\n")
}

// alertMarkdown lists the alerts that started d in GitHub markdown.
func alertMarkdown(d Declaration) string {
	lines := make([]string, 0, len(d.Alerts)+1)
	for _, a := range d.Alerts {
		line := "- **" + EscapeMarkdown(Truncate(a.Name, MaxAlertRefText)) + "**"
		if len(a.Labels) > 0 {
			line += " (" + EscapeMarkdown(Truncate(strings.Join(a.Labels, ", "), MaxAlertRefText)) + ")"
		}
		if a.Summary != "" {
			line += ": " + EscapeMarkdown(Truncate(a.Summary, MaxAlertRefText))
		}
		for _, l := range a.Links {
			if strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "http://") {
				line += " · [" + EscapeMarkdown(Truncate(l.Label, 40)) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(l.URL) + ")"
			}
		}
		lines = append(lines, line)
	}
	if d.MoreAlerts > 0 {
		lines = append(lines, fmt.Sprintf("- …and %d more", d.MoreAlerts))
	}
	return strings.Join(lines, "\n")
}

// SlackLink is a Slack mrkdwn link to url labelled label (already escaped),
// or the label alone when url isn't http(s): a sender's text never becomes
// a link of another kind.
func SlackLink(url, label string) string {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return label
	}
	return "<" + strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C", " ", "%20").Replace(url) + "|" + label + ">"
}
