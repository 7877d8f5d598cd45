package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// MaintenanceSuite runs MaintenanceWorkflow on the time-skipping test
// environment: Slack and the war-room activities are mocked, and the war
// room's IncidentWorkflow is a fake child that ends when signalled.
type MaintenanceSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	slack *fakeSlack
	// proc is the worker's process (testProcess).
	proc *fakeProcess

	mu       sync.Mutex
	noRoom   bool // the war room fails to open
	children []wfapi.IncidentInput
	resolved []activities.ResolveWarRoomRequest
}

func TestMaintenanceSuite(t *testing.T) { suite.Run(t, new(MaintenanceSuite)) }

// signalResolve ends the fake war-room child; its argument is who resolved.
const signalResolve = "test-resolve"

// now is when each test's run begins (the schedule fires).
var now = declaredAt

func (s *MaintenanceSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(now)
	s.children, s.resolved, s.noRoom = nil, nil, false
	s.env.RegisterWorkflowWithOptions(s.fakeIncident, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
	s.env.RegisterActivity(&activities.Incidents{Workflows: warRooms{s}})
	s.slack = newFakeSlack(s.env)
	s.proc = newFakeProcess(s.env, testProcess())
}

func (s *MaintenanceSuite) AfterTest(_, _ string) { s.env.AssertExpectations(s.T()) }

// fakeIncident stands in for IncidentWorkflow: it records its input and
// runs until signalled (or for 1000 hours).
func (s *MaintenanceSuite) fakeIncident(ctx workflow.Context, in wfapi.IncidentInput) (incident.Incident, error) {
	s.mu.Lock()
	s.children = append(s.children, in)
	s.mu.Unlock()
	if s.noRoom && in.Declaration.Kind == incident.KindMaintenance {
		return incident.Incident{}, temporal.NewNonRetryableApplicationError("could not open the war room", "WarRoomFailed", nil)
	}
	inc := incident.New(in.Declaration)
	inc.ChannelID = "C0MAINTROOM"
	// The test environment waits for every child: give up after a while.
	var by string
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, signalResolve), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &by) })
	sel.AddFuture(workflow.NewTimer(ctx, 1000*time.Hour), func(workflow.Future) {})
	sel.Select(ctx)
	inc.Status, inc.ResolvedBy, inc.ResolvedAt = incident.Resolved, by, workflow.Now(ctx)
	return inc, nil
}

// input is a 2-hour window starting 48 hours after now, announced in two
// channels, with the default heads-ups, a 20-minute cadence and 15
// minutes' grace.
func (s *MaintenanceSuite) input() wfapi.MaintenanceInput {
	p := testProcess()
	w := incident.PrepareWindow(incident.Window{
		ID: "dbup", Title: "DB upgrade <!channel>", Description: "Postgres 16", Start: now.Add(48 * time.Hour),
		Duration: 2 * time.Hour, Services: []string{"checkout"}, AnnounceChannels: []string{"incidents", "ops"},
		Lead: "U0LEAD", ScheduledBy: "U0ALICE",
	}, &p)
	pol := incident.DefaultMaintenancePolicy()
	pol.UpdateEvery = 20 * time.Minute
	return wfapi.MaintenanceInput{Window: w, Policy: pol, TimeZone: "UTC"}
}

// update sends an update after delay and requires it to complete without
// error.
func (s *MaintenanceSuite) update(delay time.Duration, name string, arg any) {
	updateAfter(&s.Suite, s.env, delay, name, arg)
}

// rejected sends an update after delay and requires it to be rejected
// with an error containing want.
func (s *MaintenanceSuite) rejected(delay time.Duration, name string, arg any, want string) {
	rejectedAfter(&s.Suite, s.env, delay, name, arg, want)
}

func (s *MaintenanceSuite) run(in wfapi.MaintenanceInput) wfapi.MaintenanceState {
	s.env.ExecuteWorkflow(workflows.MaintenanceWorkflow, in)
	s.True(s.env.IsWorkflowCompleted())
	s.NoError(s.env.GetWorkflowError())
	var st wfapi.MaintenanceState
	s.NoError(s.env.GetWorkflowResult(&st))
	return st
}

