package incident

import (
	"fmt"
	"strconv"
	"strings"
)

// cronShorthands are the @names a cron recurrence may use.
var cronShorthands = map[string]string{
	"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
	"@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *",
}

var (
	monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
	dayNames   = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
)

// parseCron reads a 5-field cron expression of start times. Because a
// window's schedule fires ahead of each start, the expression may restrict
// minutes, hours and weekdays freely, the day of the month only to one day
// from 1 to 28 (with any weekday), and not the month.
func parseCron(expr string) (pattern, error) {
	orig := expr
	if full, ok := cronShorthands[strings.ToLower(expr)]; ok {
		expr = full
	}
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return pattern{}, fmt.Errorf("cron %q has %d fields; write 5: minute hour day-of-month month day-of-week, e.g. \"0 2 * * 2\" for Tuesdays at 02:00", orig, len(fields))
	}
	specs := []struct {
		name   string
		lo, hi int
		names  map[string]int
	}{{"minute", 0, 59, nil}, {"hour", 0, 23, nil}, {"day-of-month", 1, 31, nil}, {"month", 1, 12, monthNames}, {"day-of-week", 0, 7, dayNames}}
	sets := make([][]bool, 5)
	for i, f := range fields {
		sp := specs[i]
		set, err := parseCronField(f, sp.lo, sp.hi, sp.names)
		if err != nil {
			return pattern{}, fmt.Errorf("cron %q, %s field: %v", orig, sp.name, err)
		}
		sets[i] = set
	}
	if sets[4][7] {
		sets[4][0] = true
	}
	mins, hours, doms, months, dows := values(sets[0]), values(sets[1]), values(sets[2]), values(sets[3]), values(sets[4][:7])
	if len(months) != 12 {
		return pattern{}, fmt.Errorf("cron %q restricts the month, which incidentflow can't schedule heads-ups for; use a day-of-week pattern or a monthly recurrence", orig)
	}
	var p pattern
	if len(doms) != 31 {
		if len(dows) != 7 || len(doms) != 1 || doms[0] > 28 {
			return pattern{}, fmt.Errorf("cron %q: the day of the month may only be one day from 1 to 28, with any day of the week (not every month has a 29th to 31st)", orig)
		}
		for _, h := range hours {
			for _, m := range mins {
				p.monthly = append(p.monthly, monthSlot{doms[0], h*3600 + m*60})
			}
		}
	} else {
		for _, d := range dows {
			for _, h := range hours {
				for _, m := range mins {
					p.weekly = append(p.weekly, d*day+h*3600+m*60)
				}
			}
		}
	}
	p.normalize()
	return p, nil
}

func values(set []bool) []int {
	var out []int
	for i, ok := range set {
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// parseCronField reads one field: *, a number or name, a range a-b, a step
// */n, a-b/n or a/n, or a comma-separated list of those.
func parseCronField(f string, lo, hi int, names map[string]int) ([]bool, error) {
	set := make([]bool, hi+1)
	num := func(s string) (int, error) {
		if v, ok := names[strings.ToLower(s)]; ok {
			return v, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		if v < lo || v > hi {
			return 0, fmt.Errorf("%d is out of range %d-%d", v, lo, hi)
		}
		return v, nil
	}
	for _, item := range strings.Split(f, ",") {
		base, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			s, err := strconv.Atoi(stepStr)
			if err != nil || s < 1 {
				return nil, fmt.Errorf("step %q must be a positive number", stepStr)
			}
			step = s
		}
		from, to := lo, hi
		switch a, b, isRange := strings.Cut(base, "-"); {
		case base == "*" || base == "?":
		case isRange:
			var err error
			if from, err = num(a); err != nil {
				return nil, err
			}
			if to, err = num(b); err != nil {
				return nil, err
			}
			if from > to {
				return nil, fmt.Errorf("range %s runs backwards", base)
			}
		default:
			v, err := num(base)
			if err != nil {
				return nil, err
			}
			from = v
			if !hasStep {
				to = v
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, nil
}
