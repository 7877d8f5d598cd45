package incident

import (
	"fmt"
	"strings"
	"time"
)

// longDate prints a window's times in the process's zone, e.g. "Tue 4 Mar
// 02:00 UTC".
func longDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// windowLine is a window's one-line description: title, times, duration and
// services.
func (w *Window) windowLine(start time.Time, loc *time.Location) string {
	s := fmt.Sprintf("*%s* · %s to %s (%s)", safe(w.Title, maxTitleInMessage),
		longDate(start, loc), Clock(w.End(start), loc), FormatDuration(w.Duration))
	if len(w.Services) > 0 {
		names := make([]string, len(w.Services))
		for i, svc := range w.Services {
			names[i] = safe(svc, 80)
		}
		s += " · services: " + strings.Join(names, ", ")
	}
	return s
}

// HeadsUpText warns the announce channels of a window starting at start,
// before offset.
func HeadsUpText(w *Window, start time.Time, before time.Duration, loc *time.Location) string {
	s := fmt.Sprintf(":wrench: *Planned maintenance in %s:* %s", FormatDuration(before), w.windowLine(start, loc))
	if w.Description != "" {
		s += "\n" + safe(w.Description, maxTextInMessage)
	}
	if w.Lead != "" {
		s += "\nLead: " + Mention(w.Lead) + "."
	}
	return s + " A war room opens at the start."
}

// MaintenanceCancelledText tells the channels that heard a heads-up that
// the window is off.
func MaintenanceCancelledText(w *Window, start time.Time, by, reason string, loc *time.Location) string {
	s := fmt.Sprintf(":no_entry_sign: *Cancelled:* the planned maintenance %s will not happen", w.windowLine(start, loc))
	if by != "" {
		s += " (cancelled by " + Mention(by) + ")"
	}
	s += "."
	if reason = strings.TrimSpace(reason); reason != "" {
		s += " " + safe(reason, maxTextInMessage)
	}
	return s
}

// MaintenanceMovedText tells the channels that heard a heads-up that the
// window moved to newStart.
func MaintenanceMovedText(w *Window, start, newStart time.Time, by string, loc *time.Location) string {
	s := fmt.Sprintf(":calendar: *Rescheduled:* the planned maintenance *%s* set for %s now starts %s",
		safe(w.Title, maxTitleInMessage), longDate(start, loc), longDate(newStart, loc))
	if by != "" {
		s += " (moved by " + Mention(by) + ")"
	}
	return s + ". You'll get a new heads-up before it."
}

// MaintenanceInProgressText announces that a window has started and where
// its war room is.
func MaintenanceInProgressText(w *Window, start time.Time, channelID string, loc *time.Location) string {
	room := "its war room"
	if channelID != "" {
		room = "<#" + channelID + ">"
	}
	return fmt.Sprintf(":construction: *Maintenance in progress:* %s\nPlanned end %s. Follow it in %s.",
		w.windowLine(start, loc), Clock(w.End(start), loc), room)
}

// MaintenanceConfirmText asks the lead, at the planned end, whether the
// work is done.
func MaintenanceConfirmText(w *Window, start time.Time, grace time.Duration, loc *time.Location) string {
	who := "Lead"
	if w.Lead != "" {
		who = Mention(w.Lead)
	}
	return fmt.Sprintf(":checkered_flag: %s, the planned end of *%s* (%s) has come. Is the maintenance complete? Press *Complete*. "+
		"Without an answer within %s it counts as overrunning.",
		who, safe(w.Title, maxTitleInMessage), Clock(w.End(start), loc), FormatDuration(grace))
}

// MaintenanceOverrunText says a window ran past its end and its grace, and
// calls mention (the escalation group, else the lead).
func MaintenanceOverrunText(w *Window, start time.Time, mention string, loc *time.Location) string {
	if mention == "" && w.Lead != "" {
		mention = Mention(w.Lead)
	}
	return strings.TrimSpace(fmt.Sprintf(":warning: %s *Maintenance overrun:* *%s* was planned to end at %s and nobody has confirmed it is complete. "+
		"Press *Complete* if it is done, or *Promote to incident* if it is causing trouble.",
		mention, safe(w.Title, maxTitleInMessage), Clock(w.End(start), loc)))
}

