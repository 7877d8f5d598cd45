package workflows_test

import (
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// outcome is how an update ended: its rejection, or its handler's error.
type outcome struct {
	rejected bool
	err      error
}

// send sends an update after delay and stores how it ended in out.
func (s *IncidentSuite) send(delay time.Duration, name string, arg any, out *outcome) {
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { *out = outcome{rejected: true, err: err} },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { out.err = err },
		}, arg)
	}, delay)
}

func (s *IncidentSuite) TestValidatorsRejectWhatCantBeApplied() {
	cases := []struct {
		name string
		arg  any
		want string
	}{
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Text: "  "}, "a status update needs text"},
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Text: "ok", Status: "resolved"}, `unknown status "resolved": use one of investigating`},
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Text: "ok", Status: "fine"}, `unknown status "fine"`},
		{wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Text: "ok", NextUpdateIn: -time.Minute}, "can't be negative"},
		{wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{Severity: "sev0"}, `unknown severity "sev0": use one of critical, major, minor`},
		{wfapi.UpdateSetSeverity, wfapi.SetSeverityRequest{Severity: incident.Critical}, "incident abc123 is already critical"},
		{wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{Role: "scribe", User: "U0BOB"}, `unknown role "scribe": use commander or comms`},
		{wfapi.UpdateAssignRole, wfapi.AssignRoleRequest{Role: incident.Comms}, "name the user"},
		{wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{Text: ""}, "an action item needs text"},
		{wfapi.UpdateAddActionItem, wfapi.AddActionItemRequest{Text: "x", Due: "next week"}, "use YYYY-MM-DD"},
		{wfapi.UpdateResolve, wfapi.ResolveRequest{Summary: " "}, "resolving needs a summary"},
	}
	outcomes := make([]outcome, len(cases))
	for i, c := range cases {
		s.send(time.Minute, c.name, c.arg, &outcomes[i])
	}
	var first, second, late outcome
	s.send(2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: "fixed"}, &first)
	s.send(2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0BOB", Summary: "fixed again"}, &second)
	s.send(2*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Text: "still here"}, &late)
	inc := s.run(s.input())

	for i, c := range cases {
		s.True(outcomes[i].rejected, "%s %+v was accepted", c.name, c.arg)
		s.ErrorContains(outcomes[i].err, c.want)
	}
	s.NoError(first.err)
	s.ErrorContains(second.err, "incident abc123 is already resolved; if the problem is back, declare a new incident")
	s.ErrorContains(late.err, "already resolved")
	s.Equal("fixed", inc.Resolution)
	s.Empty(inc.Updates, "rejected updates leave no trace")
	s.Empty(inc.ActionItems)
}
