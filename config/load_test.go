package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// isolate unsets every INCIDENTFLOW_* variable (restored after the test) and
// moves into an empty directory, so neither the caller's environment nor a
// stray ./incidentflow.yaml leaks into Load.
func isolate(t *testing.T) {
	t.Helper()
	isolateEnv(t)
	t.Chdir(t.TempDir())
}

// isolateEnv unsets every INCIDENTFLOW_* variable, restored after the test.
func isolateEnv(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, config.EnvPrefix+"_") {
			t.Setenv(name, value) // registers the restore
			if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// writeConfig writes body to a fresh incidentflow.yaml and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "incidentflow.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, path string, fs *pflag.FlagSet) *config.Config {
	t.Helper()
	c, err := config.Load(path, fs)
	if err != nil {
		t.Fatalf("Load(%q): %v", path, err)
	}
	return c
}

func TestLoadDefaultsWithoutFile(t *testing.T) {
	isolate(t)
	c := mustLoad(t, "", nil)

	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("temporal", c.Temporal, config.Temporal{Namespace: "default", TaskQueue: "incidentflow",
		Codec: config.TemporalCodec{Keys: []string{}, CORSOrigins: []string{}}})
	check("slack", c.Slack, config.Slack{})
	check("github", c.GitHub, config.GitHub{})
	check("http.listen", c.HTTP.Listen, "127.0.0.1:3000")
	check("dev", c.Dev, config.Dev{DataDir: ".incidentflow", FrontendPort: 7233, UIPort: 8233, SlackPort: 3001, GitHubPort: 3002, PagerDutyPort: 3003, StatusPagePort: 3004})
	check("worker", c.Worker, config.Worker{MaxConcurrentActivities: 200, MaxConcurrentWorkflowTasks: 500, MaxCachedWorkflows: 10000, ShutdownGrace: "30s"})
	check("log", c.Log, config.Log{Level: "info", Format: "auto"})
	check("timeline", c.Timeline, config.Timeline{Reaction: "pushpin"})
	check("severities", c.Severities, []config.Severity{
		{Name: "critical", Description: "Customers can't use the service, or data is at risk", UpdateEvery: "15m"},
		{Name: "major", Description: "A major feature is broken or badly degraded", UpdateEvery: "30m"},
		{Name: "minor", Description: "A minor feature is degraded; a workaround exists", UpdateEvery: "30m"},
	})
	check("announce_channels", c.AnnounceChannels, []string{"incidents"})
	check("broadcast_channels", len(c.BroadcastChannels), 0)
	check("services", len(c.Services), 0)
	check("docs", len(c.Docs), 0)
	check("channel_name", c.ChannelName, incident.DefaultChannelTemplate)
	check("video_link", c.VideoLink, "")
	check("time_zone", c.TimeZone, "UTC")
	check("escalation", c.Escalation, config.Escalation{After: 2})
	check("retrospective.enabled", c.Retrospective.Enabled, true)
	check("retrospective.duration", c.Retrospective.Duration, "60m")
	check("retrospective.workday", [2]string{c.Retrospective.WorkdayStart, c.Retrospective.WorkdayEnd}, [2]string{"10:00", "17:00"})
	check("retrospective.calendar", c.Retrospective.Calendar, config.Calendar{Backend: "ics", OrganizerEmail: "incidents@example.com"})
	check("maintenance", c.Maintenance, config.Maintenance{UpdateEvery: "30m", HeadsUp: []string{"24h", "1h"}, Grace: "15m", MaxDuration: "12h"})
	if err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestLoadReadsIncidentflowYAMLInWorkingDirectory(t *testing.T) {
	isolate(t)
	if err := os.WriteFile(config.DefaultFile, []byte("temporal:\n  address: cwd:7233\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := mustLoad(t, "", nil).Temporal.Address; got != "cwd:7233" {
		t.Errorf("temporal.address = %q, want cwd:7233 from ./%s", got, config.DefaultFile)
	}
}

func TestLoadFileOverridesDefaults(t *testing.T) {
	isolate(t)
	c := mustLoad(t, writeConfig(t, `
temporal:
  address: temporal.internal:7233
  namespace: incidents
announce_channels: ["#incidents", ops]
severities:
  - name: sev1
    update_every: 10m
    leads: [U0123ABCDEF]
`), nil)
	if c.Temporal.Address != "temporal.internal:7233" || c.Temporal.Namespace != "incidents" {
		t.Errorf("temporal = %+v", c.Temporal)
	}
	if c.Temporal.TaskQueue != "incidentflow" {
		t.Errorf("temporal.task_queue = %q: a key the file leaves out must keep its default", c.Temporal.TaskQueue)
	}
	if want := []string{"#incidents", "ops"}; !slices.Equal(c.AnnounceChannels, want) {
		t.Errorf("announce_channels = %q, want %q", c.AnnounceChannels, want)
	}
	want := []config.Severity{{Name: "sev1", UpdateEvery: "10m", Leads: []string{"U0123ABCDEF"}}}
	if !reflect.DeepEqual(c.Severities, want) {
		t.Errorf("severities = %+v, want %+v (a file's list replaces the default list)", c.Severities, want)
	}
}

func TestLoadEnvironmentOverridesFile(t *testing.T) {
	isolate(t)
	path := writeConfig(t, `
temporal:
  address: file:7233
slack:
  bot_token: xoxb-from-file
announce_channels: [from-file]
`)
	t.Setenv("INCIDENTFLOW_SLACK_BOT_TOKEN", "xoxb-from-env")
	t.Setenv("INCIDENTFLOW_ANNOUNCE_CHANNELS", "a,b")
	t.Setenv("INCIDENTFLOW_TEMPORAL_ADDRESS", "temporal:7233")
	t.Setenv("INCIDENTFLOW_RETROSPECTIVE_BUSINESS_DAYS_AFTER", "5")
	t.Setenv("INCIDENTFLOW_RETROSPECTIVE_CALENDAR_BACKEND", "caldav")
	t.Setenv("INCIDENTFLOW_RETROSPECTIVE_CALENDAR_CALDAV_URL", "https://dav.example.com/cal/")
	t.Setenv("INCIDENTFLOW_GITHUB_SECURITY_REPO", "acme/security-incidents")

	c := mustLoad(t, path, nil)
	if c.Slack.BotToken != "xoxb-from-env" {
		t.Errorf("slack.bot_token = %q, want the environment's", c.Slack.BotToken)
	}
	if want := []string{"a", "b"}; !slices.Equal(c.AnnounceChannels, want) {
		t.Errorf("announce_channels = %q, want %q (a comma-separated list)", c.AnnounceChannels, want)
	}
	if c.Temporal.Address != "temporal:7233" {
		t.Errorf("temporal.address = %q, want temporal:7233", c.Temporal.Address)
	}
	if c.Retrospective.BusinessDaysAfter != 5 {
		t.Errorf("retrospective.business_days_after = %d, want 5", c.Retrospective.BusinessDaysAfter)
	}
	if cal := c.Retrospective.Calendar; cal.Backend != "caldav" || cal.CalDAVURL != "https://dav.example.com/cal/" {
		t.Errorf("retrospective.calendar = %+v", cal)
	}
	if c.GitHub.SecurityRepo != "acme/security-incidents" {
		t.Errorf("github.security_repo = %q, want the environment's", c.GitHub.SecurityRepo)
	}
}

// TestLoadCLIUser: cli.user comes from the file or INCIDENTFLOW_CLI_USER,
// as a Slack user ID or an email, and is empty by default.
func TestLoadCLIUser(t *testing.T) {
	isolate(t)
	if c := mustLoad(t, "", nil); c.CLI.User != "" {
		t.Errorf("cli.user defaults to %q, want empty (no Slack identity)", c.CLI.User)
	}
	path := writeConfig(t, "cli:\n  user: U0ALICE\n")
	if c := mustLoad(t, path, nil); c.CLI.User != "U0ALICE" {
		t.Errorf("cli.user from the file = %q, want U0ALICE", c.CLI.User)
	}
	t.Setenv("INCIDENTFLOW_CLI_USER", "ava@example.com")
	if c := mustLoad(t, path, nil); c.CLI.User != "ava@example.com" {
		t.Errorf("cli.user with INCIDENTFLOW_CLI_USER set = %q, want ava@example.com", c.CLI.User)
	}
}

func TestLoadEnvironmentListToleratesSpaces(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_BROADCAST_CHANNELS", "status, #support,")
	c := mustLoad(t, "", nil)
	if want := []string{"status", "support"}; !slices.Equal(c.Process().BroadcastChannels, want) {
		t.Errorf("Process().BroadcastChannels = %q, want %q", c.Process().BroadcastChannels, want)
	}
}

func TestLoadEmptyEnvironmentVariableKeepsFileValue(t *testing.T) {
	isolate(t)
	t.Setenv("INCIDENTFLOW_GITHUB_REPO", "") // what compose passes for ${GITHUB_REPO:-}
	t.Setenv("INCIDENTFLOW_GITHUB_SECURITY_REPO", "")
	c := mustLoad(t, writeConfig(t, "github:\n  repo: acme/incidents\n  security_repo: acme/security-incidents\n"), nil)
	if c.GitHub.Repo != "acme/incidents" {
		t.Errorf("github.repo = %q, want the file's acme/incidents", c.GitHub.Repo)
	}
	if c.GitHub.SecurityRepo != "acme/security-incidents" {
		t.Errorf("github.security_repo = %q, want the file's acme/security-incidents", c.GitHub.SecurityRepo)
	}
}

// flags is what a verb of cmd/incidentflow builds: flags tied to keys with
// BindFlag, with defaults of their own.
func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("temporal-address", "flag-default:7233", "")
	config.BindFlag(fs, "temporal-address", "temporal.address")
	fs.Int("ui-port", 9999, "")
	config.BindFlag(fs, "ui-port", "dev.ui_port")
	fs.StringSlice("announce", nil, "")
	config.BindFlag(fs, "announce", "announce_channels")
	fs.String("listen", "", "") // not bound: must not touch http.listen
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestLoadFlagOverridesEnvironment(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "temporal:\n  address: file:7233\ndev:\n  ui_port: 8888\n")
	t.Setenv("INCIDENTFLOW_TEMPORAL_ADDRESS", "env:7233")

	c := mustLoad(t, path, flags(t, "--temporal-address", "flag:7233", "--ui-port", "9000", "--announce", "x,y", "--listen", "0.0.0.0:1"))
	if c.Temporal.Address != "flag:7233" {
		t.Errorf("temporal.address = %q, want the flag's flag:7233", c.Temporal.Address)
	}
	if c.Dev.UIPort != 9000 {
		t.Errorf("dev.ui_port = %d, want the flag's 9000", c.Dev.UIPort)
	}
	if want := []string{"x", "y"}; !slices.Equal(c.AnnounceChannels, want) {
		t.Errorf("announce_channels = %q, want %q", c.AnnounceChannels, want)
	}
	if c.HTTP.Listen != "127.0.0.1:3000" {
		t.Errorf("http.listen = %q: a flag not bound with BindFlag must not set a key", c.HTTP.Listen)
	}
}

func TestLoadUnsetFlagLeavesEnvironmentFileAndDefaults(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "dev:\n  ui_port: 8888\n")
	t.Setenv("INCIDENTFLOW_TEMPORAL_ADDRESS", "env:7233")

	c := mustLoad(t, path, flags(t))
	if c.Temporal.Address != "env:7233" {
		t.Errorf("temporal.address = %q, want the environment's env:7233 (the flag was not given)", c.Temporal.Address)
	}
	if c.Dev.UIPort != 8888 {
		t.Errorf("dev.ui_port = %d, want the file's 8888 (the flag was not given)", c.Dev.UIPort)
	}
	if want := []string{"incidents"}; !slices.Equal(c.AnnounceChannels, want) {
		t.Errorf("announce_channels = %q, want the default %q", c.AnnounceChannels, want)
	}
}

