package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// testScenario is a scenario with one inject of every trigger: at an
// offset, after a responder's event with a delay, after another inject,
// and a simulated alert.
const testScenario = `
name: test-drill
title: Checkout <!channel> failing
summary: Payments fail with 502
severity: major
service: checkout
time_limit: 1h
facts:
  - The deploy at 09:58 changed the connection pool size.
  - The database's max_connections is 100.
injects:
  - id: alert
    kind: alert
    at: 1m
    alert:
      name: HighErrorRate
      labels: {service: checkout}
      summary: 5xx at 38%
  - id: early
    kind: message
    from: Priya (Head of Sales)
    text: Is it fixed yet? <!here>
    at: 5m
  - id: rollback-failed
    kind: message
    text: The rollback didn't work.
    after: first_update
    delay: 2m
  - id: stale
    kind: status_page_stale
    after: inject:rollback-failed
    delay: 1m
expected:
  - text: severity raised to critical
    event: severity:critical
    within: 10m
  - text: an action item recorded
    event: action_item
  - text: status page drafted
    event: statuspage_drafted
    within: 30m
`

type DrillSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	slack    *fakeSlack
	debriefs []activities.DebriefRequest
}

func TestDrillSuite(t *testing.T) { suite.Run(t, new(DrillSuite)) }

func (s *DrillSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(declaredAt)
	s.slack = newFakeSlack(s.env)
	newFakeProcess(s.env, testProcess())
	s.debriefs = nil
	var d *activities.Debriefs
	s.env.RegisterActivity(&activities.Debriefs{})
	s.env.OnActivity(d.KeepDrillDebrief, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.DebriefRequest) (activities.DebriefResult, error) {
			s.debriefs = append(s.debriefs, req)
			return activities.DebriefResult{Number: 7, URL: "https://github.example.com/acme/incidents/issues/7"}, nil
		}).Maybe()
}

// input is the drill of testScenario at speed, started by Alice, who plays
// the commander, with Pat and Sam taking part.
func (s *DrillSuite) input(speed float64) wfapi.IncidentInput {
	sc, err := drill.Parse("test.yaml", []byte(testScenario))
	s.Require().NoError(err)
	d := sc.Declaration(drill.Start{ID: "drill01", Declarer: "U0ALICE", Commander: "U0ALICE", OriginChannel: "C0GENERAL", At: declaredAt})
	return wfapi.IncidentInput{Declaration: d, Drill: &wfapi.DrillRoom{
		Scenario: sc, Speed: speed, Participants: []string{"U0PAT", "U0SAM"}, Channel: "drills",
	}}
}

// update sends an update after delay and requires it to complete.
func (s *DrillSuite) update(delay time.Duration, name string, arg any) {
	updateAfter(&s.Suite, s.env, delay, name, arg)
}

// run plays the drill to its end and returns its report.
func (s *DrillSuite) run(in wfapi.IncidentInput) (incident.Incident, wfapi.DrillReport) {
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var inc incident.Incident
	s.Require().NoError(s.env.GetWorkflowResult(&inc))
	res, err := s.env.QueryWorkflow(wfapi.QueryDrill)
	s.Require().NoError(err)
	var rep wfapi.DrillReport
	s.Require().NoError(res.Get(&rep))
	s.Require().NotNil(rep.Score, "the drill was debriefed")
	return inc, rep
}

// respond scripts the responders: Sam takes comms at 2m, the first update
// comes at firstUpdate, the severity goes to critical at 4m, Sam drafts a
// status page post at 8m, an action item (when withAction) at 10m, a
// second update at 12m (or a cadence after the first, if later), and Alice
// resolves at 15m (or after the second update).
func (s *DrillSuite) respond(firstUpdate time.Duration, withAction bool) time.Duration {
	s.update(2*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0SAM"})
	s.update(firstUpdate, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Investigating, Text: "Looking at the database"})
	s.update(4*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0ALICE", Severity: incident.Critical, Reason: "customers can't pay"})
	s.update(8*time.Minute, wfapi.UpdatePublishStatusPage, wfapi.PublishStatusPageRequest{By: "U0SAM", Name: "Checkout errors", Body: "We are investigating failed payments."})
	if withAction {
		s.update(10*time.Minute, wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: "U0ALICE", Text: "Alert on pool exhaustion"})
	}
	second := max(12*time.Minute, firstUpdate+5*time.Minute)
	s.update(second, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Identified, Text: "Pool size reverted"})
	end := max(15*time.Minute, second+time.Minute)
	s.update(end, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "Pool size reverted"})
	return end
}

