package incident

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// timeline is the timeline, oldest first, after a note on the entries
// Compact dropped. Each entry shows its time, and its date too when the
// timeline spans more than one calendar day; a marked war-room message
// shows its author, its text on one line, whether it was edited or deleted
// in Slack, its files and a link to it.
func (r *pmRenderer) timeline() pmLog {
	l := pmLog{gap: func(n int) string {
		return fmt.Sprintf("- … %d entries left out here to keep this issue within GitHub's size limit; %s", n, r.fullRecord())
	}}
	entries := append([]TimelineEntry(nil), r.inc.Timeline...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.Before(entries[j].At) })
	stamp := r.clock
	if spansDays(entries, r.loc) {
		stamp = r.when
	}
	for _, e := range entries {
		l.lines = append(l.lines, "- "+stamp(e.At)+" — "+r.entry(e))
	}
	switch n := r.inc.OmittedTimeline; {
	case n > 0:
		l.preamble = []string{fmt.Sprintf("_%d earlier entries are not listed: the incident keeps only its most recent ones, its declaration, the opening of its war room and the messages marked for its timeline. Every update and reminder was posted in the war room: %s._", n, r.fullRecord())}
		if len(l.lines) > 0 {
			l.preamble = append(l.preamble, "")
		}
	case len(l.lines) == 0:
		l.preamble = []string{ToBeCompleted + "."}
	}
	return l
}

// spansDays reports whether entries fall on more than one calendar day in
// loc.
func spansDays(entries []TimelineEntry, loc *time.Location) bool {
	for _, e := range entries {
		if e.At.In(loc).Format(time.DateOnly) != entries[0].At.In(loc).Format(time.DateOnly) {
			return true
		}
	}
	return false
}

// clock is t as the time of day, for a timeline within one day.
func (r *pmRenderer) clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return Clock(t, r.loc)
}

// entry is what a timeline line says after its time.
func (r *pmRenderer) entry(e TimelineEntry) string {
	m := e.Message
	if m == nil {
		return fmt.Sprintf("%s (%s): %s", e.Kind, r.pc.name(e.Actor), r.text(e.Text))
	}
	author := "someone"
	if e.Actor != "" {
		author = r.pc.name(e.Actor)
	}
	s := author + " (marked): " + r.text(strings.Join(strings.Fields(e.Text), " ")) + m.stateNote()
	if len(m.Files) > 0 {
		s += " — " + r.files(m.Files)
	}
	if isWebURL(m.Permalink) {
		s += " — " + markdownLink(m.Permalink, "link")
	}
	return s
}

// files links a marked message's files, or counts them in a security
// incident, whose file names stay in the private war room.
func (r *pmRenderer) files(files []FileLink) string {
	if r.secret {
		return fmt.Sprintf("%d file(s)", len(files))
	}
	links := make([]string, 0, len(files))
	for _, f := range files {
		label := EscapeMarkdown(orDefault(strings.Join(strings.Fields(f.Name), " "), "file"))
		links = append(links, markdownLink(f.URL, label))
	}
	return "files: " + strings.Join(links, ", ")
}
