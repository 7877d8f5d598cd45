package activities

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func testMeeting(t *testing.T) Meeting {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 3, 11, 15, 0, 0, 0, loc)
	return Meeting{
		IncidentID: "abc123", Title: "Retrospective: checkout down", Description: "Postmortem: https://gh/1\nWar room: https://slack/C1",
		Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Berlin",
		Attendees: []incident.Person{
			{ID: "U1", Name: "Alice Anders", Email: "alice@example.com"},
			{ID: "U2", Name: "No Email"},
			{ID: "B1", Name: "Some bot", Email: "bot@example.com", Bot: true},
			{ID: "U3", Name: "Bob, Jr.", Email: "bob@example.com"},
		},
		Channel: "C1", URL: "https://gh/1",
	}
}

func decodeInvite(t *testing.T, data []byte) (*ical.Calendar, ical.Event) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("decoding the invite: %v\n%s", err, data)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	return cal, evs[0]
}

func TestInviteParsesBack(t *testing.T) {
	m := testMeeting(t)
	data, err := EncodeInvite(Invite(m, "incidents@example.com", 0, "REQUEST", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	cal, ev := decodeInvite(t, data)
	if method, _ := cal.Props.Text(ical.PropMethod); method != "REQUEST" {
		t.Errorf("METHOD = %q", method)
	}
	if uid, _ := ev.Props.Text(ical.PropUID); uid != "retro-abc123@incidentflow" {
		t.Errorf("UID = %q", uid)
	}
	if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:incidents@example.com" {
		t.Errorf("ORGANIZER = %+v", org)
	}
	var emails []string
	for _, a := range ev.Props.Values(ical.PropAttendee) {
		emails = append(emails, a.Value)
	}
	if strings.Join(emails, " ") != "mailto:alice@example.com mailto:bob@example.com" {
		t.Errorf("ATTENDEEs = %v", emails)
	}
	if cn := ev.Props.Values(ical.PropAttendee)[1].Params.Get("CN"); cn != "Bob, Jr." {
		t.Errorf("CN = %q", cn)
	}
	dtstart := ev.Props.Get(ical.PropDateTimeStart)
	if tzid := dtstart.Params.Get(ical.PropTimezoneID); tzid != "Europe/Berlin" || dtstart.Value != "20250311T150000" {
		t.Errorf("DTSTART;TZID=%s:%s, want Europe/Berlin 20250311T150000", tzid, dtstart.Value)
	}
	start, err := ev.DateTimeStart(nil)
	if err != nil || !start.Equal(m.Start) {
		t.Errorf("DTSTART = %s (%v), want %s", start, err, m.Start)
	}
	end, _ := ev.DateTimeEnd(nil)
	if !end.Equal(m.End) {
		t.Errorf("DTEND = %s, want %s", end, m.End)
	}
	if desc, _ := ev.Props.Text(ical.PropDescription); desc != m.Description {
		t.Errorf("DESCRIPTION = %q", desc)
	}
	if !bytes.Contains(data, []byte("TZOFFSETTO:+0100")) {
		t.Errorf("no VTIMEZONE with the CET offset:\n%s", data)
	}
}

func TestICSCalendarPostsInviteOnce(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{DisableRateLimits: true})
	ch, err := srv.CreateChannel("inc-retro", false, slackemu.BotUserID)
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(srv.URL()+"/api/"))
	backend, err := NewCalendarBackend(CalendarOptions{Backend: BackendICS, OrganizerEmail: "incidents@example.com"}, NewSlack(api, SlackOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(backend)
	m := testMeeting(t)
	m.Channel = ch.ID
	first, err := cal.BookMeeting(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	second, err := cal.BookMeeting(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) != 1 {
		t.Fatalf("%d files uploaded, want 1", len(files))
	}
	if first.URL == "" || first.URL != second.URL || first.UID != m.UID() || first.Backend != BackendICS {
		t.Errorf("bookings %+v and %+v", first, second)
	}
	f := files[0]
	if f.Name != "retrospective-abc123.ics" || len(f.Channels) != 1 || f.Channels[0] != ch.ID {
		t.Errorf("file %s shared in %v", f.Name, f.Channels)
	}
	_, ev := decodeInvite(t, f.Content)
	if uid, _ := ev.Props.Text(ical.PropUID); uid != m.UID() {
		t.Errorf("uploaded UID %q", uid)
	}
}

func TestBookMeetingRejectsBadInput(t *testing.T) {
	m := testMeeting(t)
	m.End = m.Start
	_, err := NewCalendar(&ICSCalendar{}).BookMeeting(context.Background(), m)
	appError(t, err, ErrCalendarConfig)
	_, err = NewCalendar(nil).BookMeeting(context.Background(), testMeeting(t))
	appError(t, err, ErrCalendarConfig)
	if _, err := NewCalendarBackend(CalendarOptions{Backend: "outlook"}, nil); err == nil {
		t.Error("an unknown backend was accepted")
	}
}
