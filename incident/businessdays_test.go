package incident

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAddBusinessDays(t *testing.T) {
	fri := time.Date(2025, 3, 7, 15, 0, 0, 0, time.UTC) // a Friday
	cases := []struct {
		from time.Time
		n    int
		want time.Weekday
		date int
	}{
		{fri, 0, time.Friday, 7},
		{fri, 1, time.Monday, 10},
		{fri, 2, time.Tuesday, 11},
		{fri, 5, time.Friday, 14},
		{fri.AddDate(0, 0, 1), 1, time.Monday, 10},   // Saturday
		{fri.AddDate(0, 0, 2), 2, time.Tuesday, 11},  // Sunday
		{fri.AddDate(0, 0, -3), 2, time.Thursday, 6}, // Tuesday
	}
	for _, c := range cases {
		got := AddBusinessDays(c.from, c.n, time.UTC)
		if got.Weekday() != c.want || got.Day() != c.date || got.Hour() != 0 {
			t.Errorf("AddBusinessDays(%s, %d) = %s, want %s the %d", c.from.Format("Mon 2"), c.n, got.Format(time.RFC3339), c.want, c.date)
		}
	}
}

func TestRetrospectiveSlot(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	settings := Retrospective{Duration: time.Hour, BusinessDaysAfter: 2, WorkdayStart: "10:00", WorkdayEnd: "17:00", TimeZone: "Europe/Berlin"}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	cases := []struct {
		name     string
		resolved time.Time
		mod      func(r *Retrospective)
		want     time.Time
	}{
		{"friday afternoon books tuesday", at(2025, 3, 7, 14, 40), nil, at(2025, 3, 11, 15, 0)},
		{"late friday clamps to the last slot", at(2025, 3, 7, 16, 45), nil, at(2025, 3, 11, 16, 0)},
		{"night clamps to the end of the day", at(2025, 3, 5, 23, 10), nil, at(2025, 3, 7, 16, 0)},
		{"early morning starts at workday start", at(2025, 3, 5, 6, 0), nil, at(2025, 3, 7, 10, 0)},
		{"on the half hour stays", at(2025, 3, 4, 11, 30), nil, at(2025, 3, 6, 11, 30)},
		{"saturday counts from monday", at(2025, 3, 8, 12, 0), nil, at(2025, 3, 11, 12, 0)},
		{"zero days same day", at(2025, 3, 5, 12, 5), func(r *Retrospective) { r.BusinessDaysAfter = 0 }, at(2025, 3, 5, 12, 30)},
		{"zero days after hours next day", at(2025, 3, 7, 16, 30), func(r *Retrospective) { r.BusinessDaysAfter = 0 }, at(2025, 3, 10, 10, 0)},
		{"long meeting starts at workday start", at(2025, 3, 5, 15, 0), func(r *Retrospective) { r.Duration = 9 * time.Hour }, at(2025, 3, 7, 10, 0)},
		{"zero duration means an hour", at(2025, 3, 5, 16, 50), func(r *Retrospective) { r.Duration = 0 }, at(2025, 3, 7, 16, 0)},
		// Resolved in UTC late on Friday evening: already Saturday in Tokyo.
		{"time zone decides the day", time.Date(2025, 3, 7, 16, 0, 0, 0, time.UTC), func(r *Retrospective) { r.TimeZone = "Asia/Tokyo" },
			time.Date(2025, 3, 11, 10, 0, 0, 0, mustLoc(t, "Asia/Tokyo"))},
		// Europe/Berlin switches to summer time on Sunday 30 March 2025.
		{"across a DST change keeps wall time", at(2025, 3, 28, 11, 0), nil, at(2025, 4, 1, 11, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := settings
			if c.mod != nil {
				c.mod(&r)
			}
			got, err := RetrospectiveSlot(c.resolved, r)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Start.Equal(c.want) {
				t.Fatalf("start = %s, want %s", got.Start.Format(time.RFC1123Z), c.want.Format(time.RFC1123Z))
			}
			if got.Start.Location().String() != r.TimeZone {
				t.Errorf("start is in %s, want %s", got.Start.Location(), r.TimeZone)
			}
			dur := r.Duration
			if dur == 0 {
				dur = time.Hour
			}
			if got.End.Sub(got.Start) != dur {
				t.Errorf("end - start = %s, want %s", got.End.Sub(got.Start), dur)
			}
		})
	}
}

func TestRetrospectiveSlotBadSettings(t *testing.T) {
	for _, r := range []Retrospective{
		{WorkdayStart: "9am"},
		{WorkdayStart: "17:00", WorkdayEnd: "09:00"},
	} {
		if _, err := RetrospectiveSlot(time.Now(), r); err == nil {
			t.Errorf("RetrospectiveSlot(%+v) succeeded, want an error", r)
		}
	}
}
