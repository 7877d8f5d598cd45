package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// serverConfig is the configuration of the server in
// TestACLIWithoutAConfigurationDeclaresUnderTheServersProcess: a critical
// lead, a severity the defaults don't have (and none of theirs but
// critical), status updates broadcast.
const serverConfig = `severities:
  - {name: critical, update_every: 15m, leads: [U0ERIN]}
  - {name: sev0, update_every: 30m}
broadcast_channels: [status-updates]
`

// TestACLIWithoutAConfigurationDeclaresUnderTheServersProcess is issue 19's
// report: dev runs with a configuration on moved ports, and the CLI, with
// no configuration file of its own, declares. The war room follows the
// server's configuration (its critical lead is invited, its Web UI is
// bookmarked, updates are broadcast where it says), a severity only the
// server defines is one to declare with, and one it doesn't define is
// refused with a sentence naming those it does, before any war room opens.
func TestACLIWithoutAConfigurationDeclaresUnderTheServersProcess(t *testing.T) {
	dataDir := t.TempDir()
	configFile := filepath.Join(t.TempDir(), "incidentflow.yaml")
	if err := os.WriteFile(configFile, []byte(serverConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDev(t, dataDir, "--config", configFile)
	// The CLI finds dev through its data dir, and has no configuration.
	bare := func(args ...string) (string, int) {
		t.Helper()
		var out, errOut bytes.Buffer
		full := append([]string{args[0], "--data-dir", dataDir}, args[1:]...)
		code := run(context.Background(), full, &out, &errOut)
		return out.String() + errOut.String(), code
	}
	declared := regexp.MustCompile(`Declared incident (\S+): war room #(\S+) `)

	out, code := bare("declare", "--title", "Checkout is down", "--severity", "critical")
	m := declared.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("declare exited %d: %s", code, out)
	}
	id, room := m[1], m[2]
	if members := sandboxMembers(t, d, room); !slices.Contains(members, "U0ERIN") {
		t.Errorf("the server's critical lead isn't in #%s: %v", room, members)
	}
	waitFor(t, "the war room's bookmark of dev's Web UI, on its moved port", func() bool {
		return d.bookmarked(t, d.ui+"/namespaces/default/workflows/incident-"+id)
	})
	if out, code := bare("update", "--incident", id, "--status", "identified", "--text", "Bad deploy, rolling back"); code != 0 {
		t.Fatalf("update exited %d: %s", code, out)
	}
	waitFor(t, "the broadcast in #status-updates", func() bool {
		ch, _ := d.sandboxChannel(t, "status-updates")
		return ch.hasMessage("Bad deploy, rolling back")
	})

	if out, code := bare("declare", "--title", "Search is slow", "--severity", "sev0"); code != 0 || !declared.MatchString(out) {
		t.Errorf("declaring at the server's sev0 exited %d: %s", code, out)
	}

	channels := len(d.sandboxChannels(t))
	out, code = bare("declare", "--title", "Billing is down", "--severity", "major")
	if code != 1 || !strings.Contains(out, `was not declared: unknown severity "major": use one of critical, sev0`) {
		t.Errorf("declaring at a severity the server doesn't define exited %d: %s", code, out)
	}
	if strings.Contains(out, "type:") || strings.Contains(out, "retryable") {
		t.Errorf("the refusal prints Temporal's error details: %s", out)
	}
	if n := len(d.sandboxChannels(t)); n != channels {
		t.Errorf("the refused declaration opened a channel: %d channels, then %d", channels, n)
	}
}

// sandboxMembers are the members of the Slack sandbox's channel name.
func sandboxMembers(t *testing.T, d *devProcess, name string) []string {
	t.Helper()
	_, body := get(t, d.slack+"/_emu/state")
	var st struct {
		Channels []struct {
			Name    string   `json:"name"`
			Members []string `json:"members"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("Slack sandbox state: %v", err)
	}
	for _, ch := range st.Channels {
		if ch.Name == name {
			return ch.Members
		}
	}
	t.Fatalf("the Slack sandbox has no #%s", name)
	return nil
}
