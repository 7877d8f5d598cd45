package drill_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
)

func builtIn(t *testing.T, name string) drill.Scenario {
	t.Helper()
	s, ok := drill.Find(drill.BuiltIn(), name)
	require.True(t, ok, name)
	return s
}

// perfectRun is database-outage at real time, every expectation met, and
// every update on time.
func perfectRun(t *testing.T) (drill.Scenario, *incident.Incident, drill.Progress) {
	s := builtIn(t, "database-outage").Scaled(1)
	run := declared(incident.Major, false).
		role(at(2, 0), "U0ALICE", incident.Commander).
		role(at(3, 0), "U0BOB", incident.Comms).
		severity(at(4, 0), incident.Critical).
		update(at(6, 0), incident.Investigating, "Postgres primary at max connections; investigating").
		update(at(18, 0), incident.Identified, "the nightly export holds the connections").
		update(at(30, 0), incident.Mitigated, "export stopped; sign-ins recovering").
		resolve(at(35, 0), "U0ALICE")
	p := drill.Progress{StartedAt: t0, Speed: 1, Hints: 1, DraftedAt: at(10, 0), EndedAt: at(35, 0),
		Played: map[string]time.Time{
			"connections-alert": at(1, 0), "support-tickets": at(4, 0), "error-rate": at(10, 0),
			"sales-asks": at(11, 0), "status-page-stale": at(15, 0), "cfo-asks": at(21, 0),
		}}
	return s, &run.inc, p
}

func TestGradePerfectRun(t *testing.T) {
	s, inc, p := perfectRun(t)
	sc := drill.Grade(s, inc, p, 15*time.Minute)
	assert.Equal(t, drill.Score{
		Scenario: "database-outage", Title: "Application database refusing connections", Speed: 1,
		Duration: 35 * time.Minute, Cadence: 15 * time.Minute,
		TimeToAcknowledge: 2 * time.Minute, TimeToFirstUpdate: 6 * time.Minute, TimeToRoles: 3 * time.Minute,
		UpdateIntervals: 3, UpdatesOnTime: 3,
		Expectations: []drill.ExpectationResult{
			{Text: "Acknowledge the incident", Met: true, At: 2 * time.Minute},
			{Text: "Post the first status update", Met: true, At: 6 * time.Minute},
			{Text: "Raise the severity to critical (customers can't sign in or check out)", Met: true, At: 4 * time.Minute},
			{Text: "Assign a commander and a comms lead", Met: true, At: 3 * time.Minute},
			{Text: "Draft a status page post for customers", Met: true, At: 10 * time.Minute},
			{Text: "Resolve the incident", Met: true, At: 35 * time.Minute},
		},
		HintsUsed: 1,
		Points:    6 + 1 + 1 + 3, MaxPoints: 6 + 2 + 3,
	}, sc)
}

// A reminder came before the first update: the first update is late for
// its expectation and for its point, and the first interval ended late.
func TestGradeLateFirstUpdate(t *testing.T) {
	s := builtIn(t, "database-outage").Scaled(1)
	run := declared(incident.Major, false).
		role(at(2, 0), "U0ALICE", incident.Commander).
		role(at(3, 0), "U0BOB", incident.Comms).
		severity(at(4, 0), incident.Critical).
		remind(at(15, 0)).
		update(at(17, 0), incident.Investigating, "looking").
		update(at(25, 0), incident.Identified, "found it").
		resolve(at(30, 0), "U0BOB")
	p := drill.Progress{StartedAt: t0, Speed: 1, DraftedAt: at(20, 0), EndedAt: at(30, 0)}
	sc := drill.Grade(s, &run.inc, p, 15*time.Minute)

	assert.Equal(t, 17*time.Minute, sc.TimeToFirstUpdate)
	assert.Equal(t, 3, sc.UpdateIntervals)
	assert.Equal(t, 2, sc.UpdatesOnTime)
	assert.Equal(t, drill.ExpectationResult{Text: "Post the first status update", Met: false, At: 17 * time.Minute}, sc.Expectations[1])
	met := 0
	for _, e := range sc.Expectations {
		if e.Met {
			met++
		}
	}
	assert.Equal(t, 5, met)
	assert.Equal(t, 5+0+1+2, sc.Points, "no first-update point, one interval late")
	assert.Equal(t, 6+2+3, sc.MaxPoints)
	assert.Equal(t, 30*time.Minute, sc.Duration)
	assert.False(t, sc.TimedOut)
}

// bad-deploy at 2×: nobody took comms, nobody recorded an action item,
// and the time limit ended it.
func TestGradeMissedAction(t *testing.T) {
	s := builtIn(t, "bad-deploy").Scaled(2)
	require.Equal(t, 22*time.Minute+30*time.Second, s.TimeLimit)
	run := declared(incident.Major, false).
		role(at(1, 0), "U0ALICE", incident.Commander).
		update(at(4, 0), incident.Investigating, "checkout 500s since the deploy").
		update(at(9, 0), incident.Identified, "v2.14.0 broke pricing; rolling back")
	p := drill.Progress{StartedAt: t0, Speed: 2, EndedAt: at(22, 30), TimedOut: true,
		Played: map[string]time.Time{"error-alert": at(0, 15), "deploy-bot": at(0, 30), "rollback-failed": at(10, 0)}}
	sc := drill.Grade(s, &run.inc, p, drill.ScaleCadence(30*time.Minute, 2))

	assert.Equal(t, drill.Score{
		Scenario: "bad-deploy", Title: "Checkout errors after the 14:02 deploy", Speed: 2,
		Duration: 22*time.Minute + 30*time.Second, TimedOut: true, Cadence: 15 * time.Minute,
		TimeToAcknowledge: time.Minute, TimeToFirstUpdate: 4 * time.Minute, TimeToRoles: -1,
		UpdateIntervals: 2, UpdatesOnTime: 2,
		Expectations: []drill.ExpectationResult{
			{Text: "Acknowledge the incident", Met: true, At: time.Minute},
			{Text: "Post the first status update", Met: true, At: 4 * time.Minute},
			{Text: "Say what was identified as the cause (status identified)", Met: true, At: 9 * time.Minute},
			{Text: "Record an action item (for example, require down migrations or expand-contract changes)", Met: false, At: -1},
			{Text: "Resolve the incident", Met: false, At: -1},
		},
		Points: 3 + 1 + 0 + 2, MaxPoints: 5 + 2 + 2,
	}, sc)
}

func TestGradeNothingHappened(t *testing.T) {
	s := builtIn(t, "security-breach").Scaled(1)
	sc := drill.Grade(s, nil, drill.Progress{}, 15*time.Minute)
	assert.Equal(t, time.Duration(-1), sc.TimeToAcknowledge)
	assert.Equal(t, time.Duration(-1), sc.TimeToFirstUpdate)
	assert.Equal(t, time.Duration(-1), sc.TimeToRoles)
	assert.Equal(t, 0, sc.Points)
	assert.Equal(t, len(s.Expected)+2+1, sc.MaxPoints, "at least one update interval")
	assert.Equal(t, 1.0, sc.Speed)
}
