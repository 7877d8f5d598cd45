package incident

import (
	"fmt"
	"strings"
	"time"
)

// markdownEscaper backslash-escapes the characters that would turn user text
// into links, HTML or formatting in the Temporal Web UI's markdown.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`,
)

// mdText makes untrusted text one safe line of markdown of at most n bytes.
func mdText(s string, n int) string {
	return markdownEscaper.Replace(Truncate(strings.Join(strings.Fields(s), " "), n))
}

// Details renders where an incident stands as markdown for the Temporal Web
// UI (the workflow's current details), with how many entries it holds and
// how many older ones Compact dropped. A security incident's title and
// texts stay out of it.
func Details(inc *Incident, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s %s · %s**\n\n", strings.ToUpper(string(inc.Severity)), inc.Declaration.Kind, inc.StatusText())
	if inc.Declaration.Security {
		b.WriteString("Security incident: details are kept in its private war room.\n\n")
	} else {
		fmt.Fprintf(&b, "%s\n\n", mdText(inc.Declaration.Title, 200))
	}
	fmt.Fprintf(&b, "- Commander: %s\n- Comms: %s\n", orDash(inc.Commander), orDash(inc.Comms))
	if inc.ChannelID != "" {
		fmt.Fprintf(&b, "- War room: #%s (%s)\n", inc.ChannelName, inc.ChannelID)
	}
	switch {
	case inc.IsResolved():
		fmt.Fprintf(&b, "- Resolved at %s after %s\n", Clock(inc.ResolvedAt, loc), FormatDuration(inc.Durations().ToResolve))
	case !inc.NextUpdateBy.IsZero():
		fmt.Fprintf(&b, "- Next update by %s", Clock(inc.NextUpdateBy, loc))
		if inc.MissedReminders > 0 {
			fmt.Fprintf(&b, " (%d reminders unanswered)", inc.MissedReminders)
		}
		b.WriteString("\n")
	}
	if n := len(inc.Updates); n > 0 && !inc.Declaration.Security {
		u := inc.Updates[n-1]
		fmt.Fprintf(&b, "- Last update (%s, %s): %s\n", Clock(u.At, loc), u.Status, mdText(u.Text, 300))
	}
	fmt.Fprintf(&b, "- %d timeline entries, %d updates, %d action items\n", len(inc.Timeline), len(inc.Updates), len(inc.ActionItems))
	if n := inc.markedCount(); n > 0 {
		fmt.Fprintf(&b, "- %d war-room messages marked for the timeline\n", n)
	}
	if inc.OmittedUpdates > 0 || inc.OmittedTimeline > 0 {
		fmt.Fprintf(&b, "- %d older updates and %d older timeline entries are no longer kept here: every update and reminder was posted in the war room, whose Slack history has them all, and this workflow's earlier runs hold them\n",
			inc.OmittedUpdates, inc.OmittedTimeline)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return markdownEscaper.Replace(s)
}
