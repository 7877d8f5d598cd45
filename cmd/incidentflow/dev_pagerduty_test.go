package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
	"github.com/incidentflow/incidentflow/worker"
)

func sandboxConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	clearEnv(t)
	t.Chdir(t.TempDir())
	for _, k := range []string{"SLACK", "GITHUB", "PAGERDUTY"} {
		t.Setenv("INCIDENTFLOW_DEV_"+k+"_PORT", fmt.Sprint(freePort(t)))
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDevServesAPagerDutySandbox: with no routing key, dev serves the
// PagerDuty sandbox, pages and asks who is on call there, and signs its
// webhooks to the front door with a secret of its own.
func TestDevServesAPagerDutySandbox(t *testing.T) {
	cfg := sandboxConfig(t, nil)
	s, err := startSandboxes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	pd := cfg.Paging.PagerDuty
	if s.pagerduty == nil || pd.RoutingKey != pagerdutyemu.SandboxRoutingKey || pd.EventsURL != s.pagerduty.URL() ||
		pd.APIURL != s.pagerduty.URL() || pd.Token != pagerdutyemu.SandboxToken || pd.EscalationPolicy != pagerdutyemu.SandboxEscalationPolicy {
		t.Fatalf("paging config in dev = %+v", pd)
	}
	if len(pd.WebhookSecret) != 64 {
		t.Errorf("webhook secret %q, want 64 hex characters made for this run", pd.WebhookSecret)
	}
	if want := "http://" + cfg.HTTP.Listen + "/pagerduty/webhook"; s.pagerduty.State().Webhook != want {
		t.Errorf("the sandbox's webhooks go to %q, want %q", s.pagerduty.State().Webhook, want)
	}
	var banner bytes.Buffer
	s.describe(&banner)
	if !strings.Contains(banner.String(), "PagerDuty sandbox "+s.pagerduty.URL()) || strings.Contains(banner.String(), pd.WebhookSecret) {
		t.Errorf("banner:\n%s", banner.String())
	}
	if !cfg.Process().Paging || !cfg.Process().OnCallLookup {
		t.Error("the process of dev does not say paging is configured")
	}
	acts := worker.NewPagerDuty(cfg)
	res, err := acts.Page(context.Background(), activities.PageRequest{IncidentID: "abc", DedupKey: "incidentflow/abc", Summary: "Checkout is down", Severity: "critical"})
	if err != nil || res.RoutedBy != "the PagerDuty sandbox" {
		t.Fatalf("page in dev: %+v, %v", res, err)
	}
	if a := s.pagerduty.Alerts(); len(a) != 1 || a[0].DedupKey != "incidentflow/abc" {
		t.Errorf("sandbox alerts = %+v", a)
	}
	oc, err := acts.OnCall(context.Background(), activities.OnCallRequest{})
	if err != nil || len(oc.People) == 0 || oc.People[0].Email != "dave@example.com" {
		t.Errorf("on call in dev: %+v, %v", oc, err)
	}
}

// TestDevUsesAConfiguredRoutingKey: a configured routing key means the
// real PagerDuty: no sandbox, nothing changed.
func TestDevUsesAConfiguredRoutingKey(t *testing.T) {
	cfg := sandboxConfig(t, map[string]string{"INCIDENTFLOW_PAGING_PAGERDUTY_ROUTING_KEY": "0123456789abcdef0123456789abcdef"})
	s, err := startSandboxes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if s.pagerduty != nil || cfg.Paging.PagerDuty.EventsURL != "" || cfg.Paging.PagerDuty.WebhookSecret != "" {
		t.Errorf("with a routing key dev still played PagerDuty: %+v", cfg.Paging.PagerDuty)
	}
}

// pagerDutySandbox is the PagerDuty sandbox's URL, read from dev's banner.
func (d *devProcess) pagerDutySandbox(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`PagerDuty sandbox (http://\S+)`).FindStringSubmatch(d.out.String())
	if m == nil {
		t.Fatalf("dev's banner names no PagerDuty sandbox:\n%s", d.out.String())
	}
	return m[1]
}

// TestPagingAgainstDev: in dev, a critical incident pages the PagerDuty
// sandbox with its dedup key; acknowledging it on the sandbox's page posts
// a webhook signed with dev's own secret, which the front door takes
// (2xx) and the war room shows.
func TestPagingAgainstDev(t *testing.T) {
	d := startDev(t, t.TempDir())
	pd := d.pagerDutySandbox(t)
	id, channel, _ := d.declareRoom(t, "--title", "Checkout is down", "--severity", "critical")
	key := "incidentflow/" + id
	var st pagerdutyemu.State
	state := func() pagerdutyemu.State {
		_, body := get(t, pd+"/_emu/state")
		st = pagerdutyemu.State{}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("PagerDuty sandbox state: %v", err)
		}
		return st
	}
	waitFor(t, "the page", func() bool {
		for _, a := range state().Alerts {
			if a.DedupKey == key && a.Status == pagerdutyemu.StatusTriggered {
				return true
			}
		}
		return false
	})
	resp, err := http.PostForm(pd+"/_emu/acknowledge", url.Values{"dedup_key": {key}, "by": {"Dave Diaz"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, "the acknowledgement delivered to the front door", func() bool {
		for _, dl := range state().Deliveries {
			if dl.EventType == "incident.acknowledged" && dl.DedupKey == key && dl.Delivered {
				return true
			}
		}
		return false
	})
	waitFor(t, "the acknowledgement in the war room", func() bool {
		return d.warRoom(t, channel).hasMessage("page acknowledged by *Dave Diaz*")
	})
}

// TestDevNamesTheFlagOfABusyPagerDutyPort: a busy sandbox port is one line
// naming the flag that moves it.
func TestDevNamesTheFlagOfABusyPagerDutyPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := sandboxConfig(t, map[string]string{"INCIDENTFLOW_DEV_PAGERDUTY_PORT": fmt.Sprint(l.Addr().(*net.TCPAddr).Port)})
	if err := checkPorts(cfg); err == nil || !strings.Contains(err.Error(), "--pagerduty-port") {
		t.Errorf("checkPorts with the PagerDuty port busy: %v", err)
	}
	if _, err := startPagerDutySandbox(cfg); err == nil || !strings.Contains(err.Error(), "--pagerduty-port") {
		t.Errorf("the sandbox on a busy port: %v", err)
	}
}
