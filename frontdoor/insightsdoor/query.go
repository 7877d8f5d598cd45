package insightsdoor

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/insights"
)

// DefaultSince is the period the page shows when the query names none, as
// `incidentflow insights --since 90d`.
const DefaultSince = "90d"

// Bounds of a query string.
const (
	// MaxQuery bounds a query string in bytes: four short parameters need
	// far less.
	MaxQuery = 2048
	// maxValue bounds one parameter's value in characters (a service
	// name, a date).
	maxValue = 100
)

// queryKeys are the parameters the page and /insights.json take.
var queryKeys = []string{"since", "until", "severity", "service"}

// ParseQuery reads the filters of a request for the page or its JSON: the
// raw query string's since and until (what `incidentflow insights --since`
// and --until take: 90d, 12w, 24h, a date or an RFC3339 time; since
// defaults to DefaultSince, until to now), severity and service (exact
// names; empty means all). Each parameter may appear once; an unknown one,
// a bad escape or a value with control characters is an error of one line
// saying what the page takes.
func ParseQuery(raw string, now time.Time) (insights.Filter, error) {
	if len(raw) > MaxQuery {
		return insights.Filter{}, fmt.Errorf("the query string is %d bytes long; the page takes at most %d", len(raw), MaxQuery)
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return insights.Filter{}, errors.New("the query string is not valid URL encoding: write it as since=90d&severity=critical")
	}
	for key, vs := range values {
		if !slices.Contains(queryKeys, key) {
			return insights.Filter{}, fmt.Errorf("unknown parameter %q: the page takes %s", shown(key), strings.Join(queryKeys, ", "))
		}
		if len(vs) > 1 {
			return insights.Filter{}, fmt.Errorf("parameter %s is given %d times: give it once", key, len(vs))
		}
		if v := vs[0]; utf8.RuneCountInString(v) > maxValue || !utf8.ValidString(v) || strings.ContainsFunc(v, isInvisible) {
			return insights.Filter{}, fmt.Errorf("parameter %s: the value must be at most %d characters of text, without control characters", key, maxValue)
		}
	}
	since := strings.TrimSpace(values.Get("since"))
	if since == "" {
		since = DefaultSince
	}
	f, err := insights.ParsePeriod(since, strings.TrimSpace(values.Get("until")), now)
	if err != nil {
		// ParsePeriod names the CLI's flags; the page's parameters are
		// the same words without the dashes.
		return insights.Filter{}, errors.New(strings.NewReplacer("--since", "since", "--until", "until").Replace(err.Error()))
	}
	f.Severity = strings.TrimSpace(values.Get("severity"))
	f.Service = strings.TrimSpace(values.Get("service"))
	return f, nil
}

// Query is the query string that asks for f's severity and service over
// the period since..until as given (the page's own links and form).
func Query(since, until string, f insights.Filter) string {
	v := url.Values{}
	for key, val := range map[string]string{"since": since, "until": until, "severity": f.Severity, "service": f.Service} {
		if val != "" {
			v.Set(key, val)
		}
	}
	return v.Encode()
}

// isInvisible reports control and invisible formatting characters.
func isInvisible(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// shown is a parameter name as an error quotes it: cut short.
func shown(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
