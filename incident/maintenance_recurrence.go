package incident

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// RecurrenceKind says how a maintenance window repeats.
type RecurrenceKind string

// The kinds of recurrence.
const (
	RecurNone    RecurrenceKind = "none"    // once
	RecurWeekly  RecurrenceKind = "weekly"  // same weekday and time as the first window
	RecurMonthly RecurrenceKind = "monthly" // same day of the month (1–28) and time
	RecurCron    RecurrenceKind = "cron"    // the start times of a cron expression
)

// Recurrence is how a maintenance window repeats. Times are read in the
// process's time zone.
type Recurrence struct {
	Kind RecurrenceKind `json:"kind"`
	// Cron is the 5-field expression (minute hour day-of-month month
	// day-of-week) of the start times when Kind is RecurCron.
	Cron string `json:"cron,omitempty"`
}

// String renders r the way ParseRecurrence reads it.
func (r Recurrence) String() string {
	switch r.Kind {
	case RecurCron:
		return "cron:" + r.Cron
	case "":
		return string(RecurNone)
	}
	return string(r.Kind)
}

// ParseRecurrence reads "none" (or "" or "once"), "weekly", "monthly" or
// "cron:<expression>". The error says what to write instead.
func ParseRecurrence(s string) (Recurrence, error) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	switch lower {
	case "", "none", "once":
		return Recurrence{Kind: RecurNone}, nil
	case "weekly":
		return Recurrence{Kind: RecurWeekly}, nil
	case "monthly":
		return Recurrence{Kind: RecurMonthly}, nil
	}
	if strings.HasPrefix(lower, "cron:") {
		expr := strings.Join(strings.Fields(s[len("cron:"):]), " ")
		if _, err := parseCron(expr); err != nil {
			return Recurrence{}, err
		}
		return Recurrence{Kind: RecurCron, Cron: expr}, nil
	}
	return Recurrence{}, fmt.Errorf("unknown recurrence %q: use none, weekly, monthly or cron:<expression> (e.g. \"cron:0 2 * * 2\" for Tuesdays at 02:00)", s)
}

