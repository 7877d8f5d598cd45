package incident

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ToBeCompleted marks a postmortem section the timeline has no data for.
const ToBeCompleted = "_To be completed by the team_"

// PostmortemLabel labels every postmortem issue.
const PostmortemLabel = "postmortem"

// IncidentLabel labels every action-item issue.
const IncidentLabel = "incident"

// PostmortemMarker is the hidden comment that identifies incident id's
// postmortem issue, so that publishing it again finds it instead of opening
// a second one.
func PostmortemMarker(id string) string { return "<!-- incidentflow:postmortem:" + id + " -->" }

// ActionItemMarker is the hidden comment that identifies the issue of the
// action item with key.
func ActionItemMarker(key string) string { return "<!-- incidentflow:action:" + key + " -->" }

// Person is what incidentflow knows of a Slack user.
type Person struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Bot is true for apps and bots, who get no invitations.
	Bot bool `json:"bot,omitempty"`
}

// Display is the person's name, or the Slack ID when the name is unknown.
func (p Person) Display() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// PostmortemContext is what the postmortem shows besides the incident
// itself.
type PostmortemContext struct {
	// People are the Slack users of the incident, by ID.
	People map[string]Person
	// WarRoomURL links the war room.
	WarRoomURL string
	// Meeting is the review meeting, when booked.
	Meeting RetroSlot
	// ActionItems are every action item, those recorded during the incident
	// and those added after it.
	ActionItems []ActionItem
	// Issues maps action-item keys to their issues' URLs.
	Issues map[string]string
	// TimeZone (IANA) prints the times; UTC when empty.
	TimeZone string
}

// name is how the postmortem names Slack user id: by name when People
// knows it, escaped.
func (pc *PostmortemContext) name(id string) string {
	if id == "" {
		return "incidentflow"
	}
	if p, ok := pc.People[id]; ok {
		return EscapeMarkdown(p.Display())
	}
	return id
}

