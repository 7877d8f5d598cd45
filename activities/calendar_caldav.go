package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"go.temporal.io/sdk/temporal"
)

// CalDAVCalendar books meetings as events on a CalDAV calendar collection
// (Nextcloud, Fastmail, iCloud, Radicale, ...), at <collection>/<uid>.ics,
// with HTTP basic authentication.
type CalDAVCalendar struct {
	collection *url.URL
	http       webdav.HTTPClient
	organizer  string
}

// NewCalDAVCalendar returns the CalDAV backend opts configure.
func NewCalDAVCalendar(opts CalendarOptions) (*CalDAVCalendar, error) {
	u, err := url.Parse(opts.CalDAVURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("retrospective.calendar.caldav_url %q: use the http(s) URL of a calendar collection", opts.CalDAVURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	var hc webdav.HTTPClient = opts.HTTPClient
	if opts.HTTPClient == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Username != "" || opts.Password != "" {
		hc = webdav.HTTPClientWithBasicAuth(hc, opts.Username, opts.Password)
	}
	return &CalDAVCalendar{collection: u, http: hc, organizer: opts.OrganizerEmail}, nil
}

// statusRecorder remembers the status of the last response, which
// go-webdav's errors don't expose.
type statusRecorder struct {
	c      webdav.HTTPClient
	status int
}

// Do sends req and records the status of the answer.
func (r *statusRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	r.status = 0
	if resp != nil {
		r.status = resp.StatusCode
	}
	return resp, err
}

// Book creates the event, or updates it (bumping SEQUENCE) when it exists
// and differs; an unchanged event is left alone.
func (c *CalDAVCalendar) Book(ctx context.Context, m Meeting) (Booking, error) {
	rec := &statusRecorder{c: c.http}
	client, err := caldav.NewClient(rec, c.collection.String())
	if err != nil {
		return Booking{}, err
	}
	objPath := c.collection.Path + m.UID() + ".ics"
	booking := Booking{Backend: BackendCalDAV, UID: m.UID(),
		URL: c.collection.ResolveReference(&url.URL{Path: objPath}).String()}
	old, err := client.GetCalendarObject(ctx, objPath)
	switch {
	case err == nil:
		booking.Sequence = sequenceOf(old.Data)
		if sameEvent(old.Data, Invite(m, c.organizer, booking.Sequence, "", time.Now())) {
			return booking, nil
		}
		booking.Sequence++
	case rec.status != http.StatusNotFound:
		return Booking{}, c.caldavError("read the event", rec.status, err)
	}
	if _, err := client.PutCalendarObject(ctx, objPath, Invite(m, c.organizer, booking.Sequence, "", time.Now())); err != nil {
		return Booking{}, c.caldavError("save the event", rec.status, err)
	}
	return booking, nil
}

// caldavError says what to change for the failures the configuration
// causes, and retries the others.
func (c *CalDAVCalendar) caldavError(op string, status int, err error) error {
	var msg string
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg = fmt.Sprintf("the CalDAV server %s refused the credentials (%d) trying to %s: check retrospective.calendar.username and password", c.collection.Host, status, op)
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusConflict:
		msg = fmt.Sprintf("the CalDAV server has no calendar at %s (%d) trying to %s: check retrospective.calendar.caldav_url (the URL of a calendar collection)", c.collection, status, op)
	default:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("CalDAV server %s failed to %s: %v", c.collection.Host, op, err),
			ErrCalendarUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	}
	return temporal.NewApplicationErrorWithOptions(msg, ErrCalendarConfig, temporal.ApplicationErrorOptions{Cause: err, NonRetryable: true})
}

// firstEvent returns cal's first VEVENT.
func firstEvent(cal *ical.Calendar) *ical.Event {
	if cal == nil {
		return nil
	}
	if evs := cal.Events(); len(evs) > 0 {
		return &evs[0]
	}
	return nil
}

func sequenceOf(cal *ical.Calendar) int {
	ev := firstEvent(cal)
	if ev == nil || ev.Props.Get(ical.PropSequence) == nil {
		return 0
	}
	n, _ := ev.Props.Get(ical.PropSequence).Int()
	return n
}

// sameEvent reports whether two calendars hold the same meeting: the same
// times, summary, description and attendees.
func sameEvent(a, b *ical.Calendar) bool {
	ea, eb := firstEvent(a), firstEvent(b)
	if ea == nil || eb == nil {
		return false
	}
	for _, f := range []func(*ical.Event) (time.Time, error){
		func(e *ical.Event) (time.Time, error) { return e.DateTimeStart(nil) },
		func(e *ical.Event) (time.Time, error) { return e.DateTimeEnd(nil) },
	} {
		ta, errA := f(ea)
		tb, errB := f(eb)
		if errA != nil || errB != nil || !ta.Equal(tb) {
			return false
		}
	}
	for _, name := range []string{ical.PropSummary, ical.PropDescription} {
		sa, _ := ea.Props.Text(name)
		sb, _ := eb.Props.Text(name)
		if sa != sb {
			return false
		}
	}
	return slices.Equal(attendees(ea), attendees(eb))
}

func attendees(e *ical.Event) []string {
	var out []string
	for _, p := range e.Props.Values(ical.PropAttendee) {
		out = append(out, strings.ToLower(p.Value))
	}
	slices.Sort(out)
	return out
}
