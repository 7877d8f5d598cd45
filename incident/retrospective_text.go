package incident

import (
	"fmt"
	"strings"
	"time"
)

// The war-room messages of the retrospective. User text is escaped; users
// are Slack mentions.

// RetroWhen shows t in each reader's own time zone (Slack's date token),
// falling back to t in loc.
func RetroWhen(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
}

// RetroMeetingTitle is the calendar title of inc's review meeting; a
// security incident's names only its ID.
func RetroMeetingTitle(inc *Incident) string {
	if inc.Declaration.Security {
		return "Retrospective: security incident " + inc.Declaration.ID
	}
	return Truncate("Retrospective: "+strings.Join(strings.Fields(inc.Declaration.Title), " "), 200)
}

// RetroMeetingDescription is the calendar description of the review
// meeting: the incident, the postmortem and war-room links, the agenda.
func RetroMeetingDescription(inc *Incident, st *RetroState) string {
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

func retroItemLine(it RetroActionItem) string {
	line := "• " + Escape(Truncate(it.Text, 300))
	if it.Owner != "" {
		line += " · owner " + Mention(it.Owner)
	}
	if it.Due != "" {
		line += " · due " + Escape(it.Due)
	}
	if it.Issue.Number > 0 {
		line = "• " + SlackLink(it.Issue.URL, fmt.Sprintf("#%d", it.Issue.Number)) + " " + strings.TrimPrefix(line, "• ")
	}
	return line
}

func retroItemLines(items []RetroActionItem, limit int) string {
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

// RetroAnnounceText announces the retrospective in the war room: the
// meeting, the postmortem draft and the action items, and where the action
// items go.
func RetroAnnounceText(inc *Incident, st *RetroState, loc *time.Location) string {
	var b strings.Builder
	verb := "planned for"
	if st.Booked {
		verb = "booked for"
	}
	fmt.Fprintf(&b, ":spiral_note_pad: *Retrospective* %s %s.\n", verb, RetroWhen(st.Meeting.Start, loc))
	if st.MeetingURL != "" {
		fmt.Fprintf(&b, "Calendar: %s\n", SlackLink(st.MeetingURL, "invite"))
	}
	if st.Postmortem.URL != "" {
		fmt.Fprintf(&b, "Postmortem draft: %s: please fill in impact, root cause, process improvements and learning before the meeting.\n",
			SlackLink(st.Postmortem.URL, fmt.Sprintf("#%d", st.Postmortem.Number)))
	}
	if len(st.Items) > 0 {
		fmt.Fprintf(&b, "Action items:\n%s\n", retroItemLines(st.Items, 20))
	}
	if st.OffGitHub {
		b.WriteString("Add preventive action items with the button. As this is a security incident, they and the postmortem stay in this private channel and in the retrospective's record: none becomes a GitHub issue.")
	} else {
		b.WriteString("Add preventive action items with the button: each becomes a GitHub issue.")
	}
	return b.String()
}

// RetroReminderText reminds users that the meeting is about to start.
func RetroReminderText(st *RetroState, loc *time.Location, users []string) string {
	s := fmt.Sprintf(":alarm_clock: The retrospective starts %s.", RetroWhen(st.Meeting.Start, loc))
	if st.Postmortem.URL != "" {
		s += " Postmortem draft: " + SlackLink(st.Postmortem.URL, fmt.Sprintf("#%d", st.Postmortem.Number)) + "."
	}
	if len(users) > 0 {
		s += " " + Mentions(users)
	}
	return s
}

// retroDoneAsk asks for the retrospective to be marked done.
const retroDoneAsk = "Once the postmortem is complete and the action items are recorded, mark the retrospective done."

// askDone asks commander, when there is one, to mark the retrospective done.
func askDone(commander string) string {
	if commander == "" {
		return retroDoneAsk
	}
	return retroDoneAsk + " " + Mention(commander)
}

// RetroDonePromptText asks, after the meeting, for the retrospective to be
// marked done.
func RetroDonePromptText(commander string) string {
	return ":white_check_mark: The retrospective meeting is over. " + askDone(commander)
}

// RetroDoneReminderText repeats that ask while it isn't done.
func RetroDoneReminderText(commander string) string {
	return ":hourglass: Reminder: the retrospective isn't marked done yet. " + askDone(commander)
}

// RetroDoneAckText thanks whoever marked the retrospective done and says
// what follows.
func RetroDoneAckText(st *RetroState, digestEvery time.Duration) string {
	s := fmt.Sprintf(":tada: %s marked the retrospective done.", MentionOr(st.DoneBy, "someone"))
	if n := len(st.OpenItems()); n > 0 {
		s += fmt.Sprintf(" I'll follow the %d open action item issue(s) and list the open ones here every %s until they're closed.", n, FormatDuration(digestEvery))
	}
	return s
}

// RetroItemsAddedText lists action items just added.
func RetroItemsAddedText(items []RetroActionItem) string {
	return fmt.Sprintf(":memo: Action item(s) added:\n%s", retroItemLines(items, 20))
}

// RetroDigestText lists the action items still open.
func RetroDigestText(st *RetroState) string {
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

// RetroAllClosedText ends the follow-up once every action item is closed.
func RetroAllClosedText(archive bool) string {
	return ":checkered_flag: All action items from this incident are closed. Thank you, everyone!" + retroArchiving(archive)
}

// RetroNothingToFollowText ends a retrospective without issues to follow:
// one without action items, or a security incident's kept off GitHub, whose
// items it lists for their owners to see through.
func RetroNothingToFollowText(st *RetroState, archive bool) string {
	if len(st.Items) == 0 {
		return ":white_check_mark: No action items were recorded, so there is nothing to follow up." + retroArchiving(archive)
	}
	return fmt.Sprintf(":white_check_mark: This security incident's action items have no GitHub issues for me to follow, so the retrospective ends here. Their owners see them through:\n%s",
		retroItemLines(st.Items, 30)) + retroArchiving(archive)
}

// RetroEndedText ends the follow-up period with the items still open.
func RetroEndedText(st *RetroState, archive bool) string {
	open := st.OpenItems()
	s := fmt.Sprintf(":stopwatch: The follow-up period has ended with %d action item(s) still open; I'll stop tracking them here:\n%s", len(open), retroItemLines(open, 30))
	if len(open) == 0 {
		s = ":stopwatch: The follow-up period has ended."
	}
	return s + retroArchiving(archive)
}

// RetroDetails is the Web UI's view of a retrospective.
func RetroDetails(st *RetroState, loc *time.Location) string {
	s := fmt.Sprintf("**Retrospective of %s · %s**\n\n", st.IncidentID, st.Phase)
	if !st.Meeting.Start.IsZero() {
		s += fmt.Sprintf("- Meeting: %s\n", st.Meeting.Start.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	if st.Postmortem.URL != "" {
		s += fmt.Sprintf("- Postmortem: %s\n", st.Postmortem.URL)
	}
	s += fmt.Sprintf("- Action items: %d, open: %d\n- Done: %v\n", len(st.Items), len(st.OpenItems()), st.Done)
	if st.OffGitHub {
		s += "- Off GitHub (security incident): the postmortem and action items are in the war room\n"
	}
	return s
}

// RetroSecurityOffGitHubText tells a security incident's war room why its
// retrospective opens no GitHub issues, and how an operator changes that.
const RetroSecurityOffGitHubText = "This is a security incident, so I open no GitHub issue for its postmortem or its action items: the repository incidentflow publishes to may be public. Write the postmortem and follow the action items here, in this private channel. To have them opened in a private repository instead, an operator can set github.security_repo."
