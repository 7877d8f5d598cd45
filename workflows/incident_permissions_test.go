package workflows_test

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// refusedWith requires o to be the permission model's refusal: accepted by
// the validator, then failed by the handler with a wfapi.NotAllowedError
// whose message is sentence.
func (s *IncidentSuite) refusedWith(o outcome, sentence string) {
	s.T().Helper()
	s.False(o.rejected, "a refusal is the handler's, so that it goes on the timeline")
	var appErr *temporal.ApplicationError
	if s.True(errors.As(o.err, &appErr), "want an application error, got %v", o.err) {
		s.Equal(wfapi.NotAllowedError, appErr.Type())
		s.Equal(sentence, appErr.Message())
	}
}

// Only the commander, the spokesperson, the current severity's leads and
// the incident admins may resolve, change the severity or give roles. A
// refusal changes nothing but the timeline, and the incident stays open
// until someone who may resolves it.
func (s *IncidentSuite) TestOnlyTheIncidentsLeadersMayResolveChangeTheSeverityOrGiveRoles() {
	const carol, lead, alice = "U0CAROL", "U0CRITLEAD", "U0ALICE" // a responder, the critical lead, the commander
	var resolve, severity, role, leadSeverity, leadResolve, comms, done outcome
	s.send(1*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: carol, Summary: "looks fine"}, &resolve)
	s.send(2*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: carol, Severity: incident.Minor}, &severity)
	s.send(3*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: carol, Role: incident.Commander, User: carol}, &role)
	s.send(4*time.Minute, wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{By: lead, Severity: incident.Major}, &leadSeverity)
	s.send(5*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: lead, Summary: "no longer mine"}, &leadResolve)
	s.send(6*time.Minute, wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{By: alice, Role: incident.Comms, User: carol}, &comms)
	s.send(8*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: alice, Summary: "Rolled back the deploy"}, &done)
	inc := s.run(s.input())

	s.refusedWith(resolve, "Only the commander (<@U0ALICE>), the spokesperson, the critical leads or an incident admin can resolve this incident.")
	s.refusedWith(severity, "Only the commander (<@U0ALICE>), the spokesperson, the critical leads or an incident admin can change this incident's severity.")
	s.refusedWith(role, "Only the commander (<@U0ALICE>), the spokesperson, the critical leads or an incident admin can give this incident's roles.")
	s.NoError(leadSeverity.err, "a lead of the current severity may change it")
	s.refusedWith(leadResolve, "Only the commander (<@U0ALICE>), the spokesperson, the major leads or an incident admin can resolve this incident.")
	s.NoError(comms.err)
	s.NoError(done.err, "the commander may resolve")

	s.Equal(alice, inc.Commander, "the refused role changed nothing")
	s.Equal(carol, inc.Comms)
	s.Equal(incident.Major, inc.Severity)
	s.Len(inc.SeverityHistory, 1, "only the lead's change")
	s.Equal(alice, inc.ResolvedBy)
	s.Equal(declaredAt.Add(8*time.Minute), inc.ResolvedAt, "the incident stayed open until its commander resolved it")

	var refusals []incident.TimelineEntry
	for _, e := range inc.Timeline {
		if e.Kind == incident.EntryRefused {
			refusals = append(refusals, e)
		}
	}
	s.Equal([]incident.TimelineEntry{
		{At: declaredAt.Add(1 * time.Minute), Actor: carol, Kind: incident.EntryRefused, Text: "tried to resolve this incident and was refused"},
		{At: declaredAt.Add(2 * time.Minute), Actor: carol, Kind: incident.EntryRefused, Text: "tried to change this incident's severity and was refused"},
		{At: declaredAt.Add(3 * time.Minute), Actor: carol, Kind: incident.EntryRefused, Text: "tried to give this incident's roles and was refused"},
		{At: declaredAt.Add(5 * time.Minute), Actor: lead, Kind: incident.EntryRefused, Text: "tried to resolve this incident and was refused"},
	}, refusals)

	resolved := s.slack.posts("resolved-")
	s.NotEmpty(resolved, "the commander's resolution is posted")
	for _, p := range resolved {
		s.Equal(8*time.Minute, p.At.Sub(declaredAt), "no resolution was posted before the commander's")
	}
	for _, p := range s.slack.called("PostMessage") {
		s.NotContains(p.Req.(activities.PostRequest).Text, "looks fine", "a refused resolution is posted nowhere")
	}
}

// An incident admin may, and so may the CLI, whoever it acts as.
func (s *IncidentSuite) TestAdminsAndTheCLIMayResolve() {
	for _, req := range []wfapi.ResolveRequest{
		{By: "U0BOB", Summary: "an incident admin resolves"},                         // testProcess's admin
		{By: "the CLI on host build-7", Summary: "the CLI resolves", Operator: true}, // no Slack identity
		{By: "U0CAROL", Summary: "the CLI resolves as someone else", Operator: true}, // --as U0CAROL
	} {
		s.Run(req.Summary, func() {
			s.SetupTest()
			var out outcome
			s.send(time.Minute, wfapi.UpdateResolve, req, &out)
			inc := s.run(s.input())
			s.NoError(out.err)
			s.Equal(req.By, inc.ResolvedBy)
			s.Zero(inc.EntryCount(incident.EntryRefused))
		})
	}
}
