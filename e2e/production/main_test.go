// Package production_test is the end-to-end suite on the production
// topology: PostgreSQL, the Temporal server built from the module, and two
// `incidentflow worker` and two `incidentflow serve` processes started from
// the binary the way docker-compose.yml starts them (e2e/production/topology),
// with the Slack and GitHub emulators standing in for Slack and GitHub. One
// topology serves the whole package; the scenarios run in sequence.
//
//	go test ./e2e/production/
//
// Without PostgreSQL (initdb, pg_ctl) the suite skips, saying so, unless
// CI is set: then it fails. INCIDENTFLOW_PRODUCTION_KEEP=1 keeps the
// directory with every process's log; INCIDENTFLOW_PRODUCTION_COMPOSE=FILE
// runs the services of another compose file (a variant being tried).
package production_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/e2e/production/topology"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
)

// signingSecret is the Slack signing secret of the run (SLACK_SIGNING_SECRET).
const signingSecret = "production-e2e-signing-secret"

// githubRepo is GITHUB_REPO.
const githubRepo = "acme/incidents"

// cadence is how often the run's severities ask for a status update: the
// shortest a configuration file may say.
const cadence = time.Minute

// The run's shared state, set up by TestMain.
var (
	top       *topology.Topology
	slackEmu  *slackemu.Server
	githubEmu *githubemu.Server
	balancer  *topology.Balancer
	incidents *starter.Incidents
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "SKIP: e2e/production does not run with -short")
		return m.Run() // every test skips: need(t)
	}
	if code, ok := setUp(); !ok {
		return code
	}
	defer tearDown()
	return m.Run()
}

// need skips t when TestMain did not start the topology (-short).
func need(t *testing.T) {
	t.Helper()
	if top == nil {
		t.Skip("the production topology runs without -short")
	}
}

// workDir is the run's directory (PostgreSQL, binaries, logs).
var workDir string

// setUp starts the emulators and the topology. It returns ok=false with
// the exit code when the suite cannot run: 0 (skipped, with a message) on a
// developer's machine without PostgreSQL, 1 under CI or on any other
// failure.
func setUp() (int, bool) {
	ci := os.Getenv("CI") != ""
	if _, err := topology.FindPostgres(); err != nil {
		if ci {
			fmt.Fprintf(os.Stderr, "FAIL: e2e/production needs PostgreSQL under CI: %v\n", err)
			return 1, false
		}
		fmt.Fprintf(os.Stderr, "SKIP: e2e/production: %v\n", err)
		return 0, false
	}
	var err error
	if workDir, err = os.MkdirTemp("", "incidentflow-production-"); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := start(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: starting the production topology: %v\n(logs in %s)\n", err, workDir)
		tearDown()
		return 1, false
	}
	return 0, true
}

func start(ctx context.Context) error {
	slackEmu = slackemu.New(slackemu.Options{
		// Slack's limits are per workspace; each worker keeps its own
		// calls under them (per process), so two workers may together go
		// over and meet 429s, which they retry. The suite is about the
		// topology, not Slack's limits (bench/ and e2e/ measure those):
		// the emulator doesn't enforce them.
		DisableRateLimits: true,
	})
	if err := slackEmu.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("starting the Slack emulator: %w", err)
	}
	githubEmu = githubemu.New(githubemu.Options{})
	if err := githubEmu.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("starting the GitHub emulator: %w", err)
	}
	configFile, err := writeConfig(filepath.Join(workDir, "incidentflow.yaml"))
	if err != nil {
		return err
	}
	compose := os.Getenv("INCIDENTFLOW_PRODUCTION_COMPOSE") // a variant to try; default the repository's
	if compose == "" {
		compose = filepath.Join("..", "..", "docker-compose.yml")
	}
	compose, err = filepath.Abs(compose)
	if err != nil {
		return err
	}
	top, err = topology.Start(ctx, topology.Options{
		Dir: workDir, ComposeFile: compose,
		// The .env of the compose file's instructions.
		Vars: map[string]string{
			"SLACK_BOT_TOKEN":      slackemu.DefaultBotToken,
			"SLACK_SIGNING_SECRET": signingSecret,
			"GITHUB_TOKEN":         githubemu.SandboxToken,
			"GITHUB_REPO":          githubRepo,
			"CONFIG_FILE":          configFile,
		},
		// What stands in for Slack and GitHub.
		Env: map[string]string{
			"INCIDENTFLOW_SLACK_API_URL":   slackEmu.URL() + "/api/",
			"INCIDENTFLOW_GITHUB_BASE_URL": githubEmu.URL() + "/",
		},
		Logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, "topology: "+format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	var doors []string
	for _, s := range top.Serves {
		doors = append(doors, s.URL())
	}
	if balancer, err = topology.NewBalancer(doors); err != nil {
		return err
	}
	slackEmu.SetFrontDoor(balancer.URL(), signingSecret)
	incidents = &starter.Incidents{Client: top.Client, TaskQueue: top.TaskQueue}
	return nil
}

func tearDown() {
	if balancer != nil {
		balancer.Close()
	}
	if top != nil {
		top.Close()
	}
	if slackEmu != nil {
		slackEmu.Close()
	}
	if githubEmu != nil {
		githubEmu.Close()
	}
	if workDir != "" {
		if os.Getenv("INCIDENTFLOW_PRODUCTION_KEEP") != "" {
			fmt.Fprintf(os.Stderr, "e2e/production: logs kept in %s\n", workDir)
			return
		}
		_ = os.RemoveAll(workDir)
	}
}

// writeConfig writes the run's incidentflow.yaml (the compose file's
// CONFIG_FILE): incidentflow.example.yaml, which the compose file mounts by
// default, with every severity asking for an update every minute so that
// reminders fall due within the run.
func writeConfig(path string) (string, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "incidentflow.example.yaml"))
	if err != nil {
		return "", err
	}
	var conf map[string]any
	if err := yaml.Unmarshal(raw, &conf); err != nil {
		return "", fmt.Errorf("incidentflow.example.yaml: %w", err)
	}
	sevs, ok := conf["severities"].([]any)
	if !ok || len(sevs) == 0 {
		return "", errors.New("incidentflow.example.yaml lists no severities")
	}
	for _, s := range sevs {
		s.(map[string]any)["update_every"] = "1m" // cadence
	}
	out, err := yaml.Marshal(conf)
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, out, 0o644)
}