// MaintenanceOverrunAnnouncement tells the announce channels a window is
// overrunning.
func MaintenanceOverrunAnnouncement(w *Window, start time.Time, channelID string, loc *time.Location) string {
	return fmt.Sprintf(":warning: *Maintenance overrunning:* *%s* was planned to end at %s and is still going (<#%s>).",
		safe(w.Title, maxTitleInMessage), Clock(w.End(start), loc), channelID)
}

// MaintenanceCompletedText announces the end of a window: when, by whom,
// against the planned end.
func MaintenanceCompletedText(w *Window, start, endedAt time.Time, by string, loc *time.Location) string {
	s := fmt.Sprintf(":white_check_mark: *Maintenance complete:* *%s* ended at %s (planned %s)",
		safe(w.Title, maxTitleInMessage), Clock(endedAt, loc), Clock(w.End(start), loc))
	if by != "" {
		s += ", confirmed by " + Mention(by)
	}
	return s + "."
}

// MaintenanceResolution is the resolution summary of a completed window's
// war room, cut to the MaxText characters a resolution may have.
func MaintenanceResolution(w *Window, start, endedAt time.Time, note string, loc *time.Location) string {
	s := fmt.Sprintf("Planned maintenance completed at %s (planned end %s).", Clock(endedAt, loc), Clock(w.End(start), loc))
	if note = strings.TrimSpace(note); note != "" {
		s += " " + note
	}
	return TruncateChars(s, MaxText)
}

// MaintenancePromotedText tells the war room and the announce channels that
// a window became incident incidentID.
func MaintenancePromotedText(w *Window, incidentID string, sev Severity, by string) string {
	s := fmt.Sprintf(":rotating_light: Maintenance *%s* was promoted to a %s incident (`%s`)",
		safe(w.Title, maxTitleInMessage), strings.ToUpper(string(sev)), incidentID)
	if by != "" {
		s += " by " + Mention(by)
	}
	return s + ". Its war room takes over from here."
}

// PromotionDeclaration is the incident a promoted window becomes: the
// window's title and services, a summary that carries its context, and
// the promoter as commander unless the lead is known. Its title and
// summary are cut to MaxTitle and MaxText, which CheckDeclaration holds
// every declaration to.
func PromotionDeclaration(w *Window, start time.Time, warRoom string, sev Severity, by, note string, now time.Time, loc *time.Location) Declaration {
	var b strings.Builder
	fmt.Fprintf(&b, "Promoted from planned maintenance %q (%s to %s", w.Title, longDate(start, loc), Clock(w.End(start), loc))
	if warRoom != "" {
		fmt.Fprintf(&b, "; its war room is channel %s", warRoom)
	}
	b.WriteString(").")
	if len(w.Services) > 0 {
		fmt.Fprintf(&b, " Services: %s.", strings.Join(w.Services, ", "))
	}
	if w.Description != "" {
		fmt.Fprintf(&b, " Planned work: %s", w.Description)
	}
	if note = strings.TrimSpace(note); note != "" {
		fmt.Fprintf(&b, "\nWhy: %s", note)
	}
	commander := w.Lead
	if commander == "" {
		commander = by
	}
	d := Declaration{
		ID:         IDFromKey("maintenance-promote:" + w.RunKey(start)),
		Title:      TruncateChars("Maintenance overrun: "+w.Title, MaxTitle),
		Summary:    TruncateChars(b.String(), MaxText),
		Severity:   sev,
		Commander:  commander,
		Declarer:   by,
		Kind:       KindIncident,
		DeclaredAt: now,
	}
	if len(w.Services) > 0 {
		d.Service = w.Services[0]
	}
	return d
}
