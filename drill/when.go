package drill

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

// When is when a scheduled drill runs (drills.schedules[].cron): a
// five-field cron expression, or every (first, second, third or fourth)
// given weekday of the month at a time.
type When struct {
	// Cron is the cron expression, when the schedule gave one.
	Cron string
	// Week is 1–4 for "every first … fourth <weekday>", 0 for every week.
	Week    int
	Weekday time.Weekday
	Hour    int
	Minute  int
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var ordinals = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4}

// ParseWhen reads a drill schedule's time: "0 10 * * 2" (cron, in
// time_zone), "every tuesday 10:00" or "every first tuesday 10:00". The
// error says what to write instead.
func ParseWhen(s string) (When, error) {
	s = strings.TrimSpace(s)
	fields := strings.Fields(strings.ToLower(s))
	if len(fields) == 0 || fields[0] != "every" {
		if _, err := incident.ParseRecurrence("cron:" + s); err != nil {
			return When{}, fmt.Errorf("%q is neither a cron expression nor \"every [first|second|third|fourth] <weekday> HH:MM\": %w", s, err)
		}
		return When{Cron: s}, nil
	}
	bad := fmt.Errorf("%q: write \"every tuesday 10:00\" or \"every first tuesday 10:00\" (first to fourth), or a cron expression such as \"0 10 * * 2\"", s)
	var w When
	rest := fields[1:]
	if len(rest) == 3 {
		n, ok := ordinals[rest[0]]
		if !ok {
			return When{}, bad
		}
		w.Week, rest = n, rest[1:]
	}
	if len(rest) != 2 {
		return When{}, bad
	}
	day, ok := weekdays[strings.TrimSuffix(rest[0], "s")]
	if !ok {
		return When{}, bad
	}
	w.Weekday = day
	hh, mm, ok := strings.Cut(rest[1], ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if !ok || herr != nil || merr != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
		return When{}, bad
	}
	w.Hour, w.Minute = h, m
	return w, nil
}
