package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/config"
)

// FuzzLoad: whatever a configuration file holds, Load doesn't panic, and
// it either returns a configuration that validates and yields a process
// and a maintenance policy, or refuses it with one line per problem, each
// naming a key of the configuration (or an unknown key as unknown), or, for
// a file that isn't a YAML mapping, one line naming the file.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(examplePath(f))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), "", "{}", "- a\n", "temporal: 5\n", "slak: 1\n",
		"worker:\n  max_concurrent_activities: 0\n  max_concurrent_workflow_tasks: 1\n  max_cached_workflows: -1\n",
		"temporal:\n  address: http://t:7233\n  web_ui_url: t:8233\n", "http:\n  listen: nowhere\n",
		"severities:\n  - {name: critical, update_every: 0s, leads: [\"@a\"]}\n",
		"services:\n  \"a\\nb\": {severity: x, runbook: y}\n",
		"retrospective:\n  assignees: {alice: \"@octocat\"}\n  labels: [\"\"]\n  calendar: {backend: caldav}\n",
		"alerts:\n  sources: {grafana: {token: short}}\n  routes: [{matchers: ['a=~\"(\"'], mode: page}]\n",
		"slack:\n  signing_secret: \"xoxb-1\\n\"\n", "dev:\n  slack_port: 7233\n  data_dir: \"\"\n",
		"escalation:\n  group: \"<!here>\"\n  after: -1\n", "time_zone: Local\n", "? [a]\n: b\n", "a: &x [*x]\n", ".: 00\n",
	} {
		f.Add([]byte(seed))
	}
	roots := configRoots()
	isolateEnv(f)
	path := filepath.Join(f.TempDir(), "incidentflow.yaml")
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path, nil)
		if err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("Load returned a configuration that doesn't validate: %v", err)
			}
			_, _ = c.Process(), c.MaintenancePolicy()
			return
		}
		if c != nil {
			t.Fatalf("Load returned a configuration with its error %v", err)
		}
		var ps config.Problems
		if !errors.As(err, &ps) {
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "config file "+path+" is not valid YAML: ") {
				t.Fatalf("refusal of the file is not one line naming it: %q", msg)
			}
			return
		}
		if len(ps) == 0 {
			t.Fatal("an error with no problem in it")
		}
		for _, p := range ps {
			line := p.Error()
			if p.Key == "" || strings.ContainsAny(line, "\r\n") || !strings.HasPrefix(line, escaped(p.Key)+": ") {
				t.Fatalf("problem is not one line starting with its key: %q", line)
			}
			if root := strings.FieldsFunc(p.Key, func(r rune) bool { return r == '.' || r == '[' })[0]; !roots[root] &&
				!strings.HasSuffix(line, ": unknown key (incidentflow.example.yaml lists every key)") {
				t.Fatalf("problem names no key of the configuration: %q", line)
			}
		}
	})
}

// configRoots are the top-level keys of the configuration file.
func configRoots() map[string]bool {
	roots := map[string]bool{}
	typ := reflect.TypeFor[config.Config]()
	for i := range typ.NumField() {
		roots[typ.Field(i).Tag.Get("mapstructure")] = true
	}
	return roots
}

// escaped is key as a problem's line shows it.
func escaped(key string) string {
	line := config.Problem{Key: key, Message: "x"}.Error()
	return strings.TrimSuffix(line, ": x")
}
