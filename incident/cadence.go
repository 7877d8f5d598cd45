package incident

import (
	"strings"
	"time"
)

// DefaultEscalateAfter is how many reminders in a row may go unanswered
// before the escalation group is called when the process doesn't say.
const DefaultEscalateAfter = 2

// NextUpdateDue returns when the next status update is due when something at
// time at (a declaration, an update, a severity change, a reminder) starts a
// new wait: after override when it is positive, else after the cadence of
// severity s.
func (p *Process) NextUpdateDue(s Severity, at time.Time, override time.Duration) time.Time {
	if override > 0 {
		return at.Add(override)
	}
	return at.Add(p.UpdateEvery(s))
}

// EscalationThreshold is how many reminders in a row may go unanswered
// before escalating: EscalateAfter, or DefaultEscalateAfter when unset.
func (p *Process) EscalationThreshold() int {
	if p.EscalateAfter > 0 {
		return p.EscalateAfter
	}
	return DefaultEscalateAfter
}

// ShouldEscalate reports whether the missed-th unanswered reminder in a row
// escalates: once per streak, when the streak reaches the threshold.
func (p *Process) ShouldEscalate(missed int) bool {
	return missed == p.EscalationThreshold()
}

// EscalationMention renders EscalationGroup as a Slack mention: a user group
// ID (S…) as <!subteam^S…>, a user ID (U… or W…) as <@U…>, anything else as
// escaped text. It is "" when no group is configured.
func (p *Process) EscalationMention() string {
	g := strings.TrimSpace(p.EscalationGroup)
	switch {
	case g == "":
		return ""
	case strings.HasPrefix(g, "S") && isSlackID(g):
		return "<!subteam^" + g + ">"
	}
	return Mention(g)
}

// Mention renders a user as a Slack mention when it is a user ID (IsUserID),
// and as escaped text otherwise (a name typed on the command line).
func Mention(user string) string {
	if IsUserID(user) {
		return "<@" + user + ">"
	}
	return Escape(user)
}

// MentionOr is Mention, or none when user is empty.
func MentionOr(user, none string) string {
	if user == "" {
		return none
	}
	return Mention(user)
}

// Mentions mentions each of users, separated by spaces.
func Mentions(users []string) string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, Mention(u))
	}
	return strings.Join(out, " ")
}

// IsUserID reports whether s is a Slack user ID: U or W followed by
// uppercase letters and digits. It is the one check of user IDs; every
// door and workflow uses it.
func IsUserID(s string) bool {
	return (strings.HasPrefix(s, "U") || strings.HasPrefix(s, "W")) && isSlackID(s)
}

// EscalationTarget names whom an escalation calls, for the timeline and the
// Web UI: the escalation group, or the commander when none is configured.
func (p *Process) EscalationTarget() string {
	if g := strings.TrimSpace(p.EscalationGroup); g != "" {
		return g
	}
	return "the commander"
}

// isSlackID reports whether s looks like a Slack object ID: an uppercase
// letter followed by uppercase letters and digits.
func isSlackID(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