// at returns when each call happened, as offsets from now.
func at(calls []slackCall) []time.Duration {
	out := make([]time.Duration, len(calls))
	for i, c := range calls {
		out[i] = c.At.Sub(now).Round(time.Second)
	}
	return out
}

func channels(calls []slackCall) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = req(c).Channel
	}
	return out
}

func req(c slackCall) activities.PostRequest { return c.Req.(activities.PostRequest) }

func (s *MaintenanceSuite) TestHeadsUpsAtTheOffsetsThenTheWarRoomOpens() {
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD", Note: "all good"})
	st := s.run(s.input())

	heads := s.slack.posts("maint-headsup-")
	s.Equal([]time.Duration{24 * time.Hour, 24 * time.Hour, 47 * time.Hour, 47 * time.Hour}, at(heads))
	s.ElementsMatch([]string{"incidents", "ops"}, channels(heads[:2]))
	s.Contains(req(heads[0]).Text, "Planned maintenance in 1d")
	s.Contains(req(heads[2]).Text, "Planned maintenance in 1h")
	s.NotContains(req(heads[0]).Text, "<!channel>")
	s.Equal("dbup-20260304t1000", req(heads[0]).IncidentID)

	start := s.slack.posts("maint-start")
	s.Equal([]time.Duration{48 * time.Hour, 48 * time.Hour}, at(start))
	s.Contains(req(start[0]).Text, "Maintenance in progress")
	s.Contains(req(start[0]).Text, "<#C0MAINTROOM>")

	s.Require().Len(s.children, 1)
	child := s.children[0]
	s.Equal(incident.KindMaintenance, child.Declaration.Kind)
	s.Equal("dbup-20260304t1000", child.Declaration.ID)
	s.Equal("U0LEAD", child.Declaration.Commander)
	s.Equal(20*time.Minute, child.Process.UpdateEvery(child.Declaration.Severity), "reminders at the maintenance cadence")
	s.Empty(child.Process.AnnounceChannels, "the window announces its war room: the war room doesn't announce itself too")
	s.Require().NotNil(child.Maintenance, "the war room follows the maintenance process of the worker's")
	s.Equal([]string{"checkout"}, child.Maintenance.Window.Services)
	s.Equal(20*time.Minute, child.Maintenance.Policy.UpdateEvery, "reminders at the maintenance cadence")
	s.False(child.Retrospective)

	s.Require().Len(s.resolved, 1)
	s.Equal("dbup-20260304t1000", s.resolved[0].IncidentID)
	s.Contains(s.resolved[0].Resolve.Summary, "all good")
	end := s.slack.posts("maint-end")
	s.Len(end, 2)
	s.ElementsMatch([]string{"C0INCIDENTS", "C0OPS"}, channels(end), "where the start was announced")
	s.NotEmpty(req(end[0]).ThreadTS, "the end is announced in the thread of the start")
	s.Empty(s.slack.posts("maint-confirm"), "completed before the planned end: no need to ask")

	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.Equal("U0LEAD", st.EndedBy)
	s.Len(st.HeadsUps, 2)
	s.Equal("C0MAINTROOM", st.ChannelID)
}

func (s *MaintenanceSuite) TestHeadsUpsAlreadyPastAreSkipped() {
	in := s.input()
	in.Window.Start = now.Add(90 * time.Minute)
	s.update(2*time.Hour, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(in)
	s.Equal([]time.Duration{30 * time.Minute, 30 * time.Minute}, at(s.slack.posts("maint-headsup-")))
	s.Equal([]time.Duration{24 * time.Hour}, st.Skipped)
}

func (s *MaintenanceSuite) TestARecurringRunWorksOutItsStartFromTheScheduledTime() {
	in := s.input()
	in.Window.Start = now.Add(-7*24*time.Hour + 26*time.Hour) // a Tuesday at 12:00, last week
	in.Window.Recurrence = incident.Recurrence{Kind: incident.RecurWeekly}
	s.NoError(s.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
		wfapi.SearchScheduledStart.ValueSet(now.Add(time.Hour)))))
	s.update(27*time.Hour, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(in)
	s.Equal(now.Add(26*time.Hour), st.Start, "this week's Tuesday")
	s.Equal([]time.Duration{2 * time.Hour, 2 * time.Hour, 25 * time.Hour, 25 * time.Hour}, at(s.slack.posts("maint-headsup-")))
	s.Equal("dbup-20260303t1200", s.children[0].Declaration.ID)
}

