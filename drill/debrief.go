package drill

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// MaxDebrief bounds each text Debrief returns, in bytes: under Slack's
// 40,000 characters of a message and far under GitHub's 65,536 of an
// issue body.
const MaxDebrief = 38000

// maxNarrative is how many lines the debrief's story of the drill shows;
// maxLineText bounds the text of each, in bytes, before escaping.
const (
	maxNarrative = 40
	maxLineText  = 200
)

// Debrief renders the scored debrief of the drill of scenario s (already
// Scaled), graded sc, from its incident's state inc and its progress p:
// the headline with the points, how it ended, the response times, the
// updates on time, the hints used, the expectations met and missed, and
// what happened when (timeline entries and injects played, as "+MM:SS"
// from the start, at most 40 lines). Clock times are in loc (UTC when
// nil).
//
// slack is Slack mrkdwn, with every user or scenario text escaped and
// users mentioned (<@U…>); markdown is GitHub Markdown for an issue body,
// with the texts HTML-escaped, @mentions defused and user IDs in code
// spans, so that it pings nobody. Each is at most MaxDebrief bytes.
func Debrief(s Scenario, sc Score, inc *incident.Incident, p Progress, loc *time.Location) (slack string, markdown string) {
	if inc == nil {
		inc = &incident.Incident{}
	}
	r := debrief{s: s, sc: sc, inc: inc, p: p, loc: loc}
	return r.render(slackStyle), r.render(markdownStyle)
}

// style is how one output format writes what the debrief says.
type style struct {
	text    func(string) string // untrusted text
	user    func(string) string // a Slack user ID (or a name)
	code    func(string) string // a short identifier or figure
	title   func(string) string // the headline
	section func(string) string
	item    string // the start of a list item
	story   func(at, text string) string
	more    func(n int) string
}

var slackStyle = style{
	text:    incident.Escape,
	user:    incident.Mention,
	code:    func(s string) string { return "`" + incident.Escape(s) + "`" },
	title:   func(s string) string { return ":clipboard: *" + s + "*" },
	section: func(s string) string { return "\n*" + s + "*" },
	item:    "• ",
	story:   func(at, text string) string { return at + "  " + text },
	more:    func(n int) string { return fmt.Sprintf("… %d more", n) },
}

var markdownStyle = style{
	text: incident.EscapeMarkdown,
	user: func(u string) string {
		if incident.IsUserID(u) {
			return "`" + u + "`"
		}
		return incident.EscapeMarkdown(u)
	},
	code:    func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" },
	title:   func(s string) string { return "## " + s },
	section: func(s string) string { return "\n### " + s + "\n" },
	item:    "- ",
	story:   func(at, text string) string { return "- `" + at + "` " + text },
	more:    func(n int) string { return fmt.Sprintf("- … %d more", n) },
}

// debrief holds what Debrief renders.
type debrief struct {
	s   Scenario
	sc  Score
	inc *incident.Incident
	p   Progress
	loc *time.Location
}

// render writes the debrief in style st, within MaxDebrief bytes.
func (r debrief) render(st style) string {
	w := &lines{budget: MaxDebrief}
	sc := r.sc
	title := oneLine(r.s.Title)
	if title == "" {
		title = oneLine(sc.Title)
	}
	w.add(st.title(fmt.Sprintf("Drill debrief: %s — %d/%d points", st.text(title), sc.Points, sc.MaxPoints)))
	w.add(r.intro(st))
	w.add(r.ending(st))

	w.add(st.section("Response"))
	cadence := ""
	if sc.Cadence > 0 {
		cadence = fmt.Sprintf(" (updates due every %s)", inWords(sc.Cadence))
	}
	w.add(st.item + "Time to acknowledge: " + inWords(sc.TimeToAcknowledge))
	w.add(st.item + "Time to first update: " + inWords(sc.TimeToFirstUpdate) + cadence)
	w.add(st.item + "Time to assign a commander and a comms lead: " + inWords(sc.TimeToRoles))
	w.add(st.item + fmt.Sprintf("Updates on time: %d of %d", sc.UpdatesOnTime, sc.UpdateIntervals))
	w.add(st.item + fmt.Sprintf("Hints used: %d of %d", sc.HintsUsed, len(r.s.Facts)))

	if len(sc.Expectations) > 0 {
		w.add(st.section("Expectations"))
		for i, e := range sc.Expectations {
			w.add(st.item + r.expectation(st, i, e))
		}
	}

	story := r.story(st)
	w.add(st.section("What happened"))
	if len(story) == 0 {
		w.add("Nothing was recorded.")
	}
	shown := story
	if len(story) > maxNarrative {
		shown = story[:maxNarrative-1]
	}
	for _, l := range shown {
		w.add(l)
	}
	if len(shown) < len(story) {
		w.add(st.more(len(story) - len(shown)))
	}
	return w.String()
}

