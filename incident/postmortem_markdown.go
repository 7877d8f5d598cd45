package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ActionItemsSection names the part of the postmortem incidentflow keeps up
// to date as action items are added.
const ActionItemsSection = "action-items"

// ActionItemsMarkdown lists the action items with their owners, due dates and
// issues, for the postmortem's action-item section.
func (pc PostmortemContext) ActionItemsMarkdown() string {
	if len(pc.ActionItems) == 0 {
		return ToBeCompleted + ": preventive action items. Add them with the **Add action items** button in the war room."
	}
	lines := make([]string, 0, len(pc.ActionItems))
	for _, it := range pc.ActionItems {
		line := "- " + EscapeMarkdown(it.Text)
		var meta []string
		if it.Owner != "" {
			meta = append(meta, "owner "+pc.name(it.Owner))
		}
		if it.Due != "" {
			meta = append(meta, "due "+EscapeMarkdown(it.Due))
		}
		if len(meta) > 0 {
			line += " (" + strings.Join(meta, ", ") + ")"
		}
		if u := pc.Issues[it.Key]; u != "" {
			line += " — " + u
		} else {
			line += " — _issue not created yet_"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func sectionMarkers(name string) (string, string) {
	return "<!-- incidentflow:section:" + name + " -->", "<!-- incidentflow:end:" + name + " -->"
}

// WrapSection puts content between the hidden markers of section name, so
// that ReplaceSection can later update it without touching the rest of a
// document people have edited.
func WrapSection(name, content string) string {
	start, end := sectionMarkers(name)
	return start + "\n" + content + "\n" + end
}

// ReplaceSection replaces the content of section name in body. It reports
// false, leaving body alone, when the markers were removed.
func ReplaceSection(body, name, content string) (string, bool) {
	start, end := sectionMarkers(name)
	i := strings.Index(body, start)
	if i < 0 {
		return body, false
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		return body, false
	}
	return body[:i] + WrapSection(name, content) + body[i+j+len(end):], true
}

// htmlEscaper neutralises HTML (and so hidden markers) in user text.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeMarkdown makes untrusted user text safe in a GitHub issue: no HTML,
// no forged incidentflow markers and no @mentions (an "@" that could start
// a mention gets an invisible joiner). Emails stay as they are.
func EscapeMarkdown(s string) string {
	s = htmlEscaper.Replace(s)
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		b.WriteRune(r)
		if r == '@' && !(unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '_' || prev == '.' || prev == '-') {
			b.WriteString("\u2060") // word joiner: GitHub no longer sees a mention
		}
		prev = r
	}
	return b.String()
}

// tableCell keeps text on one line and inside its Markdown table cell.
func tableCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", "\\|")
}

// durationOrDash prints a response time, or "—" for a step that didn't
// happen.
func durationOrDash(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return FormatDuration(d)
}

// IssueTitle is the title of an action item's issue: its text on one line,
// within GitHub's 256 characters.
func IssueTitle(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(t) == 0 {
		return "Action item"
	}
	return Truncate(t, 250)
}

// ActionItemIssueBody renders the body of action item it's GitHub issue
// (marker is its hidden marker): what to do, who owns it, by when, and links
// to the incident's war room and postmortem. A security incident's title
// stays out of it.
func ActionItemIssueBody(inc *Incident, it ActionItem, marker string, pc PostmortemContext, postmortemURL string) string {
	var b strings.Builder
	b.WriteString(marker + "\n")
	from := "`" + inc.Declaration.ID + "`"
	if !inc.Declaration.Security {
		from += ": " + EscapeMarkdown(strings.Join(strings.Fields(inc.Declaration.Title), " "))
	}
	fmt.Fprintf(&b, "Action item from incident %s (%s).\n\n%s\n\n| | |\n|---|---|\n", from, inc.Severity, EscapeMarkdown(it.Text))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, tableCell(v))
		}
	}
	if it.Owner != "" {
		owner := pc.name(it.Owner)
		if p, ok := pc.People[it.Owner]; ok && p.Email != "" {
			owner += " (" + EscapeMarkdown(p.Email) + ")"
		}
		row("Owner", owner)
	}
	row("Due", EscapeMarkdown(it.Due))
	if it.Author != "" {
		row("Recorded by", pc.name(it.Author))
	}
	if postmortemURL != "" {
		row("Postmortem", postmortemURL)
	}
	if pc.WarRoomURL != "" {
		row("War room", "["+orDefault(inc.ChannelName, "Slack")+"]("+pc.WarRoomURL+")")
	}
	return b.String()
}

// ActionItemLabels are the labels of an action item's issue: the
// configured ones, IncidentLabel and the severity, without duplicates.
func ActionItemLabels(configured []string, sev Severity) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range append(append([]string(nil), configured...), IncidentLabel, string(sev)) {
		if l = strings.TrimSpace(l); l != "" && !seen[strings.ToLower(l)] {
			seen[strings.ToLower(l)] = true
			out = append(out, l)
		}
	}
	return out
}
