package alert

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Source names who sent a notification. It names the endpoint too
// (POST /alerts/<source>) and the token's config key
// (alerts.sources.<source>.token).
type Source string

// The sources the alert door accepts.
const (
	SourceAlertmanager Source = "alertmanager"
	SourceGrafana      Source = "grafana"
	SourceWebhook      Source = "webhook"
)

// Sources lists every source, in the order the documentation names them.
var Sources = []Source{SourceAlertmanager, SourceGrafana, SourceWebhook}

// Known reports whether s is one of Sources.
func (s Source) Known() bool { return slices.Contains(Sources, s) }

// useKnownSources is what the refusal of an unknown source tells to do.
const useKnownSources = "use alertmanager, grafana or webhook"

// UnknownSourceError is the refusal of a source that isn't one of Sources.
func UnknownSourceError(name string) error {
	return fmt.Errorf("unknown alert source %q: %s", name, useKnownSources)
}

// Status says whether an alert, or a whole notification, is firing or
// resolved. A notification is resolved only when all its alerts are.
type Status string

// The statuses of alerts and notifications.
const (
	Firing   Status = "firing"
	Resolved Status = "resolved"
)

func (s Status) valid() bool { return s == Firing || s == Resolved }

// Notification is one delivery from an alert source about one group of
// alerts, normalised and bounded (see MaxEncodedSize) so that it can travel
// as a Temporal payload. Field names follow Alertmanager's template data, so
// a route's title template reads like an Alertmanager one:
// "{{ .CommonAnnotations.summary }}".
type Notification struct {
	Source Source `json:"source"`
	// GroupKey is the sender's group key (the webhook's key); one longer
	// than the bound is replaced by its SHA-256, which keeps it unique.
	GroupKey string `json:"group_key"`
	// Receiver is the Alertmanager receiver or Grafana contact point.
	Receiver string `json:"receiver,omitempty"`
	Status   Status `json:"status"`

	GroupLabels       map[string]string `json:"group_labels,omitempty"`
	CommonLabels      map[string]string `json:"common_labels,omitempty"`
	CommonAnnotations map[string]string `json:"common_annotations,omitempty"`
	ExternalURL       string            `json:"external_url,omitempty"`

	// OrgID, State, Title and Message are sent by Grafana only.
	OrgID   int64  `json:"org_id,omitempty"`
	State   string `json:"state,omitempty"`
	Title   string `json:"title,omitempty"`
	Message string `json:"message,omitempty"`

	// Alerts are the alerts kept, firing ones first, then by start time and
	// fingerprint.
	Alerts []Alert `json:"alerts"`
	// Truncated counts the alerts of the group that are not in Alerts: those
	// the sender left out (truncatedAlerts) and those over MaxAlerts or the
	// size budget.
	Truncated int `json:"truncated,omitempty"`
}

// Alert is one alert of a notification.
type Alert struct {
	// Fingerprint identifies the alert within its group (the sender's, or a
	// hash of its labels when the sender gave none).
	Fingerprint string            `json:"fingerprint"`
	Status      Status            `json:"status"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	StartsAt    time.Time         `json:"starts_at"`
	// EndsAt is when a resolved alert ended; senders often give a firing
	// alert a zero or a future EndsAt.
	EndsAt       time.Time `json:"ends_at"`
	GeneratorURL string    `json:"generator_url,omitempty"`
	// DashboardURL, PanelURL, SilenceURL and Values are sent by Grafana
	// only. URLs that are not http or https are dropped.
	DashboardURL string             `json:"dashboard_url,omitempty"`
	PanelURL     string             `json:"panel_url,omitempty"`
	SilenceURL   string             `json:"silence_url,omitempty"`
	Values       map[string]float64 `json:"values,omitempty"`
}

// Name is the alert's alertname label.
func (a Alert) Name() string { return a.Labels["alertname"] }

// firingOf returns the alerts of alerts that fire, in order.
func firingOf(alerts []Alert) []Alert {
	var out []Alert
	for _, a := range alerts {
		if a.Status == Firing {
			out = append(out, a)
		}
	}
	return out
}

// Key is the identity of the notification's alert group: its source,
// receiver and group key. Every notification about the same group has the
// same Key, whichever replica or clustered Alertmanager sent it, so
// IncidentID(n.Key()) names one incident per group.
func (n Notification) Key() string {
	// A JSON list keeps the three parts apart whatever they contain.
	b, _ := json.Marshal([]string{string(n.Source), n.Receiver, n.GroupKey})
	return string(b)
}
