package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// IncidentSuite runs IncidentWorkflow on the time-skipping test
// environment with the Slack activities mocked.
type IncidentSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	slack *fakeSlack
	// proc is the worker's process (testProcess).
	proc *fakeProcess
}

func TestIncidentSuite(t *testing.T) { suite.Run(t, new(IncidentSuite)) }

func (s *IncidentSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(declaredAt)
	s.slack = newFakeSlack(s.env)
	s.proc = newFakeProcess(s.env, testProcess())
}

func (s *IncidentSuite) AfterTest(_, _ string) { s.env.AssertExpectations(s.T()) }

// update sends an update after delay and requires it to be accepted and
// to complete without error.
func (s *IncidentSuite) update(delay time.Duration, name string, arg any) {
	updateAfter(&s.Suite, s.env, delay, name, arg)
}

// resolveAt resolves the incident after delay.
func (s *IncidentSuite) resolveAt(delay time.Duration) {
	s.update(delay, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: "Rolled back the deploy"})
}

// run runs the workflow to completion and returns the resolved incident.
func (s *IncidentSuite) run(in wfapi.IncidentInput) incident.Incident {
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	s.True(s.env.IsWorkflowCompleted())
	s.NoError(s.env.GetWorkflowError())
	var inc incident.Incident
	s.NoError(s.env.GetWorkflowResult(&inc))
	return inc
}

func (s *IncidentSuite) input() wfapi.IncidentInput {
	return wfapi.IncidentInput{Declaration: testDeclaration()}
}

func (s *IncidentSuite) TestWarRoomIsOpenedAndEquipped() {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(wfapi.UpdateWarRoomReady, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { s.Fail("rejected", "%v", err) },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				s.NoError(err)
				s.Equal(incident.WarRoom{ID: "abc123", WorkflowID: "default-test-workflow-id", ChannelID: "C0WARROOM",
					ChannelName: "inc-20260302-1000-checkout-channel-down"}, res)
			},
		})
	}, 0)
	s.resolveAt(5 * time.Minute)
	inc := s.run(s.input())

	create := s.slack.called("CreateChannel")
	s.Require().Len(create, 1)
	req := create[0].Req.(activities.CreateChannelRequest)
	s.Equal("inc-20260302-1000-checkout-channel-down", req.Names[0])
	s.Equal("inc-20260302-1000-checkout-channel-down-2", req.Names[1])
	s.False(req.Private)
	s.Empty(req.Purpose, "the purpose is set beside the kickoff post, off the critical path")

	purpose := s.slack.called("SetPurpose")
	s.Require().Len(purpose, 1)
	s.Equal(activities.PurposeRequest{Channel: "C0WARROOM", IncidentID: "abc123", Purpose: "Payments fail with 502"}, purpose[0].Req)
	s.Equal(create[0].At, purpose[0].At, "no timer or wait between the create and the purpose")

	invite := s.slack.called("Invite")[0].Req.(activities.InviteRequest)
	s.Equal([]string{"U0ALICE", "U0ALICE", "U0CRITLEAD", "dave@example.com"}, invite.Users)

	marks := s.slack.called("AddBookmarks")[0].Req.(activities.BookmarksRequest).Bookmarks
	s.Equal([]activities.Bookmark{
		{Title: "Incident process", Link: "https://docs.example.com/process"},
		{Title: "Runbook: checkout", Link: "https://runbooks.example.com/checkout"},
		{Title: "Video call", Link: "https://meet.example.com/inc-20260302-1000-checkout-channel-down"},
		{Title: "Incident workflow (Temporal)", Link: "http://127.0.0.1:8233/namespaces/default-test-namespace/workflows/default-test-workflow-id"},
	}, marks)

	kickoff := s.slack.posts("kickoff")
	s.Require().Len(kickoff, 1)
	k := kickoff[0].Req.(activities.PostRequest)
	s.True(k.Pin)
	s.Equal("C0WARROOM", k.Channel)
	s.Contains(k.Text, "Checkout &lt;!channel&gt; ∗down∗", "the title is escaped")
	s.NotContains(k.Text, "<!channel>")
	s.Len(k.Buttons, 4)
	s.Equal(wfapi.ActionResolve, k.Buttons[3].ActionID)
	s.Equal("abc123", k.Buttons[3].Value)

	announce := s.slack.posts("announce")
	s.Require().Len(announce, 1)
	s.Contains(announce[0].Req.(activities.PostRequest).Text, "<#C0WARROOM>")

	ack := s.slack.called("Notify")[0].Req.(activities.NotifyRequest)
	s.Equal(activities.NotifyRequest{User: "U0ALICE", Channel: "C0GENERAL", IncidentID: "abc123", Key: "ack", Text: ack.Text}, ack)
	s.Contains(ack.Text, "<#C0WARROOM>")

	s.Equal(declaredAt, inc.AcknowledgedAt)
	s.Equal("C0WARROOM", inc.ChannelID)
	s.Equal(incident.MessageRef{Channel: "C0INCIDENTS", TS: inc.Announcements[0].TS}, inc.Announcements[0])
	s.NotEmpty(inc.Kickoff.TS)
}