// slackUser matches a Slack user named in text: a mention (<@U0DAVE>,
// <@U0DAVE|dave>) or a bare user ID, such as the timeline's "U0DAVE is now
// comms". Group 1 or 3 is the ID, group 2 a mention's label; a bare ID
// needs a digit, so that words like "UTC" aren't taken for one.
var slackUser = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|([^>]*))?>|\b([UW][A-Z0-9]*[0-9][A-Z0-9]*)\b`)

// withNames is text with the Slack users it names shown by name, for those
// People knows; of the others, a mention shows its label, or else the ID
// without Slack's brackets (unescaped: the caller escapes the whole text).
func (pc *PostmortemContext) withNames(text string) string {
	return slackUser.ReplaceAllStringFunc(text, func(ref string) string {
		m := slackUser.FindStringSubmatch(ref)
		id := m[1] + m[3]
		if p, ok := pc.People[id]; ok && p.Name != "" {
			return p.Name
		}
		return orDefault(strings.TrimSpace(m[2]), id)
	})
}

// NamedUsers are the Slack users the texts of inc's postmortem name (in
// the timeline, the status updates, the severity changes and the
// resolution) that aren't among its Participants: whom the retrospective
// looks up, besides them, so that the postmortem shows names, not IDs.
func (inc *Incident) NamedUsers() []string {
	texts := []string{inc.Resolution}
	for _, e := range inc.Timeline {
		texts = append(texts, e.Text)
	}
	for _, u := range inc.Updates {
		texts = append(texts, u.Text)
	}
	for _, c := range inc.SeverityHistory {
		texts = append(texts, c.Reason)
	}
	seen := map[string]bool{}
	for _, id := range inc.Participants() {
		seen[id] = true
	}
	var out []string
	for _, t := range texts {
		for _, m := range slackUser.FindAllStringSubmatch(t, -1) {
			if id := m[1] + m[3]; !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// PostmortemTitle is the title of incident inc's postmortem issue. A
// security incident's title stays out of it.
func PostmortemTitle(inc *Incident) string {
	if inc.Declaration.Security {
		return "Postmortem: security incident " + inc.Declaration.ID
	}
	return Truncate("Postmortem: "+strings.Join(strings.Fields(inc.Declaration.Title), " "), 250)
}

// RenderPostmortem drafts the postmortem of inc in GitHub Markdown: a summary
// table with the response times, then overview, impact, resolution steps,
// root cause, action items, process improvements and team learning (filled
// from the timeline where it has data, marked ToBeCompleted where it has
// none), the severity history, the participants, the status-update log and
// the timeline. User text is escaped. A security incident's draft leaves out
// every piece of user text: its details stay in the private war room.
//
// The draft fits GitHub's limit on an issue body: when the parts that grow
// with the incident's length (the resolution steps, the status-update log
// and the timeline) would make it longer than postmortemBudget, each keeps
// its first entries and as many of the most recent ones as fit, and says
// how many it left out and that the war room's Slack history has them all.
// The logs also say how many entries the incident's Compact dropped. Only a
// draft whose other sections alone are too long (hundreds of long action
// items) stays over the budget.
func RenderPostmortem(inc *Incident, pc PostmortemContext) string {
	loc := loadLocation(pc.TimeZone)
	r := &pmRenderer{inc: inc, pc: &pc, loc: loc, secret: inc.Declaration.Security}
	logs := [3]pmLog{r.resolution(), r.updates(), r.timeline()}
	var texts [3]string
	var needs [3]int
	for i, l := range logs {
		texts[i] = l.String()
		needs[i] = len(texts[i])
	}
	body := r.render(texts)
	if len(body) <= postmortemBudget {
		return body
	}
	rooms := share(postmortemBudget-len(r.render([3]string{})), needs)
	for i, l := range logs {
		texts[i] = l.fit(rooms[i])
	}
	return r.render(texts)
}

// postmortemBudget is the size in bytes RenderPostmortem fits a draft into:
// under GitHub's 65,536 characters an issue body may have (a character takes
// a byte or more), under the 65,000 bytes the retrospective cuts a longer
// draft at, and with room for the action-item list to grow as issues are
// opened (about 25 bytes an item) and for people's edits.
const postmortemBudget = 60000

// render renders the postmortem with the resolution steps, the
// status-update log and the timeline given, in this order.
func (r *pmRenderer) render(logs [3]string) string {
	inc, pc := r.inc, r.pc
	var b strings.Builder
	b.WriteString(PostmortemMarker(inc.Declaration.ID) + "\n")
	b.WriteString("_Drafted by incidentflow from the incident's timeline. Edit freely: only the action-item list is kept up to date by incidentflow._\n\n")
	r.summary(&b)
	r.section(&b, "Overview", r.overview())
	r.section(&b, "Impact", r.impact())
	r.section(&b, "Resolution steps", logs[0])
	r.section(&b, "Root cause", r.rootCause())
	b.WriteString("## Action items\n\n" + WrapSection(ActionItemsSection, pc.ActionItemsMarkdown()) + "\n\n")
	r.section(&b, "Process improvements", r.processImprovements())
	r.section(&b, "Team learning", ToBeCompleted+": what did we learn about our systems and the way we work? What would we like everyone to know?")
	r.section(&b, "Severity history", r.severityHistory())
	r.section(&b, "Participants", r.participants())
	r.section(&b, "Status updates", logs[1])
	r.section(&b, "Timeline", logs[2])
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// share splits room between logs that need the sizes given: each gets an
// equal share, and what one doesn't need goes to the others.
func share(room int, needs [3]int) [3]int {
	order := []int{0, 1, 2}
	sort.SliceStable(order, func(i, j int) bool { return needs[order[i]] < needs[order[j]] })
	var rooms [3]int
	for k, i := range order {
		rooms[i] = max(min(needs[i], room/(len(order)-k)), 0)
		room -= rooms[i]
	}
	return rooms
}

// pmLog is a part of the postmortem that grows with the incident's length
// and can be shortened to fit: a preamble and a postamble always shown, and
// between them one line an entry.
type pmLog struct {
	preamble  []string
	lines     []string
	postamble []string
	// gap is the line that stands for n entries left out.
	gap func(n int) string
}

// pmHeadLines is how many of its first entries a shortened log keeps.
const pmHeadLines = 5

// String renders the whole log.
func (l pmLog) String() string { return l.join(l.lines) }

// join renders the log with lines for its entries.
func (l pmLog) join(lines []string) string {
	all := append(append(append([]string(nil), l.preamble...), lines...), l.postamble...)
	return strings.Join(all, "\n")
}

// fit renders the log within room bytes: whole when it fits, or else its
// first few entries (in at most half the room) and as many of the most
// recent ones as fit, with the gap line between them. A room too small for
// even the preamble, the postamble and the gap line gets the three.
func (l pmLog) fit(room int) string {
	whole := l.String()
	if len(whole) <= room {
		return whole
	}
	room -= len(l.join([]string{l.gap(len(l.lines))}))
	head, used := 0, 0
	for head < min(pmHeadLines, len(l.lines)) && used+len(l.lines[head])+1 <= room/2 {
		used += len(l.lines[head]) + 1
		head++
	}
	tail := len(l.lines)
	for tail > head && used+len(l.lines[tail-1])+1 <= room {
		used += len(l.lines[tail-1]) + 1
		tail--
	}
	kept := append(append([]string(nil), l.lines[:head]...), l.gap(tail-head))
	return l.join(append(kept, l.lines[tail:]...))
}

// fullRecord says where the whole record of the incident is.
func (r *pmRenderer) fullRecord() string {
	if r.inc.ChannelName == "" {
		return "the full record is in the war room's Slack history"
	}
	return "the full record is in the war room's Slack history (#" + r.inc.ChannelName + ")"
}

type pmRenderer struct {
	inc    *Incident
	pc     *PostmortemContext
	loc    *time.Location
	secret bool
}

func (r *pmRenderer) section(b *strings.Builder, title, body string) {
	fmt.Fprintf(b, "## %s\n\n%s\n\n", title, strings.TrimRight(body, "\n"))
}

func (r *pmRenderer) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(r.loc).Format("2006-01-02 15:04 MST")
}

// text is user text as the postmortem shows it: with people's names for
// their Slack IDs and escaped, or withheld for a security incident.
func (r *pmRenderer) text(s string) string {
	if r.secret {
		return "_(in the private war room)_"
	}
	return EscapeMarkdown(r.pc.withNames(s))
}

func (r *pmRenderer) summary(b *strings.Builder) {
	inc, d := r.inc, r.inc.Durations()
	row := func(k, v string) { fmt.Fprintf(b, "| %s | %s |\n", k, tableCell(v)) }
	b.WriteString("| | |\n|---|---|\n")
	row("Incident", "`"+inc.Declaration.ID+"`")
	row("Severity", string(inc.Severity))
	if inc.Declaration.Service != "" {
		row("Service", EscapeMarkdown(inc.Declaration.Service))
	}
	row("Commander", r.pc.name(inc.Commander))
	if inc.Comms != "" {
		row("Comms", r.pc.name(inc.Comms))
	}
	declared := r.when(inc.Declaration.DeclaredAt) + " by " + r.pc.name(inc.Declaration.Declarer)
	if d := inc.Declaration; d.Declarer == "" && d.DeclaredVia != "" {
		declared = r.when(d.DeclaredAt) + " via " + EscapeMarkdown(d.DeclaredVia)
	}
	row("Declared", declared)
	row("Resolved", r.when(inc.ResolvedAt))
	row("Time to acknowledge", durationOrDash(d.ToAcknowledge))
	row("Time to mitigate", r.timeToMitigate())
	row("Time to resolve", durationOrDash(d.ToResolve))
	if r.pc.WarRoomURL != "" {
		row("War room", "["+orDefault(inc.ChannelName, "Slack")+"]("+r.pc.WarRoomURL+")")
	}
	if !r.pc.Meeting.Start.IsZero() {
		row("Review meeting", r.when(r.pc.Meeting.Start))
	}
	b.WriteString("\n")
}

// timeToMitigate is the time from declaration to the first update that
// said mitigated, or "not recorded" when none did (see
// Incident.TimeToMitigate).
func (r *pmRenderer) timeToMitigate() string {
	d, ok := r.inc.TimeToMitigate()
	if !ok {
		return "not recorded"
	}
	return durationOrDash(d)
}

func (r *pmRenderer) overview() string {
	inc := r.inc
	if r.secret {
		return "A security incident. Its details are kept in its private war room.\n\n" + ToBeCompleted + ": a summary that can be shared."
	}
	out := "**" + EscapeMarkdown(inc.Declaration.Title) + "**"
	if a := inc.Declaration.AlertsMarkdown; a != "" {
		out += "\n\nDeclared from alerts: " + Truncate(a, MaxAlertsText)
	}
	if inc.Declaration.Summary == "" {
		return out + "\n\n" + ToBeCompleted + ": what happened, in a few sentences."
	}
	return out + "\n\n" + EscapeMarkdown(inc.Declaration.Summary)
}

func (r *pmRenderer) impact() string {
	inc, d := r.inc, r.inc.Durations()
	var lines []string
	lines = append(lines, fmt.Sprintf("- Severity: **%s**", inc.Severity))
	if inc.Declaration.Service != "" {
		lines = append(lines, "- Service: "+EscapeMarkdown(inc.Declaration.Service))
	}
	if d.ToResolve > 0 {
		line := "- Duration: " + durationOrDash(d.ToResolve) + " from declaration to resolution"
		if mitigated, ok := inc.TimeToMitigate(); ok {
			line += " (mitigated after " + durationOrDash(mitigated) + ")"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n") + "\n\n" + ToBeCompleted + ": who and what was affected, how badly and for how long."
}

// resolution is the resolution steps: every update that changed the
// status, and the resolution.
func (r *pmRenderer) resolution() pmLog {
	inc := r.inc
	l := pmLog{gap: func(n int) string {
		return fmt.Sprintf("- … %d steps left out here to keep this issue within GitHub's size limit; %s", n, r.fullRecord())
	}}
	last := Status("")
	for _, u := range inc.Updates {
		if u.Status == last {
			continue
		}
		last = u.Status
		l.lines = append(l.lines, fmt.Sprintf("- %s — **%s**: %s (%s)", r.when(u.At), u.Status, r.text(u.Text), r.pc.name(u.Author)))
	}
	if !inc.ResolvedAt.IsZero() {
		l.lines = append(l.lines, fmt.Sprintf("- %s — **resolved**: %s (%s)", r.when(inc.ResolvedAt), r.text(inc.Resolution), r.pc.name(inc.ResolvedBy)))
	}
	if len(l.lines) == 0 {
		l.preamble = []string{ToBeCompleted + ": the steps that resolved the incident."}
		return l
	}
	l.postamble = []string{"", ToBeCompleted + ": which steps helped, which didn't, and why."}
	return l
}

func (r *pmRenderer) rootCause() string {
	for _, u := range r.inc.Updates {
		if u.Status == Identified {
			return fmt.Sprintf("When the cause was identified (%s): %s\n\n%s: confirm the root cause and the resolution that prevents it.",
				r.when(u.At), r.text(u.Text), ToBeCompleted)
		}
	}
	return ToBeCompleted + ": the root cause, and the resolution that prevents it."
}

func (r *pmRenderer) processImprovements() string {
	inc, d := r.inc, r.inc.Durations()
	var facts []string
	if d.ToAcknowledge > 0 {
		facts = append(facts, "- Acknowledged after "+durationOrDash(d.ToAcknowledge))
	}
	if n := inc.EntryCount(EntryReminder); n > 0 {
		facts = append(facts, fmt.Sprintf("- %d status-update reminder(s) were sent", n))
	}
	if n := inc.EntryCount(EntryEscalation); n > 0 {
		facts = append(facts, fmt.Sprintf("- Escalated %d time(s) because status updates stopped", n))
	}
	if n := len(inc.SeverityHistory); n > 0 {
		facts = append(facts, fmt.Sprintf("- Severity changed %d time(s)", n))
	}
	out := ToBeCompleted + ": what in the incident process (declaring, roles, communication, tools) should change?"
	if len(facts) > 0 {
		out = strings.Join(facts, "\n") + "\n\n" + out
	}
	return out
}

func (r *pmRenderer) severityHistory() string {
	h := r.inc.SeverityHistory
	if len(h) == 0 {
		return fmt.Sprintf("Stayed **%s** throughout.", r.inc.Severity)
	}
	lines := []string{fmt.Sprintf("- %s — declared **%s**", r.when(r.inc.Declaration.DeclaredAt), h[0].From)}
	for _, c := range h {
		line := fmt.Sprintf("- %s — **%s** → **%s** (%s)", r.when(c.At), c.From, c.To, r.pc.name(c.By))
		if c.Reason != "" {
			line += ": " + r.text(c.Reason)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (r *pmRenderer) participants() string {
	roles := map[string][]string{}
	add := func(id, role string) {
		if id != "" {
			roles[id] = append(roles[id], role)
		}
	}
	add(r.inc.Commander, "commander")
	add(r.inc.Comms, "comms")
	add(r.inc.Declaration.Declarer, "declared")
	var lines []string
	for _, id := range r.inc.Participants() {
		line := "- " + r.pc.name(id)
		if len(roles[id]) > 0 {
			line += " (" + strings.Join(roles[id], ", ") + ")"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return ToBeCompleted + ": who took part."
	}
	return strings.Join(lines, "\n")
}

// updates is the status-update log: a table, after a note on the updates
// Compact dropped.
func (r *pmRenderer) updates() pmLog {
	l := pmLog{gap: func(n int) string {
		return fmt.Sprintf("| … | | | %d updates left out here to keep this issue within GitHub's size limit; %s |", n, r.fullRecord())
	}}
	if n := r.inc.OmittedUpdates; n > 0 {
		l.preamble = append(l.preamble, fmt.Sprintf("_%d earlier status updates are not listed: the incident keeps only its most recent ones and the first of each status. Every update was posted in the war room: %s._", n, r.fullRecord()))
		if len(r.inc.Updates) > 0 {
			l.preamble = append(l.preamble, "")
		}
	}
	if len(r.inc.Updates) == 0 {
		if len(l.preamble) == 0 {
			l.preamble = []string{"No status updates were posted."}
		}
		return l
	}
	l.preamble = append(l.preamble, "| When | Status | By | Update |", "|---|---|---|---|")
	for _, u := range r.inc.Updates {
		l.lines = append(l.lines, fmt.Sprintf("| %s | %s | %s | %s |", r.when(u.At), u.Status,
			tableCell(r.pc.name(u.Author)), tableCell(r.text(u.Text))))
	}
	return l
}
