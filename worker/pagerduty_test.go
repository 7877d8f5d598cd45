package worker

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
)

// The worker's PagerDuty activities page with each service's own routing
// key and the default otherwise, while the process the workflows get says
// only which services can be paged: no key reaches Temporal.
func TestTheWorkerPagesWithItsOwnKeys(t *testing.T) {
	emu := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{})
	const checkoutKey, defaultKey = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	yaml := "slack: {bot_token: xoxb-test}\n" +
		"severities:\n  - {name: critical, update_every: 15m}\n  - {name: major, update_every: 30m, page: true}\n  - {name: minor, update_every: 30m}\n" +
		"paging:\n  pagerduty:\n    routing_key: " + defaultKey + "\n    token: " + pagerdutyemu.SandboxToken + "\n" +
		"    events_url: " + emu.URL() + "\n    api_url: " + emu.URL() + "\n" +
		"services:\n  checkout:\n    pagerduty_routing_key: " + checkoutKey + "\n    pagerduty_escalation_policy: " + pagerdutyemu.SandboxEscalationPolicy + "\n  search: {}\n"
	file := filepath.Join(t.TempDir(), "incidentflow.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := NewActivities(cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := acts.Process.WorkerProcess(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !p.Paging || !p.Services["checkout"].Paged || p.Services["search"].Paged || !p.Services["checkout"].OnCall {
		t.Errorf("process paging facts: Paging %v, services %+v", p.Paging, p.Services)
	}
	if !p.PagesOn("critical", "") || !p.PagesOn("major", "search") || p.PagesOn("minor", "checkout") {
		t.Errorf("severities[].page: critical %v, major %v, minor %v; want true, true, false", p.PagesOn("critical", ""), p.PagesOn("major", "search"), p.PagesOn("minor", "checkout"))
	}
	raw, _ := json.Marshal(p)
	for _, secret := range []string{checkoutKey, defaultKey, pagerdutyemu.SandboxToken} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the process handed to workflows holds a PagerDuty key %q", secret)
		}
	}
	for _, svc := range []string{"checkout", "search"} {
		if _, err := acts.PagerDuty.Page(context.Background(), activities.PageRequest{IncidentID: "abc", Service: svc,
			DedupKey: "incidentflow/abc/" + svc, Summary: "Checkout is down", Severity: "critical"}); err != nil {
			t.Fatal(err)
		}
	}
	alerts := emu.Alerts()
	if len(alerts) != 2 || alerts[0].RoutingKey != checkoutKey || alerts[1].RoutingKey != defaultKey {
		t.Errorf("alerts = %+v, want checkout's key then the default", alerts)
	}
	res, err := acts.PagerDuty.OnCall(context.Background(), activities.OnCallRequest{Service: "checkout"})
	if err != nil || len(res.People) == 0 {
		t.Errorf("on call for checkout: %+v, %v", res, err)
	}
}
