package workflows_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakePagerDuty stands in for the PagerDuty activities and records their
// calls.
type fakePagerDuty struct {
	mu sync.Mutex
	// pageErr, when set, is what every Page attempt fails with.
	pageErr error
	// onCall is what OnCall answers.
	onCall   activities.OnCallResult
	pages    []activities.PageRequest
	attempts int
	resolves []activities.ResolvePageRequest
	oncalls  []activities.OnCallRequest
}

func newFakePagerDuty(env *testsuite.TestWorkflowEnvironment) *fakePagerDuty {
	f := &fakePagerDuty{}
	var a *activities.PagerDuty
	env.RegisterActivity(&activities.PagerDuty{})
	env.OnActivity(a.Page, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PageRequest) (activities.PageResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.attempts++
			if f.pageErr != nil {
				return activities.PageResult{}, f.pageErr
			}
			f.pages = append(f.pages, req)
			return activities.PageResult{DedupKey: req.DedupKey, RoutedBy: "the default routing key"}, nil
		}).Maybe()
	env.OnActivity(a.ResolvePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.ResolvePageRequest) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.resolves = append(f.resolves, req)
			return nil
		}).Maybe()
	env.OnActivity(a.OnCall, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.OnCallRequest) (activities.OnCallResult, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.oncalls = append(f.oncalls, req)
			return f.onCall, nil
		}).Maybe()
	return f
}

// PagingSuite runs IncidentWorkflow with PagerDuty configured and its
// activities mocked, on the time-skipping test environment.
type PagingSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	slack *fakeSlack
	proc  *fakeProcess
	pd    *fakePagerDuty
}

func TestPagingSuite(t *testing.T) { suite.Run(t, new(PagingSuite)) }

// pagingProcess is testProcess with PagerDuty configured: critical pages
// (the default), a default routing key, and a payments service with its
// own.
func pagingProcess() incident.Process {
	p := testProcess()
	p.Paging = true
	p.Services["payments"] = incident.Service{Paged: true}
	return p
}

func (s *PagingSuite) SetupTest() {
	s.SetLogger(quietLogger())
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(declaredAt)
	s.slack = newFakeSlack(s.env)
	s.proc = newFakeProcess(s.env, pagingProcess())
	s.pd = newFakePagerDuty(s.env)
}

func (s *PagingSuite) AfterTest(_, _ string) { s.env.AssertExpectations(s.T()) }

// update sends an update after delay and requires it to be accepted and
// to complete without error.
func (s *PagingSuite) update(delay time.Duration, name string, arg any) {
	updateAfter(&s.Suite, s.env, delay, name, arg)
}

// resolveAt resolves the incident after delay.
func (s *PagingSuite) resolveAt(delay time.Duration) {
	s.update(delay, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: "Rolled back the deploy"})
}

// run runs the workflow to completion and returns the resolved incident.
func (s *PagingSuite) run(in wfapi.IncidentInput) incident.Incident {
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	s.True(s.env.IsWorkflowCompleted())
	s.NoError(s.env.GetWorkflowError())
	var inc incident.Incident
	s.NoError(s.env.GetWorkflowResult(&inc))
	return inc
}

func (s *PagingSuite) input() wfapi.IncidentInput {
	return wfapi.IncidentInput{Declaration: testDeclaration()}
}

// pageAt pages by hand after delay and hands the outcome (or error) to got.
func (s *PagingSuite) pageAt(delay time.Duration, req wfapi.PageRequest, got func(wfapi.PageOutcome, error)) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(wfapi.UpdatePage, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { got(wfapi.PageOutcome{}, err) },
			OnAccept: func() {},
			OnComplete: func(res any, err error) {
				out, _ := res.(wfapi.PageOutcome)
				got(out, err)
			},
		}, req)
	}, delay)
}

// entries returns the texts of the timeline entries of kind.
func entries(inc incident.Incident, kind string) []string {
	var out []string
	for _, e := range inc.Timeline {
		if e.Kind == kind {
			out = append(out, e.Text)
		}
	}
	return out
}

// postsContaining returns the texts of the war-room posts containing sub.
func (s *PagingSuite) postsContaining(sub string) []string {
	var out []string
	for _, c := range s.slack.called("PostMessage") {
		if req := c.Req.(activities.PostRequest); req.Channel == "C0WARROOM" && strings.Contains(req.Text, sub) {
			out = append(out, req.Text)
		}
	}
	return out
}

