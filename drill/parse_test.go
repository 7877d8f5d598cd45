package drill_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

func TestParseDocumentedExample(t *testing.T) {
	data, err := os.ReadFile("testdata/example.yaml")
	require.NoError(t, err)
	s, err := drill.Parse("drills/example.yaml", data)
	require.NoError(t, err)

	assert.Equal(t, "drills/example.yaml", s.Origin)
	assert.Equal(t, "cache-stampede", s.Name)
	assert.Equal(t, "Product pages time out after a cache flush", s.Title)
	assert.Equal(t, "Someone flushed the product cache at peak traffic.", s.Summary)
	assert.Equal(t, incident.Major, s.Severity)
	assert.Equal(t, "catalog", s.Service)
	assert.False(t, s.Security)
	assert.Equal(t, 30*time.Minute, s.TimeLimit)
	assert.Equal(t, []string{
		"The cache hit rate dropped from 97% to 3% at 12:01.",
		"A deploy script ran FLUSHALL on the product cache: see job #7781.",
	}, s.Facts)

	require.Len(t, s.Injects, 3)
	alert := s.Injects[0]
	assert.Equal(t, "latency-alert", alert.ID)
	assert.Equal(t, drill.InjectAlert, alert.Kind)
	assert.Equal(t, drill.Trigger{At: 2 * time.Minute}, alert.Trigger)
	assert.Equal(t, &drill.AlertInject{
		Name: "HighLatency", Status: "firing",
		Labels:  map[string]string{"service": "catalog", "severity": "page"},
		Summary: "p99 latency of GET /products is 9.8s", URL: "https://grafana.example.com/d/catalog",
	}, alert.Alert)
	assert.Equal(t, "Drill control", alert.Sender())

	msg := s.Injects[1]
	assert.Equal(t, drill.InjectMessage, msg.Kind)
	assert.Equal(t, "Noor (Marketing)", msg.Sender())
	assert.Equal(t, drill.Trigger{After: drill.EventFirstUpdate, Delay: 3 * time.Minute}, msg.Trigger)
	assert.Contains(t, msg.Text, "campaign email")

	stale := s.Injects[2]
	assert.Equal(t, drill.InjectStatusPageStale, stale.Kind)
	assert.Equal(t, drill.Trigger{After: "inject:marketing-asks", Delay: 2 * time.Minute}, stale.Trigger)

	assert.Equal(t, []drill.Expectation{
		{Text: "Post the first status update", Event: drill.EventFirstUpdate, Within: 10 * time.Minute},
		{Text: "Assign a commander and a comms lead", Event: drill.EventRolesAssigned},
		{Text: "Resolve the incident", Event: drill.EventResolved},
	}, s.Expected)
	assert.NoError(t, s.Check())
}

func TestParseDefaults(t *testing.T) {
	s, err := drill.Parse("d.yaml", []byte(`
name: minimal
title: Minimal
severity: minor
injects:
  - id: a
    kind: alert
    alert: {name: Up}
`))
	require.NoError(t, err)
	assert.Equal(t, drill.DefaultTimeLimit, s.TimeLimit)
	assert.Equal(t, "firing", s.Injects[0].Alert.Status)
	assert.Equal(t, drill.Trigger{}, s.Injects[0].Trigger, "no trigger: played at the start")
}

