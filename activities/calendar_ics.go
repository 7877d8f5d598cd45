package activities

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/incidentflow/incidentflow/incident"
)

// prodID names incidentflow in the calendars it writes.
const prodID = "-//incidentflow//retrospective//EN"

// Invite renders meeting m as an iCalendar object: one VEVENT with a UID
// derived from the incident, the ORGANIZER, an ATTENDEE per email, and
// DTSTART/DTEND in m's time zone (with a VTIMEZONE giving its offset at the
// meeting). method is "REQUEST" for an invite sent to people, "" for an
// object stored on a CalDAV server (which must not carry METHOD). Every
// backend writes its event from here, so the summary, the description and
// the attendees' names are cleaned of control and bidi characters here.
func Invite(m Meeting, organizer string, sequence int, method string, stamp time.Time) *ical.Calendar {
	m.Title, m.Description = incident.Clean(m.Title), incident.Clean(m.Description)
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	if method != "" {
		cal.Props.SetText(ical.PropMethod, method)
	}
	loc := time.UTC
	if m.TimeZone != "" {
		if l, err := time.LoadLocation(m.TimeZone); err == nil {
			loc = l
		}
	}
	if loc != time.UTC {
		cal.Children = append(cal.Children, vtimezone(m.Start.In(loc)))
	}

	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, m.UID())
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeStart, m.Start.In(loc))
	ev.Props.SetDateTime(ical.PropDateTimeEnd, m.End.In(loc))
	ev.Props.SetText(ical.PropSummary, m.Title)
	ev.Props.SetText(ical.PropDescription, m.Description)
	setRaw(ev.Props, ical.PropSequence, fmt.Sprint(sequence))
	ev.Props.SetText(ical.PropStatus, "CONFIRMED")
	if u, err := url.Parse(m.URL); err == nil && m.URL != "" {
		ev.Props.SetURI(ical.PropURL, u)
	}
	if organizer != "" {
		org := ical.NewProp(ical.PropOrganizer)
		org.Value = "mailto:" + organizer
		org.Params.Set("CN", "incidentflow")
		ev.Props.Set(org)
	}
	for _, p := range m.Attendees {
		if p.Email == "" || p.Bot {
			continue
		}
		att := ical.NewProp(ical.PropAttendee)
		att.Value = "mailto:" + p.Email
		if name := paramValue(p.Name); name != "" {
			att.Params.Set("CN", name)
		}
		att.Params.Set("ROLE", "REQ-PARTICIPANT")
		att.Params.Set("PARTSTAT", "NEEDS-ACTION")
		att.Params.Set("RSVP", "TRUE")
		ev.Props.Add(att)
	}
	cal.Children = append(cal.Children, ev.Component)
	return cal
}

// paramValue makes text fit an iCalendar parameter value (an attendee's
// name): cleaned, on one line, and with no double quote, which a parameter
// can't hold (go-ical refuses to encode one).
func paramValue(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(incident.Clean(s)), " "), `"`, "'")
}

// vtimezone describes t's zone by its offset at t: enough for a client to
// place the meeting, whatever it knows of the IANA name in TZID.
func vtimezone(t time.Time) *ical.Component {
	name, offset := t.Zone()
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, t.Location().String())
	std := ical.NewComponent(ical.CompTimezoneStandard)
	setRaw(std.Props, ical.PropDateTimeStart, "19700101T000000")
	off := utcOffset(offset)
	setRaw(std.Props, ical.PropTimezoneOffsetFrom, off)
	setRaw(std.Props, ical.PropTimezoneOffsetTo, off)
	std.Props.SetText(ical.PropTimezoneName, name)
	tz.Children = append(tz.Children, std)
	return tz
}

// setRaw sets a property whose value is already in iCalendar's format (an
// integer, an offset), without a VALUE parameter.
func setRaw(props ical.Props, name, value string) {
	p := ical.NewProp(name)
	p.Value = value
	props.Set(p)
}

// utcOffset formats seconds east of UTC as iCalendar's +HHMM.
func utcOffset(secs int) string {
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	return fmt.Sprintf("%s%02d%02d", sign, secs/3600, secs%3600/60)
}

// EncodeInvite writes cal in iCalendar's text format.
func EncodeInvite(cal *ical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ICSCalendar books a meeting by posting its invite (an .ics file with
// METHOD:REQUEST) in the war room: attendees open it to add the meeting to
// their calendars. It needs no calendar credentials.
type ICSCalendar struct {
	slack     *Slack
	organizer string
}

// InviteFileName is the name of the invite file of incident id.
func InviteFileName(id string) string { return "retrospective-" + id + ".ics" }

// Book posts the invite in m.Channel, once: a retry finds the file already
// posted and returns it.
func (c *ICSCalendar) Book(ctx context.Context, m Meeting) (Booking, error) {
	data, err := EncodeInvite(Invite(m, c.organizer, 0, "REQUEST", time.Now()))
	if err != nil {
		return Booking{}, err
	}
	link, err := c.slack.shareFile(ctx, sharedFile{
		Channel: m.Channel, Name: InviteFileName(m.IncidentID), Title: strings.TrimSpace("Invite: " + m.Title),
		Comment: ":calendar: Calendar invite for the retrospective: open it to add the meeting to your calendar.",
		Content: data,
	})
	if err != nil {
		return Booking{}, err
	}
	return Booking{Backend: BackendICS, UID: m.UID(), URL: link}, nil
}