// Describe says in words when windows of w start, e.g. "every Tuesday at
// 02:00 UTC".
func (w *Window) Describe(loc *time.Location) string {
	l := w.Start.In(loc)
	switch w.Recurrence.Kind {
	case RecurWeekly:
		return fmt.Sprintf("every %s at %s", l.Weekday(), l.Format("15:04 MST"))
	case RecurMonthly:
		return fmt.Sprintf("monthly on day %d at %s", l.Day(), l.Format("15:04 MST"))
	case RecurCron:
		return fmt.Sprintf("at the times of cron %q (%s), from %s", w.Recurrence.Cron, loc, l.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	return "once, " + l.Format("Mon 2 Jan 2006 15:04 MST")
}

// MinRecurrencePeriod is the shortest time allowed between the starts of
// two windows of a series.
const MinRecurrencePeriod = time.Hour

const (
	day  = 24 * 60 * 60
	week = 7 * day
)

// pattern is a set of wall-clock times that repeats every week (weekly) or
// every month (monthly); exactly one of them is set.
type pattern struct {
	weekly  []int       // seconds since Sunday 00:00, sorted, unique
	monthly []monthSlot // sorted by day, then second, unique
}

// monthSlot is a day of the month (1–28) and a second of that day.
type monthSlot struct{ day, sec int }

func (s monthSlot) abs() int { return s.day*day + s.sec }

func secOfDay(t time.Time) int { return t.Hour()*3600 + t.Minute()*60 + t.Second() }

// pattern returns the start times of w's recurrence.
func (w *Window) pattern(loc *time.Location) (pattern, error) {
	l := w.Start.In(loc)
	switch w.Recurrence.Kind {
	case RecurWeekly:
		return pattern{weekly: []int{int(l.Weekday())*day + secOfDay(l)}}, nil
	case RecurMonthly:
		if l.Day() > 28 {
			return pattern{}, fmt.Errorf("a monthly window must start on day 1 to 28 of the month (not every month has a %d%s); pick another day or a cron expression", l.Day(), ordinal(l.Day()))
		}
		return pattern{monthly: []monthSlot{{l.Day(), secOfDay(l)}}}, nil
	case RecurCron:
		return parseCron(w.Recurrence.Cron)
	}
	return pattern{}, errors.New("a one-off window doesn't repeat")
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 1:
		return "st"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}

func at(y int, m time.Month, d, sec int, loc *time.Location) time.Time {
	return time.Date(y, m, d, sec/3600, sec%3600/60, sec%60, 0, loc)
}

// next returns the first time of p at or after t.
func (p pattern) next(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	if len(p.monthly) > 0 {
		for i := 0; i <= 2; i++ {
			for _, s := range p.monthly {
				if c := at(y, m+time.Month(i), s.day, s.sec, loc); !c.Before(t) {
					return c
				}
			}
		}
		return time.Time{}
	}
	for i := 0; i <= 8; i++ {
		dow := int(time.Date(y, m, d+i, 12, 0, 0, 0, loc).Weekday())
		for _, s := range p.weekly {
			if s/day != dow {
				continue
			}
			if c := at(y, m, d+i, s%day, loc); !c.Before(t) {
				return c
			}
		}
	}
	return time.Time{}
}

// prev returns the last time of p before t.
func (p pattern) prev(t time.Time, loc *time.Location) time.Time {
	var last time.Time
	for c := p.next(t.AddDate(0, 0, -35), loc); !c.IsZero() && c.Before(t); c = p.next(c.Add(time.Second), loc) {
		last = c
	}
	return last
}

// minGap is the shortest time between two consecutive times of p (wall
// clock; a month counts as its shortest, 28 days).
func (p pattern) minGap() time.Duration {
	var abs []int
	period := week
	if len(p.monthly) > 0 {
		period = 28 * day
		for _, s := range p.monthly {
			abs = append(abs, s.abs())
		}
	} else {
		abs = p.weekly
	}
	if len(abs) == 0 {
		return 0
	}
	gap := period - abs[len(abs)-1] + abs[0]
	for i := 1; i < len(abs); i++ {
		gap = min(gap, abs[i]-abs[i-1])
	}
	return time.Duration(gap) * time.Second
}

// shift returns the times of p moved lead earlier. Weekly times move
// exactly; a monthly time that would fall into the previous month moves to
// day 28 minus the remainder instead (every month has one), which is
// earlier still: the run just waits longer.
func (p pattern) shift(lead time.Duration) pattern {
	s := int((lead + time.Second - 1) / time.Second)
	var out pattern
	for _, w := range p.weekly {
		out.weekly = append(out.weekly, ((w-s)%week+week)%week)
	}
	for _, m := range p.monthly {
		sec, days := m.sec-s, 0
		if sec < 0 {
			days = (-sec + day - 1) / day
			sec += days * day
		}
		dom := m.day - days
		for dom < 1 {
			dom += 28
		}
		out.monthly = append(out.monthly, monthSlot{dom, sec})
	}
	out.normalize()
	return out
}

func (p *pattern) normalize() {
	sort.Ints(p.weekly)
	p.weekly = uniqueInts(p.weekly)
	sort.Slice(p.monthly, func(i, j int) bool { return p.monthly[i].abs() < p.monthly[j].abs() })
	var ms []monthSlot
	for i, m := range p.monthly {
		if i == 0 || m != p.monthly[i-1] {
			ms = append(ms, m)
		}
	}
	p.monthly = ms
}

func uniqueInts(xs []int) []int {
	var out []int
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// FireCalendar is one calendar entry of a schedule: at Hour:Minute:Second
// on DaysOfWeek (0 is Sunday) or on DaysOfMonth; an empty list means any.
type FireCalendar struct {
	DaysOfWeek  []int `json:"days_of_week,omitempty"`
	DaysOfMonth []int `json:"days_of_month,omitempty"`
	Hour        int   `json:"hour"`
	Minute      int   `json:"minute"`
	Second      int   `json:"second"`
}

// calendars groups p's times by time of day.
func (p pattern) calendars() []FireCalendar {
	bySec := map[int]*FireCalendar{}
	var secs []int
	get := func(sec int) *FireCalendar {
		c, ok := bySec[sec]
		if !ok {
			c = &FireCalendar{Hour: sec / 3600, Minute: sec % 3600 / 60, Second: sec % 60}
			bySec[sec] = c
			secs = append(secs, sec)
		}
		return c
	}
	for _, w := range p.weekly {
		c := get(w % day)
		c.DaysOfWeek = append(c.DaysOfWeek, w/day)
	}
	for _, m := range p.monthly {
		c := get(m.sec)
		c.DaysOfMonth = append(c.DaysOfMonth, m.day)
	}
	sort.Ints(secs)
	out := make([]FireCalendar, len(secs))
	for i, s := range secs {
		c := bySec[s]
		sort.Ints(c.DaysOfWeek)
		sort.Ints(c.DaysOfMonth)
		out[i] = *c
	}
	return out
}
