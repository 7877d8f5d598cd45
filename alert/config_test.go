package alert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func validConfig() Config {
	return Config{
		Sources: map[string]SourceConfig{
			"alertmanager": {Token: "am-0123456789abcdef"},
			"grafana":      {Token: "gf-0123456789abcdef"},
			"webhook":      {Token: "wh-0123456789abcdef"},
		},
		TriageChannel: "alerts-triage",
		ReopenWithin:  "1h",
		PostEvery:     "5m",
		Routes: []RouteConfig{
			{Matchers: []string{`service="checkout"`, `severity=~"critical|page"`}, Service: "checkout", Severity: "critical", Mode: "declare", Title: "{{ .CommonAnnotations.summary }}"},
			{Matchers: []string{`team="payments"`}, SeverityLabel: "severity", SeverityMap: map[string]string{"page": "critical", "warn": "minor"}, Mode: "declare"},
			{Matchers: []string{`alertname="Watchdog"`}, Mode: "ignore"},
		},
	}
}

func TestValidateAcceptsTheDocumentedShape(t *testing.T) {
	assert.Empty(t, validConfig().Validate(nil))
	assert.Empty(t, Config{}.Validate(nil), "no alerts configuration is valid: the door refuses every source")
}

func TestValidateNamesEachBadKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"unknown source", func(c *Config) { c.Sources["nagios"] = SourceConfig{Token: "0123456789abcdef0"} }, "alerts.sources.nagios: unknown source"},
		{"empty token", func(c *Config) { c.Sources["grafana"] = SourceConfig{} }, "alerts.sources.grafana.token: empty"},
		{"short token", func(c *Config) { c.Sources["webhook"] = SourceConfig{Token: "secret"} }, "alerts.sources.webhook.token: 6 characters is too guessable"},
		{"triage channel", func(c *Config) { c.TriageChannel = "#Alerts Triage" }, "alerts.triage_channel:"},
		{"reopen_within", func(c *Config) { c.ReopenWithin = "an hour" }, `alerts.reopen_within: "an hour" is not a duration`},
		{"post_every", func(c *Config) { c.PostEvery = "1s" }, `alerts.post_every: "1s" is too short: use at least 10s`},
		{"matcher", func(c *Config) { c.Routes[0].Matchers[1] = `severity=~"(critical"` }, "alerts.routes[0].matchers[1]:"},
		{"matcher syntax", func(c *Config) { c.Routes[2].Matchers = []string{`alertname=="Watchdog"`} }, "alerts.routes[2].matchers[0]:"},
		{"missing mode", func(c *Config) { c.Routes[0].Mode = "" }, "alerts.routes[0].mode: missing"},
		{"bad mode", func(c *Config) { c.Routes[0].Mode = "page" }, `alerts.routes[0].mode: "page": use declare, triage or ignore`},
		{"declare without severity", func(c *Config) { c.Routes[0].Severity = "" }, "alerts.routes[0]: mode declare needs severity"},
		{"map without label", func(c *Config) { c.Routes[1].SeverityLabel, c.Routes[1].Severity = "", "major" }, "alerts.routes[1].severity_map: needs severity_label"},
		{"title", func(c *Config) { c.Routes[0].Title = "{{ .CommonAnnotations.summary" }, "alerts.routes[0].title:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.change(&c)
			ps := c.Validate(nil)
			if assert.Len(t, ps, 1, "%q", ps) {
				assert.Contains(t, ps[0], tc.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	var c Config
	assert.Equal(t, DefaultPostEvery, c.PostInterval())
	assert.Equal(t, DefaultReopenWithin, c.ReopenWindow())
	assert.Equal(t, DefaultTriageChannel, c.Channel())
	assert.Equal(t, map[string]any{"alerts.triage_channel": "alerts-triage", "alerts.reopen_within": time.Hour, "alerts.post_every": 5 * time.Minute}, Defaults())

	c = validConfig()
	c.PostEvery, c.ReopenWithin = "90s", "0s"
	assert.Equal(t, 90*time.Second, c.PostInterval())
	assert.Zero(t, c.ReopenWindow(), "0 means never reopen")
	assert.Equal(t, "wh-0123456789abcdef", c.Tokens()["webhook"])
}
