package insights

import (
	"fmt"
	"strconv"
	"time"
)

// maxLookBack is the longest period ParsePeriod accepts as a length of
// time: a hundred years, far beyond any retention, short of overflowing a
// time.Duration.
const maxLookBack = 36500 * 24 * time.Hour

// earliest is the earliest time ParsePeriod accepts: nothing incidentflow
// recorded is older, and a period reaching back further would only make
// empty weeks.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ParsePeriod reads the period of `incidentflow insights --since S --until
// U` (and of the page's since and until parameters) into a Filter. Each is
// a length of time back from now ("90d", "12w", "24h", "30m": days, weeks,
// hours, minutes) or a time: RFC3339 ("2026-01-31T09:00:00Z") or a date
// ("2026-01-31", midnight UTC). since is required; until empty is now. The
// Filter's times are UTC and Since is before Until. An error is one line
// naming the flag and what it takes.
func ParsePeriod(since, until string, now time.Time) (Filter, error) {
	now = now.UTC()
	if since == "" {
		return Filter{}, fmt.Errorf("--since is required: a duration like 90d, 12w or 24h, or a date like 2026-01-31")
	}
	from, err := parsePoint("--since", since, now)
	if err != nil {
		return Filter{}, err
	}
	to := now
	if until != "" {
		if to, err = parsePoint("--until", until, now); err != nil {
			return Filter{}, err
		}
	}
	if !from.Before(to) {
		return Filter{}, fmt.Errorf("--since %s is not before --until %s: the period would be empty",
			from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return Filter{Since: from, Until: to}, nil
}

// parsePoint reads one end of a period, named flag in errors.
func parsePoint(flag, s string, now time.Time) (time.Time, error) {
	if d, ok, err := parseLookBack(s); ok {
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %q %v", flag, s, err)
		}
		return checkEarliest(flag, s, now.Add(-d))
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return checkEarliest(flag, s, t.UTC())
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return checkEarliest(flag, s, t)
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a duration like 90d, 12w or 24h, nor a date like 2026-01-31", flag, s)
}

// parseLookBack reads "<n>d", "<n>w", "<n>h" or "<n>m"; ok says s has that
// shape, err that its number is out of range.
func parseLookBack(s string) (d time.Duration, ok bool, err error) {
	if len(s) < 2 {
		return 0, false, nil
	}
	digits, unit := s[:len(s)-1], s[len(s)-1]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, nil
		}
	}
	per := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[unit]
	if per == 0 {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > int64(maxLookBack/per) {
		return 0, true, fmt.Errorf("is too long: at most %dd", maxLookBack/(24*time.Hour))
	}
	if n == 0 {
		return 0, true, fmt.Errorf("is no time at all: give a length like 90d, 12w or 24h")
	}
	return time.Duration(n) * per, true, nil
}

// checkEarliest refuses a time before earliest.
func checkEarliest(flag, s string, t time.Time) (time.Time, error) {
	if t.Before(earliest) {
		return time.Time{}, fmt.Errorf("%s: %q is before %s, earlier than any incident", flag, s, earliest.Format(time.DateOnly))
	}
	return t, nil
}