func (s *PagingSuite) TestDeclaringCriticalPagesAndResolvingResolves() {
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.Require().Len(s.pd.pages, 1)
	p := s.pd.pages[0]
	s.Equal(wfapi.PageDedupKey("abc123", ""), p.DedupKey)
	s.Equal("abc123", p.IncidentID)
	s.Equal("checkout", p.Service)
	s.Equal("[CRITICAL] Checkout <!channel> *down*", p.Summary, "PagerDuty shows plain text")
	s.Equal("critical", p.Severity)
	s.Equal("checkout", p.Component)
	s.Equal("Payments fail with 502", p.CustomDetails["summary"])
	s.Equal("https://slack.com/app_redirect?channel=C0WARROOM", p.Links[0].Href)

	kickoff := s.slack.posts("kickoff")[0].Req.(activities.PostRequest)
	s.Equal([]time.Duration{0}, times(s.slack.posts("kickoff")), "paging doesn't hold up the kickoff")
	var ids []string
	for _, b := range kickoff.Buttons {
		ids = append(ids, b.ActionID)
	}
	s.Equal([]string{wfapi.ActionPostUpdate, wfapi.ActionChangeSeverity, wfapi.ActionAssignRole, wfapi.ActionPage, wfapi.ActionResolve}, ids)

	s.Len(s.postsContaining("*Paged the on-call of checkout* through PagerDuty"), 1)
	s.Require().Len(inc.Pages, 1)
	s.True(inc.Pages[0].Sent())
	s.True(inc.Pages[0].Resolved)
	s.Equal([]activities.ResolvePageRequest{{IncidentID: "abc123", Service: "checkout", DedupKey: p.DedupKey}}, s.pd.resolves)
	s.Equal([]string{
		"paged the on-call of checkout through PagerDuty (declared critical)",
		"resolved the PagerDuty page of the on-call of checkout",
	}, entries(inc, incident.EntryPage))
	s.Empty(s.pd.oncalls, "no escalation policy: nobody to look up")
}

func (s *PagingSuite) TestAMinorIncidentDoesntPage() {
	in := s.input()
	in.Declaration.Severity = incident.Minor
	s.resolveAt(10 * time.Minute)
	inc := s.run(in)
	s.Zero(s.pd.attempts)
	s.Empty(s.pd.resolves)
	s.Empty(inc.Pages)
	s.Empty(entries(inc, incident.EntryPage))
}

func (s *PagingSuite) TestADrillNeverPagesNorOffersTo() {
	in := s.input()
	in.Declaration.Kind = incident.KindDrill
	s.resolveAt(10 * time.Minute)
	s.run(in)
	s.Zero(s.pd.attempts)
	for _, b := range s.slack.posts("kickoff")[0].Req.(activities.PostRequest).Buttons {
		s.NotEqual(wfapi.ActionPage, b.ActionID)
	}
}

func (s *PagingSuite) TestRaisingToCriticalPagesOnce() {
	in := s.input()
	in.Declaration.Severity = incident.Minor
	s.update(5*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Critical})
	s.update(10*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Major})
	s.update(15*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: "U0BOB", Severity: incident.Critical})
	s.resolveAt(20 * time.Minute)
	inc := s.run(in)

	s.Require().Len(s.pd.pages, 1, "the second raise finds the page sent")
	s.Equal(wfapi.PageDedupKey("abc123", ""), s.pd.pages[0].DedupKey)
	s.Equal(declaredAt.Add(5*time.Minute), inc.Pages[0].SentAt)
	s.Contains(entries(inc, incident.EntryPage), "paged the on-call of checkout through PagerDuty (severity raised to critical)")
	s.Len(s.pd.resolves, 1)
}

