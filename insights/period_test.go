package insights_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/insights"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, time.March, 30, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	utcNow := now.UTC()
	for _, c := range []struct {
		since, until string
		from, to     time.Time
	}{
		{"90d", "", utcNow.Add(-90 * 24 * time.Hour), utcNow},
		{"12w", "", utcNow.Add(-12 * 7 * 24 * time.Hour), utcNow},
		{"24h", "", utcNow.Add(-24 * time.Hour), utcNow},
		{"30m", "", utcNow.Add(-30 * time.Minute), utcNow},
		{"2026-01-31", "", time.Date(2026, time.January, 31, 0, 0, 0, 0, time.UTC), utcNow},
		{"2026-01-31T09:30:00+01:00", "2026-02-28", time.Date(2026, time.January, 31, 8, 30, 0, 0, time.UTC), time.Date(2026, time.February, 28, 0, 0, 0, 0, time.UTC)},
		{"30d", "7d", utcNow.Add(-30 * 24 * time.Hour), utcNow.Add(-7 * 24 * time.Hour)},
	} {
		f, err := insights.ParsePeriod(c.since, c.until, now)
		if err != nil || !f.Since.Equal(c.from) || !f.Until.Equal(c.to) || f.Since.Location() != time.UTC || f.Until.Location() != time.UTC {
			t.Errorf("ParsePeriod(%q, %q) = %v .. %v, %v; want %v .. %v in UTC", c.since, c.until, f.Since, f.Until, err, c.from, c.to)
		}
	}
	for _, c := range []struct{ since, until, want string }{
		{"9x", "", `--since: "9x" is not a duration like 90d, 12w or 24h, nor a date like 2026-01-31`},
		{"90d", "tomorrow", `--until: "tomorrow" is not a duration like 90d, 12w or 24h, nor a date like 2026-01-31`},
		{"", "", "--since is required"},
		{"0d", "", `--since: "0d" is no time at all`},
		{"99999999999999999999d", "", `--since: "99999999999999999999d" is too long: at most 36500d`},
		{"36501d", "", "is too long"},
		{"1999-12-31", "", `--since: "1999-12-31" is before 2000-01-01`},
		{"7d", "30d", "--since 2026-03-23T10:00:00Z is not before --until 2026-02-28T10:00:00Z"},
		{"-5d", "", "is not a duration"},
		{"2026-02-30", "", "is not a duration"},
	} {
		_, err := insights.ParsePeriod(c.since, c.until, now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePeriod(%q, %q) = %v, want an error with %q", c.since, c.until, err, c.want)
		}
	}
}

// FuzzParsePeriod: any input gives a period in UTC with Since before Until,
// or one line naming the flag.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"90d", "12w", "24h", "30m", "2026-01-31", "2026-01-31T09:30:00Z", "9x", "", "0d", "99999999999d", "\n", "1h30m"} {
		f.Add(s, "")
		f.Add("90d", s)
	}
	now := time.Date(2026, time.March, 30, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, since, until string) {
		p, err := insights.ParsePeriod(since, until, now)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "--since") && !strings.HasPrefix(msg, "--until") {
				t.Errorf("error %q names no flag", msg)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q is more than one line", msg)
			}
			return
		}
		if !p.Since.Before(p.Until) || p.Since.Location() != time.UTC || p.Until.Location() != time.UTC {
			t.Errorf("ParsePeriod(%q, %q) = %v .. %v", since, until, p.Since, p.Until)
		}
		if p.Severity != "" || p.Service != "" {
			t.Errorf("ParsePeriod set a severity or service: %+v", p)
		}
	})
}