// intro says which scenario ran, how fast, and when it started.
func (r debrief) intro(st style) string {
	parts := []string{"Scenario " + st.code(r.s.Name), speedText(r.sc.Speed)}
	if !r.p.StartedAt.IsZero() {
		parts = append(parts, "started "+incident.Clock(r.p.StartedAt, r.loc))
	}
	return strings.Join(parts, " · ")
}

// ending says how the drill ended.
func (r debrief) ending(st style) string {
	took := inWords(r.sc.Duration)
	switch {
	case r.sc.TimedOut:
		return fmt.Sprintf(":hourglass: Timed out after %s: the time limit came before anyone resolved it.", took)
	case r.inc.IsResolved() || !r.inc.ResolvedAt.IsZero():
		by := ""
		if r.inc.ResolvedBy != "" {
			by = " by " + st.user(r.inc.ResolvedBy)
		}
		return fmt.Sprintf(":white_check_mark: Resolved%s after %s.", by, took)
	case !r.p.EndedAt.IsZero():
		return fmt.Sprintf("Ended after %s without a resolution.", took)
	}
	return "Still running."
}

// expectation is one checklist line: met or not, and when.
func (r debrief) expectation(st style, i int, e ExpectationResult) string {
	mark := "❌"
	if e.Met {
		mark = "✅"
	}
	line := mark + " " + st.text(oneLine(e.Text))
	var within time.Duration
	if i < len(r.s.Expected) {
		within = r.s.Expected[i].Within
	}
	if within > 0 {
		line += " (within " + inWords(within) + ")"
	}
	switch {
	case e.At < 0:
		return line + " — never"
	case !e.Met:
		return line + " — at " + offset(e.At) + ", too late"
	}
	return line + " — at " + offset(e.At)
}

// story is what happened, in time order, each line "+MM:SS  text": the
// drill's timeline, where the workflow records every inject played (a
// simulated person's message, a simulated alert), every hint and the
// status page draft besides the responders' own actions.
func (r debrief) story(st style) []string {
	out := make([]string, 0, len(r.inc.Timeline))
	for _, e := range r.inc.Timeline {
		text := st.text(incident.Truncate(oneLine(e.Text), maxLineText))
		if e.Actor != "" {
			text = st.user(e.Actor) + " " + text
		}
		out = append(out, st.story(offset(e.At.Sub(r.p.StartedAt)), text))
	}
	return out
}

// lines collects a text's lines within a budget of bytes.
type lines struct {
	budget int
	out    []string
	size   int
	cut    bool
}

// cutNote ends a text cut to fit; reserve is the room kept for it.
const (
	cutNote = "… (cut to fit)"
	reserve = 64
)

func (l *lines) add(s string) {
	if l.cut {
		return
	}
	if l.size+len(s)+1 > l.budget-reserve {
		l.cut = true
		return
	}
	l.out = append(l.out, s)
	l.size += len(s) + 1
}

// String is the lines joined, ending with a note when some were cut.
func (l *lines) String() string {
	out := l.out
	if l.cut {
		out = append(out, cutNote)
	}
	return strings.Join(out, "\n")
}
