package incident

import (
	"fmt"
	"strings"
	"time"
)

// Longest user text kept in one message, in characters, before the message
// itself is cut to fit a Slack section: a text keeps all that a responder
// may type (MaxText).
const (
	maxTitleInMessage = 200
	maxTextInMessage  = MaxText
)

// safe cuts untrusted text to n characters and escapes it for mrkdwn.
func safe(s string, n int) string {
	return Escape(TruncateChars(strings.TrimSpace(s), n))
}

// WarRoomLink renders the war room as a channel link, or "the war room"
// before it exists.
func (inc *Incident) WarRoomLink() string {
	if inc.ChannelID == "" {
		return "the war room"
	}
	return "<#" + inc.ChannelID + ">"
}

// headline is the one-line name of an incident: severity, kind and title.
func (inc *Incident) headline() string {
	return fmt.Sprintf("%s %s: *%s*", strings.ToUpper(string(inc.Severity)), inc.Declaration.Kind,
		safe(inc.Declaration.Title, maxTitleInMessage))
}

// noCommanderYet stands where the commander is named while there is none,
// and says how to take the role.
const noCommanderYet = "no commander yet — `/incident lead @you`"

// commanderText names the incident's commander, or says there is none yet.
func (inc *Incident) commanderText() string {
	return MentionOr(inc.Commander, noCommanderYet)
}

// declaredBy says who declared d, to follow "Declared": " by <@U…>", " via
// the CLI on host h", or nothing when neither is known.
func declaredBy(d Declaration) string {
	switch {
	case d.Declarer != "":
		return " by " + Mention(d.Declarer)
	case d.DeclaredVia != "":
		return " via " + safe(d.DeclaredVia, maxTitleInMessage)
	}
	return ""
}

// AckText tells the declarer their incident is declared and where its war
// room is.
func AckText(inc *Incident) string {
	return fmt.Sprintf(":white_check_mark: Declared %s (incident `%s`). War room: %s. Commander: %s.",
		inc.headline(), inc.Declaration.ID, inc.WarRoomLink(), inc.commanderText())
}

// AnnouncementText announces a declaration in an announce channel. A
// security incident's announcement says only who to contact.
func AnnouncementText(inc *Incident) string {
	if inc.Declaration.Security {
		if inc.Commander == "" {
			return ":lock: A security incident was declared; it has no commander yet. If you have information about it, keep it out of this channel and tell your security team."
		}
		return fmt.Sprintf(":lock: A security incident was declared. Contact %s if you have information about it.",
			Mention(inc.Commander))
	}
	s := fmt.Sprintf(":rotating_light: %s\nCommander: %s · War room: %s",
		inc.headline(), MentionOr(inc.Commander, "no commander yet"), inc.WarRoomLink())
	if a := inc.Declaration.AlertsText; a != "" {
		s += "\nDeclared from alerts: " + Truncate(a, MaxAlertsText)
	}
	return s
}

// KickoffText is the pinned first message of a war room: what happened, who
// holds which role, and how often updates are due. The incident workflow
// rewrites it whenever one of these changes, so it says nothing that goes
// stale on its own (the topic says when the next update is due).
func KickoffText(inc *Incident, p *Process) string {
	d := inc.Declaration
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", inc.icon(), inc.headline())
	if d.Summary != "" {
		fmt.Fprintf(&b, "%s\n", safe(d.Summary, maxTextInMessage))
	}
	if sp, ok := p.Policy(inc.Severity); ok && sp.Description != "" {
		fmt.Fprintf(&b, "_%s: %s_\n", inc.Severity, safe(sp.Description, maxTitleInMessage))
	}
	if d.AlertsText != "" {
		fmt.Fprintf(&b, "*Declared from alerts:* %s\n", Truncate(d.AlertsText, MaxAlertsText))
	}
	fmt.Fprintf(&b, "*Commander:* %s · *Comms:* %s", inc.commanderText(), MentionOr(inc.Comms, "unassigned"))
	if d.Service != "" {
		fmt.Fprintf(&b, " · *Service:* %s", safe(d.Service, maxTitleInMessage))
	}
	if len(inc.OnCall) > 0 {
		fmt.Fprintf(&b, "\n*On call (PagerDuty):* %s", OnCallLine(inc.OnCall))
	}
	fmt.Fprintf(&b, "\nDeclared%s at %s.", declaredBy(d), Clock(d.DeclaredAt, p.Location()))
	if !inc.IsResolved() {
		fmt.Fprintf(&b, " Post a status update every %s; the topic says when the next is due.",
			FormatDuration(p.UpdateEvery(inc.Severity)))
	}
	return b.String()
}

