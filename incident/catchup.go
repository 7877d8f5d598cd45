package incident

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTimelineReaction is the reaction that marks a war-room message for
// the timeline when timeline.reaction isn't set (📌, :pushpin:).
const DefaultTimelineReaction = "pushpin"

// maxEntryText bounds the text of one timeline line, in bytes, so that 20
// lines stay well inside one Slack message.
const maxEntryText = 300

// maxCatchupMarks is how many marked messages the catch-up lists (the
// newest); the timeline shows the rest.
const maxCatchupMarks = 10

// TimelineText renders the last n entries of inc's timeline, oldest first,
// one line each ("14:02 <@U123> text"), for /incident timeline. Marked
// messages link to their permalink and their files. Times are in loc, with
// the date when the entries shown span several days. more, when not empty,
// is added as the last line: a link to the whole timeline.
func TimelineText(inc *Incident, loc *time.Location, n int, more string) string {
	if loc == nil {
		loc = time.UTC
	}
	entries := inc.Timeline
	if n > 0 && len(entries) > n {
		entries = entries[len(entries)-n:]
	}
	total := inc.OmittedTimeline + len(inc.Timeline)
	var b strings.Builder
	fmt.Fprintf(&b, "*Timeline of incident `%s`*", inc.Declaration.ID)
	if len(entries) < total {
		fmt.Fprintf(&b, " (the last %d of %d entries", len(entries), total)
	} else {
		fmt.Fprintf(&b, " (%d entries", total)
	}
	fmt.Fprintf(&b, ", times in %s)\n", zoneName(loc, inc, entries))
	layout := clockLayout(entries, loc)
	for _, e := range entries {
		b.WriteString(entryLine(e, loc, layout))
		b.WriteString("\n")
	}
	if len(entries) == 0 {
		b.WriteString("Nothing recorded yet.\n")
	}
	if more != "" {
		b.WriteString(more)
	}
	return strings.TrimRight(b.String(), "\n")
}

// CatchupText tells someone joining the war room now what they need:
// severity, status, who holds the roles, the last status update and when,
// and the messages marked for the timeline since that update (or since the
// declaration, before the first update). Times are in loc.
func CatchupText(inc *Incident, proc *Process, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	d := inc.Declaration
	title := d.Title
	if d.Security {
		title = "security incident"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Catching up on `%s`*: %s\n", d.ID, safe(title, maxTitleInMessage))
	fmt.Fprintf(&b, "• Severity: *%s*", strings.ToUpper(string(inc.Severity)))
	if sp, ok := proc.Policy(inc.Severity); ok && sp.Description != "" {
		fmt.Fprintf(&b, " (%s)", safe(sp.Description, maxTitleInMessage))
	}
	fmt.Fprintf(&b, " · Status: *%s*\n", inc.StatusText())
	fmt.Fprintf(&b, "• Commander: %s · Comms: %s\n", MentionOr(inc.Commander, "nobody"), MentionOr(inc.Comms, "nobody"))
	if !d.DeclaredAt.IsZero() {
		fmt.Fprintf(&b, "• Declared %s%s\n", Clock(d.DeclaredAt, loc), declaredBy(d))
	}
	since := "since the declaration"
	if n := len(inc.Updates); n > 0 {
		last := inc.Updates[n-1]
		fmt.Fprintf(&b, "• Last update %s by %s (%s): %s\n", Clock(last.At, loc), MentionOr(last.Author, "nobody"),
			last.Status, oneLine(last.Text, maxEntryText))
		since = "since that update"
	} else {
		b.WriteString("• No status update yet\n")
	}
	if !inc.IsResolved() && !inc.NextUpdateBy.IsZero() {
		fmt.Fprintf(&b, "• Next update due by %s\n", Clock(inc.NextUpdateBy, loc))
	}
	marked := markedSinceUpdate(inc)
	if len(marked) == 0 {
		fmt.Fprintf(&b, "Nothing was marked for the timeline %s.", since)
		return b.String()
	}
	fmt.Fprintf(&b, "*Marked %s*", since)
	if len(marked) > maxCatchupMarks {
		fmt.Fprintf(&b, " (the last %d of %d; `/incident timeline` shows more)", maxCatchupMarks, len(marked))
		marked = marked[len(marked)-maxCatchupMarks:]
	}
	b.WriteString("\n")
	layout := clockLayout(marked, loc)
	for _, e := range marked {
		b.WriteString("• " + entryLine(e, loc, layout) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// markedSinceUpdate returns the marked messages recorded after the last
// status update's timeline entry, or all of them when the timeline holds
// no update.
func markedSinceUpdate(inc *Incident) []TimelineEntry {
	from := 0
	for i, e := range inc.Timeline {
		if e.Kind == EntryUpdate {
			from = i + 1
		}
	}
	var out []TimelineEntry
	for _, e := range inc.Timeline[from:] {
		if e.Message != nil {
			out = append(out, e)
		}
	}
	return out
}

// entryLine renders one timeline entry on one line: time, who, what. A
// marked message's text is quoted and followed by links to the message and
// its files; user text is escaped, so it pings nobody and links nowhere.
func entryLine(e TimelineEntry, loc *time.Location, layout string) string {
	line := e.At.In(loc).Format(layout)
	if e.Actor != "" {
		line += " " + Mention(e.Actor)
	}
	m := e.Message
	if m == nil {
		return line + " " + oneLine(e.Text, maxEntryText)
	}
	line += " “" + oneLine(e.Text, maxEntryText) + "”"
	if m.Permalink != "" {
		line += " " + SlackLink(m.Permalink, "(message)")
	}
	for _, f := range m.Files {
		line += " · " + SlackLink(f.URL, safe(f.Name, maxTitleInMessage))
	}
	return line + m.stateNote()
}

// oneLine is user text escaped for mrkdwn, on one line, cut to n bytes.
func oneLine(s string, n int) string {
	return safe(strings.Join(strings.Fields(s), " "), n)
}

// clockLayout is how entries' times are written: HH:MM, with the date in
// front when they don't all fall on one day in loc.
func clockLayout(entries []TimelineEntry, loc *time.Location) string {
	if spansDays(entries, loc) {
		return "Jan 2 15:04"
	}
	return "15:04"
}

// zoneName names loc's zone as the times of inc's entries show it (e.g.
// "UTC", "CET").
func zoneName(loc *time.Location, inc *Incident, entries []TimelineEntry) string {
	at := inc.Declaration.DeclaredAt
	if len(entries) > 0 {
		at = entries[len(entries)-1].At
	}
	name, _ := at.In(loc).Zone()
	return name
}
