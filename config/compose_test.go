package config_test

// No Docker engine runs in the tests: these read docker-compose.yml and the
// Dockerfile at the repository root and check what the config package can
// vouch for (every INCIDENTFLOW_* variable is a real key) and the wiring
// users rely on (services, ports, build, start order, health checks). The
// production end-to-end suite (e2e/production) runs the same file's
// incidentflow services for real.

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
	StopGracePeriod string `yaml:"stop_grace_period"`
}

// healthURL is the URL the service's healthcheck fetches, or nil.
func (s composeService) healthURL() *url.URL {
	if s.Healthcheck == nil {
		return nil
	}
	for _, w := range s.Healthcheck.Test {
		if strings.HasPrefix(w, "http://") {
			u, err := url.Parse(w)
			if err == nil {
				return u
			}
		}
	}
	return nil
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

// The topology: two workers and two front doors (e2e/production runs
// exactly these), one setup job.
var (
	workerServices       = []string{"incidentflow-worker-1", "incidentflow-worker-2"}
	serveServices        = []string{"incidentflow-serve-1", "incidentflow-serve-2"}
	incidentflowServices = append(append([]string{"incidentflow-setup"}, workerServices...), serveServices...)
)

func TestComposeServicesAndPorts(t *testing.T) {
	f := readCompose(t)
	for _, name := range append([]string{"postgresql", "temporal-schema", "temporal", "temporal-ui"}, incidentflowServices...) {
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
		"temporal":             "7233:7233",
		"temporal-ui":          "8233:8080",
		"incidentflow-serve-1": "3000:3000",
		"incidentflow-serve-2": "3001:3000",
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
	commands := map[string]string{"incidentflow-setup": "setup"}
	for _, name := range workerServices {
		commands[name] = "worker"
	}
	for _, name := range serveServices {
		commands[name] = "serve"
	}
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
	for _, name := range append(slices.Clone(workerServices), serveServices...) {
		if got := f.Services[name].DependsOn["incidentflow-setup"]["condition"]; got != "service_completed_successfully" {
			t.Errorf("%s waits for incidentflow-setup with condition %q, want service_completed_successfully", name, got)
		}
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
	for _, name := range serveServices {
		if got := f.Services[name].Environment["INCIDENTFLOW_HTTP_LISTEN"]; got != "0.0.0.0:3000" {
			t.Errorf("%s: INCIDENTFLOW_HTTP_LISTEN = %q, want 0.0.0.0:3000", name, got)
		}
	}
}

// Every incidentflow service reads one configuration: the same file and
// the same environment, but for the listener each one has.
func TestComposeServicesShareOneConfiguration(t *testing.T) {
	f := readCompose(t)
	own := map[string]bool{"INCIDENTFLOW_HTTP_LISTEN": true, "INCIDENTFLOW_WORKER_LISTEN": true}
	shared := func(name string) map[string]string {
		env := map[string]string{}
		for k, v := range f.Services[name].Environment {
			if !own[k] {
				env[k] = v
			}
		}
		return env
	}
	want, wantVolumes := shared("incidentflow-setup"), f.Services["incidentflow-setup"].Volumes
	for _, name := range incidentflowServices[1:] {
		if got := shared(name); !mapsEqual(got, want) {
			t.Errorf("%s's environment differs from incidentflow-setup's:\n got %v\nwant %v", name, got, want)
		}
		if got := f.Services[name].Volumes; !slices.Equal(got, wantVolumes) {
			t.Errorf("%s mounts %q, incidentflow-setup %q", name, got, wantVolumes)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Workers and front doors are health-checked on /readyz at the port their
// listener is configured with, and workers get longer than
// worker.shutdown_grace to stop.
func TestComposeHealthChecksAndGrace(t *testing.T) {
	f := readCompose(t)
	check := func(name, listenVar string) {
		svc := f.Services[name]
		listen := svc.Environment[listenVar]
		_, port, err := net.SplitHostPort(listen)
		if err != nil {
			t.Errorf("%s: %s = %q is no host:port", name, listenVar, listen)
			return
		}
		u := svc.healthURL()
		if u == nil {
			t.Errorf("%s has no healthcheck fetching a URL", name)
			return
		}
		if u.Port() != port || u.Path != "/readyz" {
			t.Errorf("%s's healthcheck fetches %s, want /readyz on port %s (%s)", name, u, port, listenVar)
		}
	}
	for _, name := range workerServices {
		check(name, "INCIDENTFLOW_WORKER_LISTEN")
	}
	for _, name := range serveServices {
		check(name, "INCIDENTFLOW_HTTP_LISTEN")
	}

	empty := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(empty, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("INCIDENTFLOW_WORKER_SHUTDOWN_GRACE", "")
	cfg, err := config.Load(empty, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range workerServices {
		grace, err := time.ParseDuration(f.Services[name].StopGracePeriod)
		if err != nil || grace <= cfg.Worker.Grace() {
			t.Errorf("%s: stop_grace_period %q, want more than worker.shutdown_grace (%v), or Compose kills it mid-drain", name, f.Services[name].StopGracePeriod, cfg.Worker.Grace())
		}
	}
}

// Temporal's dynamic configuration is inline and valid YAML.
func TestComposeTemporalDynamicConfig(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Configs map[string]struct {
			Content string `yaml:"content"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	dc, ok := f.Configs["temporal-dynamic-config"]
	if !ok {
		t.Fatal("no temporal-dynamic-config")
	}
	var settings map[string][]struct {
		Value any `yaml:"value"`
	}
	if err := yaml.Unmarshal([]byte(dc.Content), &settings); err != nil {
		t.Fatalf("temporal-dynamic-config is not a dynamic configuration: %v", err)
	}
	for key, want := range map[string]struct {
		value any
		why   string
	}{
		"system.forceSearchAttributesCacheRefreshOnRead": {true, "declarations right after setup need the search attributes"},
		"frontend.enableCancelWorkerPollsOnShutdown":     {true, "a stopping worker must not be handed tasks"},
		"matching.numTaskqueueReadPartitions":            {1, "with four partitions a rolling restart stalled for up to a minute"},
		"matching.numTaskqueueWritePartitions":           {1, "with four partitions a rolling restart stalled for up to a minute"},
	} {
		if v := settings[key]; len(v) != 1 || v[0].Value != want.value {
			t.Errorf("%s = %v, want %v: %s", key, v, want.value, want.why)
		}
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
