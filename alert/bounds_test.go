package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is n bytes of the character JSON escapes into six.
func hostile(n int) string { return strings.Repeat("<", n) }

// hostileMap has pairs pairs, each name and value of n bytes that JSON
// escapes into six each.
func hostileMap(pairs, n int) map[string]string {
	m := make(map[string]string, pairs)
	for i := range pairs {
		m[fmt.Sprintf("%03d%s", i, hostile(n))] = hostile(n)
	}
	return m
}

// hostileURL is a URL just within maxURLLen once encoded.
func hostileURL() string { return "https://example.com/?" + strings.Repeat("&", (maxURLLen-21)/6) }

// worstCaseMessage is a body with every field over its bound.
func worstCaseMessage(alerts int) AlertmanagerMessage {
	w := AlertmanagerMessage{
		Version: "4", GroupKey: hostile(4096), TruncatedAlerts: 1 << 62, Receiver: hostile(4096), Status: "firing",
		GroupLabels: hostileMap(40, 300), CommonLabels: hostileMap(40, 300), CommonAnnotations: hostileMap(20, 1100),
		ExternalURL: hostileURL(),
		OrgID:       -1 << 63, Title: hostile(4096), State: hostile(4096), Message: hostile(8192),
	}
	values := make(map[string]float64, 20)
	for i := range 20 {
		values[fmt.Sprintf("%03d%s", i, hostile(100))] = -1.2345678901234567e-308
	}
	for i := range alerts {
		w.Alerts = append(w.Alerts, AlertmanagerAlert{
			Status: "firing", Labels: hostileMap(40, 300), Annotations: hostileMap(20, 1100),
			StartsAt: time.Date(2024, 5, 1, 0, 0, i, 0, time.UTC), EndsAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			GeneratorURL: hostileURL(), DashboardURL: hostileURL(), PanelURL: hostileURL(), SilenceURL: hostileURL(),
			Fingerprint: hostile(100) + fmt.Sprint(i), Values: values,
		})
	}
	return w
}

func TestWorstCaseNotificationFitsItsBound(t *testing.T) {
	body, err := json.Marshal(worstCaseMessage(60))
	require.NoError(t, err)
	n, err := ParseAlertmanager(body)
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))

	encoded, _ := json.Marshal(n)
	t.Logf("worst case: %d alerts kept in %d encoded bytes (bound %d), %d truncated", len(n.Alerts), len(encoded), MaxEncodedSize, n.Truncated)
	assert.Equal(t, maxCount, n.Truncated, "the sender's count, clamped")
	assert.Len(t, n.GroupLabels, maxPairs)
	assert.Len(t, n.CommonAnnotations, maxAnnotations)
	assert.True(t, strings.HasPrefix(n.GroupKey, "sha256:"), "a long group key is hashed, not cut")
	assert.LessOrEqual(t, jsonLen(n.Alerts[0].Annotations[incident.SortedKeys(n.Alerts[0].Annotations)[0]]), maxAnnotationLen)
	assert.Equal(t, hostileURL(), n.Alerts[0].GeneratorURL, "a URL within its bound is kept")

	w := worstCaseMessage(1)
	w.Alerts[0].GeneratorURL += "&"
	body, err = json.Marshal(w)
	require.NoError(t, err)
	n, err = ParseAlertmanager(body)
	require.NoError(t, err)
	assert.Empty(t, n.Alerts[0].GeneratorURL, "a URL over its bound is dropped, not cut")
}

func TestTypicalNotificationKeepsFiftyAlerts(t *testing.T) {
	w := AlertmanagerMessage{Version: "4", GroupKey: "g", Status: "firing", Receiver: "r"}
	for i := range 120 {
		w.Alerts = append(w.Alerts, AlertmanagerAlert{
			Status: "firing",
			Labels: map[string]string{"alertname": "HighErrorRate", "instance": fmt.Sprintf("checkout-%03d", i), "service": "checkout",
				"job": "checkout", "namespace": "prod", "pod": fmt.Sprintf("checkout-7d9f-%03d", i), "severity": "page"},
			Annotations: map[string]string{"summary": "Checkout 5xx rate above 5%", "description": strings.Repeat("Checkout requests failed. ", 20),
				"runbook_url": "https://runbooks.example.com/checkout/5xx"},
			StartsAt:     time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC),
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=job%3A5xx_rate%3Aratio+%3E+0.05&g0.tab=1",
			Fingerprint:  fmt.Sprintf("%016x", i),
		})
	}
	w.TruncatedAlerts = 7
	body, err := json.Marshal(w)
	require.NoError(t, err)
	n, err := ParseAlertmanager(body)
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))
	assert.Len(t, n.Alerts, MaxAlerts)
	assert.Equal(t, 120-MaxAlerts+7, n.Truncated)
}

func TestClipCountsEncodedBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 10, "abcdefg…"},
		{"<<<<<", 12, "<…"},
		{"é€😀x", 9, "é€…"},
		{"a\xffb", 5, "a\uFFFDb"},
	} {
		got := clip(tc.in, tc.n)
		assert.Equal(t, tc.want, got, "clip(%q, %d)", tc.in, tc.n)
		b, _ := json.Marshal(got)
		assert.LessOrEqual(t, len(b)-2, tc.n, "clip(%q, %d) encodes in %d bytes", tc.in, tc.n, len(b)-2)
	}
}

func TestTimesThatWouldNotEncodeBecomeZero(t *testing.T) {
	body := `{"status":"firing","groupKey":"g","alerts":[{"status":"firing","labels":{"a":"b"},
		"startsAt":"0000-01-01T00:00:00+01:00","endsAt":"9999-12-31T23:59:59-01:00"}]}`
	n, err := ParseGrafana([]byte(body))
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))
	assert.True(t, n.Alerts[0].StartsAt.IsZero())
	assert.True(t, n.Alerts[0].EndsAt.IsZero())
}
