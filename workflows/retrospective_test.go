package workflows_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// RetroSuite runs RetrospectiveWorkflow on the time-skipping test
// environment with its activities faked.
type RetroSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	fakes *retroFakes
	// proc is the worker's process (retroProcess).
	proc *fakeProcess
}

func TestRetroSuite(t *testing.T) { suite.Run(t, new(RetroSuite)) }

func (s *RetroSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(retroResolvedAt.Add(time.Minute))
	s.env.SetTestTimeout(time.Minute)
	s.fakes = newRetroFakes(s.env)
	s.proc = newFakeProcess(s.env, retroProcess())
}

// configure changes the retrospective settings of the worker's process.
func (s *RetroSuite) configure(edit func(*incident.Retrospective)) {
	s.proc.change(func(p *incident.Process) { edit(&p.Retrospective) })
}

// at runs f at the given test-clock time.
func (s *RetroSuite) at(t time.Time, f func()) {
	s.env.RegisterDelayedCallback(f, t.Sub(retroResolvedAt.Add(time.Minute)))
}

// update sends an update at t and requires it to complete without error.
func (s *RetroSuite) update(t time.Time, name string, arg any) {
	s.at(t, func() {
		s.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { s.Fail("update rejected", "%s: %v", name, err) },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { s.NoError(err, name) },
		}, arg)
	})
}

func (s *RetroSuite) query() incident.RetroState {
	v, err := s.env.QueryWorkflow(wfapi.QueryRetrospective)
	s.Require().NoError(err)
	var st incident.RetroState
	s.Require().NoError(v.Get(&st))
	return st
}

func (s *RetroSuite) run(in wfapi.RetrospectiveInput) {
	s.env.ExecuteWorkflow(workflows.RetrospectiveWorkflow, in)
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
}

var (
	tuesday3pm = time.Date(2025, 3, 11, 15, 0, 0, 0, mustBerlin())
	tuesday4pm = tuesday3pm.Add(time.Hour)
)

func (s *RetroSuite) TestFridayAfternoonBooksTuesdayAndPublishes() {
	var st incident.RetroState
	s.at(tuesday3pm.Add(-2*time.Hour), func() { st = s.query() })
	s.fakes.closeAt = tuesday4pm.Add(72 * time.Hour)
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(retroInput())

	book := s.fakes.called("BookMeeting")
	s.Require().Len(book, 1)
	m := book[0].Req.(activities.Meeting)
	s.True(m.Start.Equal(tuesday3pm), "meeting starts %s, want Tuesday 15:00 Berlin", m.Start)
	s.Equal(time.Hour, m.End.Sub(m.Start))
	s.Equal("Europe/Berlin", m.TimeZone)
	s.Equal("C0WARROOM", m.Channel)
	var emails []string
	for _, a := range m.Attendees {
		emails = append(emails, a.Email)
	}
	// Commander and declarer (Alice), comms (Carol), and Bob from the timeline.
	s.ElementsMatch([]string{"u0alice@example.com", "u0carol@example.com", "u0bob@example.com"}, emails)
	s.Contains(m.Description, "https://github.example/acme/incidents/issues/1", "the meeting links the postmortem")

	pm := s.fakes.called("PublishPostmortem")
	s.Require().NotEmpty(pm)
	first := pm[0].Req.(activities.PostmortemRequest)
	s.Equal([]string{"postmortem", "major"}, first.Labels)
	s.Contains(first.Body, incident.PostmortemMarker("abc123"))
	s.Contains(first.Body, "## Root cause")
	last := pm[len(pm)-1].Req.(activities.PostmortemRequest)
	s.Contains(last.ActionItems, "issues/2", "the postmortem is updated with the action item's issue")

	items := s.fakes.called("OpenActionItem")
	s.Require().Len(items, 1)
	req := items[0].Req.(activities.ActionItemIssueRequest)
	s.Equal("abc123-action-3", req.Key)
	s.Equal([]string{"retro", "incident", "major"}, req.Labels)
	s.Equal("bob-gh", req.Assignee)
	s.Contains(req.Body, "https://github.example/acme/incidents/issues/1")
	s.Contains(req.Body, "https://slack.example/archives/C0WARROOM")

	announce := s.fakes.posts("announce")
	s.Require().Len(announce, 1)
	s.Contains(postText(announce[0]), "https://slack.example/files/invite.ics")
	s.Contains(postText(announce[0]), "issues/1")
	s.Equal(wfapi.ActionAddActionItems, announce[0].Req.(activities.PostRequest).Buttons[0].ActionID)

	s.Equal(incident.RetroScheduled, st.Phase)
	s.True(st.Meeting.Start.Equal(tuesday3pm))
	s.Equal("https://github.example/acme/incidents/issues/1", st.Postmortem.URL)
	s.Require().Len(st.Items, 1)
	s.Equal(2, st.Items[0].Issue.Number)
	s.Equal("bob-gh", st.Items[0].Assignee)
	s.True(st.Booked)
}