// The safety rules: a drill-… room; every message starts with DRILL;
// nothing in the announce or broadcast channels but the drills channel; no
// lead, escalation group or pager called; the status page post is only a
// draft; no retrospective; the debrief is kept.
func (s *DrillSuite) TestDrillIsSafeByConstruction() {
	s.respond(3*time.Minute, true)
	rejectedAfter(&s.Suite, s.env, 6*time.Minute, wfapi.UpdatePage, wfapi.PageRequest{By: "U0ALICE"}, "is a drill")
	inc, rep := s.run(s.input(1))

	create := s.slack.called("CreateChannel")
	s.Require().Len(create, 1)
	s.True(strings.HasPrefix(create[0].Req.(activities.CreateChannelRequest).Names[0], "drill-inc-20260302-1000-"), "the room is drill-…")
	for _, c := range s.slack.called("PostMessage") {
		post := c.Req.(activities.PostRequest)
		s.True(strings.HasPrefix(post.Text, workflows.DrillPrefix), "post %s starts with DRILL: %q", post.Key, post.Text)
		s.Contains([]string{"C0WARROOM", "drills", "C0DRILLS"}, post.Channel, "post %s goes only to the drill room or the drills channel", post.Key)
		s.NotContains(post.Text, "S0ONCALL", "no escalation group")
		s.NotContains(post.Text, "<!channel>", "the title is escaped")
	}
	for _, c := range s.slack.called("Notify") {
		s.True(strings.HasPrefix(c.Req.(activities.NotifyRequest).Text, workflows.DrillPrefix))
	}
	for _, c := range s.slack.called("SetTopic") {
		s.True(strings.HasPrefix(c.Req.(activities.TopicRequest).Topic, workflows.DrillPrefix))
	}
	announced := s.slack.posts(activities.KeyAnnounce)
	s.Require().Len(announced, 1)
	s.Equal("drills", announced[0].Req.(activities.PostRequest).Channel)
	var invited []string
	for _, c := range s.slack.called("Invite") {
		invited = append(invited, c.Req.(activities.InviteRequest).Users...)
	}
	s.ElementsMatch([]string{"U0ALICE", "U0ALICE", "U0PAT", "U0SAM", "U0SAM"}, invited, "the participants and the commander, no leads")

	s.Equal(incident.KindDrill, inc.Declaration.Kind)
	s.Empty(inc.Pages, "raised to critical, which pages, the drill paged no one")
	s.Nil(inc.StatusPage, "nothing went to the status page")
	s.False(rep.Progress.DraftedAt.IsZero(), "the draft was kept")
	drafts := 0
	for _, e := range inc.Timeline {
		s.NotContains(e.Text, "retrospective started")
		if e.Kind == incident.EntryDrill && strings.HasPrefix(e.Text, "status page post drafted") {
			drafts++
		}
	}
	s.Equal(1, drafts)
	s.Require().Len(s.debriefs, 1, "one debrief kept")
	s.Contains(s.debriefs[0].Title, "Drill debrief")
	s.Equal("drill01", s.debriefs[0].IncidentID)
	debrief := s.slack.posts("drill-")
	s.NotEmpty(debrief)
}

// Each trigger plays its inject when it should: at its offset, a delay
// after the responders' first update, a delay after another inject; the
// simulated alert is recorded as an alert group's change is.
func (s *DrillSuite) TestInjectTriggers() {
	s.respond(3*time.Minute, true)
	inc, rep := s.run(s.input(1))
	at := func(id string) time.Duration { return rep.Progress.Played[id].Sub(declaredAt) }
	s.Equal(time.Minute, at("alert"))
	s.Equal(5*time.Minute, at("early"))
	s.Equal(5*time.Minute, at("rollback-failed"), "first update at 3m + 2m")
	s.Equal(6*time.Minute, at("stale"), "rollback-failed + 1m")
	s.Equal([]time.Duration{time.Minute}, times(s.slack.posts("alert-drill-alert")))
	alerts := 0
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryAlert {
			alerts++
			s.Contains(e.Text, "HighErrorRate")
		}
	}
	s.Equal(1, alerts)
	early := s.slack.posts("drill-")
	s.Require().NotEmpty(early)
	var texts []string
	for _, p := range early {
		texts = append(texts, p.Req.(activities.PostRequest).Text)
	}
	joined := strings.Join(texts, "\n")
	s.Contains(joined, "*Priya (Head of Sales)* (simulated): Is it fixed yet? &lt;!here&gt;", "a simulated person, their text escaped")
	s.Contains(joined, drill.StaleStatusPageText)
}

