package worker

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// The worker hands its workflows the process of its own configuration.
func TestTheWorkersProcessIsItsConfigurations(t *testing.T) {
	file := filepath.Join(t.TempDir(), "incidentflow.yaml")
	yaml := "slack: {bot_token: xoxb-test}\n" +
		"severities:\n  - {name: critical, update_every: 15m, leads: [U0ERIN]}\n  - {name: sev0, update_every: 1h}\n" +
		"broadcast_channels: [status-updates]\n"
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
	if got := p.SeverityNames(); len(got) != 2 || got[0] != "critical" || got[1] != "sev0" {
		t.Errorf("severities %v, want critical, sev0", got)
	}
	if leads := p.Leads(incident.Critical, ""); len(leads) != 1 || leads[0] != "U0ERIN" {
		t.Errorf("critical leads %v, want U0ERIN", leads)
	}
	if len(p.BroadcastChannels) != 1 || p.BroadcastChannels[0] != "status-updates" {
		t.Errorf("broadcast channels %v, want status-updates", p.BroadcastChannels)
	}
}