func (s *MaintenanceSuite) TestTheLeadIsAskedAtTheEndThenAnOverrunEscalatesAndPromotes() {
	s.update(50*time.Hour+25*time.Minute, wfapi.UpdateMaintenancePromote,
		wfapi.PromoteMaintenanceRequest{By: "U0BOB", Severity: incident.Major, Note: "replication broke"})
	st := s.run(s.input())

	confirm := s.slack.posts("maint-confirm")
	s.Require().Len(confirm, 1)
	s.Equal(50*time.Hour, at(confirm)[0])
	s.Equal("C0MAINTROOM", req(confirm[0]).Channel)
	s.Equal([]string{wfapi.ActionMaintenanceComplete, wfapi.ActionMaintenancePromote},
		[]string{req(confirm[0]).Buttons[0].ActionID, req(confirm[0]).Buttons[1].ActionID})
	s.Equal("dbup", req(confirm[0]).Buttons[0].Value)

	overrun := s.slack.posts("maint-overrun")
	s.Require().Len(overrun, 3, "the war room and both announce channels")
	s.Equal(50*time.Hour+15*time.Minute, at(overrun)[0])
	s.Contains(req(overrun[0]).Text, "<!subteam^S0ONCALL>", "the escalation group is called")
	s.Len(req(overrun[0]).Buttons, 2)

	s.Require().Len(s.children, 2, "the war room, then the incident")
	inc := s.children[1]
	s.Equal(incident.KindIncident, inc.Declaration.Kind)
	s.Equal(incident.Major, inc.Declaration.Severity)
	s.Equal("U0BOB", inc.Declaration.Declarer)
	s.Contains(inc.Declaration.Title, "Maintenance overrun")
	s.Contains(inc.Declaration.Summary, "replication broke")
	s.Contains(inc.Declaration.Summary, "C0MAINTROOM")
	s.Nil(inc.Maintenance, "the incident runs under the normal process")
	s.Equal(30*time.Minute, inc.Process.UpdateEvery(incident.Major))

	s.Require().Len(s.resolved, 1)
	s.Contains(s.resolved[0].Resolve.Summary, "Promoted to incident "+inc.Declaration.ID)
	s.Len(s.slack.posts("maint-promoted"), 3)
	s.Equal(wfapi.PhasePromoted, st.Phase)
	s.Equal(inc.Declaration.ID, st.PromotedTo)
	s.False(st.OverrunAt.IsZero())
}

func (s *MaintenanceSuite) TestResolvingTheWarRoomDirectlyCompletesTheWindow() {
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflowByID(wfapi.IncidentWorkflowID("dbup-20260304t1000"), signalResolve, "U0CAROL")
	}, 49*time.Hour)
	st := s.run(s.input())
	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.Equal("U0CAROL", st.EndedBy)
	s.Len(s.slack.posts("maint-end"), 2)
	s.Empty(s.slack.posts("maint-confirm"))
	s.Empty(s.resolved, "already resolved")
}

// completeWindow runs the test window: the lead completes it an hour in,
// asking for a retrospective or not, and then its war room is resolved.
func (s *MaintenanceSuite) completeWindow(retrospective bool) wfapi.MaintenanceState {
	s.update(49*time.Hour, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD", Retrospective: retrospective})
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflowByID(wfapi.IncidentWorkflowID("dbup-20260304t1000"), signalResolve, "U0LEAD")
	}, 49*time.Hour+time.Minute)
	return s.run(s.input())
}

func (s *MaintenanceSuite) TestARetrospectiveOnlyWhenAskedFor() {
	// Not asked: neither the window nor its war room starts one.
	s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(nil).Maybe()
	st := s.completeWindow(false)
	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.env.AssertWorkflowNumberOfCalls(s.T(), wfapi.RetrospectiveWorkflowName, 0)
	s.Require().Len(s.children, 1)
	s.False(s.children[0].Retrospective, "the war room is not asked for one either")

	// Asked when the lead completes the window: exactly one.
	s.SetupTest()
	s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(nil).Once()
	st = s.completeWindow(true)
	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.Empty(st.Notes)
}