func TestLoadMissingConfigFile(t *testing.T) {
	isolate(t)
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := config.Load(path, nil)
	if err == nil {
		t.Fatal("Load of a missing --config file succeeded")
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap os.ErrNotExist", err)
	}
	want := "config file " + path + " does not exist: no such file or directory (check --config; incidentflow.example.yaml is a starting point)"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

func TestLoadConfigFileIsADirectory(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	_, err := config.Load(dir, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "config file "+dir) {
		t.Errorf("Load(directory) error = %v, want one naming %s", err, dir)
	}
}

func TestLoadInvalidYAML(t *testing.T) {
	isolate(t)
	path := writeConfig(t, "severities: [\n")
	_, err := config.Load(path, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "config file "+path+" is not valid YAML: ") {
		t.Errorf("error = %v, want it to say %s is not valid YAML", err, path)
	}
}

func TestLoadWrongTypeNamesKey(t *testing.T) {
	isolate(t)
	_, err := config.Load(writeConfig(t, "dev:\n  ui_port: lots\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "dev.ui_port") {
		t.Errorf("error = %v, want it to name dev.ui_port", err)
	}
}

func TestLoadKeepsSlackUserIDsInAssignees(t *testing.T) {
	isolate(t)
	c := mustLoad(t, writeConfig(t, `
retrospective:
  assignees:
    U0123ABCDEF: octocat
    W0456GHIJKL: Hubot
`), nil)
	want := map[string]string{"U0123ABCDEF": "octocat", "W0456GHIJKL": "Hubot"}
	if !reflect.DeepEqual(c.Retrospective.Assignees, want) {
		t.Errorf("retrospective.assignees = %v, want %v (viper lower-cases map keys; Slack IDs are upper case)", c.Retrospective.Assignees, want)
	}
}

func TestKeysAndEnvNames(t *testing.T) {
	keys := config.Keys()
	if !sort.StringsAreSorted(keys) {
		t.Errorf("Keys() not sorted: %q", keys)
	}
	if len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Errorf("Keys() has duplicates: %q", keys)
	}
	// The keys DESIGN.md fixes.
	for _, k := range []string{
		"temporal.address", "temporal.namespace", "temporal.task_queue", "slack.bot_token",
		"slack.app_token", "slack.signing_secret", "slack.api_url", "github.token", "github.repo",
		"github.base_url", "http.listen", "severities", "announce_channels", "broadcast_channels", "channel_name",
	} {
		if !slices.Contains(keys, k) {
			t.Errorf("Keys() lacks %s", k)
		}
	}
	for key, env := range map[string]string{
		"slack.bot_token":                   "INCIDENTFLOW_SLACK_BOT_TOKEN",
		"announce_channels":                 "INCIDENTFLOW_ANNOUNCE_CHANNELS",
		"retrospective.calendar.caldav_url": "INCIDENTFLOW_RETROSPECTIVE_CALENDAR_CALDAV_URL",
		"github.security_repo":              "INCIDENTFLOW_GITHUB_SECURITY_REPO",
	} {
		if got := config.EnvName(key); got != env {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, env)
		}
	}
}

