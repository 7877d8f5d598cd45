package workflows_test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakePublicPage stands in for the Statuspage activities: it records each
// PublishIncident call and, until downUntil, fails as an outage would.
type fakePublicPage struct {
	env *testsuite.TestWorkflowEnvironment
	// downUntil, when set, is when Statuspage answers again; refuse, when
	// set, is its answer for good.
	downUntil time.Time
	refuse    error

	mu       sync.Mutex
	calls    []activities.PublicIncidentRequest
	attempts int
}

// newFakePublicPage mocks PublishIncident on env.
func newFakePublicPage(env *testsuite.TestWorkflowEnvironment) *fakePublicPage {
	f := &fakePublicPage{env: env}
	var a *activities.StatusPage
	env.RegisterActivity(&activities.StatusPage{})
	env.OnActivity(a.PublishIncident, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PublicIncidentRequest) (activities.PublicIncident, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.attempts++
			if f.refuse != nil {
				return activities.PublicIncident{}, f.refuse
			}
			if env.Now().Before(f.downUntil) {
				return activities.PublicIncident{}, temporal.NewApplicationError("Statuspage answered 503 Service Unavailable", "StatusPageUnavailable")
			}
			f.calls = append(f.calls, req)
			return activities.PublicIncident{ID: "sp-incident-1", Shortlink: "https://stspg.io/abc", Status: req.Status}, nil
		}).Maybe()
	return f
}

// published returns the calls that went through, in order.
func (f *fakePublicPage) published() []activities.PublicIncidentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]activities.PublicIncidentRequest(nil), f.calls...)
}

// withStatusPage sets up the status page in the worker's process, with
// components for checkout, and returns the fake Statuspage.
func (s *IncidentSuite) withStatusPage() *fakePublicPage {
	s.proc.change(func(p *incident.Process) {
		p.StatusPage = true
		svc := p.Services["checkout"]
		svc.StatusPageComponents = []string{"cmpcheckout", "cmpapi"}
		p.Services["checkout"] = svc
	})
	return newFakePublicPage(s.env)
}

// publishRequest is what the Slack form sends when Alice, the commander,
// confirms its prefilled public text.
func publishRequest() wfapi.PublishStatusPageRequest {
	return wfapi.PublishStatusPageRequest{
		By: "U0ALICE", Name: "Degraded service: checkout", Body: "Some customers can't check out. We're investigating.",
		Impact: "major", Components: map[string]string{"cmpcheckout": "partial_outage", "cmpapi": "degraded_performance"},
	}
}

// statusPageEntries returns the texts of inc's status-page timeline
// entries.
func statusPageEntries(inc incident.Incident) []string {
	var out []string
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryStatusPage {
			out = append(out, e.Text)
		}
	}
	return out
}

