package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAlertmanagerReadsEveryField(t *testing.T) {
	n, err := ParseAlertmanager(readTestdata(t, "alertmanager.json"))
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))

	assert.Equal(t, SourceAlertmanager, n.Source)
	assert.Equal(t, `{}/{service=~"checkout|payments"}:{alertname="HighErrorRate", service="checkout"}`, n.GroupKey)
	assert.Equal(t, "incidentflow", n.Receiver)
	assert.Equal(t, Firing, n.Status)
	assert.Equal(t, map[string]string{"alertname": "HighErrorRate", "service": "checkout"}, n.GroupLabels)
	assert.Equal(t, "page", n.CommonLabels["severity"])
	assert.Equal(t, "Checkout 5xx rate above 5%", n.CommonAnnotations["summary"])
	assert.Equal(t, "http://alertmanager.example.com:9093", n.ExternalURL)
	assert.Zero(t, n.Truncated)

	require.Len(t, n.Alerts, 3)
	// Firing first, then by start time and fingerprint.
	assert.Equal(t, []string{"1b2d8c0e7f6a9354", "4c3f1ab3a4e50d1e", "9e0a5d7c3b2f1648"},
		[]string{n.Alerts[0].Fingerprint, n.Alerts[1].Fingerprint, n.Alerts[2].Fingerprint})
	last := n.Alerts[2]
	assert.Equal(t, Resolved, last.Status)
	assert.Equal(t, "checkout-7d9f-3", last.Labels["instance"])
	assert.Equal(t, time.Date(2024, 5, 1, 14, 27, 13, 372e6, time.UTC), last.EndsAt)
	assert.Contains(t, last.GeneratorURL, "http://prometheus.example.com:9090/graph?")
	assert.Len(t, firingOf(n.Alerts), 2)
}

// alertmanager-0.25-real.json is a body Debian's Alertmanager 0.25.0 sent
// in internal/alertmanagertest's test.
func TestParseAlertmanagerReadsARealBody(t *testing.T) {
	n, err := ParseAlertmanager(readTestdata(t, "alertmanager-0.25-real.json"))
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))
	assert.Equal(t, `{}:{alertname="HighErrorRate", service="checkout"}`, n.GroupKey)
	assert.Len(t, n.Alerts, 3)
	assert.True(t, n.Alerts[0].EndsAt.IsZero(), "a firing alert's endsAt is the zero time")
}

func TestParseGrafanaReadsItsExtraFields(t *testing.T) {
	n, err := ParseGrafana(readTestdata(t, "grafana.json"))
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))

	assert.Equal(t, SourceGrafana, n.Source)
	assert.Equal(t, int64(1), n.OrgID)
	assert.Equal(t, "alerting", n.State)
	assert.Equal(t, "[FIRING:2] High memory usage Payments (payments blue)", n.Title)
	assert.Contains(t, n.Message, "**Firing**")
	require.Len(t, n.Alerts, 2)
	a := n.Alerts[0]
	assert.Equal(t, "c6eadffa33fcdf37", a.Fingerprint)
	assert.Equal(t, time.Date(2024, 5, 1, 7, 51, 3, 157076000, time.UTC), a.StartsAt, "times are kept in UTC")
	assert.Equal(t, "https://grafana.example.com/d/payments-mem?orgId=1", a.DashboardURL)
	assert.Equal(t, "https://grafana.example.com/d/payments-mem?orgId=1&viewPanel=4", a.PanelURL)
	assert.Contains(t, a.SilenceURL, "/alerting/silence/new?")
	assert.Equal(t, map[string]float64{"B": 94.23943737541908, "C": 1}, a.Values)
}

func TestParseWebhookMakesAGroupOfOne(t *testing.T) {
	n, err := ParseWebhook(readTestdata(t, "webhook.json"))
	require.NoError(t, err)
	require.NoError(t, checkBounds(n))

	assert.Equal(t, SourceWebhook, n.Source)
	assert.Equal(t, "checkout-latency", n.GroupKey)
	assert.Equal(t, map[string]string{"alertname": "Checkout p99 latency above 2s", "service": "checkout", "severity": "critical"}, n.CommonLabels)
	assert.Equal(t, "Checkout p99 latency above 2s", n.CommonAnnotations["summary"])
	assert.Equal(t, "p99 has been 2.4s for 10 minutes in eu-west-1", n.CommonAnnotations["description"])
	require.Len(t, n.Alerts, 1)
	assert.Equal(t, "https://status.example.com/checks/checkout-latency", n.Alerts[0].GeneratorURL)
	assert.Len(t, n.Alerts[0].Fingerprint, 16)

	resolved, err := ParseWebhook([]byte(`{"key":"checkout-latency","status":"resolved"}`))
	require.NoError(t, err)
	assert.Equal(t, n.Alerts[0].Fingerprint, resolved.Alerts[0].Fingerprint, "the same key is the same alert")
	assert.Equal(t, n.Key(), resolved.Key())
}