func (s *PagingSuite) TestPagingByHandTwiceSendsOnce() {
	in := s.input()
	in.Declaration.Severity = incident.Minor
	var outs []wfapi.PageOutcome
	got := func(out wfapi.PageOutcome, err error) {
		s.NoError(err)
		outs = append(outs, out)
	}
	s.pageAt(5*time.Minute, wfapi.PageRequest{By: "U0ALICE"}, got)
	s.pageAt(6*time.Minute, wfapi.PageRequest{By: "U0BOB", Service: "checkout"}, got)
	s.pageAt(7*time.Minute, wfapi.PageRequest{By: "U0ALICE", Service: "payments"}, got)
	s.resolveAt(20 * time.Minute)
	inc := s.run(in)

	own, payments := wfapi.PageDedupKey("abc123", ""), wfapi.PageDedupKey("abc123", "payments")
	s.Equal([]wfapi.PageOutcome{
		{DedupKey: own, Service: "checkout"},
		{DedupKey: own, Service: "checkout", Already: true},
		{DedupKey: payments, Service: "payments"},
	}, outs)
	s.Require().Len(s.pd.pages, 2)
	s.Equal(own, s.pd.pages[0].DedupKey)
	s.Equal(payments, s.pd.pages[1].DedupKey)
	s.Equal("payments", s.pd.pages[1].Service)
	s.Len(s.pd.resolves, 2, "resolving resolves every page")
	s.Len(s.postsContaining("*Paged the on-call of checkout* through PagerDuty, asked by <@U0ALICE>"), 1)
	s.Equal("U0ALICE", inc.Pages[0].By)
}

func (s *PagingSuite) TestAPageByHandIsRefusedWhenItCantGoOut() {
	var errs []string
	got := func(_ wfapi.PageOutcome, err error) {
		s.Error(err)
		errs = append(errs, err.Error())
	}
	s.proc.change(func(p *incident.Process) { p.Paging = false; p.Permissions.Page = []string{incident.CommanderWord} })
	s.pageAt(time.Minute, wfapi.PageRequest{By: "U0ALICE", Service: "nosuch"}, got)
	s.pageAt(2*time.Minute, wfapi.PageRequest{By: "U0ALICE"}, got)
	s.pageAt(3*time.Minute, wfapi.PageRequest{By: "U0CAROL", Service: "payments"}, got)
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.Require().Len(errs, 3)
	s.Contains(errs[0], `unknown service "nosuch"`)
	s.Contains(errs[1], "PagerDuty isn't set up for checkout: set services.checkout.pagerduty_routing_key or paging.pagerduty.routing_key")
	s.Contains(errs[2], "Only the commander (<@U0ALICE>) can page the on-call for this incident.")
	s.Zero(s.pd.attempts, "critical pages only where PagerDuty takes it")
	s.Contains(entries(inc, incident.EntryRefused), "tried to page the on-call for this incident and was refused")
}

func (s *PagingSuite) TestASecurityIncidentsPageSaysNothing() {
	in := s.input()
	in.Declaration.Security = true
	s.resolveAt(10 * time.Minute)
	s.run(in)
	s.Require().Len(s.pd.pages, 1)
	p := s.pd.pages[0]
	s.Equal(incident.SecurityPageSummary, p.Summary)
	s.Equal("security incident — see Slack", p.Summary)
	s.Equal(map[string]string{"incident_id": "abc123", "war_room": "https://slack.com/app_redirect?channel=C0WARROOM"}, p.CustomDetails)
	s.Empty(p.Component)
	s.Empty(p.Class)
	s.Equal([]activities.PageLink{{Href: "https://slack.com/app_redirect?channel=C0WARROOM", Text: "War room in Slack"}}, p.Links)
}

func (s *PagingSuite) TestPagerDutyDownTellsTheWarRoomOnceAndHoldsNothingUp() {
	s.pd.pageErr = temporal.NewApplicationError("PagerDuty answered 503 Service Unavailable", activities.ErrPagerDutyUnavailable)
	// The test environment stops retrying after 10 attempts: the first 10
	// take 4 minutes, the background ones go on until the resolution.
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0BOB", Text: "Rolling back"})
	s.resolveAt(20 * time.Minute)
	inc := s.run(s.input())

	s.Equal([]time.Duration{0}, times(s.slack.posts("kickoff")), "the war room opened at once")
	s.Equal(5*time.Minute, times(s.slack.posts("update-"))[0], "the update went through")
	s.True(declaredAt.Add(20*time.Minute).Equal(inc.ResolvedAt), "the resolution went through")
	told := s.postsContaining("PagerDuty hasn't taken the page of the on-call of checkout")
	s.Require().Len(told, 1, "told once")
	s.Contains(told[0], "PagerDuty answered 503 Service Unavailable")
	s.Contains(told[0], "keeps trying in the background")
	s.Greater(s.pd.attempts, 10, "retried in the background")
	s.Empty(s.postsContaining("*Paged the on-call"))
	s.Len(s.pd.resolves, 1, "a page the resolution overtook is resolved too, in case it got through")
	s.True(inc.Pages[0].Told)
}

