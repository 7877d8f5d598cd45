package workflows_test

import (
	"time"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func (s *RetroSuite) TestThePostmortemNamesThePeopleItsTimelineNames() {
	in := retroInput()
	// Dave was comms for a while: the timeline names him by ID only, and
	// he is no participant any more.
	in.Incident.Record(retroResolvedAt.Add(-time.Hour), "U0ALICE", incident.EntryRole, "U0DAVE is now comms")
	s.update(tuesday4pm.Add(time.Hour), wfapi.UpdateRetroDone, wfapi.RetroDoneRequest{By: "U0ALICE"})
	s.fakes.closeAt = tuesday4pm.Add(24 * time.Hour)
	s.run(in)

	s.Contains(s.fakes.called("RetroPeople")[0].Req.(activities.RetroPeopleRequest).Users, "U0DAVE")
	body := s.fakes.called("PublishPostmortem")[0].Req.(activities.PostmortemRequest).Body
	s.Contains(body, "- 13:40 CET — role (Name of U0ALICE): Name of U0DAVE is now comms")
	s.NotContains(body, "): U0DAVE is now comms")
	s.Contains(body, "| Time to mitigate | not recorded |", "nobody said the incident was mitigated")
}
