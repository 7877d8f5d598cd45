package config_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
)

// TestDefaultsAgree checks the three places a default shows: every key set
// in incidentflow.example.yaml has the config default it shows (an empty
// list or map may stand for "no default"), every config default is in the
// example, and the process the defaults and the example load into is
// incident.DefaultProcess with incident.DefaultMaintenancePolicy.
func TestDefaultsAgree(t *testing.T) {
	path := examplePath(t)
	example := exampleValues(t, path)
	defaults := config.Defaults()
	for key, want := range defaults {
		got, ok := example[key]
		if !ok {
			t.Errorf("%s has the default %s but is not set in the example", key, jsonText(t, want))
		} else if jsonText(t, got) != jsonText(t, want) {
			t.Errorf("%s is %s in the example, but its default is %s", key, jsonText(t, got), jsonText(t, want))
		}
	}
	for key, val := range example {
		if _, ok := defaults[key]; !ok && !isEmpty(val) {
			t.Errorf("%s is %s in the example but has no default", key, jsonText(t, val))
		}
	}

	isolate(t)
	for name, file := range map[string]string{"defaults": "", "example": path} {
		c := mustLoad(t, file, nil)
		if got, want := normalizeProcess(c.Process()), normalizeProcess(incident.DefaultProcess()); !reflect.DeepEqual(got, want) {
			t.Errorf("Process() of the %s =\n%+v\nincident.DefaultProcess() =\n%+v", name, got, want)
		}
		if got, want := incident.MaintenancePolicy(c.MaintenancePolicy()), incident.DefaultMaintenancePolicy(); !reflect.DeepEqual(got, want) {
			t.Errorf("MaintenancePolicy() of the %s = %+v, incident.DefaultMaintenancePolicy() = %+v", name, got, want)
		}
	}
}

// exampleValues reads the YAML file at path into its values keyed as in
// config.Keys: nested mappings are flattened into dotted keys, lists and
// scalars are values.
func exampleValues(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	var flatten func(prefix string, m map[string]any)
	flatten = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				flatten(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = v
		}
	}
	flatten("", doc)
	return out
}

// jsonText writes v as JSON, so that a list read from YAML and a []string
// default compare equal.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// isEmpty reports whether v is an empty list or mapping.
func isEmpty(v any) bool {
	rv := reflect.ValueOf(v)
	return v == nil || (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0
}

// normalizeProcess treats an empty list or map like a missing one.
func normalizeProcess(p incident.Process) incident.Process {
	p.AnnounceChannels = nilIfEmpty(p.AnnounceChannels)
	p.BroadcastChannels = nilIfEmpty(p.BroadcastChannels)
	p.Retrospective.Labels = nilIfEmpty(p.Retrospective.Labels)
	if len(p.Services) == 0 {
		p.Services = nil
	}
	if len(p.Docs) == 0 {
		p.Docs = nil
	}
	if len(p.Retrospective.Assignees) == 0 {
		p.Retrospective.Assignees = nil
	}
	sevs := make([]incident.SeverityPolicy, len(p.Severities))
	for i, s := range p.Severities {
		s.Leads = nilIfEmpty(s.Leads)
		sevs[i] = s
	}
	p.Severities = sevs
	return p
}

func nilIfEmpty(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}