func (s *PagingSuite) TestAPageRefusedForGoodIsToldAtOnce() {
	s.pd.pageErr = temporal.NewNonRetryableApplicationError("PagerDuty refused the routing key of service checkout (401)", activities.ErrPagerDutyConfig, nil)
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.Equal(1, s.pd.attempts)
	told := s.postsContaining("Could not page the on-call of checkout through PagerDuty")
	s.Require().Len(told, 1)
	s.Contains(told[0], "refused the routing key")
	s.Empty(s.pd.resolves, "nothing reached PagerDuty")
	s.True(inc.Pages[0].Failed)
}

// Once the configuration is fixed, paging by hand tries a page given up
// on again, and the incident resolves it once.
func (s *PagingSuite) TestAPageGivenUpOnCanBeSentByHand() {
	s.pd.pageErr = temporal.NewNonRetryableApplicationError("PagerDuty refused the routing key of service checkout (401)", activities.ErrPagerDutyConfig, nil)
	s.env.RegisterDelayedCallback(func() {
		s.pd.mu.Lock()
		s.pd.pageErr = nil
		s.pd.mu.Unlock()
	}, 4*time.Minute)
	var out wfapi.PageOutcome
	s.pageAt(5*time.Minute, wfapi.PageRequest{By: "U0CAROL"}, func(o wfapi.PageOutcome, err error) { s.NoError(err); out = o })
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.False(out.Already, "a page given up on is sent again")
	s.Equal(2, s.pd.attempts)
	s.Len(s.pd.pages, 1)
	s.True(inc.Pages[0].Sent())
	s.Equal("U0CAROL", inc.Pages[0].By)
	s.Len(s.pd.resolves, 1, "resolved once, by the page that got through")
}

func (s *PagingSuite) TestWhoIsOnCallIsInvitedAndNamed() {
	s.proc.change(func(p *incident.Process) { p.Services["checkout"] = incident.Service{OnCall: true} })
	s.slack.users = map[string]string{"ava@example.com": "U0AVA"}
	s.pd.onCall = activities.OnCallResult{
		People: []activities.OnCallPerson{
			{Name: "Ava Lee", Email: "ava@example.com", Level: 1},
			{Name: "Bo <!here> Ng", Email: "bo@example.com", Level: 2},
		},
		Problems: []string{"escalation level 3 of policy P1 has no schedule"},
	}
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.Equal([]activities.OnCallRequest{{Service: "checkout"}}, s.pd.oncalls)
	var invited []string
	for _, c := range s.slack.called("Invite") {
		invited = append(invited, c.Req.(activities.InviteRequest).Users...)
	}
	s.Contains(invited, "ava@example.com")
	s.Contains(invited, "bo@example.com")
	named := s.postsContaining("*On call for checkout (PagerDuty):*")
	s.Require().Len(named, 1)
	s.Contains(named[0], "<@U0AVA> (level 1), Bo &lt;!here&gt; Ng (level 2, no Slack account) — invited to this channel.")
	s.Contains(named[0], "• Bo &lt;!here&gt; Ng (bo@example.com) is on call, but has no Slack account with that email")
	s.Contains(named[0], "• escalation level 3 of policy P1 has no schedule")
	s.NotContains(named[0], "<!here>")
	s.Equal([]incident.OnCallResponder{
		{Name: "Ava Lee", User: "U0AVA", Level: 1, Service: "checkout"},
		{Name: "Bo <!here> Ng", Level: 2, Service: "checkout"},
	}, inc.OnCall)
	var kickoffNamed bool
	for _, u := range s.slack.updatesOf() {
		kickoffNamed = kickoffNamed || strings.Contains(u.Text, "*On call (PagerDuty):* <@U0AVA> (level 1)")
	}
	s.True(kickoffNamed, "the kickoff names who is on call")
}