// ResolvedKickoffText is the kickoff of a resolved incident, whose buttons
// give way to the resolution: KickoffText, ResolvedText, and where the
// retrospective goes on when one follows (retro), linked to retroURL when
// that is known.
func ResolvedKickoffText(inc *Incident, p *Process, retro bool, retroURL string) string {
	s := KickoffText(inc, p) + "\n\n" + ResolvedText(inc, p.Location())
	if retro {
		s += "\n:mag: " + SlackLink(retroURL, "A retrospective") + " follows: its postmortem draft and review meeting will be posted here."
	}
	return s
}

// StatusText is the incident's status as people read it: a maintenance
// window's war room that nobody has posted a status update in yet is "in
// progress" (the work is planned, not investigated).
func (inc *Incident) StatusText() string {
	if inc.Declaration.Kind == KindMaintenance && inc.Status == Investigating && len(inc.Updates) == 0 && inc.OmittedUpdates == 0 {
		return "in progress"
	}
	return string(inc.Status)
}

// icon marks an incident's war-room and announcement posts: a siren, or a
// construction sign for planned maintenance.
func (inc *Incident) icon() string {
	if inc.Declaration.Kind == KindMaintenance {
		return ":construction:"
	}
	return ":rotating_light:"
}

// UpdateText renders a status update for the war room.
func UpdateText(u StatusUpdate, loc *time.Location) string {
	return fmt.Sprintf("*Status update* · %s · by %s\n%s\n_Next update by %s_",
		u.Status, MentionOr(u.Author, "unassigned"), safe(u.Text, maxTextInMessage), Clock(u.NextUpdateBy, loc))
}

// BroadcastText renders a status update for a stakeholder channel: the
// incident's headline and war room, then the update.
func BroadcastText(inc *Incident, u StatusUpdate, loc *time.Location) string {
	return fmt.Sprintf("%s (%s)\n%s", inc.headline(), inc.WarRoomLink(), UpdateText(u, loc))
}

// ReminderText asks the commander and comms for the status update that is
// due. With no commander it says so and how to take command, naming only
// comms, if any.
func ReminderText(inc *Incident, loc *time.Location) string {
	last := "none yet"
	if n := len(inc.Updates); n > 0 {
		last = "the last was at " + Clock(inc.Updates[n-1].At, loc)
	}
	var who []string
	if inc.Commander != "" {
		who = append(who, Mention(inc.Commander))
	}
	if inc.Comms != "" && inc.Comms != inc.Commander {
		who = append(who, Mention(inc.Comms))
	}
	due := addressed(strings.Join(who, " "), "a status update is due")
	next := Clock(inc.NextUpdateBy, loc)
	if inc.Commander == "" {
		return fmt.Sprintf(":alarm_clock: %s (%s), and this incident has no commander yet: whoever leads it, take command with `/incident lead @you` and post the update with the *Post update* button. The next reminder comes at %s.",
			due, last, next)
	}
	return fmt.Sprintf(":alarm_clock: %s (%s). Post one with the *Post update* button; the next reminder comes at %s.", due, last, next)
}

