package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/incident"
)

// MaxAlerts is the most alerts a Notification keeps; the rest are counted
// in Truncated.
const MaxAlerts = 50

// MaxEncodedSize bounds the JSON encoding of any Notification a parser
// returns, whatever the body: every string is cut to a budget of encoded
// bytes (so "<" counts the six bytes of \u003c), every map to a number of
// pairs, and the alerts together to alertsBudget. Worst case, from the
// limits below: group and common labels 2 × 32 × (64+256+6) = 20,864 bytes,
// common annotations 16 × (64+1024+6) = 17,504, the URL, title, message,
// receiver, group key and state 5,184, names and punctuation under 1,000,
// and the alerts 196,608: about 241,000 bytes, under 256 KiB.
// TestWorstCaseNotificationFitsItsBound builds that case (it encodes in
// 230,947 bytes).
const MaxEncodedSize = 256 << 10

// Limits of the parts of a Notification, in JSON-encoded bytes.
const (
	maxPairs         = 32   // pairs in a label set
	maxAnnotations   = 16   // pairs in an annotation set
	maxValues        = 16   // Grafana values of an alert
	maxNameLen       = 64   // a label, annotation or value name
	maxLabelLen      = 256  // a label value
	maxAnnotationLen = 1024 // an annotation value
	maxURLLen        = 2048 // a URL (a longer one is dropped, not cut)
	maxTitleLen      = 256  // Grafana's title and state, the receiver
	maxMessageLen    = 2048 // Grafana's message
	maxGroupKeyLen   = 512  // a longer group key is replaced by its hash
	maxFingerprint   = 64   // an alert's fingerprint
	alertsBudget     = 192 << 10
)

// bound returns n with every part within the limits above, its alerts
// sorted (firing first, then by start time and fingerprint) and those over
// MaxAlerts or alertsBudget counted in Truncated.
func bound(n Notification) Notification {
	n.GroupKey = boundKey(n.GroupKey)
	n.Receiver = clip(n.Receiver, maxTitleLen)
	n.GroupLabels = boundMap(n.GroupLabels, maxPairs, maxLabelLen)
	n.CommonLabels = boundMap(n.CommonLabels, maxPairs, maxLabelLen)
	n.CommonAnnotations = boundMap(n.CommonAnnotations, maxAnnotations, maxAnnotationLen)
	n.ExternalURL = cleanURL(n.ExternalURL)
	n.State = clip(n.State, maxTitleLen)
	n.Title = clip(n.Title, maxTitleLen)
	n.Message = clip(n.Message, maxMessageLen)

	alerts := make([]Alert, len(n.Alerts))
	for i, a := range n.Alerts {
		alerts[i] = boundAlert(a)
	}
	sort.SliceStable(alerts, func(i, j int) bool { return alertLess(alerts[i], alerts[j]) })
	n.Alerts = nil
	used := 0
	for _, a := range alerts {
		b, _ := json.Marshal(a) // a bounded Alert always encodes
		if len(n.Alerts) == MaxAlerts || used+len(b)+1 > alertsBudget {
			break
		}
		used += len(b) + 1
		n.Alerts = append(n.Alerts, a)
	}
	n.Truncated = addClamped(n.Truncated, len(alerts)-len(n.Alerts))
	return n
}

// alertLess orders alerts firing first, then by start time, then by
// fingerprint.
func alertLess(a, b Alert) bool {
	if (a.Status == Firing) != (b.Status == Firing) {
		return a.Status == Firing
	}
	if !a.StartsAt.Equal(b.StartsAt) {
		return a.StartsAt.Before(b.StartsAt)
	}
	return a.Fingerprint < b.Fingerprint
}

func boundAlert(a Alert) Alert {
	if a.Fingerprint == "" {
		a.Fingerprint = LabelsFingerprint(a.Labels)
	}
	a.Fingerprint = clip(a.Fingerprint, maxFingerprint)
	a.Labels = boundMap(a.Labels, maxPairs, maxLabelLen)
	a.Annotations = boundMap(a.Annotations, maxAnnotations, maxAnnotationLen)
	a.StartsAt = boundTime(a.StartsAt)
	a.EndsAt = boundTime(a.EndsAt)
	a.GeneratorURL = cleanURL(a.GeneratorURL)
	a.DashboardURL = cleanURL(a.DashboardURL)
	a.PanelURL = cleanURL(a.PanelURL)
	a.SilenceURL = cleanURL(a.SilenceURL)
	a.Values = boundValues(a.Values)
	return a
}

// boundMap keeps the first max pairs of m by name, names and values cut to
// their limits; it returns nil for an empty map.
func boundMap(m map[string]string, max, valueLen int) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, min(len(m), max))
	for _, k := range incident.SortedKeys(m) {
		if len(out) == max {
			break
		}
		out[clip(k, maxNameLen)] = clip(m[k], valueLen)
	}
	return out
}

// boundValues keeps the first maxValues of Grafana's values by name. A
// float64 encodes in at most 24 bytes.
func boundValues(m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]float64, min(len(m), maxValues))
	for _, k := range incident.SortedKeys(m) {
		if len(out) == maxValues {
			break
		}
		out[clip(k, maxNameLen)] = m[k]
	}
	return out
}

// boundTime returns t in UTC, or the zero time when t in UTC would not
// encode as JSON (years outside 0–9999).
func boundTime(t time.Time) time.Time {
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// boundKey keeps a group key within maxGroupKeyLen, replacing a longer one
// by its SHA-256 so that different keys stay different. It makes the key
// valid UTF-8 first, so that it survives a JSON round trip unchanged.
func boundKey(k string) string {
	k = strings.ToValidUTF8(k, "\uFFFD")
	if jsonLen(k) <= maxGroupKeyLen {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// cleanURL returns s when it is an absolute http or https URL within
// maxURLLen, and "" otherwise: a cut URL or a javascript: one is no link.
func cleanURL(s string) string {
	if s == "" || jsonLen(s) > maxURLLen {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// LabelsFingerprint identifies an alert by its labels: 16 hex digits, like
// Alertmanager's. The parsers give it to alerts whose sender gave none; the
// CLI and the benchmark give it to the alerts they send.
func LabelsFingerprint(labels map[string]string) string {
	h := sha256.New()
	for _, k := range incident.SortedKeys(labels) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// clip cuts s, made valid UTF-8, so that its JSON encoding (without quotes)
// takes at most n bytes, ending with "…" when cut.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if jsonLen(s) <= n {
		return s
	}
	const ell = "…"
	used := len(ell)
	for i, r := range s {
		used += runeJSONLen(r)
		if used > n {
			return s[:i] + ell
		}
	}
	return s // not reached: s is longer than n
}

// jsonLen is an upper bound of the bytes encoding/json writes for s,
// without the quotes.
func jsonLen(s string) int {
	n := 0
	for _, r := range s {
		n += runeJSONLen(r)
	}
	return n
}

// runeJSONLen is an upper bound of the bytes encoding/json writes for r: it
// escapes quotes and backslashes in two bytes, HTML characters, control
// characters, U+2028 and U+2029 in up to six, and writes an invalid byte as
// U+FFFD.
func runeJSONLen(r rune) int {
	switch {
	case r == '"' || r == '\\':
		return 2
	case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
		return 6
	case r == utf8.RuneError:
		return 3
	}
	return utf8.RuneLen(r)
}

// maxCount caps counts such as Truncated, so they fit an int32 anywhere.
const maxCount = 1<<31 - 1

// addClamped adds two counts of at most maxCount without passing it.
func addClamped(a, b int) int {
	if a >= maxCount-b {
		return maxCount
	}
	return a + b
}
