package starter_test

import (
	"context"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// A request that can't start a drill is refused with what to change,
// before Temporal is asked (the starter here has no client).
func TestDrillRequestsRefused(t *testing.T) {
	d := &starter.Drills{Incidents: &starter.Incidents{Process: incident.DefaultProcess()}, Scenarios: drill.BuiltIn()}
	odd := drill.BuiltIn()[0]
	odd.Name, odd.Severity = "odd-severity", "sev0"
	d.Scenarios = append(d.Scenarios, odd)
	for _, tc := range []struct {
		req  starter.DrillRequest
		want string
	}{
		{starter.DrillRequest{Scenario: "fire"}, `there is no scenario "fire": choose one of bad-deploy, database-outage, security-breach`},
		{starter.DrillRequest{Scenario: "bad-deploy", Speed: 100}, "speed 100 is out of range"},
		{starter.DrillRequest{Scenario: "bad-deploy", Participants: []string{"alice"}}, `"alice" isn't a Slack user ID`},
		{starter.DrillRequest{Scenario: "bad-deploy", Commander: "<!here>"}, `"<!here>" isn't a Slack user ID`},
		{starter.DrillRequest{Scenario: "bad-deploy", Participants: make([]string, 51)}, "at most 50 participants"},
		{starter.DrillRequest{Scenario: "odd-severity"}, "scenario odd-severity: "},
	} {
		_, err := d.Start(context.Background(), tc.req, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start(%+v) = %v, want %q", tc.req, err, tc.want)
		}
	}
	if got := len(d.List()); got != 4 {
		t.Errorf("List() has %d scenarios", got)
	}
}
