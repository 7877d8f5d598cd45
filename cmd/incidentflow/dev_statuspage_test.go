package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/statuspageemu"
)

// Without statuspage.api_key, dev serves the Statuspage sandbox, with the
// components the services name, and points the configuration at it.
func TestDevServesTheStatusPageSandbox(t *testing.T) {
	clearEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("INCIDENTFLOW_DEV_STATUSPAGE_PORT", fmt.Sprint(freePort(t)))
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Services = map[string]config.Service{"checkout": {StatusPageComponents: []string{"cmpcheckout01", "cmpledger0001"}}}
	emu, err := startStatusPageSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if !cfg.Process().StatusPage || cfg.StatusPage.APIURL != emu.URL() || cfg.StatusPage.APIKey != statuspageemu.SandboxAPIKey {
		t.Fatalf("the configuration isn't pointed at the sandbox: %+v", cfg.StatusPage)
	}
	resp, err := http.Get(emu.URL() + "/_emu/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st statuspageemu.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range st.Components {
		names = append(names, c.ID+"="+c.Name)
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "cmpcheckout01=Checkout") || !strings.Contains(got, "cmpledger0001=checkout") {
		t.Errorf("sandbox components %s", got)
	}
	var banner bytes.Buffer
	describeStatusPage(&banner, emu)
	if !strings.Contains(banner.String(), "Statuspage sandbox "+emu.URL()) {
		t.Errorf("banner %q", banner.String())
	}

	real, _ := config.Load("", nil)
	real.StatusPage.APIKey = "a-real-key"
	if emu, err := startStatusPageSandbox(real); emu != nil || err != nil {
		t.Errorf("with a key, no sandbox: %v %v", emu, err)
	}
}