// TestKeysMatchConfigFields checks Keys() against the mapstructure tags of
// Config: every key has a field, and every scalar or list field has a key
// (maps and lists of objects other than severities are file-only).
func TestKeysMatchConfigFields(t *testing.T) {
	fileOnly := map[string]bool{"services": true, "docs": true, "retrospective.assignees": true}
	var fields []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for f := range typ.Fields() {
			key := prefix + f.Tag.Get("mapstructure")
			if f.Type.Kind() == reflect.Struct {
				walk(key+".", f.Type)
				continue
			}
			if !fileOnly[key] {
				fields = append(fields, key)
			}
		}
	}
	walk("", reflect.TypeFor[config.Config]())
	sort.Strings(fields)
	if keys := config.Keys(); !slices.Equal(keys, fields) {
		t.Errorf("Keys() = %q\nfields of Config = %q", keys, fields)
	}
}

func TestLoadRejectsUnknownKeys(t *testing.T) {
	isolate(t)
	_, err := config.Load(writeConfig(t, `
slack:
  bot_tokn: xoxb-typo
severities:
  - {name: critical, update_every: 15m, cadence: 10m}
services:
  payments:
    lead: [U0123ABCDEF]
`), nil)
	if err == nil {
		t.Fatal("Load accepted misspelt keys")
	}
	want := `invalid configuration:
  slack.bot_tokn: unknown key (incidentflow.example.yaml lists every key)
  severities[0].cadence: unknown key (incidentflow.example.yaml lists every key)
  services.payments.lead: unknown key (incidentflow.example.yaml lists every key)`
	if err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestBindFlagToUnknownKeyFails(t *testing.T) {
	isolate(t)
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("address", "", "")
	config.BindFlag(fs, "address", "temporal.adress")
	if _, err := config.Load("", fs); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Errorf("Load with a flag bound to a misspelt key: error = %v, want one naming it", err)
	}
}
