package workflows_test

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// The group follows the worker's process, not the one its input carried:
// a declaration from the triage prompt is checked against the worker's
// severities, and a route that names no severity declares at the worker's
// mildest.
func (s *AlertGroupSuite) TestTheGroupFollowsTheWorkersProcess() {
	workers := func(p *incident.Process) { p.Severities = p.Severities[:2] } // critical, major
	s.proc.change(workers)
	in := groupInput()
	in.Process = callersProcess()
	s.notify(0, notification(triageRoute, alertErrors))
	s.rejected(time.Minute, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: "U0CAROL", Declaration: incident.Declaration{
		Title: "Checkout", Severity: incident.Minor,
	}}, `unknown severity "minor": use one of critical, major`)
	s.update(2*time.Minute, wfapi.UpdateAlertDeclare, wfapi.AlertDeclareRequest{By: "U0CAROL", Declaration: incident.Declaration{
		Title: "Checkout is down", Severity: incident.Major}}, nil)
	s.resolveIncident(30*time.Minute, testGroup)
	s.run(in)
	s.Equal(1, s.proc.loaded())
	children := s.childList()
	s.Require().Len(children, 1)
	s.Equal([]incident.Severity{incident.Critical, incident.Major}, children[0].In.Process.SeverityLevels(), "the worker's goes along")

	s.SetupTest()
	s.proc.change(workers)
	route := declareRoute
	route.Severity = ""
	s.notify(0, notification(route, alertErrors))
	s.resolveIncident(30*time.Minute, testGroup)
	s.run(in)
	children = s.childList()
	s.Require().Len(children, 1)
	s.Equal(incident.Major, children[0].In.Declaration.Severity, "the worker's mildest")
}
