package workflows_test

import (
	"context"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// spCall is one ScheduleMaintenance call the fake status page saw.
type spCall struct {
	At  time.Duration // since now
	Req activities.ScheduledMaintenanceRequest
}

// fakeStatusPage stands in for the Statuspage activities: the first
// failures calls fail with err.
type fakeStatusPage struct {
	mu       sync.Mutex
	calls    []spCall
	failures int
	err      error
}

func (s *MaintenanceSuite) statusPage(failures int, err error) *fakeStatusPage {
	f := &fakeStatusPage{failures: failures, err: err}
	var a *activities.StatusPage
	s.env.RegisterActivity(&activities.StatusPage{})
	s.env.OnActivity(a.ScheduleMaintenance, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.ScheduledMaintenanceRequest) (activities.PublicIncident, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.calls = append(f.calls, spCall{At: s.env.Now().Sub(now).Round(time.Second), Req: req})
			if f.failures > 0 {
				f.failures--
				return activities.PublicIncident{}, f.err
			}
			status := req.Status
			return activities.PublicIncident{ID: "spmaint00001", Status: status, Shortlink: "https://stspg.io/abc"}, nil
		}).Maybe()
	s.proc.change(func(p *incident.Process) {
		p.StatusPage = true
		svc := p.Services["checkout"]
		svc.StatusPageComponents = []string{"cmpcheckout01", "cmppayments01"}
		p.Services["checkout"] = svc
	})
	return f
}

// statuses lists the calls' statuses ("cancelled" for a cancel), and
// whether each named the public incident already made.
func (f *fakeStatusPage) statuses() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		st := c.Req.Status
		if c.Req.Cancel {
			st = "cancelled"
		}
		if c.Req.PageIncidentID != "" {
			st += "@" + c.Req.PageIncidentID
		}
		out = append(out, st)
	}
	return out
}

func (s *MaintenanceSuite) statusPageInput() wfapi.MaintenanceInput {
	in := s.input()
	in.Window.StatusPage = true
	return in
}

func (s *MaintenanceSuite) TestTheStatusPageFollowsTheWindow() {
	sp := s.statusPage(0, nil)
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.statusPageInput())

	s.Equal([]string{"scheduled", "in_progress@spmaint00001", "completed@spmaint00001"}, sp.statuses())
	s.Equal([]time.Duration{0, 48 * time.Hour, 48*time.Hour + 30*time.Minute}, []time.Duration{sp.calls[0].At, sp.calls[1].At, sp.calls[2].At},
		"scheduled as the run begins, in progress at the start, completed when completed")
	first := sp.calls[0].Req
	s.Equal("dbup-20260304t1000", first.WindowID, "the run key makes a retried create find the one it made")
	s.Equal(now.Add(48*time.Hour), first.ScheduledFor)
	s.Equal(now.Add(50*time.Hour), first.ScheduledUntil)
	s.Equal("Postgres 16", first.Body, "the description is the public text")
	s.Equal(map[string]string{"cmpcheckout01": activities.ComponentUnderMaintenance, "cmppayments01": activities.ComponentUnderMaintenance}, first.Components)
	s.Equal(activities.ComponentUnderMaintenance, sp.calls[1].Req.Components["cmpcheckout01"])
	s.Equal(activities.ComponentOperational, sp.calls[2].Req.Components["cmpcheckout01"], "the components come back at the end")
	s.Equal([]string{"scheduled", "in_progress", "completed"}, []string{first.UpdateKey, sp.calls[1].Req.UpdateKey, sp.calls[2].Req.UpdateKey})

	s.Require().NotNil(st.StatusPage)
	s.Equal("spmaint00001", st.StatusPage.PageIncidentID)
	s.Require().Len(st.StatusPage.Timeline, 3, "each public post is a timeline entry")
	s.Equal(incident.EntryStatusPage, st.StatusPage.Timeline[0].Kind)
	s.Contains(st.StatusPage.Timeline[0].Text, "published to the status page at 10:00")
	s.Contains(st.StatusPage.Timeline[1].Text, "in_progress")
	s.Len(s.slack.posts("maint-statuspage-scheduled"), 1, "the war room hears, once it opens, of the post made before")
	s.Len(s.slack.posts("maint-statuspage-in_progress"), 1, "the war room hears of the public post")
	s.Len(s.slack.posts("maint-statuspage-completed"), 1)
	s.Empty(s.slack.posts("maint-statuspage-failed"))
	s.Empty(st.Notes)
}

