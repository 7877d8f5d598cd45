package activities

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
)

// radicaleCommand finds a Radicale server: `radicale` on PATH or in
// /usr/bin (Debian package radicale), else `python3 -m radicale`.
func radicaleCommand() []string {
	if p, err := exec.LookPath("radicale"); err == nil {
		return []string{p}
	}
	if _, err := os.Stat("/usr/bin/radicale"); err == nil {
		return []string{"/usr/bin/radicale"}
	}
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import radicale").Run() == nil {
			return []string{py, "-m", "radicale"}
		}
	}
	return nil
}

// startRadicale runs Radicale on a free loopback port with a temporary
// storage folder and no authentication, and returns its base URL. Without
// Radicale the test is skipped, unless CI is set: CI must run it.
func startRadicale(t *testing.T) string {
	t.Helper()
	cmd := radicaleCommand()
	if cmd == nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Radicale is not installed but CI is set: install the Debian package radicale (apt-get install -y radicale)")
		}
		t.Skip("Radicale is not installed (apt-get install -y radicale, or pip install radicale): skipping the CalDAV test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	content := fmt.Sprintf("[server]\nhosts = %s\n[auth]\ntype = none\n[rights]\ntype = authenticated\n"+
		"[storage]\nfilesystem_folder = %s\n[web]\ntype = none\n[logging]\nlevel = warning\n", addr, filepath.Join(dir, "collections"))
	if err := os.WriteFile(conf, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	proc := exec.Command(cmd[0], append(cmd[1:], "--config", conf)...)
	var logs strings.Builder
	proc.Stdout, proc.Stderr = &logs, &logs
	if err := proc.Start(); err != nil {
		t.Fatalf("starting Radicale: %v", err)
	}
	t.Cleanup(func() {
		_ = proc.Process.Kill()
		_ = proc.Wait()
	})
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("Radicale did not start listening on %s:\n%s", addr, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// davRequest sends a bodiless WebDAV request and wants status want.
func davRequest(t *testing.T, method, url string, want int) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d", method, url, resp.StatusCode, want)
	}
}

// radicaleCalendar starts Radicale with one empty calendar collection and
// returns Radicale's base URL and the collection's URL.
func radicaleCalendar(t *testing.T) (base, collection string) {
	t.Helper()
	base = startRadicale(t)
	davRequest(t, "MKCOL", base+"/ops/", http.StatusCreated)
	davRequest(t, "MKCALENDAR", base+"/ops/retros/", http.StatusCreated)
	return base, base + "/ops/retros/"
}

// storedEvent returns the one event object on the calendar at collection,
// as Radicale stored it.
func storedEvent(t *testing.T, collection string) caldav.CalendarObject {
	t.Helper()
	client, err := caldav.NewClient(nil, collection)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(collection)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := client.QueryCalendar(context.Background(), u.Path, &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, AllComps: true},
		CompFilter:  caldav.CompFilter{Name: "VCALENDAR", Comps: []caldav.CompFilter{{Name: "VEVENT"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || len(objs[0].Data.Events()) != 1 {
		t.Fatalf("%d event objects on the calendar, want 1", len(objs))
	}
	return objs[0]
}

func TestCalDAVAgainstRadicale(t *testing.T) {
	base, collection := radicaleCalendar(t)

	backend, err := NewCalendarBackend(CalendarOptions{Backend: BackendCalDAV, CalDAVURL: collection,
		OrganizerEmail: "incidents@example.com", Username: "ops", Password: "unused"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(backend)
	ctx := context.Background()
	m := testMeeting(t)
	first, err := cal.BookMeeting(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cal.BookMeeting(ctx, m) // a retry: nothing changes
	if err != nil || again.Sequence != 0 {
		t.Fatalf("retried booking: %+v, %v", again, err)
	}
	m.Start, m.End = m.Start.Add(time.Hour), m.End.Add(time.Hour)
	moved, err := cal.BookMeeting(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if first.UID != m.UID() || moved.UID != first.UID || moved.URL != first.URL || moved.Sequence != 1 {
		t.Errorf("bookings %+v then %+v", first, moved)
	}
	if want := collection + m.UID() + ".ics"; first.URL != want {
		t.Errorf("event URL %s, want %s", first.URL, want)
	}

	obj := storedEvent(t, collection)
	ev := obj.Data.Events()[0]
	start, _ := ev.DateTimeStart(nil)
	seq, _ := ev.Props.Get(ical.PropSequence).Int()
	if !start.Equal(m.Start) || seq != 1 {
		t.Errorf("stored event starts %s with SEQUENCE %d, want %s and 1", start, seq, m.Start)
	}
	if obj.Data.Props.Get(ical.PropMethod) != nil {
		t.Error("a stored calendar object must not carry METHOD")
	}
	if n := len(ev.Props.Values(ical.PropAttendee)); n != 2 {
		t.Errorf("%d attendees, want 2", n)
	}

	// A collection that doesn't exist is a configuration error.
	bad, _ := NewCalDAVCalendar(CalendarOptions{CalDAVURL: base + "/nobody/nothing/"})
	_, err = NewCalendar(bad).BookMeeting(ctx, m)
	if ae := appError(t, err, ErrCalendarConfig); !ae.NonRetryable() || !strings.Contains(err.Error(), "caldav_url") {
		t.Errorf("missing collection: %v", err)
	}
}