func (s *IncidentSuite) TestRemindersComeAtTheCadenceAndEscalateAfterTwoMisses() {
	var local []string
	s.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		local = append(local, info.ActivityType.Name)
	})
	s.resolveAt(50 * time.Minute)
	inc := s.run(s.input())

	s.Equal([]string{"WorkerProcess", "PostMessage", "PostMessage", "PostMessage"}, local,
		"the worker's process as the run begins, then each reminder is one local activity")
	s.Equal([]time.Duration{0, 50 * time.Minute}, times(s.slack.called("SetTopic")),
		"the topic is set when the war room opens and on resolution, not by reminders")

	s.Equal([]time.Duration{15 * time.Minute, 30 * time.Minute, 45 * time.Minute}, times(s.slack.posts("reminder")))
	escalations := s.slack.posts("escalation")
	s.Equal([]time.Duration{30 * time.Minute}, times(escalations))
	s.Contains(escalations[0].Req.(activities.PostRequest).Text, "<!subteam^S0ONCALL>")
	dm := s.slack.called("Notify")[1].Req.(activities.NotifyRequest)
	s.Equal("U0ALICE", dm.User)
	s.Empty(dm.Channel, "the escalation reaches the commander in a direct message")
	s.Equal(3, inc.MissedReminders)
}

func (s *IncidentSuite) TestAnUpdateRestartsTheWait() {
	s.update(10*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{
		Author: "U0BOB", Status: incident.Identified, Text: "Bad deploy <@U0CAROL>"})
	s.update(30*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{
		Author: "U0BOB", Status: incident.Mitigated, Text: "Rolled back", NextUpdateIn: 5 * time.Minute})
	s.resolveAt(38 * time.Minute)
	inc := s.run(s.input())

	s.Equal([]time.Duration{25 * time.Minute, 35 * time.Minute}, times(s.slack.posts("reminder")))
	updates := s.slack.posts("update")
	s.Len(updates, 4, "each update goes to the war room and the broadcast channel")
	s.Contains(updates[0].Req.(activities.PostRequest).Text, "&lt;@U0CAROL&gt;")
	s.Contains(updates[0].Req.(activities.PostRequest).Text, "Next update by 10:25 UTC")
	s.Equal(declaredAt.Add(30*time.Minute), inc.MitigatedAt)
	s.Equal(incident.Resolved, inc.Status)
}

func (s *IncidentSuite) TestASeverityChangeChangesTheCadence() {
	in := s.input()
	in.Declaration.Severity = incident.Major
	s.update(10*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{
		By: "U0BOB", Severity: incident.Critical, Reason: "all regions"})
	s.resolveAt(42 * time.Minute)
	inc := s.run(in)

	s.Equal([]time.Duration{25 * time.Minute, 40 * time.Minute}, times(s.slack.posts("reminder")))
	invites := s.slack.called("Invite")
	s.Equal([]string{"U0CRITLEAD", "dave@example.com"}, invites[len(invites)-1].Req.(activities.InviteRequest).Users)
	s.Equal(incident.Critical, inc.Severity)
	s.Len(inc.SeverityHistory, 1)
	topics := s.slack.called("SetTopic")
	s.Contains(topics[1].Req.(activities.TopicRequest).Topic, "CRITICAL")
}

