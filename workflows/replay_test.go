package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestRecordedHistoriesReplay replays recorded workflows against the current
// code: a change that would break workflows in flight fails here. Re-record
// with INCIDENTFLOW_RECORD_HISTORY=1 go test ./e2e -run <the e2e test named
// below>, keeping the old file as another case when the change is versioned.
func TestRecordedHistoriesReplay(t *testing.T) {
	cases := []struct {
		name     string
		typeName string
		workflow any
		file     string
	}{
		// Declared, reminded and escalated, updated, resolved
		// (TestIncidentLifecycle). Bob, who holds no role, resolves it:
		// this and the other incident histories, recorded before
		// "permissions", replay a resolution the permission model would
		// now refuse.
		{"incident", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow, "testdata/incident_history.json"},
		// The same, recorded before "purpose-in-parallel" and "lean-reminders":
		// the purpose set within CreateChannel, reminders as activities that
		// also set the topic.
		{"incident before lean reminders", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_before_lean_reminders.json"},
		// Declared, three war-room messages marked (reaction, pin,
		// shortcut), one unmarked, one edited, resolved
		// (TestTimelineFromSlack/http).
		{"incident with marks", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow, "testdata/incident_history_marks.json"},
		// Declared with a 151-character title and a 3,001-character
		// summary, an update, an action item and a resolution as long,
		// resolved, its retrospective started; recorded before
		// "bounded-declaration", whose refusal of such a declaration it
		// doesn't take, and before the validators bounded every field (they
		// don't run on replay).
		{"incident past the bounds", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_past_the_bounds.json"},
		// Booked, published, an action item added, marked done, followed
		// until its issues closed, war room archived
		// (TestRetrospectiveEndToEnd).
		{"retrospective", wfapi.RetrospectiveWorkflowName, workflows.RetrospectiveWorkflow, "testdata/retrospective_history.json"},
		// The same two, recorded since "cancel-moot-timers": the update's
		// and the resolution's cancelling the timer of the status update
		// due; the added action item's and the "done" mark's cancelling the
		// timer of the retrospective's sleep.
		{"incident since cancel moot timers", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_cancel_moot_timers.json"},
		{"retrospective since cancel moot timers", wfapi.RetrospectiveWorkflowName, workflows.RetrospectiveWorkflow,
			"testdata/retrospective_history_cancel_moot_timers.json"},
		// Declared from three alerts, a fourth joining (its post throttled,
		// a re-send starting a second timer for the same deadline), the
		// group resolved and its incident with it; recorded before
		// "one-deadline-timer" and "batched-alert-timeline".
		{"alert group before one deadline timer", wfapi.AlertGroupWorkflowName, workflows.AlertGroupWorkflow,
			"testdata/alertgroup_history.json"},
		// The same story recorded since "batched-alert-timeline"
		// (TestAlertmanagerGroupDeclaresOneIncident records it).
		{"alert group since batched timeline", wfapi.AlertGroupWorkflowName, workflows.AlertGroupWorkflow,
			"testdata/alertgroup_history_batched_timeline.json"},
		// A window scheduled, its heads-up posted, its war room opened (an
		// incident of kind maintenance), completed; both recorded before
		// "process-from-worker", with the process in their inputs
		// (TestMaintenanceWindowOpensItsWarRoomAndAnnouncesItsEnd).
		{"maintenance before process from worker", wfapi.MaintenanceWorkflowName, workflows.MaintenanceWorkflow,
			"testdata/maintenance_history_before_process_from_worker.json"},
		{"maintenance war room before process from worker", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/maintenance_war_room_history_before_process_from_worker.json"},
		// The same two recorded since, each run asking the worker for the
		// process (a local activity) as it begins.
		{"maintenance", wfapi.MaintenanceWorkflowName, workflows.MaintenanceWorkflow, "testdata/maintenance_history.json"},
		{"maintenance war room", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow, "testdata/maintenance_war_room_history.json"},
		// A window completed, and a window cancelled after its heads-up,
		// both recorded before "maintenance-statuspage"
		// (TestRecordMaintenanceBeforeStatusPage).
		{"maintenance before statuspage", wfapi.MaintenanceWorkflowName, workflows.MaintenanceWorkflow,
			"testdata/maintenance_history_before_statuspage.json"},
		{"cancelled maintenance before statuspage", wfapi.MaintenanceWorkflowName, workflows.MaintenanceWorkflow,
			"testdata/maintenance_cancelled_history_before_statuspage.json"},
		// Declared by a starter without a process, run under the worker's,
		// updated, resolved (TestTheIncidentFollowsTheWorkersProcess).
		{"incident since process from worker", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_process_from_worker.json"},
		// Declared minor, raised to critical, updated, resolved; recorded
		// before "paging" (with the workflow code of before it: a one-off
		// e2e test of the harness declared it through the starter and saved
		// its history). The second copy is the same history with the
		// worker's process answer edited to what a worker configured for
		// PagerDuty answers (critical pages, a default routing key, on-call
		// lookup): an incident in flight when the worker's configuration
		// and code changed, which must not page on replay.
		{"incident before paging", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_before_paging.json"},
		{"incident before paging, under a process that pages", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_before_paging_paged_process.json"},
		// Declared, updated, resolved, recorded with the code before
		// "statuspage" (by a test doing TestStatusPageEndToEnd's steps
		// without the status page): an update and a resolution that
		// publish nothing and record no marker.
		{"incident before status page", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_before_statuspage.json"},
		// Declared, published, a published and an internal update,
		// resolved on the status page too, recorded since "statuspage"
		// (TestStatusPageEndToEnd).
		{"incident on the status page", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_statuspage.json"},
		// Declared from the CLI, a commander assigned, updated, mitigated,
		// an action item, resolved, and its retrospective up to its
		// follow-up, recorded since "insights-memo": each milestone kept in
		// the memo, IncidentDeclaredAt from the start and
		// IncidentResolvedAt set on resolution (TestInsightsFromVisibility;
		// every history above was recorded before it and replays keeping
		// nothing).
		{"incident since insights memo", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow,
			"testdata/incident_history_insights.json"},
		{"retrospective since insights memo", wfapi.RetrospectiveWorkflowName, workflows.RetrospectiveWorkflow,
			"testdata/retrospective_history_insights.json"},
		// A drill of bad-deploy at 8× played through the front door
		// (TestDrillThroughTheFrontDoor), recorded since "drill": injects
		// on time and on the responders' events, a hint, comms assigned,
		// an update, an action item, resolved, debriefed. Every history
		// above has no drill and replays without asking "drill".
		{"drill", wfapi.IncidentWorkflowName, workflows.IncidentWorkflow, "testdata/drill_history.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(c.workflow, workflow.RegisterOptions{Name: c.typeName})
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(quietLogger(), c.file))
		})
	}
}
