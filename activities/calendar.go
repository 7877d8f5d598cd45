package activities

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
)

// Calendar backends, as configured in retrospective.calendar.backend.
const (
	// BackendICS posts an iCalendar invite (METHOD:REQUEST) in the war
	// room; it needs no credentials.
	BackendICS = "ics"
	// BackendCalDAV puts the event on a CalDAV calendar (Nextcloud,
	// Fastmail, iCloud, Radicale, ...).
	BackendCalDAV = "caldav"
)

// ErrCalendarConfig is a calendar failure only the configuration fixes (bad
// credentials, a wrong collection URL): not retryable.
const ErrCalendarConfig = "CalendarConfig"

// ErrCalendarUnavailable is a transient calendar failure: retryable.
const ErrCalendarUnavailable = "CalendarUnavailable"

// Meeting is a retrospective meeting to book.
type Meeting struct {
	IncidentID  string    `json:"incident_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	// TimeZone (IANA) the event is written in; UTC when empty.
	TimeZone string `json:"time_zone"`
	// Attendees with an email are invited; the others are left out.
	Attendees []incident.Person `json:"attendees"`
	// Channel is the war room, where the ics backend posts the invite.
	Channel string `json:"channel"`
	// URL links the postmortem.
	URL string `json:"url,omitempty"`
}

// UID is the meeting's iCalendar UID, derived from the incident ID so that
// booking again updates the same event.
func (m Meeting) UID() string { return "retro-" + m.IncidentID + "@incidentflow" }

// Booking is a booked meeting.
type Booking struct {
	Backend  string `json:"backend"`
	UID      string `json:"uid"`
	Sequence int    `json:"sequence"`
	// URL is the event on the CalDAV server, or the invite file in Slack.
	URL string `json:"url"`
}

// CalendarBackend books meetings on one kind of calendar. Booking the same
// meeting (same UID) again updates the event; it never makes a second one.
type CalendarBackend interface {
	Book(ctx context.Context, m Meeting) (Booking, error)
}

// Calendar is the retrospective's calendar activity. Register it on a worker
// with RegisterActivity.
type Calendar struct {
	backend CalendarBackend
}

// NewCalendar returns the calendar activity booking through backend.
func NewCalendar(backend CalendarBackend) *Calendar { return &Calendar{backend: backend} }

// BookMeeting books the retrospective meeting, or updates it when it was
// booked before.
func (c *Calendar) BookMeeting(ctx context.Context, m Meeting) (Booking, error) {
	if c.backend == nil {
		return Booking{}, temporal.NewApplicationErrorWithOptions("no calendar is configured: set retrospective.calendar.backend to ics or caldav",
			ErrCalendarConfig, temporal.ApplicationErrorOptions{NonRetryable: true})
	}
	if m.IncidentID == "" || !m.End.After(m.Start) {
		return Booking{}, temporal.NewApplicationErrorWithOptions(fmt.Sprintf("invalid meeting %q from %s to %s", m.IncidentID, m.Start, m.End),
			ErrCalendarConfig, temporal.ApplicationErrorOptions{NonRetryable: true})
	}
	// A CalDAV server may take its HTTP client's 30 s: heartbeat meanwhile.
	return beating(ctx, func() (Booking, error) { return c.backend.Book(ctx, m) })
}

// CalendarOptions configure the calendar backend (retrospective.calendar).
type CalendarOptions struct {
	// Backend is BackendICS (the default) or BackendCalDAV.
	Backend string
	// OrganizerEmail is the ORGANIZER of every invite.
	OrganizerEmail string
	// CalDAVURL is the calendar collection, e.g.
	// https://cloud.example.com/remote.php/dav/calendars/ops/incidents/.
	CalDAVURL          string
	Username, Password string
	// HTTPClient is used for CalDAV; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
}

// NewCalendarBackend returns the backend opts configure. The ics backend
// posts through slack.
func NewCalendarBackend(opts CalendarOptions, slack *Slack) (CalendarBackend, error) {
	switch opts.Backend {
	case "", BackendICS:
		if slack == nil {
			return nil, fmt.Errorf("retrospective.calendar.backend ics posts invites in Slack: configure Slack")
		}
		return &ICSCalendar{slack: slack, organizer: opts.OrganizerEmail}, nil
	case BackendCalDAV:
		return NewCalDAVCalendar(opts)
	}
	return nil, fmt.Errorf("retrospective.calendar.backend %q: use ics or caldav", opts.Backend)
}
