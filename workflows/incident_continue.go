package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// continueAsNewDue reports whether this run's history is long enough to
// continue as new: the server suggests it, or the run reached its limit.
func (w *incidentWorkflow) continueAsNewDue(ctx workflow.Context) bool {
	return historyFull(ctx, w.in.HistoryLimit)
}

// continueAsNew hands the incident to a new run, which keeps the war room
// (it doesn't open another) and the wait for the next update, and takes the
// process from the worker's configuration afresh: a changed configuration
// reaches the incident there. The process this run followed goes along,
// for the updates the new run validates before the worker answers. It
// first compacts the incident to incident.DefaultLimits,
// so that the state it carries stays bounded however long the incident
// lasts: the older updates and timeline entries it drops were posted in the
// war room and stay in this run's history. The insights' record, taken
// before compacting, goes along for the first times it holds (the memo
// goes along by itself). Call it once every handler has finished.
func (w *incidentWorkflow) continueAsNew(ctx workflow.Context) (incident.Incident, error) {
	w.drainPageEvents(ctx)
	next := w.in
	next.Insights = nil
	if w.insights.on {
		rec := w.insightsRecord(ctx)
		next.Insights = &rec
	}
	w.inc.Compact(incident.DefaultLimits)
	state := w.inc
	next.State, next.Process = &state, w.proc
	if w.in.Drill != nil {
		room, prog := *w.in.Drill, w.dr.prog
		room.Progress = &prog
		next.Drill = &room
	}
	return w.inc, workflow.NewContinueAsNewError(ctx, wfapi.IncidentWorkflowName, next)
}