func (s *MaintenanceSuite) TestCancellingBeforeTheStartTellsWhereTheHeadsUpWent() {
	s.rejected(25*time.Hour, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"}, "hasn't started yet")
	s.update(30*time.Hour, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: "U0ALICE", Reason: "vendor delay"})
	st := s.run(s.input())
	cancel := s.slack.posts("maint-cancel")
	s.Require().Len(cancel, 2)
	heads := s.slack.posts("maint-headsup-")
	s.Require().Len(heads, 2, "only the 24h heads-up went out")
	s.ElementsMatch([]string{"C0INCIDENTS", "C0OPS"}, channels(cancel), "where the heads-up went")
	s.NotEmpty(req(cancel[0]).ThreadTS)
	s.Contains(req(cancel[0]).Text, "Cancelled")
	s.Contains(req(cancel[0]).Text, "vendor delay")
	s.Empty(s.children, "no war room")
	s.Equal(wfapi.PhaseCancelled, st.Phase)
	s.Equal(30*time.Hour, st.EndedAt.Sub(now))
}

func (s *MaintenanceSuite) TestCancellingBeforeAnyHeadsUpPostsNothing() {
	s.update(time.Hour, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: "U0ALICE"})
	st := s.run(s.input())
	s.Empty(s.slack.called("PostMessage"))
	s.Equal(wfapi.PhaseCancelled, st.Phase)
}

func (s *MaintenanceSuite) TestAMovedWindowSaysWhereItWent() {
	moved := now.Add(72 * time.Hour)
	s.update(47*time.Hour+time.Minute, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: "U0ALICE", MovedTo: moved})
	st := s.run(s.input())
	posts := s.slack.posts("maint-moved")
	s.Require().Len(posts, 2)
	s.Contains(req(posts[0]).Text, "Rescheduled")
	s.Contains(req(posts[0]).Text, "Thu 5 Mar 10:00 UTC")
	s.Equal(moved, st.MovedTo)
}

func (s *MaintenanceSuite) TestUpdatesAreValidated() {
	s.rejected(48*time.Hour+time.Minute, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: "U0ALICE"}, "in progress")
	s.rejected(48*time.Hour+2*time.Minute, wfapi.UpdateMaintenancePromote, wfapi.PromoteMaintenanceRequest{By: "U0BOB", Severity: "sev0"}, "unknown severity")
	s.update(48*time.Hour+3*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(wfapi.QueryMaintenance)
		s.Require().NoError(err)
		var st wfapi.MaintenanceState
		s.NoError(v.Get(&st))
		s.Equal(wfapi.PhaseInProgress, st.Phase)
		s.Equal("C0MAINTROOM", st.ChannelID)
	}, 48*time.Hour+30*time.Second)
	s.Equal(wfapi.PhaseCompleted, s.run(s.input()).Phase)
}

func (s *MaintenanceSuite) TestWithoutAWarRoomTheWindowCarriesOn() {
	s.noRoom = true
	s.update(50*time.Hour+5*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.input())
	confirm := s.slack.posts("maint-confirm")
	s.Require().Len(confirm, 1, "the lead is still asked at the end")
	s.Equal("incidents", req(confirm[0]).Channel, "in the first announce channel")
	s.Contains(req(s.slack.posts("maint-start")[0]).Text, "its war room")
	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.Len(st.Notes, 2, "the war room's failure is noted: %v", st.Notes)
}

// warRooms plays the war room's incident workflows for the real
// activities.Incidents: the war room opens (unless noRoom) and resolving is
// recorded.
type warRooms struct{ s *MaintenanceSuite }

func (w warRooms) AwaitWarRoom(_ context.Context, id string) (incident.WarRoom, error) {
	if w.s.noRoom {
		return incident.WarRoom{}, temporal.NewApplicationError("Slack said no", "WarRoomFailed")
	}
	return incident.WarRoom{ID: id, WorkflowID: wfapi.IncidentWorkflowID(id), ChannelID: "C0MAINTROOM", ChannelName: "inc-maint"}, nil
}

func (w warRooms) RecordAlert(context.Context, string, wfapi.RecordAlertRequest) error { return nil }

func (w warRooms) ResolveIfOpen(_ context.Context, id, by, summary string) error {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.resolved = append(w.s.resolved, activities.ResolveWarRoomRequest{IncidentID: id, Resolve: activities.Resolution{By: by, Summary: summary}})
	return nil
}