// At 4× the offsets and the cadence shrink by four.
func (s *DrillSuite) TestSpeedScalesOffsetsAndCadence() {
	s.update(30*time.Second, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Investigating, Text: "Looking"})
	s.update(5*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "done"})
	inc, rep := s.run(s.input(4))
	s.Equal(15*time.Second, rep.Progress.Played["alert"].Sub(declaredAt))
	s.Equal(75*time.Second, rep.Progress.Played["early"].Sub(declaredAt))
	s.Equal(60*time.Second, rep.Progress.Played["rollback-failed"].Sub(declaredAt), "30s + 2m/4")
	s.Equal(15*time.Minute, rep.Scenario.TimeLimit, "1h at 4×")
	s.Equal(7*time.Minute+30*time.Second, rep.Score.Cadence, "major's 30m at 4×")
	s.True(inc.IsResolved())
}

// A drill nobody resolves ends at its time limit, timed out, and is
// debriefed; the reminders never call the escalation group.
func (s *DrillSuite) TestTimeLimitEndsTheDrill() {
	inc, rep := s.run(s.input(1))
	s.Equal(time.Hour, inc.ResolvedAt.Sub(declaredAt))
	s.True(rep.Progress.TimedOut)
	s.True(rep.Score.TimedOut)
	s.Equal(time.Duration(-1), rep.Score.TimeToFirstUpdate)
	s.Contains(inc.Resolution, "time limit")
	s.NotEmpty(s.slack.posts("reminder"), "reminders came")
	for _, c := range s.slack.called("PostMessage") {
		s.NotContains(c.Req.(activities.PostRequest).Text, "S0ONCALL")
	}
}

// The hand-checked scores of three scripted runs, at a 30-minute cadence
// (major) and three expectations: MaxPoints is 3 + 2 + the update
// intervals.
func (s *DrillSuite) TestPerfectRunScoresEveryPoint() {
	s.respond(3*time.Minute, true)
	_, rep := s.run(s.input(1))
	sc := rep.Score
	s.Equal(3*time.Minute, sc.TimeToFirstUpdate)
	s.Equal(2*time.Minute, sc.TimeToRoles)
	s.Equal(2, sc.UpdateIntervals)
	s.Equal(2, sc.UpdatesOnTime)
	for _, e := range sc.Expectations {
		s.True(e.Met, e.Text)
	}
	s.Equal(7, sc.MaxPoints)
	s.Equal(7, sc.Points)
}

func (s *DrillSuite) TestLateFirstUpdateLosesItsPoints() {
	s.respond(40*time.Minute, true)
	_, rep := s.run(s.input(1))
	sc := rep.Score
	s.Equal(40*time.Minute, sc.TimeToFirstUpdate)
	// Raised to critical at 4m, the cadence is 15m: reminders at 19m and
	// 34m end two intervals late, the updates at 40m and 45m two on time.
	s.Equal(4, sc.UpdateIntervals)
	s.Equal(2, sc.UpdatesOnTime)
	s.Equal(9, sc.MaxPoints)
	s.Equal(6, sc.Points, "no point for the first update (40m, past the 30m cadence), none for the two intervals the reminders ended")
}

func (s *DrillSuite) TestMissedActionLosesItsPoint() {
	s.respond(3*time.Minute, false)
	_, rep := s.run(s.input(1))
	sc := rep.Score
	var missed []string
	for _, e := range sc.Expectations {
		if !e.Met {
			missed = append(missed, e.Text)
			s.Equal(time.Duration(-1), e.At)
		}
	}
	s.Equal([]string{"an action item recorded"}, missed)
	s.Equal(7, sc.MaxPoints)
	s.Equal(6, sc.Points)
}

