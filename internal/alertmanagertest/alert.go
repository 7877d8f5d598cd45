package alertmanagertest

import "time"

// Alert is one alert for POST /api/v2/alerts (postableAlert in
// Alertmanager's OpenAPI spec). A zero StartsAt means now; an EndsAt in the
// past resolves the alert.
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}
