package workflows

import (
	"fmt"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// The war-room messages of the retrospective. User text is escaped; users
// are Slack mentions.

func addItemsButton(id string) activities.Button {
	return activities.Button{ActionID: wfapi.ActionAddActionItems, Text: "Add action items", Value: id}
}

func doneButton(id string) activities.Button {
	return activities.Button{ActionID: wfapi.ActionRetroDone, Text: "Mark retrospective done", Value: id, Style: "primary"}
}

// retroWhen shows t in each reader's own time zone (Slack's date token),
// falling back to t in loc.
func retroWhen(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
}

// retroLink is a Slack link, or the plain label without a URL.
func retroLink(url, label string) string {
	if url == "" {
		return label
	}
	return "<" + strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url) + "|" + label + ">"
}

func retroMeetingTitle(inc *incident.Incident) string {
	if inc.Declaration.Security {
		return "Retrospective: security incident " + inc.Declaration.ID
	}
	return incident.Truncate("Retrospective: "+strings.Join(strings.Fields(inc.Declaration.Title), " "), 200)
}

func retroMeetingDescription(inc *incident.Incident, st *wfapi.RetroState) string {
	lines := []string{fmt.Sprintf("Review of incident %s (%s), resolved %s.", inc.Declaration.ID, inc.Severity,
		inc.ResolvedAt.UTC().Format("2006-01-02 15:04 MST"))}
	if st.Postmortem.URL != "" {
		lines = append(lines, "Postmortem draft: "+st.Postmortem.URL)
	}
	if st.WarRoomURL != "" {
		lines = append(lines, "War room: "+st.WarRoomURL)
	}
	lines = append(lines, "Agenda: overview, resolution steps, impact, root cause, preventive action items, process improvements, team learning.")
	return strings.Join(lines, "\n")
}

func retroItemLine(it wfapi.RetroActionItem) string {
	line := "• " + incident.Escape(incident.Truncate(it.Text, 300))
	if it.Owner != "" {
		line += " · owner <@" + it.Owner + ">"
	}
	if it.Due != "" {
		line += " · due " + incident.Escape(it.Due)
	}
	if it.Issue.Number > 0 {
		line = "• " + retroLink(it.Issue.URL, fmt.Sprintf("#%d", it.Issue.Number)) + " " + strings.TrimPrefix(line, "• ")
	}
	return line
}

func retroItemLines(items []wfapi.RetroActionItem, limit int) string {
	var lines []string
	for i, it := range items {
		if i == limit {
			lines = append(lines, fmt.Sprintf("…and %d more", len(items)-limit))
			break
		}
		lines = append(lines, retroItemLine(it))
	}
	return strings.Join(lines, "\n")
}

func retroAnnounceText(inc *incident.Incident, st *wfapi.RetroState, loc *time.Location) string {
	var b strings.Builder
	verb := "planned for"
	if st.Booked {
		verb = "booked for"
	}
	fmt.Fprintf(&b, ":spiral_note_pad: *Retrospective* %s %s.\n", verb, retroWhen(st.Meeting.Start, loc))
	if st.MeetingURL != "" {
		fmt.Fprintf(&b, "Calendar: %s\n", retroLink(st.MeetingURL, "invite"))
	}
	if st.Postmortem.URL != "" {
		fmt.Fprintf(&b, "Postmortem draft: %s: please fill in impact, root cause, process improvements and learning before the meeting.\n",
			retroLink(st.Postmortem.URL, fmt.Sprintf("#%d", st.Postmortem.Number)))
	}
	if len(st.Items) > 0 {
		fmt.Fprintf(&b, "Action items:\n%s\n", retroItemLines(st.Items, 20))
	}
	b.WriteString("Add preventive action items with the button: each becomes a GitHub issue.")
	return b.String()
}

func retroReminderText(st *wfapi.RetroState, loc *time.Location, users []string) string {
	s := fmt.Sprintf(":alarm_clock: The retrospective starts %s.", retroWhen(st.Meeting.Start, loc))
	if st.Postmortem.URL != "" {
		s += " Postmortem draft: " + retroLink(st.Postmortem.URL, fmt.Sprintf("#%d", st.Postmortem.Number)) + "."
	}
	if len(users) > 0 {
		s += " " + retroMentions(users)
	}
	return s
}

func retroMentions(users []string) string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, "<@"+u+">")
	}
	return strings.Join(out, " ")
}

// retroDoneAsk asks for the retrospective to be marked done.
const retroDoneAsk = "Once the postmortem is complete and the action items are recorded, mark the retrospective done."

func retroDonePromptText(commander string) string {
	return ":white_check_mark: The retrospective meeting is over. " + retroDoneAsk + retroMentionOf(commander)
}

func retroDoneReminderText(commander string) string {
	return ":hourglass: Reminder: the retrospective isn't marked done yet. " + retroDoneAsk + retroMentionOf(commander)
}

// retroMentionOf mentions user after a space, or is empty.
func retroMentionOf(user string) string {
	if user == "" {
		return ""
	}
	return " <@" + user + ">"
}

func retroDoneAckText(st *wfapi.RetroState, digestEvery time.Duration) string {
	s := fmt.Sprintf(":tada: <@%s> marked the retrospective done.", st.DoneBy)
	if n := len(st.OpenItems()); n > 0 {
		s += fmt.Sprintf(" I'll follow the %d open action item issue(s) and list the open ones here every %s until they're closed.", n, incident.FormatDuration(digestEvery))
	}
	return s
}

func retroItemsAddedText(items []wfapi.RetroActionItem) string {
	return fmt.Sprintf(":memo: Action item(s) added:\n%s", retroItemLines(items, 20))
}

func retroDigestText(st *wfapi.RetroState) string {
	open := st.OpenItems()
	return fmt.Sprintf(":clipboard: %d of %d action item(s) from this incident are still open:\n%s", len(open), len(st.Items), retroItemLines(open, 30))
}

// retroArchiving ends the last message when the war room is archived.
func retroArchiving(archive bool) string {
	if archive {
		return " This channel will now be archived."
	}
	return ""
}

func retroAllClosedText(archive bool) string {
	return ":checkered_flag: All action items from this incident are closed. Thank you, everyone!" + retroArchiving(archive)
}

func retroNothingToFollowText(archive bool) string {
	return ":white_check_mark: No action items were recorded, so there is nothing to follow up." + retroArchiving(archive)
}

func retroEndedText(st *wfapi.RetroState, archive bool) string {
	open := st.OpenItems()
	s := fmt.Sprintf(":stopwatch: The follow-up period has ended with %d action item(s) still open; I'll stop tracking them here:\n%s", len(open), retroItemLines(open, 30))
	if len(open) == 0 {
		s = ":stopwatch: The follow-up period has ended."
	}
	return s + retroArchiving(archive)
}

// retroDetails is the Web UI's view of a retrospective.
func retroDetails(st *wfapi.RetroState, loc *time.Location) string {
	s := fmt.Sprintf("**Retrospective of %s · %s**\n\n", st.IncidentID, st.Phase)
	if !st.Meeting.Start.IsZero() {
		s += fmt.Sprintf("- Meeting: %s\n", st.Meeting.Start.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	if st.Postmortem.URL != "" {
		s += fmt.Sprintf("- Postmortem: %s\n", st.Postmortem.URL)
	}
	s += fmt.Sprintf("- Action items: %d, open: %d\n- Done: %v\n", len(st.Items), len(st.OpenItems()), st.Done)
	return s
}
