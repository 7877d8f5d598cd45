package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// The texts of the triage prompt and of a resolved incident's alerts firing
// again. Slack mrkdwn, the sender's text escaped.

// TriageText is the "Declare incident?" prompt: the route's title and
// suggestion, and the group's firing alerts.
func TriageText(g Group, d Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, ":rotating_light: *Declare incident?* %s\n", incident.Escape(incident.Truncate(oneLine(d.Title), 200)))
	if d.Severity != "" || d.Service != "" {
		fmt.Fprintf(&b, "Suggested: severity %s · service %s\n", orDash(string(d.Severity)), incident.Escape(orDash(d.Service)))
	}
	b.WriteString(slack.list("firing", g.FiringAlerts(), g.Truncated))
	return b.String()
}

// TriageResolvedText closes a prompt whose alerts all resolved before
// anyone answered it.
func TriageResolvedText(g Group, loc *time.Location) string {
	return strings.TrimSuffix(AllResolvedText(len(g.Alerts), g.ResolvedAt(), loc), " — resolve the incident?") +
		" before anyone answered; nothing was declared."
}

// TriageDecidedText closes a prompt that by answered: what they did.
func TriageDecidedText(g Group, what, by string) string {
	return fmt.Sprintf(":ballot_box_with_check: %s %s. %s", incident.MentionOr(by, "Someone"), what,
		Headline(g.FiringAlerts(), g.Truncated))
}

// FiringAgainText tells the war room of resolved incident id that alerts
// of its group fire again.
func FiringAgainText(c Change, id string) string {
	return fmt.Sprintf(":repeat: Incident `%s` is resolved, but its alerts fire again. %s\nIf the problem is back, declare a new incident with `/incident declare`.",
		id, slack.list("newly firing", c.Firing, 0))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// GroupDetails is the Web UI's view of an alert group: its phase, its
// incident, the notifications received and the alerts firing now.
func GroupDetails(g Group, phase, incidentID string, notifications int) string {
	s := fmt.Sprintf("**Alert group · %s**\n\n- Incident: %s\n- Notifications: %d\n- %s\n",
		phase, orDash(incidentID), notifications, Headline(g.FiringAlerts(), g.Truncated))
	return s
}