func (s *MaintenanceSuite) TestACancelledWindowIsCancelledOnTheStatusPage() {
	sp := s.statusPage(0, nil)
	s.update(30*time.Hour, wfapi.UpdateMaintenanceCancel, wfapi.CancelMaintenanceRequest{By: "U0ALICE", Reason: "vendor delay (internal)"})
	st := s.run(s.statusPageInput())
	s.Equal([]string{"scheduled", "cancelled@spmaint00001"}, sp.statuses())
	cancel := sp.calls[1].Req
	s.Equal("This scheduled maintenance has been cancelled.", cancel.Body, "the internal reason stays internal")
	s.Nil(cancel.Components, "a maintenance that never started changed no component")
	s.Equal(wfapi.PhaseCancelled, st.Phase)
	s.Len(st.StatusPage.Timeline, 2)
	s.Empty(s.children, "no war room")
}

func (s *MaintenanceSuite) TestAStatusPageOutageNeverBlocksTheWindowAndIsToldOnce() {
	// Statuspage is down for the first 40 calls: well past the five
	// minutes after which the announce channel hears of it, once.
	sp := s.statusPage(40, temporal.NewApplicationError("Statuspage failed to schedule the maintenance (503); retrying", activities.ErrStatusPageUnavailable))
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.statusPageInput())

	s.Len(s.slack.posts("maint-headsup-"), 4, "the heads-ups went out on time")
	s.Equal([]time.Duration{24 * time.Hour, 24 * time.Hour, 47 * time.Hour, 47 * time.Hour}, at(s.slack.posts("maint-headsup-")))
	s.Require().Len(s.children, 1, "the war room opened")
	told := s.slack.posts("maint-statuspage-failed")
	s.Require().Len(told, 1, "told once")
	s.LessOrEqual(at(told)[0], 5*time.Minute, "told within a few minutes")
	s.Greater(at(told)[0], 3*time.Minute, "after a few minutes of retries, not at the first failure")
	s.Equal("incidents", req(told[0]).Channel, "before the war room opens, the first announce channel hears it")
	s.Contains(req(told[0]).Text, "still trying in the background")
	statuses := sp.statuses()
	s.Equal([]string{"in_progress@spmaint00001", "completed@spmaint00001"}, statuses[len(statuses)-2:], "the posts went out once it came back")
	s.Equal(wfapi.PhaseCompleted, st.Phase)
	s.Len(st.StatusPage.Timeline, 3)
}

func (s *MaintenanceSuite) TestARefusedStatusPageIsToldAndTheRestDropped() {
	sp := s.statusPage(1, temporal.NewNonRetryableApplicationError("Statuspage refused the API key (401) trying to schedule the maintenance: check statuspage.api_key", activities.ErrStatusPageConfig, nil))
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.statusPageInput())
	s.Equal([]string{"scheduled"}, sp.statuses(), "nothing to move once the create was refused")
	told := s.slack.posts("maint-statuspage-failed")
	s.Require().Len(told, 1)
	s.Contains(req(told[0]).Text, "check statuspage.api_key")
	s.Equal(time.Duration(0), at(told)[0], "a refusal is told at once")
	s.Equal(wfapi.PhaseCompleted, st.Phase)
}

func (s *MaintenanceSuite) TestNoStatusPageConfiguredIsToldNotSkipped() {
	s.statusPage(0, nil)
	s.proc.change(func(p *incident.Process) { p.StatusPage = false })
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.statusPageInput())
	told := s.slack.posts("maint-statuspage-failed")
	s.Require().Len(told, 1)
	s.Contains(req(told[0]).Text, "no status page is configured")
	s.Equal(wfapi.PhaseCompleted, st.Phase)
}

func (s *MaintenanceSuite) TestAWindowWithoutTheStatusPageNeverCallsIt() {
	sp := s.statusPage(0, nil)
	s.update(48*time.Hour+30*time.Minute, wfapi.UpdateMaintenanceComplete, wfapi.CompleteMaintenanceRequest{By: "U0LEAD"})
	st := s.run(s.input())
	s.Empty(sp.statuses())
	s.Nil(st.StatusPage)
}