// addressed starts a sentence with rest, after the mentions of whom it
// addresses when there are any: "<@U1> a status update is due", or "A
// status update is due".
func addressed(mentions, rest string) string {
	if mentions == "" {
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return mentions + " " + rest
}

// EscalationText calls the escalation group into the war room after missed
// reminders in a row. With no commander it asks whoever is there to take
// command.
func EscalationText(inc *Incident, mention string, missed int) string {
	if mention == "" {
		mention = Mention(inc.Commander)
	}
	silent := addressed(mention, fmt.Sprintf("this incident has had no status update through %d reminders in a row", missed))
	if inc.Commander == "" {
		return ":sos: " + silent + ", and it has no commander: take command with `/incident lead @you` and post an update."
	}
	return fmt.Sprintf(":sos: %s. %s, please post an update or hand command to someone who can.", silent, Mention(inc.Commander))
}

// EscalationDMText tells the commander, directly, that their incident was
// escalated.
func EscalationDMText(inc *Incident, missed int) string {
	return fmt.Sprintf(":sos: %s (%s) has missed %d status updates in a row, so it was escalated. Please post an update in the war room.",
		inc.headline(), inc.WarRoomLink(), missed)
}

// SeverityChangeText announces a change of severity in the war room.
func SeverityChangeText(c SeverityChange, p *Process) string {
	s := fmt.Sprintf(":arrows_counterclockwise: Severity changed from *%s* to *%s* by %s", c.From, c.To, MentionOr(c.By, "unassigned"))
	if c.Reason != "" {
		s += ": " + safe(c.Reason, maxTextInMessage)
	}
	return s + fmt.Sprintf(". Status updates are now due every %s.", FormatDuration(p.UpdateEvery(c.To)))
}

// EscalatedAnnouncementText tells an announce channel, in the thread of
// the declaration's announcement, that the incident became more severe. A
// security incident's says only the new severity.
func EscalatedAnnouncementText(inc *Incident, c SeverityChange) string {
	if inc.Declaration.Security {
		return fmt.Sprintf(":lock: The security incident was escalated to *%s*.", strings.ToUpper(string(c.To)))
	}
	s := fmt.Sprintf("%s Escalated from %s to %s (%s)", inc.icon(), strings.ToUpper(string(c.From)), inc.headline(), inc.WarRoomLink())
	if c.Reason != "" {
		s += "\n" + safe(c.Reason, maxTextInMessage)
	}
	return s
}

// RoleChangeText announces who holds a role now.
func RoleChangeText(role Role, user, by string) string {
	return fmt.Sprintf(":bust_in_silhouette: %s is now %s (set by %s).", Mention(user), role, MentionOr(by, "unassigned"))
}

// ActionItemText acknowledges an action item in the war room.
func ActionItemText(a ActionItem) string {
	s := fmt.Sprintf(":memo: Action item recorded by %s: %s", MentionOr(a.Author, "unassigned"), safe(a.Text, maxTextInMessage))
	if a.Owner != "" {
		s += " · owner " + Mention(a.Owner)
	}
	if a.Due != "" {
		s += " · due " + Escape(a.Due)
	}
	return s
}

// ResolvedText is the resolution message pinned in the war room.
func ResolvedText(inc *Incident, loc *time.Location) string {
	dur := inc.Durations()
	return fmt.Sprintf(":white_check_mark: *Resolved* by %s at %s\n%s\nAcknowledged in %s · %s · resolved in %s.",
		MentionOr(inc.ResolvedBy, "incidentflow"), Clock(inc.ResolvedAt, loc), safe(inc.Resolution, maxTextInMessage),
		FormatDuration(dur.ToAcknowledge), inc.MitigatedIn(), FormatDuration(dur.ToResolve))
}

// MitigatedIn says how long the incident took to mitigate, or that nobody
// recorded it (see TimeToMitigate).
func (inc *Incident) MitigatedIn() string {
	d, ok := inc.TimeToMitigate()
	if !ok {
		return "mitigation not recorded"
	}
	return "mitigated in " + FormatDuration(d)
}

// ResolvedAnnouncementText announces the resolution in an announce channel.
// A security incident's says only that it is resolved.
func ResolvedAnnouncementText(inc *Incident) string {
	took := FormatDuration(inc.Durations().ToResolve)
	if inc.Declaration.Security {
		return fmt.Sprintf(":white_check_mark: The security incident is resolved (after %s).", took)
	}
	return fmt.Sprintf(":white_check_mark: Resolved after %s: %s (%s)\n%s",
		took, inc.headline(), inc.WarRoomLink(), safe(inc.Resolution, maxTextInMessage))
}

// FormatDuration prints a duration the way people say it: "45s", "15m",
// "2h 10m", "3d 4h".
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute).Minutes()))
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		return joinUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	d = d.Round(time.Hour)
	return joinUnits(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
}

func joinUnits(big int, bigUnit string, small int, smallUnit string) string {
	if small == 0 {
		return fmt.Sprintf("%d%s", big, bigUnit)
	}
	return fmt.Sprintf("%d%s %d%s", big, bigUnit, small, smallUnit)
}