func (s *RetroSuite) TestRemindersFollowUpAndStopWhenIssuesClose() {
	doneAt := tuesday4pm.Add(50 * time.Hour) // Thursday 18:00
	closeAt := doneAt.Add(10 * 24 * time.Hour)
	s.fakes.closeAt = closeAt
	s.update(doneAt, wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0CAROL"})
	s.run(retroInput())

	reminder := s.fakes.posts(`reminded`)
	s.Require().Len(reminder, 1)
	s.True(reminder[0].At.Equal(tuesday3pm.Add(-time.Hour)), "reminded at %s", reminder[0].At)

	prompt := s.fakes.posts("done-prompt")
	s.Require().Len(prompt, 1)
	s.True(prompt[0].At.Equal(tuesday4pm))
	s.Equal(wfapi.ActionRetroDone, prompt[0].Req.(activities.PostRequest).Buttons[0].ActionID)
	// Daily until marked done on Thursday evening: Wednesday and Thursday 16:00.
	doneReminders := s.fakes.posts("done-reminder")
	s.Require().Len(doneReminders, 2)
	s.True(doneReminders[1].At.Equal(tuesday4pm.Add(48 * time.Hour)))
	ack := s.fakes.posts("done-ack")
	s.Require().Len(ack, 1)
	s.Contains(postText(ack[0]), "<@U0CAROL> marked the retrospective done")

	// Checked daily from the day it was marked done until the issue closed.
	checks := s.fakes.called("IssueStates")
	s.Len(checks, 11)
	for _, c := range checks {
		s.False(c.At.After(closeAt))
	}
	// A digest when the follow-up starts and a week later.
	digests := s.fakes.posts("digest")
	s.Require().Len(digests, 2)
	s.True(digests[1].At.Sub(digests[0].At) == 7*24*time.Hour)
	s.Contains(postText(digests[0]), "1 of 1 action item(s)")
	closed := s.fakes.posts("all-closed")
	s.Require().Len(closed, 1)
	s.False(closed[0].At.Before(closeAt))
	s.Len(s.fakes.called("ArchiveChannel"), 1, "the war room is archived at the end")
}

func (s *RetroSuite) TestMarkingDoneBeforeTheMeetingSkipsDoneReminders() {
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	s.update(tuesday3pm.Add(-3*time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	// Marking done twice is harmless.
	s.update(tuesday3pm.Add(-2*time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0BOB"})
	s.run(retroInput())
	s.Empty(s.fakes.posts("done-prompt"))
	s.Empty(s.fakes.posts("done-reminder"))
	s.Empty(s.fakes.posts("reminded"), "no meeting reminder once done")
	s.Len(s.fakes.posts("done-ack"), 1)
	s.Len(s.fakes.posts("all-closed"), 1)
}

func (s *RetroSuite) TestFollowUpEndsAfterFollowUpFor() {
	in := retroInput()
	s.configure(func(r *incident.Retrospective) { r.FollowUpFor, r.ArchiveChannel = 30*24*time.Hour, false })
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in) // the issues never close
	ended := s.fakes.posts("follow-up-ended")
	s.Require().Len(ended, 1)
	s.True(ended[0].At.Equal(tuesday4pm.Add(30*24*time.Hour)), "ended at %s", ended[0].At)
	s.Contains(postText(ended[0]), "1 action item(s) still open")
	s.Len(s.fakes.posts("digest"), 5) // days 0, 7, 14, 21, 28
	s.Empty(s.fakes.called("ArchiveChannel"))
}

func (s *RetroSuite) TestActionItemsAddedAfterResolution() {
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	add := wfapi.AddRetroActionItemsRequest{By: "U0CAROL", Items: []incident.ActionItem{
		{Key: "view1-0", Text: "Alert on 502 rate", Owner: "U0DAVE", Due: "2025-03-31"},
		{Key: "view1-1", Text: "Write the runbook", Owner: "U0MALLORY"},
	}}
	s.update(retroResolvedAt.Add(time.Hour), wfapi.UpdateAddRetroActionItems, add)
	// The same submission delivered again adds nothing.
	s.update(retroResolvedAt.Add(2*time.Hour), wfapi.UpdateAddRetroActionItems, add)
	s.at(retroResolvedAt.Add(3*time.Hour), func() {
		s.env.UpdateWorkflow(wfapi.UpdateAddRetroActionItems, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { s.Contains(err.Error(), "YYYY-MM-DD") },
			OnAccept:   func() { s.Fail("a bad due date was accepted") },
			OnComplete: func(any, error) {},
		}, wfapi.AddRetroActionItemsRequest{By: "U0CAROL", Items: []incident.ActionItem{{Text: "x", Due: "next week"}}})
	})
	in := retroInput()
	s.configure(func(r *incident.Retrospective) { r.Assignees["U0MALLORY"] = "mallory" })
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)

	var keys []string
	for _, c := range s.fakes.called("OpenActionItem") {
		keys = append(keys, c.Req.(activities.ActionItemIssueRequest).Key)
	}
	s.Equal([]string{"abc123-action-3", "abc123-view1-0", "abc123-view1-1"}, keys)
	added := s.fakes.posts("items-")
	s.Require().Len(added, 1)
	s.Contains(postText(added[0]), "Alert on 502 rate")
	s.Contains(postText(added[0]), "<@U0DAVE>")
	warnings := s.fakes.posts("warning")
	s.Require().Len(warnings, 1)
	s.Contains(postText(warnings[0]), "mallory")
	pm := s.fakes.called("PublishPostmortem")
	s.Contains(pm[len(pm)-1].Req.(activities.PostmortemRequest).ActionItems, "Write the runbook")
	// The new owner was looked up for the issue body.
	people := s.fakes.called("RetroPeople")
	s.Contains(people[len(people)-1].Req.(activities.RetroPeopleRequest).Users, "U0DAVE")
}

func (s *RetroSuite) TestNoActionItemsEndsAfterDone() {
	in := retroInput()
	in.Incident.ActionItems = nil
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)
	nothing := s.fakes.posts("nothing-to-follow")
	s.Require().Len(nothing, 1)
	s.Contains(postText(nothing[0]), "archived")
	s.Empty(s.fakes.called("IssueStates"))
	s.Empty(s.fakes.called("OpenActionItem"))
	archive := s.fakes.called("ArchiveChannel")
	s.Require().Len(archive, 1)
	s.True(archive[0].At.Equal(tuesday4pm.Add(time.Hour)))
}

func (s *RetroSuite) TestGitHubFailureIsToldAndTheRestGoesOn() {
	s.fakes.failGitHub = true
	in := retroInput()
	s.configure(func(r *incident.Retrospective) { r.FollowUpFor = 3 * 24 * time.Hour })
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)
	warnings := s.fakes.posts("warning")
	s.Require().Len(warnings, 2, "one for the postmortem, one for the action item; later retries stay quiet")
	s.Contains(postText(warnings[0]), "github.token")
	s.Len(s.fakes.called("BookMeeting"), 1, "the meeting is booked all the same")
	s.Len(s.fakes.posts("announce"), 1)
	s.Len(s.fakes.posts("follow-up-ended"), 1)
}