func (s *IncidentSuite) TestPublishingCreatesThePublicIncidentAndPublishedUpdatesAndTheResolutionFollow() {
	sp := s.withStatusPage()
	var publish outcome
	s.send(2*time.Minute, wfapi.UpdatePublishStatusPage, publishRequest(), &publish)
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Identified,
		Text: "Bad deploy of payments-7f3 (internal)", Public: &wfapi.PublicUpdate{Body: "We found the cause and are fixing it."}})
	s.update(8*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Mitigated,
		Text: "Rolled back; watching error rates"})
	s.resolveAt(10 * time.Minute)
	inc := s.run(s.input())

	s.NoError(publish.err)
	calls := sp.published()
	s.Require().Len(calls, 3, "the creation, the published update and the resolution; the internal-only update isn't published")
	create, update, resolve := calls[0], calls[1], calls[2]
	s.Equal(activities.PublicIncidentRequest{
		IncidentID: "abc123", Name: "Degraded service: checkout", Status: "investigating",
		Body: "Some customers can't check out. We're investigating.", Impact: "major",
		Components: map[string]string{"cmpcheckout": "partial_outage", "cmpapi": "degraded_performance"}, UpdateKey: "abc123-public-1",
	}, create)
	s.Equal(activities.PublicIncidentRequest{
		IncidentID: "abc123", PageIncidentID: "sp-incident-1", Status: "identified",
		Body: "We found the cause and are fixing it.", UpdateKey: "abc123-public-2",
	}, update, "the public text only, never the internal one")
	s.Equal(activities.PublicIncidentRequest{
		IncidentID: "abc123", PageIncidentID: "sp-incident-1", Status: "resolved", Body: incident.ResolvedPublicBody,
		Components: map[string]string{"cmpcheckout": "operational", "cmpapi": "operational"}, UpdateKey: "abc123-public-3",
	}, resolve)

	s.Equal([]string{
		"published to the status page at 10:02 UTC: “Degraded service: checkout” — investigating: Some customers can't check out. We're investigating. (components: cmpapi degraded_performance, cmpcheckout partial_outage)",
		"updated the status page at 10:05 UTC: identified: We found the cause and are fixing it.",
		"resolved on the status page at 10:10 UTC: resolved: " + incident.ResolvedPublicBody + " (components: cmpapi operational, cmpcheckout operational)",
	}, statusPageEntries(inc))
	s.Require().NotNil(inc.StatusPage)
	s.Equal("sp-incident-1", inc.StatusPage.PageIncidentID)
	s.Equal(map[string]string{"cmpcheckout": "operational", "cmpapi": "operational"}, inc.StatusPage.Components)
	s.Empty(inc.StatusPage.Pending)

	told := s.slack.posts("statuspage-published")
	s.Require().Len(told, 1, "the war room hears once where the public incident is")
	s.Contains(told[0].Req.(activities.PostRequest).Text, "Published to the status page by <@U0ALICE>: “Degraded service: checkout” (investigating). <https://stspg.io/abc|See it as customers do>.")

	kickoff := s.slack.posts("kickoff")[0].Req.(activities.PostRequest)
	s.Contains(kickoff.Buttons, activities.Button{ActionID: wfapi.ActionPublishStatusPage, Text: "Publish to status page", Value: "abc123"})
}

func (s *IncidentSuite) TestNothingGoesPublicUnasked() {
	sp := s.withStatusPage()
	var public outcome
	s.update(time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "Looking"})
	s.send(2*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "Found it",
		Public: &wfapi.PublicUpdate{Body: "We found it"}}, &public)
	s.resolveAt(3 * time.Minute)
	inc := s.run(s.input())

	s.Zero(sp.attempts, "never published from a declaration, an update or the resolution")
	s.Nil(inc.StatusPage)
	s.True(public.rejected)
	s.ErrorContains(public.err, "this incident isn't on the status page")
	s.Empty(statusPageEntries(inc))
}

func (s *IncidentSuite) TestWithoutAStatusPageThereIsNoButtonAndPublishingIsRefused() {
	var publish outcome
	s.send(time.Minute, wfapi.UpdatePublishStatusPage, publishRequest(), &publish)
	s.resolveAt(2 * time.Minute)
	s.run(s.input())

	s.True(publish.rejected)
	s.ErrorContains(publish.err, "the status page isn't set up on this incidentflow: set statuspage.api_key and statuspage.page_id")
	for _, b := range s.slack.posts("kickoff")[0].Req.(activities.PostRequest).Buttons {
		s.NotEqual(wfapi.ActionPublishStatusPage, b.ActionID)
	}
}

