package workflows_test

import (
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// A window scheduled with another configuration's process runs under the
// worker's: its updates are checked against the worker's severities, and
// its times are given in the worker's time zone, while its start is
// worked out in the zone it was scheduled in.
func (s *MaintenanceSuite) TestTheRunFollowsTheWorkersProcess() {
	s.proc.change(func(p *incident.Process) {
		p.Severities = append(p.Severities, incident.SeverityPolicy{Name: "sev0", UpdateEvery: time.Hour})
		p.TimeZone = "Europe/Berlin"
	})
	in := s.input()
	in.Process = callersProcess()
	s.rejected(48*time.Hour+time.Minute, wfapi.UpdateMaintenancePromote, wfapi.PromoteMaintenanceRequest{By: "U0BOB", Severity: "sev9"},
		`unknown severity "sev9": use one of critical, major, minor, sev0`)
	s.update(48*time.Hour+2*time.Minute, wfapi.UpdateMaintenancePromote, wfapi.PromoteMaintenanceRequest{By: "U0BOB", Severity: "sev0"})
	st := s.run(in)

	s.Equal(1, s.proc.loaded())
	s.Equal(wfapi.PhasePromoted, st.Phase)
	s.Equal(now.Add(48*time.Hour), st.Start, "the window starts when it was scheduled to, in UTC")
	s.Contains(req(s.slack.posts("maint-start")[0]).Text, "CET", "times in the worker's zone")
	s.Require().Len(s.children, 2, "the war room, then the incident")
	s.Equal(incident.Severity("sev0"), s.children[1].Declaration.Severity)
}

// A window whose severity the worker's configuration no longer lists
// opens its war room at the worker's mildest severity, and says so.
func (s *MaintenanceSuite) TestAWindowAtASeverityTheWorkerLacksOpensAtItsMildest() {
	s.proc.change(func(p *incident.Process) { p.Severities = p.Severities[:2] })
	in := s.input()
	s.Equal(incident.Minor, in.Window.Severity)
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(in)

	s.Require().Len(s.children, 1)
	s.Equal(incident.Major, s.children[0].Declaration.Severity)
	s.Equal(incident.Major, s.children[0].Maintenance.Window.Severity)
	s.Require().Len(st.Notes, 1)
	s.Contains(st.Notes[0], `severity "minor" isn't in the worker's configuration (severities); the war room opens at major`)
}