func (s *IncidentSuite) TestRolesChangeTheTopicAndInviteTheUser() {
	s.update(time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0CAROL"})
	s.update(2*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: "lead", User: "U0BOB"})
	s.update(3*time.Minute, wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{By: "U0BOB", Text: "Add a canary", Due: "2026-03-20"})
	s.resolveAt(4 * time.Minute)
	inc := s.run(s.input())

	s.Equal("U0BOB", inc.Commander)
	s.Equal("U0CAROL", inc.Comms)
	s.Require().Len(inc.ActionItems, 1)
	s.Equal("Add a canary", inc.ActionItems[0].Text)
	topics := s.slack.called("SetTopic")
	s.Contains(topics[2].Req.(activities.TopicRequest).Topic, "IC <@U0BOB>")
	s.Contains(topics[2].Req.(activities.TopicRequest).Topic, "comms <@U0CAROL>")
	invites := s.slack.called("Invite")
	s.Equal([]string{"U0CAROL"}, invites[1].Req.(activities.InviteRequest).Users)
}

func (s *IncidentSuite) TestResolutionIsAnnouncedAndStartsTheRetrospective() {
	var retro wfapi.RetrospectiveInput
	s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in wfapi.RetrospectiveInput) error { retro = in; return nil })
	s.resolveAt(20 * time.Minute)
	inc := s.run(s.input())

	resolved := s.slack.posts("resolved")
	s.Require().Len(resolved, 2)
	byChannel := map[string]activities.PostRequest{}
	for _, c := range resolved {
		byChannel[c.Req.(activities.PostRequest).Channel] = c.Req.(activities.PostRequest)
	}
	s.True(byChannel["C0WARROOM"].Pin)
	thread := byChannel["C0INCIDENTS"]
	s.Equal(inc.Announcements[0].TS, thread.ThreadTS, "the resolution answers the announcement")
	s.Equal([]time.Duration{15 * time.Minute}, times(s.slack.posts("reminder")), "no reminder after resolution")
	s.Equal(20*time.Minute, inc.Durations().ToResolve)
	s.Equal("abc123", retro.Incident.Declaration.ID)
	s.Equal(incident.Resolved, retro.Incident.Status)
	s.Equal(incident.EntryNote, inc.Timeline[len(inc.Timeline)-1].Kind)
}

func (s *IncidentSuite) TestDrillsAndUnaskedMaintenanceGetNoRetrospective() {
	for _, kind := range []incident.Kind{incident.KindDrill, incident.KindMaintenance} {
		s.SetupTest() // a fresh environment for each run
		s.env.OnWorkflow(wfapi.RetrospectiveWorkflowName, mock.Anything, mock.Anything).Return(nil).Maybe()
		in := s.input()
		in.Declaration.Kind = kind
		in.Retrospective = false // not asked for
		s.resolveAt(time.Minute)
		inc := s.run(in)
		s.Equal(incident.EntryResolved, inc.Timeline[len(inc.Timeline)-1].Kind, kind)
		s.env.AssertWorkflowNumberOfCalls(s.T(), wfapi.RetrospectiveWorkflowName, 0)
	}
}

func (s *IncidentSuite) TestSecurityIncidentsKeepTheirDetailsPrivate() {
	in := s.input()
	in.Declaration.Security = true
	s.update(time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Text: "Keys rotated"})
	s.resolveAt(2 * time.Minute)
	s.run(in)

	create := s.slack.called("CreateChannel")[0].Req.(activities.CreateChannelRequest)
	s.True(create.Private)
	s.Equal("inc-20260302-1000-security", create.Names[0])
	announce := s.slack.posts("announce")[0].Req.(activities.PostRequest).Text
	s.NotContains(announce, "Checkout")
	s.NotContains(announce, "C0WARROOM")
	s.Contains(announce, "<@U0ALICE>")
	s.Len(s.slack.posts("update"), 1, "security updates stay in the war room")
	for _, c := range s.slack.posts("resolved") {
		s.NotContains(c.Req.(activities.PostRequest).Text, "Checkout")
	}
}

func (s *IncidentSuite) TestAWarRoomThatCantBeOpenedFailsTheDeclaration() {
	s.slack.createErr = temporal.NewNonRetryableApplicationError(
		"Slack rejected the bot token: check slack.bot_token (Slack conversations.create: invalid_auth)", activities.ErrSlackRejected, nil)
	var ready outcome
	s.send(0, wfapi.UpdateWarRoomReady, nil, &ready)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, s.input())

	s.ErrorContains(s.env.GetWorkflowError(), "check slack.bot_token")
	s.False(ready.rejected)
	s.ErrorContains(ready.err, "the war room of incident abc123 could not be opened: Slack rejected the bot token: check slack.bot_token")
	s.Empty(s.slack.called("PostMessage"), "nothing is announced without a war room")
}