func TestParseRefusesBadBodiesInOneLine(t *testing.T) {
	am := string(readTestdata(t, "alertmanager.json"))
	for _, tc := range []struct {
		name string
		src  Source
		body string
		want string
	}{
		{"empty", SourceAlertmanager, ``, "body is empty"},
		{"not JSON", SourceAlertmanager, `{"receiver": x}`, "not valid JSON at byte"},
		{"trailing data", SourceGrafana, `{"status":"firing"} {}`, "more data after the JSON object"},
		{"wrong type", SourceAlertmanager, `{"version":"4","alerts":[{"labels":{"a":1}}]}`, "alerts.labels must be a string, not a JSON number"},
		{"a list for an object", SourceGrafana, `[]`, "the body must be an object"},
		{"bad time", SourceAlertmanager, `{"version":"4","alerts":[{"startsAt":"yesterday"}]}`, `a time is not RFC 3339`},
		{"old version", SourceAlertmanager, strings.Replace(am, `"version": "4"`, `"version": "3"`, 1), `version is "3", want "4"`},
		{"grafana sent to alertmanager", SourceAlertmanager, string(readTestdata(t, "grafana.json")), "this looks like Grafana"},
		{"bad status", SourceAlertmanager, strings.Replace(am, `"status": "firing",`, `"status": "pending",`, 1), `status is "pending", want firing or resolved`},
		{"bad alert status", SourceAlertmanager, strings.Replace(am, `"status": "resolved"`, `"status": "gone"`, 1), `alerts[2].status is "gone"`},
		{"no group key", SourceAlertmanager, `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A"}}]}`, "groupKey is empty"},
		{"no alerts", SourceGrafana, `{"status":"firing","groupKey":"g","alerts":[]}`, "alerts is empty"},
		{"no labels", SourceGrafana, `{"status":"firing","groupKey":"g","alerts":[{"status":"firing"}]}`, "alerts[0].labels is empty"},
		{"webhook unknown field", SourceWebhook, `{"key":"k","status":"firing","titel":"x"}`, `unknown field "titel"`},
		{"webhook no key", SourceWebhook, `{"status":"firing","title":"x"}`, "key is empty"},
		{"webhook bad status", SourceWebhook, `{"key":"k","status":"up","title":"x"}`, `status is "up"`},
		{"webhook no title", SourceWebhook, `{"key":"k","status":"firing"}`, "title is empty"},
		{"webhook bad url", SourceWebhook, `{"key":"k","status":"firing","title":"x","url":"javascript:alert(1)"}`, "url must be an absolute http or https URL"},
		{"unknown source", Source("nagios"), `{}`, `unknown alert source "nagios"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.src, []byte(tc.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.NotContains(t, err.Error(), "wire", "no Go type names")
		})
	}
}

func TestParseDropsLinksThatAreNotHTTP(t *testing.T) {
	body := `{"version":"4","status":"firing","groupKey":"g","externalURL":"ftp://x","alerts":[{"status":"firing","labels":{"alertname":"A"},
		"generatorURL":"javascript:alert(1)","fingerprint":"f"}]}`
	n, err := ParseAlertmanager([]byte(body))
	require.NoError(t, err)
	assert.Empty(t, n.ExternalURL)
	assert.Empty(t, n.Alerts[0].GeneratorURL)
}

func TestParseDerivesAMissingFingerprintFromLabels(t *testing.T) {
	body := func(labels string) []byte {
		return []byte(`{"status":"firing","groupKey":"g","alerts":[{"status":"firing","labels":` + labels + `}]}`)
	}
	a, err := ParseGrafana(body(`{"alertname":"A","zone":"eu"}`))
	require.NoError(t, err)
	b, err := ParseGrafana(body(`{"zone":"eu","alertname":"A"}`))
	require.NoError(t, err)
	c, err := ParseGrafana(body(`{"alertname":"A","zone":"us"}`))
	require.NoError(t, err)
	assert.Len(t, a.Alerts[0].Fingerprint, 16)
	assert.Equal(t, a.Alerts[0].Fingerprint, b.Alerts[0].Fingerprint)
	assert.NotEqual(t, a.Alerts[0].Fingerprint, c.Alerts[0].Fingerprint)
}