// valid is a scenario file the refusals below break one line of.
const valid = `name: refusals
title: Refusals
severity: major
time_limit: 30m
injects:
  - id: first
    kind: message
    text: hello
    at: 1m
  - id: second
    kind: message
    text: again
    after: inject:first
expected:
  - text: resolve it
    event: resolved
`

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // every line of the error, in order
	}{
		{"unknown key", strings.Replace(valid, "severity: major", "severity: major\ncolour: blue", 1),
			[]string{`x.yaml:4: colour: unknown key "colour" in a scenario; use one of name, title`}},
		{"unknown key in an inject", strings.Replace(valid, "    text: hello", "    txt: hello", 1),
			[]string{`x.yaml:6: injects[0].text: required: write what the simulated person says`,
				`x.yaml:8: injects[0].txt: unknown key "txt" in an inject; use one of id, kind, from, text, alert, at, after, delay`}},
		{"bad duration", strings.Replace(valid, "at: 1m", "at: 5", 1),
			[]string{`x.yaml:9: injects[0].at: "5" is not a duration; write it like "90s", "5m" or "1h30m"`}},
		{"negative duration", strings.Replace(valid, "at: 1m", "at: -1m", 1),
			[]string{`x.yaml:9: injects[0].at: -1m is negative`}},
		{"unknown event", strings.Replace(valid, "after: inject:first", "after: acked", 1),
			[]string{`x.yaml:13: injects[1].after: unknown event "acked"; use one of acknowledged, first_update, roles_assigned, status:<status>`}},
		{"resolved as a trigger", strings.Replace(valid, "after: inject:first", "after: resolved", 1),
			[]string{`x.yaml:13: injects[1].after: "resolved" can't trigger an inject: the drill ends at the resolution`}},
		{"kept_private as a trigger", strings.Replace(valid, "after: inject:first", "after: kept_private", 1),
			[]string{`x.yaml:13: injects[1].after: "kept_private" is only known when the drill ends`}},
		{"unknown status", strings.Replace(valid, "after: inject:first", "after: status:fixed", 1),
			[]string{`x.yaml:13: injects[1].after: unknown status "fixed" in "status:fixed"; use status: with one of investigating, identified, monitoring, mitigated`}},
		{"unknown inject id", strings.Replace(valid, "after: inject:first", "after: inject:third", 1),
			[]string{`x.yaml:13: injects[1].after: no inject has the id "third"; use the id of another inject of this scenario`}},
		{"inject follows itself", strings.Replace(valid, "after: inject:first", "after: inject:second", 1),
			[]string{`x.yaml:13: injects[1].after: an inject can't follow itself`}},
		{"cycle", strings.Replace(valid, "    at: 1m", "    after: inject:second", 1),
			[]string{`x.yaml:9: injects[0].after: these injects follow each other in a circle (first → second → first), so none of them would ever play`}},
		{"missing text", strings.Replace(valid, "    text: again\n", "", 1),
			[]string{`x.yaml:10: injects[1].text: required: write what the simulated person says`}},
		{"at and after both", strings.Replace(valid, "after: inject:first", "after: inject:first\n    at: 0s", 1),
			[]string{`x.yaml:14: injects[1].at: at and after both set; use at (from the start) or after with an optional delay, not both`}},
		{"offset beyond the time limit", strings.Replace(valid, "at: 1m", "at: 30m", 1),
			[]string{`x.yaml:9: injects[0].at: 30m is not before the time limit of 30m, so it would never play`}},
		{"unknown expectation inject", strings.Replace(valid, "event: resolved", "event: inject:nope", 1),
			[]string{`x.yaml:16: expected[0].event: no inject has the id "nope"`}},
		{"unknown kind", strings.Replace(valid, "kind: message", "kind: email", 1),
			[]string{`x.yaml:7: injects[0].kind: unknown kind "email"; use one of message, alert, status_page_stale`}},
		{"repeated key", strings.Replace(valid, "title: Refusals", "title: Refusals\ntitle: Again", 1),
			[]string{`x.yaml:3: title: repeated key (first at line 2); keep one of them`}},
		{"bad name and missing severity", strings.Replace(strings.Replace(valid, "name: refusals", "name: Refusals!", 1), "severity: major\n", "", 1),
			[]string{`x.yaml:1: name: "Refusals!" is not a valid name`, `x.yaml:1: severity: required`}},
		{"a list for a text", strings.Replace(valid, "title: Refusals", "title: [a, b]", 1),
			[]string{`x.yaml:2: title: want a text, got a list`}},
		{"not YAML", "name: [unclosed\n", []string{`x.yaml:1: not valid YAML: did not find expected ',' or ']'`}},
		{"not a mapping", "- a\n- b\n", []string{`x.yaml:1: the scenario must be a mapping`}},
		{"two documents", valid + "---\nname: other\n", []string{`x.yaml:17: a second YAML document`}},
		{"empty", "\n\n", []string{`x.yaml: the scenario is empty`}},
		{"alias", strings.Replace(valid, "title: Refusals", "title: &t Refusals\nsummary: *t", 1),
			[]string{`x.yaml:3: summary: anchors and aliases (*t) aren't supported`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drill.Parse("x.yaml", []byte(tt.data))
			require.Error(t, err)
			var pe *drill.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "x.yaml", pe.Origin)
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tt.want), "got:\n%s", err)
			for i, want := range tt.want {
				assert.True(t, strings.HasPrefix(lines[i], want), "line %d:\n got %s\nwant %s…", i, lines[i], want)
			}
		})
	}
}

func TestParseListsEveryMistake(t *testing.T) {
	data := strings.NewReplacer(
		"name: refusals", "name: Bad Name",
		"at: 1m", "at: soon",
		"after: inject:first", "after: acked",
		"event: resolved", "event: done",
	).Replace(valid)
	_, err := drill.Parse("drills/x.yaml", []byte(data))
	require.Error(t, err)
	var pe *drill.ParseError
	require.ErrorAs(t, err, &pe)
	var lines []int
	for _, p := range pe.Problems {
		lines = append(lines, p.Line)
	}
	assert.Equal(t, []int{1, 9, 13, 16}, lines, "%s", err)
	assert.Contains(t, err.Error(), `drills/x.yaml:16: expected[0].event: unknown event "done"; use one of acknowledged, first_update, roles_assigned, status:<status>, severity:<severity>, statuspage_drafted, action_item, inject:<id>, resolved, kept_private`)
}

