package insightsdoor_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/insights"
)

func TestParseQuery(t *testing.T) {
	for raw, want := range map[string]insights.Filter{
		"":                                 {Since: now.Add(-90 * day), Until: now},
		"since=&until=&severity=&service=": {Since: now.Add(-90 * day), Until: now},
		"since=12w&service=checkout":       {Since: now.Add(-84 * day), Until: now, Service: "checkout"},
		"since=2026-01-01&until=2026-02-01T00:00:00Z&severity=critical": {
			Since: now.AddDate(0, 0, -78).Truncate(day), Until: now.AddDate(0, 0, -47).Truncate(day), Severity: "critical"},
		"service=payments+api": {Since: now.Add(-90 * day), Until: now, Service: "payments api"},
	} {
		got, err := insightsdoor.ParseQuery(raw, now)
		if err != nil || got != want {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
}

// FuzzParseQuery: any query string is either refused with one line or
// read into a period that is not empty and filters of bounded, visible
// text.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"", "since=90d", "since=2026-01-01&until=2026-02-01", "severity=critical&service=checkout",
		"since=0d", "since=99999999999999d", "a=b", "since=%ff", "service=%E2%80%AEx", "since=1m&until=2m", "severity=a;b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fl, err := insightsdoor.ParseQuery(raw, now)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("ParseQuery(%q): error %q is not one line", raw, msg)
			}
			return
		}
		if !fl.Since.Before(fl.Until) {
			t.Fatalf("ParseQuery(%q): empty period %v–%v", raw, fl.Since, fl.Until)
		}
		for _, v := range []string{fl.Severity, fl.Service} {
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 100 || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
				t.Fatalf("ParseQuery(%q): filter %q is not bounded visible text", raw, v)
			}
		}
	})
}
