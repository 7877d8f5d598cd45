package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// closedAddr is an address where nothing listens (port 1 needs root to
// bind, and nothing here does): a call there fails at once.
const closedAddr = "127.0.0.1:1"

// hermetic makes the verbs run with no configuration but what it sets, no
// incidentflow dev to find in their data dir (a fresh one, dataDir) and
// Slack and the front door at closedAddr, so that a verb whose flags pass
// its checks fails at once without reaching anything.
func hermetic(t testing.TB, dataDir string) {
	t.Helper()
	clearEnv(t)
	for name, value := range map[string]string{
		"INCIDENTFLOW_DEV_DATA_DIR":    dataDir,
		"INCIDENTFLOW_SLACK_BOT_TOKEN": "xoxb-hermetic",
		"INCIDENTFLOW_SLACK_API_URL":   "http://" + closedAddr + "/api/",
		"INCIDENTFLOW_HTTP_LISTEN":     closedAddr,
		"INCIDENTFLOW_LOG_LEVEL":       "error",
	} {
		t.Setenv(name, value)
	}
}

// clearEnv unsets every INCIDENTFLOW_* variable, restored after the test.
func clearEnv(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, value, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "INCIDENTFLOW_") {
			t.Setenv(name, value) // registers the restore
			if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// runVerb runs the CLI with args and returns its exit code and standard
// error.
func runVerb(args []string) (int, string) {
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := run(ctx, args, &out, &errOut)
	return code, errOut.String()
}

// TestFlagRefusalsSayWhatIsWrong: every flag a verb refuses is refused in
// one line that names it and says what is wrong with it (missing, or given
// but not of its kind), before the verb reaches Temporal or Slack.
func TestFlagRefusalsSayWhatIsWrong(t *testing.T) {
	dataDir := t.TempDir()
	hermetic(t, dataDir)
	t.Chdir(t.TempDir())
	const (
		incidentID = "the ID `incidentflow declare` or `incidentflow list` printed, e.g. k7d3m2qa"
		windowID   = "the ID `incidentflow maintenance schedule` or `list` printed, e.g. db-upgrade-x7k2m"
		idRule     = "IDs are lowercase letters, digits, - and _ (at most 64)"
		severities = "one of the severities of the worker's configuration (by default critical, major, minor)"
		statuses   = "investigating, identified, monitoring, mitigated"
	)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"update", "--status", "identified", "--text", "t"}, "incidentflow update: --incident is required: " + incidentID},
		{[]string{"update", "--incident", "x y", "--status", "identified", "--text", "t"}, `incidentflow update: --incident "x y" isn't an ID: ` + idRule + "; give " + incidentID},
		{[]string{"status", "--incident", "INC-1"}, `incidentflow status: --incident "INC-1" isn't an ID: ` + idRule + "; give " + incidentID},
		{[]string{"update", "--incident", "k7d3m2qa", "--text", "t"}, "incidentflow update: --status is required: one of " + statuses},
		{[]string{"update", "--incident", "k7d3m2qa", "--status", "fixed", "--text", "t"}, `incidentflow update: --status: unknown status "fixed": use one of ` + statuses + " (resolve with the resolve command)"},
		{[]string{"update", "--incident", "k7d3m2qa", "--status", "identified"}, "incidentflow update: --text is required: say what changed"},
		{[]string{"update", "--incident", "k7d3m2qa", "--status", "identified", "--text", "t", "--next", "-5m"},
			"incidentflow update: --next -5m0s isn't a time to the next update: give 1m to 24h, e.g. --next 30m (leave it out for the severity's cadence)"},
		{[]string{"update", "--incident", "k7d3m2qa", "--status", "identified", "--text", "t", "--next", "48h"},
			"incidentflow update: --next 48h0m0s isn't a time to the next update: give 1m to 24h, e.g. --next 30m (leave it out for the severity's cadence)"},
		{[]string{"declare", "--title", "Checkout is down"}, "incidentflow declare: --severity is required: " + severities},
		{[]string{"declare", "--severity", "critical"}, "incidentflow declare: --title is required: say what is broken in a few words"},
		{[]string{"severity", "--incident", "k7d3m2qa"}, "incidentflow severity: --to is required: " + severities},
		{[]string{"resolve", "--incident", "k7d3m2qa"}, "incidentflow resolve: --summary is required: say how it was resolved"},
		{[]string{"maintenance", "cancel"}, "incidentflow maintenance: --id is required: " + windowID},
		{[]string{"maintenance", "status", "--id", "db upgrade"}, `incidentflow maintenance: --id "db upgrade" isn't an ID: ` + idRule + "; give " + windowID},
		{[]string{"maintenance", "promote", "--id", "db-upgrade-x7k2m"}, "incidentflow maintenance: --severity is required: " + severities},
		{[]string{"maintenance", "schedule", "--title", "DB upgrade", "--lead", "bob"},
			`incidentflow maintenance: --lead "bob" isn't a Slack user ID: give one like U0123ABCDEF (Slack profile → ⋮ → Copy member ID)`},
		{[]string{"maintenance", "schedule", "--title", "DB upgrade", "--recurrence", "daily"},
			`incidentflow maintenance: --recurrence: unknown recurrence "daily": use none, weekly, monthly or cron:<expression> (e.g. "cron:0 2 * * 2" for Tuesdays at 02:00)`},
		{[]string{"maintenance", "frobnicate"},
			`incidentflow maintenance: unknown subcommand "frobnicate": use schedule | list | cancel | status | complete | promote (incidentflow maintenance --help describes them)`},
		{[]string{"setup", "--retention", "0s"}, "incidentflow setup: --retention 0s is too short: Temporal keeps closed workflows at least 1h; the default is 720h"},
		{[]string{"alert", "fire", "--labels", "alertname=HighErrorRate", "--url", "localhost:3000"},
			`incidentflow alert: --url "localhost:3000" isn't an http(s) URL: give the front door's base URL, e.g. http://127.0.0.1:3000`},
		{[]string{"update", "--bogus\nflag"}, `incidentflow update: unknown flag: --bogus\nflag (incidentflow update --help lists the flags)`},
		{[]string{"declare", "--title", "x", "--severity", "critical", "--as", "root\n"},
			`incidentflow declare: --as "root\n": is neither a Slack user ID (U…/W…) nor an email: give your Slack user ID or the email of your Slack account`},
		{[]string{"serve", "--listen", "nowhere"},
			"incidentflow serve: invalid configuration:\n  --listen: \"nowhere\" is not allowed: an address to listen on as host:port, e.g. 127.0.0.1:3000 or :3000"},
	}
	for _, tt := range tests {
		code, stderr := runVerb(tt.args)
		if code == 0 || stderr != tt.want+"\n" {
			t.Errorf("incidentflow %q: exit %d, stderr\n%s\nwant\n%s", tt.args, code, stderr, tt.want)
		}
	}

	// Flags that pass their checks get as far as looking for Temporal.
	for _, args := range [][]string{
		{"update", "--incident", "k7d3m2qa", "--status", "identified", "--text", "t", "--next", "30m"},
		{"maintenance", "promote", "--id", "db-upgrade-x7k2m", "--severity", "critical"},
	} {
		if code, stderr := runVerb(args); code == 0 || !strings.Contains(stderr, "incidentflow dev isn't running with data dir "+dataDir) {
			t.Errorf("incidentflow %q: exit %d, stderr %q; want it to look for dev in %s", args, code, stderr, dataDir)
		}
	}
}