func (s *RetroSuite) TestContinuesAsNewWithItsState() {
	s.env.SetContinueAsNewSuggested(true)
	s.env.ExecuteWorkflow(workflows.RetrospectiveWorkflow, retroInput())
	s.Require().True(s.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &can), "want continue-as-new, got %v", s.env.GetWorkflowError())
	var next wfapi.RetrospectiveInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	s.Equal(incident.RetroScheduled, next.State.Phase)
	s.True(next.State.Booked)
	s.Equal(1, next.State.Postmortem.Number)
	s.Equal("abc123", next.Incident.Declaration.ID)
	s.Equal([]string{"retro"}, next.Process.Retrospective.Labels, "the worker's process goes along")

	// The next run picks up where this one left off: nothing is redone.
	s.SetupTest()
	s.fakes.closeAt = tuesday4pm
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(next)
	s.Empty(s.fakes.called("BookMeeting"))
	s.Empty(s.fakes.called("OpenActionItem"))
	s.Empty(s.fakes.posts("announce"))
	s.Len(s.fakes.posts("all-closed"), 1)
}

// securityRepo is a private repository configured as github.security_repo.
const securityRepo = "acme/security-incidents"

// securityInput is retroInput's incident declared as a security incident.
func securityInput() wfapi.RetrospectiveInput {
	in := retroInput()
	in.Incident.Declaration.Security = true
	return in
}