func (s *IncidentSuite) TestOnlyTheSpokespersonOrTheCommanderPublish() {
	sp := s.withStatusPage()
	var responder, comms outcome
	bySomeone := publishRequest()
	bySomeone.By = "U0DAVE"
	s.send(time.Minute, wfapi.UpdatePublishStatusPage, bySomeone, &responder)
	s.update(2*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0CAROL"})
	byComms := publishRequest()
	byComms.By = "U0CAROL"
	s.send(3*time.Minute, wfapi.UpdatePublishStatusPage, byComms, &comms)
	var daveUpdate outcome
	s.send(4*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0DAVE", Text: "Fixing",
		Public: &wfapi.PublicUpdate{Body: "A fix is rolling out"}}, &daveUpdate)
	s.resolveAt(5 * time.Minute)
	inc := s.run(s.input())

	s.refusedWith(responder, "Only the spokesperson or the commander (<@U0ALICE>) can publish this incident to the status page.")
	s.NoError(comms.err)
	s.True(daveUpdate.rejected, "a responder's update may not go public")
	s.EqualError(daveUpdate.err, "Only the spokesperson (<@U0CAROL>) or the commander (<@U0ALICE>) can publish this incident to the status page.")
	s.Len(sp.published(), 2, "Carol's publication and the resolution")
	s.Len(statusPageEntries(inc), 2)
}

// A security incident is published only with public text its commander
// typed into the empty form (TypedByCommander, By == commander): a
// prefilled text, or the spokesperson's words, are refused on the
// timeline, and so is a published update by anyone else.
func (s *IncidentSuite) TestASecurityIncidentPublishesOnlyWhatItsCommanderTyped() {
	sp := s.withStatusPage()
	in := s.input()
	in.Declaration.Security = true
	var prefilled, byComms, typed, commsUpdate outcome
	s.update(time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: "U0ALICE", Role: incident.Comms, User: "U0CAROL"})
	s.send(2*time.Minute, wfapi.UpdatePublishStatusPage, publishRequest(), &prefilled)
	carol := publishRequest()
	carol.By, carol.TypedByCommander = "U0CAROL", true
	s.send(3*time.Minute, wfapi.UpdatePublishStatusPage, carol, &byComms)
	alice := publishRequest()
	alice.Name, alice.Body, alice.TypedByCommander = "Login issues", "Some customers must sign in again.", true
	s.send(4*time.Minute, wfapi.UpdatePublishStatusPage, alice, &typed)
	s.send(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0CAROL", Text: "Sessions revoked",
		Public: &wfapi.PublicUpdate{Body: "Everyone is signed out"}}, &commsUpdate)
	s.resolveAt(6 * time.Minute)
	inc := s.run(in)

	sentence := "A security incident goes on the status page only with public text its commander (<@U0ALICE>) typed themselves into the empty form: nothing prefilled, nobody else's words."
	s.refusedWith(prefilled, sentence)
	s.refusedWith(byComms, sentence)
	s.NoError(typed.err)
	s.True(commsUpdate.rejected)
	s.EqualError(commsUpdate.err, sentence)
	calls := sp.published()
	s.Require().Len(calls, 2, "the commander's publication and the resolution")
	s.Equal("Login issues", calls[0].Name)
	s.Equal("resolved", calls[1].Status)
	var refusals int
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryRefused && strings.Contains(e.Text, "status page") {
			refusals++
		}
	}
	s.Equal(2, refusals)
}

// Statuspage down for 40 minutes: the update and the resolution go on in
// Slack at once, the war room hears once, and the posts go out in order
// when Statuspage is back; the workflow ends only then.
func (s *IncidentSuite) TestAStatusPageOutageHoldsUpNothingAndIsToldOnce() {
	sp := s.withStatusPage()
	sp.downUntil = declaredAt.Add(40 * time.Minute)
	s.update(time.Minute, wfapi.UpdatePublishStatusPage, publishRequest())
	s.update(10*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "Fixing",
		Public: &wfapi.PublicUpdate{Body: "A fix is being rolled out.", Status: "monitoring"}})
	s.resolveAt(20 * time.Minute)
	inc := s.run(s.input())

	s.Equal(times(s.slack.posts("update")), []time.Duration{10 * time.Minute, 10 * time.Minute}, "the update is posted at once (war room, broadcast)")
	s.Equal(20*time.Minute, inc.ResolvedAt.Sub(declaredAt), "the resolution isn't held up")
	s.Equal([]time.Duration{20 * time.Minute}, times(s.slack.posts("resolved-")[:1]))
	outage := s.slack.posts("statuspage-outage-")
	s.Require().Len(outage, 1, "told once")
	s.InDelta(float64(6*time.Minute), float64(times(outage)[0]), float64(time.Minute), "after a few minutes")
	s.Contains(outage[0].Req.(activities.PostRequest).Text, "The status page hasn't taken a public post for 5m (Statuspage answered 503 Service Unavailable)")

	calls := sp.published()
	s.Require().Len(calls, 3)
	s.Equal([]string{"investigating", "monitoring", "resolved"}, []string{calls[0].Status, calls[1].Status, calls[2].Status})
	s.Equal("sp-incident-1", calls[1].PageIncidentID)
	s.Len(statusPageEntries(inc), 3)
	s.Greater(sp.attempts, 3, "retried in the background")
}

