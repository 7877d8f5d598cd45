package alertmanagertest

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Options configure the Alertmanager a test starts.
type Options struct {
	// WebhookURL receives every notification.
	WebhookURL string
	// Token is sent as Authorization: Bearer <Token>.
	Token string
	// GroupBy defaults to alertname and service.
	GroupBy []string
	// GroupWait (default 1s), GroupInterval (default 2s) and RepeatInterval
	// (default 1h) are the route's timings.
	GroupWait, GroupInterval, RepeatInterval time.Duration
	// MaxAlerts caps the alerts of one webhook delivery (0: all); the rest
	// are counted in truncatedAlerts.
	MaxAlerts int
}

// receiver is the one receiver of the generated configuration.
const receiver = "incidentflow"

// config renders o as an Alertmanager configuration file.
func (o Options) config() []byte {
	groupBy := o.GroupBy
	if len(groupBy) == 0 {
		groupBy = []string{"alertname", "service"}
	}
	type auth struct {
		Type        string `yaml:"type"`
		Credentials string `yaml:"credentials"`
	}
	type webhook struct {
		URL          string `yaml:"url"`
		SendResolved bool   `yaml:"send_resolved"`
		MaxAlerts    int    `yaml:"max_alerts"`
		HTTPConfig   struct {
			Authorization auth `yaml:"authorization"`
		} `yaml:"http_config"`
	}
	wh := webhook{URL: o.WebhookURL, SendResolved: true, MaxAlerts: o.MaxAlerts}
	wh.HTTPConfig.Authorization = auth{Type: "Bearer", Credentials: o.Token}
	cfg := map[string]any{
		"route": map[string]any{
			"receiver":        receiver,
			"group_by":        groupBy,
			"group_wait":      duration(o.GroupWait, time.Second),
			"group_interval":  duration(o.GroupInterval, 2*time.Second),
			"repeat_interval": duration(o.RepeatInterval, time.Hour),
		},
		"receivers": []map[string]any{{"name": receiver, "webhook_configs": []webhook{wh}}},
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		panic("alertmanagertest: the configuration does not marshal: " + err.Error())
	}
	return b
}

// duration writes d, or def when d is zero, in Alertmanager's duration
// syntax (whole milliseconds, e.g. 1500ms).
func duration(d, def time.Duration) string {
	if d == 0 {
		d = def
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}