func TestParseTooBig(t *testing.T) {
	data := valid + "summary: " + strings.Repeat("x", drill.MaxScenarioBytes) + "\n"
	_, err := drill.Parse("big.yaml", []byte(data))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "big.yaml: the scenario is")
	assert.Contains(t, err.Error(), "at most 65536 (64 KiB)")
}

func TestParseTooMany(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: many\ntitle: Many\nseverity: major\ninjects:\n")
	for i := range 51 {
		fmt.Fprintf(&b, "  - {id: i%d, kind: message, text: hi}\n", i)
	}
	b.WriteString("facts:\n")
	for range 31 {
		b.WriteString("  - a fact\n")
	}
	_, err := drill.Parse("many.yaml", []byte(b.String()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "many.yaml:5: injects: 51 injects; at most 50 are allowed")
	assert.Contains(t, err.Error(), "many.yaml:57: facts: 31 facts; at most 30 are allowed")
}

func TestParseTextLimits(t *testing.T) {
	long := strings.Repeat("é", 151)
	data := strings.Replace(valid, "title: Refusals", "title: "+long, 1)
	_, err := drill.Parse("x.yaml", []byte(data))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x.yaml:2: title: 151 characters; at most 150 are allowed")

	data = strings.Replace(valid, "title: Refusals", "title: "+strings.Repeat("é", 150), 1)
	_, err = drill.Parse("x.yaml", []byte(data))
	assert.NoError(t, err, "150 characters (300 bytes) is fine")
}

func TestParseAlertChecks(t *testing.T) {
	data := `name: alerts
title: Alerts
severity: major
injects:
  - id: a
    kind: alert
    alert:
      name: 9lives
      status: pending
      labels:
        bad-label: x
        alertname: y
      url: /relative
  - id: b
    kind: alert
  - id: c
    kind: message
    text: hi
    alert: {name: X}
`
	_, err := drill.Parse("a.yaml", []byte(data))
	require.Error(t, err)
	for _, want := range []string{
		`a.yaml:8: injects[0].alert.name: "9lives" is not an alert name`,
		`a.yaml:9: injects[0].alert.status: unknown status "pending"; use firing or resolved`,
		`a.yaml:11: injects[0].alert.labels.bad-label: "bad-label" is not a label name`,
		`a.yaml:12: injects[0].alert.labels.alertname: set the alert's name with alert.name`,
		`a.yaml:13: injects[0].alert.url: "/relative" is not an absolute http(s) URL`,
		`a.yaml:14: injects[1].alert: required for an alert inject`,
		`a.yaml:19: injects[2].alert: only an alert inject has an alert`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestCheckProgrammatic(t *testing.T) {
	s := drill.Scenario{Name: "go-built", Title: "Built in Go", Severity: incident.Major,
		Injects:  []drill.Inject{{ID: "a", Kind: drill.InjectMessage, Text: "hi", Trigger: drill.Trigger{At: time.Minute}}},
		Expected: []drill.Expectation{{Text: "played", Event: "inject:a", Within: time.Hour}},
	}
	assert.NoError(t, s.Check(), "a zero time limit is the default")

	s.Origin = "built-in"
	s.Injects[0].Trigger.After = "acknowledged"
	s.TimeLimit = 25 * time.Hour
	s.Expected[0].Within = -time.Second
	err := s.Check()
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		"built-in: time_limit: 25h is more than 24h; a drill lasts at most a day",
		"built-in: injects[0].at: at and after both set; use at (from the start) or after with an optional delay, not both",
		"built-in: expected[0].within: -1s is negative; offsets count forward from the start or the event",
	}, "\n"), err.Error())
}

func TestEventCheck(t *testing.T) {
	for _, ev := range []drill.Event{"acknowledged", "first_update", "roles_assigned", "status:identified",
		"status:investigating", "status:monitoring", "status:mitigated", "severity:critical", "severity:sev_1",
		"statuspage_drafted", "action_item", "inject:rollback-failed"} {
		assert.NoError(t, ev.Check(true), ev)
		assert.NoError(t, ev.Check(false), ev)
	}
	for _, ev := range []drill.Event{"resolved", "kept_private"} {
		assert.Error(t, ev.Check(true), ev)
		assert.NoError(t, ev.Check(false), ev)
	}
	for _, ev := range []drill.Event{"", "acked", "status:", "status:resolved", "severity:", "severity:Critical",
		"inject:", "inject:Bad", "colour:blue", "first_update:now"} {
		assert.Error(t, ev.Check(false), ev)
	}
	assert.ErrorContains(t, drill.Event("status:resolved").Check(false), "use the event resolved")
}

func TestParseOneLineTexts(t *testing.T) {
	data := strings.Replace(valid, "title: Refusals", "title: |\n  two\n  lines", 1)
	_, err := drill.Parse("x.yaml", []byte(data))
	assert.ErrorContains(t, err, "x.yaml:2: title: spans several lines; write it on one line")
}
