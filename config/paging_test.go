package config_test

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

// loadErr loads body as the configuration file and returns Load's error.
func loadErr(t *testing.T, body string) (*config.Config, error) {
	t.Helper()
	return config.Load(writeConfig(t, body), nil)
}

func TestPagingKeysLoadAndConvert(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_PAGING_PAGERDUTY_TOKEN", "u+abcdefghij")
	c := mustLoad(t, writeConfig(t, `
severities:
  - {name: critical, update_every: 15m, page: false}
  - {name: major, update_every: 30m, page: true}
  - {name: minor, update_every: 30m}
paging:
  pagerduty:
    routing_key: 0123456789abcdef0123456789abcdef
    webhook_secret: a-long-enough-webhook-secret
    escalation_policy: PT20YPA
services:
  checkout:
    pagerduty_routing_key: fedcba9876543210fedcba9876543210
    pagerduty_escalation_policy: PCHK001
  search: {}
`), nil)
	if c.Paging.PagerDuty.Token != "u+abcdefghij" {
		t.Errorf("token from the environment = %q", c.Paging.PagerDuty.Token)
	}
	p := c.Process()
	if p.Severities[0].Page || !p.Severities[1].Page || p.Severities[2].Page {
		t.Errorf("page = %v %v %v, want false, true, false (as set; minor unset)", p.Severities[0].Page, p.Severities[1].Page, p.Severities[2].Page)
	}
	if !p.Paging || !p.OnCallLookup || !p.Services["checkout"].Paged || !p.Services["checkout"].OnCall || p.Services["search"].Paged {
		t.Errorf("paging facts: %+v %+v", p, p.Services)
	}
}

func TestPagingKeysValidated(t *testing.T) {
	isolate(t)
	_, err := loadErr(t, `
paging:
  pagerduty:
    routing_key: not-a-key
    webhook_secret: short
    token: "has space"
    escalation_policy: "pt20ypa"
    events_url: ftp://events
services:
  checkout:
    pagerduty_routing_key: "0123"
    pagerduty_escalation_policy: "bad id"
`)
	if err == nil {
		t.Fatal("bad paging keys were accepted")
	}
	for _, key := range []string{"paging.pagerduty.routing_key", "paging.pagerduty.webhook_secret", "paging.pagerduty.token",
		"paging.pagerduty.escalation_policy", "paging.pagerduty.events_url", "services.checkout.pagerduty_routing_key",
		"services.checkout.pagerduty_escalation_policy"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("no problem named %s in:\n%v", key, err)
		}
	}
	// The sandbox's key is accepted.
	if _, err := loadErr(t, "paging: {pagerduty: {routing_key: sandbox-routing-key}}\n"); err != nil {
		t.Errorf("sandbox routing key refused: %v", err)
	}
}