// Hints come in order, each posted in the drill room; past the last one,
// and in an incident that isn't a drill, the update is refused.
func (s *DrillSuite) TestHints() {
	for i := 1; i <= 2; i++ {
		s.update(time.Duration(i)*time.Minute, wfapi.UpdateDrillHint, wfapi.HintRequest{By: "U0PAT"})
	}
	rejectedAfter(&s.Suite, s.env, 3*time.Minute, wfapi.UpdateDrillHint, wfapi.HintRequest{By: "U0PAT"}, "no hints left")
	s.update(4*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "done"})
	_, rep := s.run(s.input(1))
	s.Equal(2, rep.Progress.Hints)
	s.Equal(2, rep.Score.HintsUsed)
	var hints []string
	for _, p := range s.slack.called("PostMessage") {
		if t := p.Req.(activities.PostRequest).Text; strings.Contains(t, ":bulb: Hint") {
			hints = append(hints, t)
		}
	}
	s.Require().Len(hints, 2)
	s.Contains(hints[0], "Hint 1 of 2 (asked by <@U0PAT>): The deploy at 09:58")
}

func (s *DrillSuite) TestHintOutsideADrillIsRefused() {
	rejectedAfter(&s.Suite, s.env, time.Minute, wfapi.UpdateDrillHint, wfapi.HintRequest{By: "U0PAT"}, "isn't a drill")
	s.update(2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: "done"})
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, wfapi.IncidentInput{Declaration: testDeclaration()})
	s.NoError(s.env.GetWorkflowError())
	s.Empty(s.debriefs)
}

// A drill that continues as new carries its progress: every inject is
// played once across the runs, the time limit counts from the first run's
// start, and the debrief comes once, at the end.
func (s *DrillSuite) TestProgressSurvivesContinueAsNew() {
	in := s.input(1)
	in.HistoryLimit = 60
	start, runs, rooms := declaredAt, 0, 0
	posts := map[string]int{}
	var result incident.Incident
	var debriefs int
	for ; runs < 20; runs++ {
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		fake := newFakeSlack(env)
		newFakeProcess(env, testProcess())
		newHistoryCounter(env)
		var d *activities.Debriefs
		env.RegisterActivity(&activities.Debriefs{})
		env.OnActivity(d.KeepDrillDebrief, mock.Anything, mock.Anything).Return(
			func(context.Context, activities.DebriefRequest) (activities.DebriefResult, error) {
				debriefs++
				return activities.DebriefResult{Path: "/tmp/x.md"}, nil
			}).Maybe()
		env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
		rooms += len(fake.called("CreateChannel"))
		for _, c := range fake.called("PostMessage") {
			req := c.Req.(activities.PostRequest)
			posts[req.Channel+" "+req.Key]++
		}
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); errors.As(err, &can) {
			in = wfapi.IncidentInput{}
			s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
			s.Require().NotNil(in.Drill)
			s.Require().NotNil(in.Drill.Progress)
			s.True(in.Drill.Progress.StartedAt.Equal(declaredAt), "the start is carried")
			start = env.Now()
			continue
		}
		s.Require().NoError(env.GetWorkflowError())
		s.Require().NoError(env.GetWorkflowResult(&result))
		break
	}
	s.Greater(runs, 0, "the drill continued as new")
	s.Equal(1, rooms)
	s.Equal(time.Hour, result.ResolvedAt.Sub(declaredAt), "the time limit from the first run's start")
	s.Equal(1, debriefs)
	s.Equal(1, posts["C0WARROOM alert-drill-alert"])
	for key, n := range posts {
		s.Equal(1, n, "posted more than once under %q", key)
	}
	played := 0
	for _, e := range result.Timeline {
		if e.Kind == incident.EntryDrill && strings.Contains(e.Text, "Priya (Head of Sales)") {
			played++
		}
	}
	s.Equal(1, played, "the early inject was played once")
}

// A security drill's debrief goes where security postmortems go, and off
// GitHub when there is no security repository; its room is private.
func (s *DrillSuite) TestSecurityDrillDebriefStaysPrivate() {
	in := s.input(1)
	in.Declaration.Security, in.Drill.Scenario.Security = true, true
	s.update(time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "contained"})
	s.run(in)
	s.True(s.slack.called("CreateChannel")[0].Req.(activities.CreateChannelRequest).Private)
	s.Require().Len(s.debriefs, 1)
	s.True(s.debriefs[0].OffGitHub, "no security repository: kept in a file")
}
