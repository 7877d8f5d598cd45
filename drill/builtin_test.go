package drill_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

func TestBuiltIn(t *testing.T) {
	list := drill.BuiltIn()
	assert.Equal(t, []string{"bad-deploy", "database-outage", "security-breach"}, drill.Names(list))
	for _, s := range list {
		t.Run(s.Name, func(t *testing.T) {
			assert.Equal(t, "built-in", s.Origin)
			assert.NoError(t, s.Check())
			assert.Contains(t, []incident.Severity{incident.Critical, incident.Major}, s.Severity)
			assert.NotEmpty(t, s.Facts)
			assert.NotEmpty(t, s.Injects)
			assert.Contains(t, events(s.Expected), drill.EventResolved)
		})
	}

	db, ok := drill.Find(list, "database-outage")
	require.True(t, ok)
	assert.Equal(t, "application", db.Service)
	assert.Contains(t, events(db.Expected), drill.Event("severity:critical"))
	assert.Contains(t, events(db.Expected), drill.EventStatusPageDrafted)
	var alerts []string
	for _, in := range db.Injects {
		if in.Alert != nil {
			alerts = append(alerts, in.Alert.Name)
		}
	}
	assert.Equal(t, []string{"DatabaseConnectionsExhausted", "HighErrorRate"}, alerts)

	bad, _ := drill.Find(list, "bad-deploy")
	var rollback drill.Inject
	for _, in := range bad.Injects {
		if in.ID == "rollback-failed" {
			rollback = in
		}
	}
	assert.Equal(t, drill.Event("status:identified"), rollback.Trigger.After)
	assert.Contains(t, events(bad.Expected), drill.EventActionItem)

	sec, _ := drill.Find(list, "security-breach")
	assert.True(t, sec.Security)
	assert.Contains(t, events(sec.Expected), drill.EventKeptPrivate)

	_, ok = drill.Find(list, "nope")
	assert.False(t, ok)

	list[0].Injects[0].Text = "changed"
	assert.NotEqual(t, "changed", drill.BuiltIn()[0].Injects[0].Text, "BuiltIn returns copies")
}

func events(es []drill.Expectation) []drill.Event {
	var out []drill.Event
	for _, e := range es {
		out = append(out, e.Event)
	}
	return out
}

func write(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	return path
}

const custom = `name: custom
title: A custom drill
severity: minor
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "custom.yaml", custom)
	override := write(t, dir, "db.yml", "name: database-outage\ntitle: Our own database drill\nseverity: critical\n")
	write(t, dir, "notes.txt", "not a scenario")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755))

	list, err := drill.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"bad-deploy", "custom", "database-outage", "security-breach"}, drill.Names(list))
	db, _ := drill.Find(list, "database-outage")
	assert.Equal(t, "Our own database drill", db.Title, "a file replaces the built-in of its name")
	assert.Equal(t, override, db.Origin)
	bad, _ := drill.Find(list, "bad-deploy")
	assert.Equal(t, "built-in", bad.Origin)
}

func TestLoadMissingDir(t *testing.T) {
	list, err := drill.Load(filepath.Join(t.TempDir(), "nope"))
	require.NoError(t, err)
	assert.Equal(t, drill.Names(drill.BuiltIn()), drill.Names(list))

	list, err = drill.Load("")
	require.NoError(t, err)
	assert.Len(t, list, 3)
}

func TestLoadDuplicate(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.yaml", custom)
	b := write(t, dir, "b.yaml", custom)
	_, err := drill.Load(dir)
	require.Error(t, err)
	assert.Equal(t, a+" and "+b+` both define the scenario "custom"; rename one of them or remove it`, err.Error())
}

func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.yaml", custom)
	one := write(t, dir, "one.yaml", "name: one\ntitle: One\nseverity: major\ntime_limit: forever\n")
	two := write(t, dir, "two.yml", "name: two\ntitle: Two\nseverity: major\ninjects:\n  - id: x\n    kind: message\n    text: hi\n    after: inject:y\n")
	big := write(t, dir, "big.yaml", custom+"summary: "+strings.Repeat("x", drill.MaxScenarioBytes)+"\n")

	list, err := drill.Load(dir)
	require.Error(t, err)
	assert.Nil(t, list)
	msg := err.Error()
	assert.Contains(t, msg, one+`:4: time_limit: "forever" is not a duration`)
	assert.Contains(t, msg, two+`:8: injects[0].after: no inject has the id "y"`)
	assert.Contains(t, msg, big+": the file is larger than 65536 bytes")
	assert.NotContains(t, msg, "good.yaml")
}
