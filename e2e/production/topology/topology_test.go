package topology

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"SET": "value", "EMPTY": ""}
	for in, want := range map[string]string{
		"${SET}":                            "value",
		"${UNSET}":                          "",
		"${SET:-default}":                   "value",
		"${EMPTY:-default}":                 "default",
		"${UNSET:-default}":                 "default",
		"${EMPTY-default}":                  "",
		"${UNSET-default}":                  "default",
		"a ${SET} b ${UNSET}c":              "a value b c",
		"$$HOME":                            "$HOME",
		"./${UNSET:-x.yaml}:/etc/x.yaml:ro": "./x.yaml:/etc/x.yaml:ro",
	} {
		if got := Interpolate(in, vars); got != want {
			t.Errorf("Interpolate(%q) = %q, want %q", in, got, want)
		}
	}
}

// Interpolate never panics, and text without $ is left alone.
func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"${A:-b}", "${A-}", "$$", "${", "${A:-${B}}", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Interpolate(s, map[string]string{"A": "x"})
		if !strings.Contains(s, "$") && got != s {
			t.Fatalf("Interpolate(%q) = %q, changed text without $", s, got)
		}
	})
}

// The repository's compose file has the services the topology runs, each
// with the --config file mounted and the Temporal address it translates.
func TestReadsTheRepositorysComposeFile(t *testing.T) {
	c, err := ReadCompose(filepath.Join("..", "..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Configs[TemporalConfigService]; !ok {
		t.Errorf("no config %s", TemporalConfigService)
	}
	for _, name := range append(append([]string{SetupService}, WorkerServices...), ServeServices...) {
		svc, err := c.Service(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := svc.Env(nil)["INCIDENTFLOW_TEMPORAL_ADDRESS"]; got != composeTemporalAddress {
			t.Errorf("%s: INCIDENTFLOW_TEMPORAL_ADDRESS = %q, want %s", name, got, composeTemporalAddress)
		}
		src, err := c.MountSource(svc, ContainerConfigPath, map[string]string{"CONFIG_FILE": "/tmp/x.yaml"})
		if err != nil || src != "/tmp/x.yaml" {
			t.Errorf("%s: the config file mounted from %q (%v), want CONFIG_FILE's /tmp/x.yaml", name, src, err)
		}
		src, err = c.MountSource(svc, ContainerConfigPath, nil)
		if err != nil || filepath.Base(src) != "incidentflow.example.yaml" {
			t.Errorf("%s: by default the config file is mounted from %q (%v), want the example", name, src, err)
		}
	}
	for _, name := range append(append([]string{}, WorkerServices...), ServeServices...) {
		svc, _ := c.Service(name)
		if svc.HealthURL() == "" {
			t.Errorf("%s has no healthcheck URL", name)
		}
	}
}

// Temporal keeps membership ports in a smallint: every port is below 32768.
func TestFreePortsFitASmallint(t *testing.T) {
	ports, err := FreePorts(20)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p >= 32768 || p < 1024 || seen[p] {
			t.Errorf("port %d: want distinct ports in [1024, 32768)", p)
		}
		seen[p] = true
	}
}
