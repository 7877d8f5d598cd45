package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/config"
)

// examplePath is the documented example at the repository root, as an
// absolute path (isolate changes the working directory).
func examplePath(t testing.TB) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "incidentflow.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExampleFileIsValid(t *testing.T) {
	path := examplePath(t)
	isolate(t)
	c := mustLoad(t, path, nil)
	if err := c.Validate(); err != nil {
		t.Fatalf("incidentflow.example.yaml does not validate: %v", err)
	}
}

// TestExampleFileHoldsTheDefaults keeps the example honest: its values are
// the defaults it documents, so copying it changes nothing by itself.
func TestExampleFileHoldsTheDefaults(t *testing.T) {
	path := examplePath(t)
	isolate(t)
	example := mustLoad(t, path, nil)
	defaults := mustLoad(t, "", nil)
	if !reflect.DeepEqual(normalize(*example), normalize(*defaults)) {
		t.Errorf("incidentflow.example.yaml differs from the defaults:\nexample  %+v\ndefaults %+v", *example, *defaults)
	}
}

// normalize treats an empty list or map like a missing one.
func normalize(c config.Config) config.Config {
	if len(c.BroadcastChannels) == 0 {
		c.BroadcastChannels = nil
	}
	if len(c.Services) == 0 {
		c.Services = nil
	}
	if len(c.Docs) == 0 {
		c.Docs = nil
	}
	if len(c.Retrospective.Labels) == 0 {
		c.Retrospective.Labels = nil
	}
	if len(c.Retrospective.Assignees) == 0 {
		c.Retrospective.Assignees = nil
	}
	if len(c.Drills.Schedules) == 0 {
		c.Drills.Schedules = nil
	}
	return c
}

// TestExampleFileDocumentsEveryKey checks every key of config.Keys() (and the
// file-only maps and lists) is set in the example, right under a comment
// that names its environment variable.
func TestExampleFileDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile(examplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	fileOnly := map[string]bool{"severities": true, "services": true, "docs": true, "retrospective.assignees": true, "alerts.sources": true, "alerts.routes": true, "drills.schedules": true}
	keys := config.Keys()
	for k := range fileOnly {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, key := range keys {
		node := lookup(doc.Content[0], strings.Split(key, "."))
		if node == nil {
			t.Errorf("%s is not set in incidentflow.example.yaml", key)
			continue
		}
		comment := node.HeadComment + node.LineComment
		switch {
		case fileOnly[key]:
			if !strings.Contains(comment, "File only") {
				t.Errorf("%s: its comment should say it is file only:\n%s", key, comment)
			}
		case !strings.Contains(comment, "Env: "+config.EnvName(key)):
			t.Errorf("%s: its comment should name Env: %s:\n%s", key, config.EnvName(key), comment)
		}
		if !strings.Contains(comment, "Default: ") {
			t.Errorf("%s: its comment should give the default:\n%s", key, comment)
		}
	}
}

// lookup returns the key node of path in the mapping m, or nil.
func lookup(m *yaml.Node, path []string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != path[0] {
			continue
		}
		if len(path) == 1 {
			return m.Content[i]
		}
		return lookup(m.Content[i+1], path[1:])
	}
	return nil
}
