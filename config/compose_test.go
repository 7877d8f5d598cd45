package config_test

// No Docker engine runs in the tests: these read docker-compose.yml and the
// Dockerfile at the repository root and check what the config package can
// vouch for (every INCIDENTFLOW_* variable is a real key) and the wiring
// users rely on (services, ports, build, start order).

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/config"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
	Configs  map[string]any            `yaml:"configs"`
}

type composeService struct {
	Image       string                       `yaml:"image"`
	Build       *composeBuild                `yaml:"build"`
	Command     []string                     `yaml:"command"`
	Environment map[string]string            `yaml:"environment"`
	Ports       []string                     `yaml:"ports"`
	Volumes     []string                     `yaml:"volumes"`
	DependsOn   map[string]map[string]string `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return f
}

var incidentflowServices = []string{"incidentflow-setup", "incidentflow-worker", "incidentflow-serve"}

func TestComposeServicesAndPorts(t *testing.T) {
	f := readCompose(t)
	for _, name := range append([]string{"postgresql", "temporal", "temporal-ui"}, incidentflowServices...) {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("service %s is missing", name)
		}
	}
	if img := f.Services["postgresql"].Image; !strings.HasPrefix(img, "postgres:16") {
		t.Errorf("postgresql image = %q, want postgres:16", img)
	}
	if !slices.ContainsFunc(f.Services["postgresql"].Volumes, func(v string) bool {
		return strings.HasSuffix(v, ":/var/lib/postgresql/data")
	}) {
		t.Errorf("postgresql keeps its data in no volume: %q", f.Services["postgresql"].Volumes)
	}
	if img := f.Services["temporal"].Image; !strings.HasPrefix(img, "temporalio/server:1.32.") {
		t.Errorf("temporal image = %q, want temporalio/server:1.32.x (the server version in go.mod)", img)
	}
	for service, want := range map[string]string{
		"temporal":           "7233:7233",
		"temporal-ui":        "8233:8080",
		"incidentflow-serve": "3000:3000",
	} {
		if !slices.ContainsFunc(f.Services[service].Ports, func(p string) bool { return p == want || strings.HasSuffix(p, ":"+want) }) {
			t.Errorf("%s publishes %q, want %s", service, f.Services[service].Ports, want)
		}
	}
}

func TestComposeBuildsIncidentflowFromDockerfile(t *testing.T) {
	f := readCompose(t)
	for _, name := range incidentflowServices {
		b := f.Services[name].Build
		if b == nil {
			t.Errorf("%s has no build section", name)
			continue
		}
		dockerfile := b.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if got := filepath.Join("..", b.Context, dockerfile); got != filepath.Join("..", "Dockerfile") {
			t.Errorf("%s builds from %s, want the repository's Dockerfile", name, got)
		}
	}
}

func TestComposeStartOrder(t *testing.T) {
	f := readCompose(t)
	commands := map[string]string{"incidentflow-setup": "setup", "incidentflow-worker": "worker", "incidentflow-serve": "serve"}
	for name, verb := range commands {
		cmd := f.Services[name].Command
		if len(cmd) == 0 || cmd[0] != verb {
			t.Errorf("%s runs %q, want `incidentflow %s`", name, cmd, verb)
		}
		// --config must point at the mounted file.
		if i := slices.Index(cmd, "--config"); i >= 0 {
			if i+1 >= len(cmd) || !slices.ContainsFunc(f.Services[name].Volumes, func(v string) bool {
				return strings.Contains(v, ":"+cmd[i+1])
			}) {
				t.Errorf("%s: --config %q is not mounted (volumes %q)", name, cmd[i+1:], f.Services[name].Volumes)
			}
		}
	}
	if got := f.Services["incidentflow-setup"].DependsOn["temporal"]["condition"]; got != "service_healthy" {
		t.Errorf("incidentflow-setup waits for temporal with condition %q, want service_healthy", got)
	}
	for _, name := range []string{"incidentflow-worker", "incidentflow-serve"} {
		if got := f.Services[name].DependsOn["incidentflow-setup"]["condition"]; got != "service_completed_successfully" {
			t.Errorf("%s waits for incidentflow-setup with condition %q, want service_completed_successfully", name, got)
		}
	}
	hc := f.Services["incidentflow-serve"].Healthcheck
	if hc == nil || !strings.Contains(strings.Join(hc.Test, " "), "/healthz") {
		t.Errorf("incidentflow-serve healthcheck = %+v, want one on /healthz", hc)
	}
	if f.Services["temporal"].Healthcheck == nil {
		t.Errorf("temporal has no healthcheck, so service_healthy never holds")
	}
}

func TestComposeEnvironmentNamesConfigKeys(t *testing.T) {
	known := map[string]bool{}
	for _, k := range config.Keys() {
		known[config.EnvName(k)] = true
	}
	f := readCompose(t)
	for _, name := range incidentflowServices {
		env := f.Services[name].Environment
		for v := range env {
			if strings.HasPrefix(v, config.EnvPrefix+"_") && !known[v] {
				t.Errorf("%s sets %s, which is no configuration key", name, v)
			}
		}
		for v, want := range map[string]string{
			"INCIDENTFLOW_TEMPORAL_ADDRESS":     "temporal:7233",
			"INCIDENTFLOW_SLACK_BOT_TOKEN":      "${SLACK_BOT_TOKEN:-}",
			"INCIDENTFLOW_SLACK_SIGNING_SECRET": "${SLACK_SIGNING_SECRET:-}",
			"INCIDENTFLOW_SLACK_APP_TOKEN":      "${SLACK_APP_TOKEN:-}",
			"INCIDENTFLOW_GITHUB_TOKEN":         "${GITHUB_TOKEN:-}",
			"INCIDENTFLOW_GITHUB_REPO":          "${GITHUB_REPO:-}",
		} {
			if env[v] != want {
				t.Errorf("%s: %s = %q, want %q", name, v, env[v], want)
			}
		}
		if env["INCIDENTFLOW_TEMPORAL_WEB_UI_URL"] == "" {
			t.Errorf("%s does not set INCIDENTFLOW_TEMPORAL_WEB_UI_URL", name)
		}
	}
	if got := f.Services["incidentflow-serve"].Environment["INCIDENTFLOW_HTTP_LISTEN"]; got != "0.0.0.0:3000" {
		t.Errorf("incidentflow-serve: INCIDENTFLOW_HTTP_LISTEN = %q, want 0.0.0.0:3000", got)
	}
}

func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []string{
		"FROM golang:1.26 AS build",
		"GOTOOLCHAIN=local",
		"CGO_ENABLED=0",
		"./cmd/incidentflow",
		"-X main.version=",
		"COPY --from=build /out/incidentflow /usr/local/bin/incidentflow",
		`ENTRYPOINT ["incidentflow"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Count(df, "\nFROM ") < 2 {
		t.Errorf("Dockerfile is not multi-stage")
	}
	ignore, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "incidentflow.yaml", ".env"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore does not keep %s out of the build context", want)
		}
	}
}
