package alert

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/incident"
)

var severities = []incident.Severity{incident.Critical, incident.Major, incident.Minor}

func group(labels, annotations map[string]string) Notification {
	return Notification{Source: SourceAlertmanager, GroupKey: "g", Status: Firing, CommonLabels: labels,
		GroupLabels: map[string]string{"alertname": labels["alertname"]}, CommonAnnotations: annotations,
		Alerts: []Alert{{Fingerprint: "f", Status: Firing, Labels: labels}}}
}

func TestRouterFirstMatchWins(t *testing.T) {
	rt, err := NewRouter(validConfig(), severities)
	require.NoError(t, err)
	summary := map[string]string{"summary": "Checkout 5xx rate above 5%"}
	for _, tc := range []struct {
		name string
		n    Notification
		want Decision
	}{
		{"declare with fixed severity", group(map[string]string{"alertname": "HighErrorRate", "service": "checkout", "severity": "page"}, summary),
			Decision{Mode: ModeDeclare, Service: "checkout", Severity: incident.Critical, Title: "Checkout 5xx rate above 5%", RouteIndex: 0, Reason: "matched alerts.routes[0]"}},
		{"regex matcher fails", group(map[string]string{"alertname": "HighErrorRate", "service": "checkout", "severity": "info"}, summary),
			Decision{Mode: ModeTriage, Service: "checkout", Title: "Checkout 5xx rate above 5%", RouteIndex: NoRoute, Reason: "no route matched"}},
		{"severity from the label's map", group(map[string]string{"alertname": "QueueBacklog", "team": "payments", "severity": "Warn", "service": "payments"}, nil),
			Decision{Mode: ModeDeclare, Service: "payments", Severity: incident.Minor, Title: "QueueBacklog", RouteIndex: 1, Reason: "matched alerts.routes[1]"}},
		{"severity label naming a severity", group(map[string]string{"alertname": "QueueBacklog", "team": "payments", "severity": "major"}, nil),
			Decision{Mode: ModeDeclare, Severity: incident.Major, Title: "QueueBacklog", RouteIndex: 1, Reason: "matched alerts.routes[1]"}},
		{"unknown severity goes to triage", group(map[string]string{"alertname": "QueueBacklog", "team": "payments", "severity": "sev9"}, nil),
			Decision{Mode: ModeTriage, Title: "QueueBacklog", RouteIndex: 1, Reason: `alerts.routes[1] declares, but label severity="sev9" names no configured severity: posted for triage`}},
		{"missing severity label goes to triage", group(map[string]string{"alertname": "QueueBacklog", "team": "payments"}, nil),
			Decision{Mode: ModeTriage, Title: "QueueBacklog", RouteIndex: 1, Reason: "alerts.routes[1] declares, but the group has no common severity label: posted for triage"}},
		{"ignore", group(map[string]string{"alertname": "Watchdog"}, nil),
			Decision{Mode: ModeIgnore, Title: "Watchdog", RouteIndex: 2, Reason: "matched alerts.routes[2]"}},
		{"no route keeps a known severity label for triage", group(map[string]string{"alertname": "DiskFull", "severity": "critical"}, nil),
			Decision{Mode: ModeTriage, Severity: incident.Critical, Title: "DiskFull", RouteIndex: NoRoute, Reason: "no route matched"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, rt.Route(tc.n))
		})
	}
}

func TestRouterNegativeMatchersMatchMissingLabels(t *testing.T) {
	c := Config{Routes: []RouteConfig{{Matchers: []string{`env!="staging"`, `team!~"qa|test"`}, Severity: "major", Mode: "declare"}}}
	rt, err := NewRouter(c, severities)
	require.NoError(t, err)
	assert.Equal(t, ModeDeclare, rt.Route(group(map[string]string{"alertname": "A"}, nil)).Mode)
	assert.Equal(t, ModeTriage, rt.Route(group(map[string]string{"alertname": "A", "env": "staging"}, nil)).Mode)
	assert.Equal(t, ModeTriage, rt.Route(group(map[string]string{"alertname": "A", "team": "qa"}, nil)).Mode)
}

func TestRouterChecksSeverityNames(t *testing.T) {
	c := validConfig()
	c.Routes[0].Severity = "sev1"
	c.Routes[1].SeverityMap["warn"] = "low"
	_, err := NewRouter(c, severities)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `alerts.routes[0].severity: "sev1" is not a configured severity: use one of critical, major, minor`)
	assert.Contains(t, err.Error(), `alerts.routes[1].severity_map.warn: "low" is not a configured severity`)
}

func TestRouterTitles(t *testing.T) {
	labels := map[string]string{"alertname": "HighErrorRate", "service": "checkout"}
	for _, tc := range []struct {
		name     string
		template string
		n        Notification
		want     string
	}{
		{"template", `{{ .CommonLabels.service }}: {{ len .Alerts }} alerts`, group(labels, nil), "checkout: 1 alerts"},
		{"template over a missing key falls back", `{{ .CommonAnnotations.nothing }}`, group(labels, map[string]string{"summary": "S"}), "S"},
		{"failing template falls back", `{{ index .Alerts 5 }}`, group(labels, map[string]string{"summary": "S"}), "S"},
		{"runaway template falls back", `{{ range $i, $_ := .Alerts }}{{ range $.Alerts }}` + strings.Repeat("x", 5000) + `{{ end }}{{ end }}`, group(labels, nil), "HighErrorRate"},
		{"Grafana's title", ``, Notification{Title: "[FIRING:1] Memory", GroupLabels: labels}, "[FIRING:1] Memory"},
		{"group labels", ``, Notification{GroupLabels: map[string]string{"alertname": "HighErrorRate", "service": "checkout", "zone": "eu"}}, "HighErrorRate (service=checkout, zone=eu)"},
		{"nothing at all", ``, Notification{Source: SourceGrafana}, "Alerts from grafana"},
		{"one line, cut", `{{ .CommonAnnotations.summary }}`, group(labels, map[string]string{"summary": "a\n\nb " + strings.Repeat("y", 300)}), "a b " + strings.Repeat("y", 143) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Routes: []RouteConfig{{Mode: "triage", Title: tc.template}}}
			rt, err := NewRouter(c, severities)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rt.Route(tc.n).Title)
		})
	}
}