func (s *RetroSuite) TestSecurityIncidentWithoutSecurityRepoStaysOffGitHub() {
	var st incident.RetroState
	s.update(retroResolvedAt.Add(time.Hour), wfapi.UpdateAddRetroActionItems, wfapi.AddRetroActionItemsRequest{
		By: "U0CAROL", Items: []incident.ActionItem{{Key: "view1-0", Text: "Rotate the leaked key", Owner: "U0DAVE"}}})
	s.at(tuesday3pm.Add(-2*time.Hour), func() { st = s.query() })
	doneAt := tuesday4pm.Add(time.Hour)
	s.update(doneAt, wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(securityInput()) // follow_up_for is the default 90 days

	m := s.fakes.called("BookMeeting")[0].Req.(activities.Meeting)
	s.NotContains(m.Title, "Checkout")
	s.Empty(s.fakes.githubRepos(), "no GitHub call at all: the public repository may be public")
	warnings := s.fakes.posts("warning")
	s.Require().Len(warnings, 1)
	s.Equal(":warning: "+incident.RetroSecurityOffGitHubText, postText(warnings[0]))
	s.Contains(postText(warnings[0]), "github.security_repo", "the war room learns how to get a private repository")

	announce := s.fakes.posts("announce")
	s.Require().Len(announce, 1, "the meeting is announced all the same")
	s.NotContains(postText(announce[0]), "each becomes a GitHub issue")
	s.Contains(postText(announce[0]), "stay in this private channel and in the retrospective's record")
	s.Contains(postText(announce[0]), "Add a canary stage")

	s.True(st.OffGitHub)
	s.Empty(st.Repo)
	s.Contains(incident.RetroDetails(&st, time.UTC), "Off GitHub")

	// Marked done, it ends there: no issue to wait for.
	s.Empty(s.fakes.posts("digest"))
	s.Empty(s.fakes.posts("follow-up-ended"))
	nothing := s.fakes.posts("nothing-to-follow")
	s.Require().Len(nothing, 1)
	s.True(nothing[0].At.Equal(doneAt), "ended at %s, want when marked done (%s)", nothing[0].At, doneAt)
	s.Contains(postText(nothing[0]), "no GitHub issues")
	s.Contains(postText(nothing[0]), "Add a canary stage")
	s.Contains(postText(nothing[0]), "Rotate the leaked key")
	s.Contains(postText(nothing[0]), "archived")
	archive := s.fakes.called("ArchiveChannel")
	s.Require().Len(archive, 1)
	s.True(archive[0].At.Equal(doneAt))
}

func (s *RetroSuite) TestSecurityIncidentGoesToTheSecurityRepo() {
	in := securityInput()
	s.configure(func(r *incident.Retrospective) { r.SecurityRepo = securityRepo })
	var st incident.RetroState
	s.at(tuesday3pm.Add(-2*time.Hour), func() { st = s.query() })
	s.fakes.closeAt = tuesday4pm.Add(72 * time.Hour)
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)

	repos := s.fakes.githubRepos()
	s.NotEmpty(s.fakes.called("PublishPostmortem"))
	s.Len(s.fakes.called("OpenActionItem"), 1)
	s.NotEmpty(s.fakes.called("IssueStates"), "the issues are followed in the security repository")
	s.NotContains(repos, publicRepo, "nothing in the public tracker")
	s.Equal([]string{securityRepo}, slices.Compact(repos))

	s.Empty(s.fakes.posts("warning"))
	announce := s.fakes.posts("announce")
	s.Require().Len(announce, 1)
	s.Contains(postText(announce[0]), "https://github.example/"+securityRepo+"/issues/1")
	s.Contains(postText(announce[0]), "each becomes a GitHub issue")
	s.Equal(securityRepo, st.Repo)
	s.False(st.OffGitHub)
	s.Equal("https://github.example/"+securityRepo+"/issues/1", st.Postmortem.URL)
	s.Len(s.fakes.posts("all-closed"), 1)
}

