package workflows_test

import (
	"errors"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// callersProcess is the process of a CLI with no configuration file: the
// defaults, with the Web UI on a port the server doesn't use. Inputs
// recorded before the process came from the worker carried one like it.
func callersProcess() incident.Process {
	p := incident.DefaultProcess()
	p.AnnounceChannels = []string{"callers-announce"}
	p.Severities[0].Leads = []string{"U0CALLERLEAD"}
	p.WebUIURL = "http://127.0.0.1:9999"
	return p
}

// invited lists everyone the war room's invitations named.
func (s *IncidentSuite) invited() []string {
	var out []string
	for _, c := range s.slack.called("Invite") {
		out = append(out, c.Req.(activities.InviteRequest).Users...)
	}
	return out
}

// bookmarked lists the links bookmarked in the war room.
func (s *IncidentSuite) bookmarked() []string {
	var out []string
	for _, c := range s.slack.called("AddBookmarks") {
		for _, b := range c.Req.(activities.BookmarksRequest).Bookmarks {
			out = append(out, b.Link)
		}
	}
	return out
}

// postedTo lists the channels of the posts whose key starts with prefix.
func (s *IncidentSuite) postedTo(prefix string) []string {
	var out []string
	for _, c := range s.slack.posts(prefix) {
		out = append(out, c.Req.(activities.PostRequest).Channel)
	}
	return out
}

// continued runs in to its continue-as-new and returns the next run's
// input.
func (s *IncidentSuite) continued(in wfapi.IncidentInput) wfapi.IncidentInput {
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	var can *workflow.ContinueAsNewError
	s.Require().True(errors.As(s.env.GetWorkflowError(), &can), "want continue-as-new, got %v", s.env.GetWorkflowError())
	var next wfapi.IncidentInput
	s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	s.Require().NotNil(next.State)
	return next
}

// continueAsNewAt makes the run's history long enough to continue as new
// after delay: the run does at the next reminder.
func (s *IncidentSuite) continueAsNewAt(delay time.Duration, in *wfapi.IncidentInput) {
	in.HistoryLimit = 1000
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(in.HistoryLimit) }, delay)
}

// An incident declared with another configuration's process (a CLI's
// without a configuration file) is run under the worker's: its leads are
// invited, its channels hear the declaration and the updates, its Web UI
// is bookmarked.
func (s *IncidentSuite) TestTheWarRoomFollowsTheWorkersProcess() {
	in := s.input()
	in.Process = callersProcess()
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Status: incident.Identified, Text: "bad deploy"})
	s.update(10*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "rolled back"})
	s.run(in)

	s.Equal(1, s.proc.loaded(), "the run asked the worker once")
	s.Contains(s.invited(), "U0CRITLEAD", "the worker's critical lead")
	s.Contains(s.invited(), "dave@example.com", "the worker's checkout lead")
	s.NotContains(s.invited(), "U0CALLERLEAD")
	s.Equal([]string{"incidents"}, s.postedTo(activities.KeyAnnounce))
	s.Contains(s.postedTo("update-"), "status", "the update is broadcast where the worker says")
	s.Contains(s.bookmarked(), "https://docs.example.com/process")
	s.Contains(s.bookmarked(), "http://127.0.0.1:8233/namespaces/default-test-namespace/workflows/default-test-workflow-id")
	for _, link := range s.bookmarked() {
		s.NotContains(link, ":9999")
	}
}

// A severity only the worker's configuration defines is one to declare
// with; one it doesn't define is refused with a sentence naming those it
// does, before any Slack call.
func (s *IncidentSuite) TestTheWorkersSeveritiesAreTheOnesThereAre() {
	s.proc.change(func(p *incident.Process) {
		p.Severities = append(p.Severities, incident.SeverityPolicy{Name: "sev0", UpdateEvery: time.Hour})
	})
	in := s.input()
	in.Declaration.Severity = "sev0"
	var ready outcome
	s.send(0, wfapi.UpdateWarRoomReady, nil, &ready)
	s.update(time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "rolled back"})
	s.run(in)
	s.NoError(ready.err)
	s.Len(s.slack.called("CreateChannel"), 1)
}

func (s *IncidentSuite) TestAnUnknownSeverityIsRefusedBeforeAnySlackCall() {
	in := s.input()
	in.Declaration.Severity = "sev1"
	in.Process = callersProcess()
	in.Process.Severities = append(in.Process.Severities, incident.SeverityPolicy{Name: "sev1"})
	var ready outcome
	s.send(0, wfapi.UpdateWarRoomReady, nil, &ready)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)

	const want = `incident abc123 was not declared: unknown severity "sev1": use one of critical, major, minor`
	s.True(s.env.IsWorkflowCompleted())
	s.EqualError(s.env.GetWorkflowError(), "workflow execution error (type: IncidentWorkflow, workflowID: default-test-workflow-id, runID: default-test-run-id): "+want)
	s.False(ready.rejected)
	s.EqualError(ready.err, want, "the declaration is answered the sentence alone")
	s.Empty(s.slack.calls, "no Slack call")
}