// A post Statuspage refuses for good is told in the war room and noted;
// the incident goes on.
func (s *IncidentSuite) TestAPostTheStatusPageRefusesIsToldAndNoted() {
	sp := s.withStatusPage()
	sp.refuse = temporal.NewNonRetryableApplicationError("Statuspage refused the API key (401): check statuspage.api_key", "StatusPageRejected", nil)
	s.update(time.Minute, wfapi.UpdatePublishStatusPage, publishRequest())
	s.resolveAt(5 * time.Minute)
	inc := s.run(s.input())

	s.Equal(1, sp.attempts, "not retried, and nothing to resolve: it was never published")
	refused := s.slack.posts("statuspage-refused-")
	s.Require().Len(refused, 1)
	s.Contains(refused[0].Req.(activities.PostRequest).Text, "Statuspage refused the API key (401)")
	s.False(inc.OnStatusPage())
	s.Empty(statusPageEntries(inc))
}

// The posts a run hadn't sent when it continued as new go along in the
// incident's state: the next run sends them, under the same keys (so a
// post the old run's activity did get through isn't doubled), before
// anything queued after them.
func (s *IncidentSuite) TestARunContinuedAsNewSendsThePostsItWasHanded() {
	sp := s.withStatusPage()
	state := incident.New(testDeclaration())
	state.ChannelID, state.ChannelName = "C0WARROOM", "inc-20260302-1000-checkout-channel-down"
	state.NextUpdateBy = declaredAt.Add(15 * time.Minute)
	state.StatusPage = &incident.StatusPage{Name: "Degraded service: checkout", Queued: 1, Pending: []incident.PublicPost{
		{Key: "abc123-public-1", By: "U0ALICE", Name: "Degraded service: checkout", Body: "We're looking into it.", Status: "investigating"},
	}}
	in := s.input()
	in.State = &state
	s.resolveAt(5 * time.Minute)
	inc := s.run(in)

	calls := sp.published()
	s.Require().Len(calls, 2)
	s.Equal("abc123-public-1", calls[0].UpdateKey)
	s.Empty(calls[0].PageIncidentID, "the creation the earlier run didn't finish")
	s.Equal("abc123-public-2", calls[1].UpdateKey)
	s.Equal("resolved", calls[1].Status)
	s.Equal("sp-incident-1", calls[1].PageIncidentID)
	s.Len(statusPageEntries(inc), 2)
}

func (s *IncidentSuite) TestADrillNeverGoesPublic() {
	sp := s.withStatusPage()
	in := s.input()
	in.Declaration.Kind = incident.KindDrill
	var publish outcome
	s.send(time.Minute, wfapi.UpdatePublishStatusPage, publishRequest(), &publish)
	s.resolveAt(2 * time.Minute)
	s.run(in)

	s.True(publish.rejected)
	s.EqualError(publish.err, "a drill never goes on the public status page")
	s.Zero(sp.attempts)
	for _, b := range s.slack.posts("kickoff")[0].Req.(activities.PostRequest).Buttons {
		s.NotEqual(wfapi.ActionPublishStatusPage, b.ActionID, "no button on a drill's kickoff")
	}
}
