package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
)

// startPagerDutySandbox starts the PagerDuty sandbox when
// paging.pagerduty.routing_key is empty and points cfg at it: pages go to
// its Events API with the sandbox routing key, who is on call comes from
// its REST API (its fixtures' escalation policy PSANDBX unless one is
// configured), and its webhooks go to the front door's /pagerduty/webhook,
// signed with a secret made for this run (or the configured one). It
// returns nil when a real routing key is configured.
func startPagerDutySandbox(cfg *config.Config) (*pagerdutyemu.Server, error) {
	pd := &cfg.Paging.PagerDuty
	if pd.RoutingKey != "" {
		return nil, nil
	}
	if pd.WebhookSecret == "" {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("making the PagerDuty sandbox's webhook secret: %w", err)
		}
		pd.WebhookSecret = hex.EncodeToString(secret)
	}
	emu := pagerdutyemu.New(pagerdutyemu.Options{
		StateFile:     filepath.Join(cfg.Dev.DataDir, "pagerduty-sandbox.json"),
		WebhookURL:    "http://" + cfg.HTTP.Listen + "/pagerduty/webhook",
		WebhookSecret: pd.WebhookSecret,
	})
	if err := emu.StateFileError(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
	addr := devserver.LoopbackAddr(cfg.Dev.PagerDutyPort)
	if err := emu.Start(addr); err != nil {
		emu.Close()
		return nil, portHint(&devserver.PortInUseError{Role: "pagerduty", Addr: addr, Err: err})
	}
	pd.RoutingKey = pagerdutyemu.SandboxRoutingKey
	pd.EventsURL = emu.URL()
	if pd.APIURL == "" { // the sandbox plays the REST API too, unless one is named
		pd.APIURL, pd.Token = emu.URL(), pagerdutyemu.SandboxToken
	}
	if pd.EscalationPolicy == "" {
		pd.EscalationPolicy = pagerdutyemu.SandboxEscalationPolicy
	}
	return emu, nil
}

// describePagerDuty is the banner's line of the PagerDuty sandbox.
func describePagerDuty(out io.Writer, emu *pagerdutyemu.Server, policy string) {
	if emu == nil {
		return
	}
	fmt.Fprintf(out, "  PagerDuty sandbox %s  (state: %s/_emu/state, routing key %s, on call: escalation policy %s; its Acknowledge and Resolve buttons post signed webhooks to /pagerduty/webhook)\n",
		emu.URL(), emu.URL(), pagerdutyemu.SandboxRoutingKey, policy)
}