// A person picks the service from the configured ones: a service the
// worker doesn't list is refused. An alert names its service by label,
// which needn't be configured: it only adds no leads.
func (s *IncidentSuite) TestAServiceThePersonNamedMustBeConfigured() {
	in := s.input()
	in.Declaration.Source, in.Declaration.Service = incident.SourceCLI, "billing"
	var ready outcome
	s.send(0, wfapi.UpdateWarRoomReady, nil, &ready)
	s.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	s.EqualError(ready.err, `incident abc123 was not declared: unknown service "billing": use one of checkout`)
	s.Empty(s.slack.calls)

	s.SetupTest()
	in.Declaration.Source = incident.SourceAlert
	s.update(time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "rolled back"})
	s.run(in)
	s.Len(s.slack.called("CreateChannel"), 1)
	s.NotContains(s.invited(), "dave@example.com")
}

// Each run asks the worker for the process: a configuration changed while
// the incident runs reaches it at its next run. The process a run followed
// goes along to the next only for the moment before the worker answers.
func (s *IncidentSuite) TestContinuingAsNewTakesTheWorkersProcessAgain() {
	in := s.input()
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "still digging"})
	s.continueAsNewAt(10*time.Minute, &in)
	next := s.continued(in)
	s.Contains(s.postedTo("update-"), "status")
	s.Equal([]string{"status"}, next.Process.BroadcastChannels, "the process this run followed goes along")
	s.Equal(1, s.proc.loaded())

	s.SetupTest() // the worker restarted with a changed configuration
	s.proc.change(func(p *incident.Process) { p.BroadcastChannels = []string{"status-eu"} })
	s.env.SetStartTime(declaredAt.Add(20 * time.Minute))
	s.update(time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "found it"})
	s.update(2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "rolled back"})
	s.run(next)
	s.Equal(1, s.proc.loaded())
	s.Empty(s.slack.called("CreateChannel"), "the war room stays")
	s.ElementsMatch([]string{"C0WARROOM", "status-eu"}, s.postedTo("update-"), "the update is broadcast where the worker says now")
}

// A run recorded before the process came from the worker follows the
// process of its input, as it did, and asks the worker nothing; the run it
// continues as goes by the worker's.
func (s *IncidentSuite) TestARunBegunBeforeTheChangeFollowsItsInput() {
	s.env.OnGetVersion("process-from-worker", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	in := s.input()
	in.Process = callersProcess()
	s.update(5*time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "still digging"})
	s.continueAsNewAt(10*time.Minute, &in)
	next := s.continued(in)
	s.Zero(s.proc.loaded())
	s.Equal([]string{"callers-announce"}, s.postedTo(activities.KeyAnnounce))
	s.Contains(s.invited(), "U0CALLERLEAD")
	s.Equal([]string{"C0WARROOM"}, s.postedTo("update-"), "the input's process broadcasts nowhere")

	s.SetupTest()
	s.env.SetStartTime(declaredAt.Add(20 * time.Minute))
	s.update(time.Minute, wfapi.UpdatePostStatus, wfapi.PostStatusRequest{Author: "U0ALICE", Text: "found it"})
	s.update(2*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "rolled back"})
	s.run(next)
	s.Equal(1, s.proc.loaded())
	s.ElementsMatch([]string{"C0WARROOM", "status"}, s.postedTo("update-"), "the next run follows the worker's")
}

// The war room of a maintenance window follows the maintenance process of
// the worker's: the maintenance cadence, the leads of the window's
// services, no announcement (the window announces itself).
func (s *IncidentSuite) TestAMaintenanceWarRoomRunsUnderTheMaintenanceProcess() {
	w := incident.Window{ID: "dbup", Title: "DB upgrade", Severity: incident.Minor, Services: []string{"checkout"}, Lead: "U0ALICE"}
	in := wfapi.IncidentInput{
		Declaration: w.Declaration(declaredAt),
		Maintenance: &wfapi.MaintenanceRoom{Window: w, Policy: incident.MaintenancePolicy{UpdateEvery: 20 * time.Minute}},
	}
	s.update(25*time.Minute, wfapi.UpdateResolve, wfapi.ResolveRequest{By: "U0ALICE", Summary: "done"})
	s.run(in)
	s.Empty(s.slack.posts(activities.KeyAnnounce), "the window announces itself")
	s.Contains(s.invited(), "dave@example.com", "the leads of the window's service")
	s.Equal([]time.Duration{20 * time.Minute}, times(s.slack.posts("reminder-")), "reminded at the maintenance cadence")
}
