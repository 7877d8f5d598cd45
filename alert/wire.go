package alert

import "time"

// AlertmanagerMessage is the body of an Alertmanager webhook, payload
// version "4", as the parsers read it and the CLI and the benchmark write
// it: Message in notify/webhook/webhook.go embedding Data from
// template/template.go of github.com/prometheus/alertmanager. Grafana's
// webhook contact point sends the same shape (version "1") plus orgId,
// title, state and message (webhookMessage in Grafana's alerting
// receivers/webhook package).
//
// The types are written here instead of imported because the template
// package links Alertmanager's whole web UI (its generated assets) and, in
// releases newer than v0.25.0, upgrades gRPC, OpenTelemetry, protobuf and
// golang.org/x modules under the Temporal server this repository pins.
type AlertmanagerMessage struct {
	Version           string              `json:"version"`
	GroupKey          string              `json:"groupKey"`
	TruncatedAlerts   uint64              `json:"truncatedAlerts"`
	Receiver          string              `json:"receiver"`
	Status            string              `json:"status"`
	Alerts            []AlertmanagerAlert `json:"alerts"`
	GroupLabels       map[string]string   `json:"groupLabels"`
	CommonLabels      map[string]string   `json:"commonLabels"`
	CommonAnnotations map[string]string   `json:"commonAnnotations"`
	ExternalURL       string              `json:"externalURL"`

	// Grafana only; left out of what Alertmanager sends.
	OrgID   int64  `json:"orgId,omitempty"`
	Title   string `json:"title,omitempty"`
	State   string `json:"state,omitempty"`
	Message string `json:"message,omitempty"`
}

// AlertmanagerAlert is one alert of an AlertmanagerMessage: Alert in Alertmanager's
// template/template.go, plus ExtendedAlert's URLs and values from Grafana.
type AlertmanagerAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`

	// Grafana only; left out of what Alertmanager sends.
	SilenceURL   string             `json:"silenceURL,omitempty"`
	DashboardURL string             `json:"dashboardURL,omitempty"`
	PanelURL     string             `json:"panelURL,omitempty"`
	Values       map[string]float64 `json:"values,omitempty"`
}

// wireWebhook is the body of POST /alerts/webhook, incidentflow's own small
// format for senders that are neither Alertmanager nor Grafana:
//
//	{
//	  "key": "checkout-latency",      // required: one incident per key
//	  "status": "firing",             // required: firing or resolved
//	  "title": "Checkout p99 above 2s", // required when firing
//	  "severity": "critical",         // optional label, for routes
//	  "service": "checkout",          // optional label, for routes
//	  "summary": "p99 2.4s for 10m",  // optional
//	  "url": "https://grafana.example/d/checkout" // optional http(s) link
//	}
//
// Unknown fields are refused, so that a misspelt one is noticed.
type wireWebhook struct {
	Key      string `json:"key"`
	Status   string `json:"status"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Service  string `json:"service"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}
