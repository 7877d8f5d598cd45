package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// defaultConfig is the configuration a first run gets, whatever files or
// INCIDENTFLOW_* variables the machine has: the bench must not depend on
// them.
func defaultConfig() (*config.Config, error) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, config.EnvPrefix+"_") {
			_ = os.Unsetenv(k)
		}
	}
	empty := filepath.Join(os.TempDir(), "incidentflow-bench-empty.yaml")
	if err := os.WriteFile(empty, []byte("{}\n"), 0o644); err != nil {
		return nil, err
	}
	return config.Load(empty, nil)
}

// benchProcess is the process every figure's incidents run under: the
// defaults, plus what a team typically configures and what makes a war
// room do its full work: two leads invited at critical, a handbook and the
// Temporal Web UI page bookmarked, announcements in #incidents and status
// updates broadcast to #general. Severity "bench" reminds every cadence.
func benchProcess(cadence time.Duration) (incident.Process, error) {
	cfg, err := defaultConfig()
	if err != nil {
		return incident.Process{}, err
	}
	p := cfg.Process()
	for i := range p.Severities {
		if p.Severities[i].Name == incident.Critical {
			p.Severities[i].Leads = []string{slackemu.UserBob, slackemu.UserCarol}
		}
	}
	if cadence <= 0 {
		cadence = 15 * time.Minute
	}
	// Config files can't say less than a minute; the workflow takes any
	// duration in its input.
	p.Severities = append(p.Severities, incident.SeverityPolicy{
		Name: benchSeverity, Description: "bench: reminders every " + cadence.String(), UpdateEvery: cadence,
		Leads: []string{slackemu.UserBob, slackemu.UserCarol},
	})
	p.Docs = []incident.Doc{{Title: "Incident handbook", URL: "https://example.com/handbook"}}
	p.AnnounceChannels = []string{"incidents"}
	p.BroadcastChannels = []string{"general"}
	p.WebUIURL = "http://" + devserver.DefaultUIAddr
	return p, nil
}
