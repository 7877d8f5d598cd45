package incident

import (
	"fmt"
	"time"
)

// Defaults of the retrospective meeting, used when a setting is zero.
const (
	DefaultRetroDuration     = time.Hour
	DefaultBusinessDaysAfter = 2
	DefaultWorkdayStart      = "10:00"
	DefaultWorkdayEnd        = "17:00"
)

// slotStep is the granularity of meeting start times: a meeting starts on
// the hour or the half hour.
const slotStep = 30 * time.Minute

// IsBusinessDay reports whether t falls on a weekday (Monday to Friday) in
// its own location. Public holidays are not known to incidentflow.
func IsBusinessDay(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddBusinessDays returns the date n business days after t's date in loc,
// skipping Saturdays and Sundays, at midnight in loc. Counting starts on the
// day after t, so a Friday plus 2 business days is the next Tuesday, and a
// Saturday plus 1 is the next Monday. n = 0 returns t's own date.
func AddBusinessDays(t time.Time, n int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// RetroSlot is when a retrospective meeting takes place.
type RetroSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// RetrospectiveSlot books the review meeting of an incident resolved at
// resolved under r (zero settings take the defaults above):
//
//   - the day is BusinessDaysAfter business days after the resolution's date
//     in r's time zone (weekends skipped: a Friday-afternoon resolution with
//     the default of 2 is booked on Tuesday);
//   - the start keeps the resolution's time of day, rounded up to the next
//     half hour, then moved inside WorkdayStart–WorkdayEnd so that the whole
//     meeting fits (a meeting longer than the workday starts at WorkdayStart);
//   - with BusinessDaysAfter = 0 it is the first such slot after the
//     resolution on a business day.
//
// The result is in r's time zone. It fails only on malformed settings.
func RetrospectiveSlot(resolved time.Time, r Retrospective) (RetroSlot, error) {
	loc := loadLocation(r.TimeZone)
	dur := r.Duration
	if dur <= 0 {
		dur = DefaultRetroDuration
	}
	days := r.BusinessDaysAfter
	if days < 0 {
		days = DefaultBusinessDaysAfter
	}
	startOfDay, err := parseClock(orDefault(r.WorkdayStart, DefaultWorkdayStart))
	if err != nil {
		return RetroSlot{}, fmt.Errorf("retrospective.workday_start: %w", err)
	}
	endOfDay, err := parseClock(orDefault(r.WorkdayEnd, DefaultWorkdayEnd))
	if err != nil {
		return RetroSlot{}, fmt.Errorf("retrospective.workday_end: %w", err)
	}
	if endOfDay <= startOfDay {
		return RetroSlot{}, fmt.Errorf("retrospective.workday_end %s is not after workday_start %s", r.WorkdayEnd, r.WorkdayStart)
	}
	latest := max(endOfDay-dur, startOfDay) // latest start that still fits

	local := resolved.In(loc)
	day := AddBusinessDays(local, days, loc)
	tod := local.Sub(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc))
	tod = roundUp(tod, slotStep)
	if days == 0 {
		// The first slot after the resolution: today if a business day
		// with a slot left, else the next business day's first slot.
		if !IsBusinessDay(day) || tod > latest {
			day, tod = AddBusinessDays(day, 1, loc), startOfDay
		}
	}
	tod = min(max(tod, startOfDay), latest)
	start := atClock(day, tod, loc)
	return RetroSlot{Start: start, End: start.Add(dur)}, nil
}

// atClock returns the wall-clock time tod after midnight on day in loc
// (computed on the wall clock, so a DST change that day doesn't shift it).
func atClock(day time.Time, tod time.Duration, loc *time.Location) time.Time {
	h, m := int(tod/time.Hour), int(tod%time.Hour/time.Minute)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
}

func roundUp(d, step time.Duration) time.Duration {
	if r := d % step; r != 0 {
		return d + step - r
	}
	return d
}

// parseClock reads "HH:MM" as a duration after midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day as HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
