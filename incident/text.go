package incident

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTopic is the longest channel topic Slack accepts.
const MaxTopic = 250

// mrkdwnEscaper escapes the three characters Slack's mrkdwn treats as
// control characters, so that "<!channel>" or "<@U123>" typed by a user
// shows as text and pings nobody.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// formatting characters that would change how user text is shown.
var markupEscaper = strings.NewReplacer("*", "\u2217", "_", "\uff3f", "~", "\u223c", "`", "\u02cb")

// Escape makes untrusted user text safe to embed in a Slack mrkdwn message:
// no mentions, no links, no bold, italics, strikethrough or code. It keeps
// the text readable (lookalike characters replace the markup ones).
func Escape(s string) string {
	return markupEscaper.Replace(mrkdwnEscaper.Replace(s))
}

// EscapeTopic makes untrusted text safe in a channel topic or purpose, which
// Slack shows as plain text but still parses for mentions.
func EscapeTopic(s string) string {
	return mrkdwnEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

// Truncate cuts s to at most n bytes on a rune boundary, ending with "…" when
// cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

// Clock formats t as HH:MM in loc with the zone's abbreviation, e.g.
// "14:30 UTC".
func Clock(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04 MST")
}

// Topic renders a war room's topic: severity · status · commander · next
// update, within Slack's 250 characters. Users are Slack IDs shown as
// mentions, which Slack renders as names.
func Topic(inc *Incident, loc *time.Location) string {
	parts := []string{
		strings.ToUpper(string(inc.Severity)),
		inc.StatusText(),
	}
	if inc.Commander != "" {
		parts = append(parts, "IC <@"+inc.Commander+">")
	}
	if inc.Comms != "" {
		parts = append(parts, "comms <@"+inc.Comms+">")
	}
	if inc.Status == Resolved {
		parts = append(parts, "resolved "+Clock(inc.ResolvedAt, loc))
	} else if !inc.NextUpdateBy.IsZero() {
		parts = append(parts, "next update by "+Clock(inc.NextUpdateBy, loc))
	}
	if inc.Declaration.Kind == KindMaintenance {
		parts = append([]string{"MAINTENANCE"}, parts...)
	}
	return Truncate(strings.Join(parts, " · "), MaxTopic)
}

// IsPlainID reports whether v is a non-empty identifier of ASCII letters,
// digits, '-' and '_': safe in a URL, a visibility query or a channel name
// without escaping. User-supplied values go there only when it holds.
func IsPlainID(v string) bool {
	return v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}

// SortedKeys returns m's keys in order, so that no map order reaches a
// result (workflow code may call it: the order it returns is fixed).
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
