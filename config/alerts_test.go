package config_test

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

// TestAlertsFromFileAndEnvironment: routes come from the file; a source's
// token may come from the environment alone; a source left out stays out.
func TestAlertsFromFileAndEnvironment(t *testing.T) {
	t.Setenv("INCIDENTFLOW_ALERTS_SOURCES_ALERTMANAGER_TOKEN", "am-token-0123456789abcdef")
	path := writeConfig(t, `
alerts:
  post_every: 2m
  routes:
    - matchers: ['service="checkout"', 'severity=~"critical|page"']
      service: checkout
      severity: critical
      mode: declare
`)
	c := mustLoad(t, path, nil)
	if got := c.Alerts.Sources["alertmanager"].Token; got != "am-token-0123456789abcdef" {
		t.Errorf("alertmanager token = %q, want the environment's", got)
	}
	if _, ok := c.Alerts.Sources["grafana"]; ok {
		t.Error("grafana is configured though nothing set it")
	}
	if len(c.Alerts.Routes) != 1 || c.Alerts.Routes[0].Mode != "declare" || len(c.Alerts.Routes[0].Matchers) != 2 {
		t.Errorf("routes = %+v", c.Alerts.Routes)
	}
	if c.Alerts.PostInterval().Minutes() != 2 || c.Alerts.ReopenWindow().Hours() != 1 || c.Alerts.Channel() != "alerts-triage" {
		t.Errorf("settings: post every %s, reopen within %s, triage in %s", c.Alerts.PostInterval(), c.Alerts.ReopenWindow(), c.Alerts.Channel())
	}
}

// TestAlertsProblemsNameTheirKeys: a bad matcher, an unknown severity and a
// short token are each reported with their key.
func TestAlertsProblemsNameTheirKeys(t *testing.T) {
	path := writeConfig(t, `
alerts:
  sources:
    grafana: {token: short}
  routes:
    - matchers: ['service=~"(unclosed"']
      severity: apocalyptic
`)
	_, err := config.Load(path, nil)
	if err == nil {
		t.Fatal("loaded a bad alerts configuration")
	}
	for _, want := range []string{"alerts.sources.grafana.token", "alerts.routes[0].matchers[0]", "alerts.routes[0].severity"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error doesn't name %s:\n%v", want, err)
		}
	}
}