func (s *PagingSuite) TestPagerDutysEventsAreRecordedOnce() {
	key := wfapi.PageDedupKey("abc123", "")
	ack := wfapi.PageEvent{ID: "EV1", Kind: wfapi.PageAcknowledged, DedupKey: key, By: "Ava", At: declaredAt.Add(4 * time.Minute),
		URL: "https://acme.pagerduty.com/incidents/Q1"}
	for _, d := range []time.Duration{5 * time.Minute, 6 * time.Minute} {
		s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(wfapi.SignalPageEvent, ack) }, d)
	}
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wfapi.SignalPageEvent, wfapi.PageEvent{ID: "EV2", Kind: wfapi.PageAcknowledged, DedupKey: key, By: "Bo", At: declaredAt.Add(7 * time.Minute)})
		s.env.SignalWorkflow(wfapi.SignalPageEvent, wfapi.PageEvent{ID: "", Kind: "exploded", DedupKey: key})
	}, 7*time.Minute)
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.Equal([]string{
		"paged the on-call of checkout through PagerDuty (declared critical)",
		"paged: acknowledged by Ava at 10:04 UTC",
		"paged: acknowledged by Bo at 10:07 UTC",
		"resolved the PagerDuty page of the on-call of checkout",
	}, entries(inc, incident.EntryPage))
	s.Equal(declaredAt.Add(4*time.Minute), inc.PageAcknowledgedAt, "the first acknowledgement")
	d, ok := inc.TimeToAcknowledgePage()
	s.True(ok)
	s.Equal(4*time.Minute, d)
	posts := s.postsContaining("PagerDuty: page acknowledged by *Ava* at 10:04 UTC")
	s.Require().Len(posts, 1)
	s.Contains(posts[0], "<https://acme.pagerduty.com/incidents/Q1|Open it in PagerDuty>")
}

// An incident begun before "paging" never pages, even critical under a
// process that pages; replay_test.go replays one.
func TestPagingIsOffBeforeTheChange(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(quietLogger())
	env := ts.NewTestWorkflowEnvironment()
	env.SetStartTime(declaredAt)
	newFakeSlack(env)
	newFakeProcess(env, pagingProcess())
	pd := newFakePagerDuty(env)
	env.OnGetVersion("paging", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(wfapi.UpdatePage, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) },
			OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				if err == nil || !strings.Contains(err.Error(), "began before incidentflow could page") {
					t.Errorf("page by hand: %v", err)
				}
			},
		}, wfapi.PageRequest{By: "U0ALICE"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(wfapi.UpdateResolve, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				if err != nil {
					t.Error(err)
				}
			},
		}, wfapi.ResolveRequest{By: "U0BOB", Summary: "Rolled back"})
	}, 5*time.Minute)
	env.ExecuteWorkflow(workflows.IncidentWorkflow, wfapi.IncidentInput{Declaration: testDeclaration()})
	if err := env.GetWorkflowError(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if pd.attempts != 0 || len(pd.resolves) != 0 {
		t.Errorf("paged %d times, resolved %d pages before the change", pd.attempts, len(pd.resolves))
	}
}

// A page still failing when the run continues as new goes on in the next
// run, which doesn't tell the war room again, sends it once PagerDuty is
// back and resolves it with the incident; the events recorded in the first
// run go along.
func (s *PagingSuite) TestAPageCarriesOverWhenTheWorkflowContinuesAsNew() {
	s.pd.pageErr = temporal.NewApplicationError("PagerDuty answered 503 Service Unavailable", activities.ErrPagerDutyUnavailable)
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wfapi.SignalPageEvent, wfapi.PageEvent{ID: "EV9", Kind: wfapi.PageAcknowledged,
			DedupKey: wfapi.PageDedupKey("abc123", ""), By: "Ava", At: declaredAt.Add(5 * time.Minute)})
	}, 5*time.Minute)
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(wfapi.DefaultHistoryLimit) }, 6*time.Minute)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, s.input())
	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &can), "%v", s.env.GetWorkflowError())
	var next wfapi.IncidentInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	s.Require().Len(next.State.Pages, 1)
	s.True(next.State.Pages[0].Told)
	s.False(next.State.Pages[0].Sent())
	s.Contains(entries(*next.State, incident.EntryPage), "paged: acknowledged by Ava at 10:05 UTC", "recorded before continuing")

	s.SetupTest() // the next run, PagerDuty back
	s.resolveAt(10 * time.Minute)
	inc := s.run(next)
	s.Require().Len(s.pd.pages, 1)
	s.Len(s.postsContaining("*Paged the on-call of checkout* through PagerDuty (declared critical), at last."), 1)
	s.Empty(s.postsContaining("hasn't taken the page"), "told once, in the first run")
	s.Len(s.pd.resolves, 1)
	s.True(inc.Pages[0].Resolved)
}