func (s *RetroSuite) TestOnlySecurityIncidentsGoToTheSecurityRepo() {
	in := retroInput()
	s.configure(func(r *incident.Retrospective) { r.SecurityRepo = securityRepo })
	s.fakes.closeAt = tuesday4pm.Add(72 * time.Hour)
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)
	repos := s.fakes.githubRepos()
	s.NotEmpty(repos)
	s.Equal([]string{publicRepo}, slices.Compact(repos))
}

// A security incident's retrospective begun before "security-off-github"
// opened its issues in github.repo: continued as new, it follows them there.
func (s *RetroSuite) TestSecurityRetrospectiveBegunOnGitHubKeepsItsIssues() {
	in := securityInput()
	s.configure(func(r *incident.Retrospective) { r.SecurityRepo = securityRepo })
	in.State = &incident.RetroState{IncidentID: "abc123", Phase: incident.RetroFollowingUp, Done: true,
		Postmortem:    incident.RetroIssue{Number: 1, URL: "https://github.example/acme/incidents/issues/1", State: "open"},
		Items:         []incident.RetroActionItem{{ActionItem: in.Incident.ActionItems[0], Issue: incident.RetroIssue{Number: 2, State: "open"}}},
		FollowUpUntil: tuesday4pm.Add(30 * 24 * time.Hour)}
	s.fakes.closeAt = retroResolvedAt
	s.run(in)
	s.Equal([]string{publicRepo}, slices.Compact(s.fakes.githubRepos()))
	s.Len(s.fakes.posts("all-closed"), 1)
}

// The retrospective follows the worker's retrospective settings, not
// those of the process its input carried (as inputs recorded before the
// process came from the worker did).
func (s *RetroSuite) TestTheRetrospectiveFollowsTheWorkersSettings() {
	in := retroInput()
	in.Process = incident.DefaultProcess()
	in.Process.Retrospective.Labels = []string{"from-the-input"}
	in.Process.Retrospective.TimeZone = "America/New_York"
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.run(in)

	s.Equal(1, s.proc.loaded())
	items := s.fakes.called("OpenActionItem")
	s.Require().Len(items, 1)
	s.Contains(items[0].Req.(activities.ActionItemIssueRequest).Labels, "retro")
	s.NotContains(items[0].Req.(activities.ActionItemIssueRequest).Labels, "from-the-input")
	booked := s.fakes.called("BookMeeting")
	s.Require().Len(booked, 1)
	s.Equal("Europe/Berlin", booked[0].Req.(activities.Meeting).TimeZone, "booked in the worker's zone")
}
