package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
)

// continueAsNewDue reports whether this run's history is long enough to
// continue as new: the server suggests it, or the run reached its limit.
func (w *incidentWorkflow) continueAsNewDue(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	limit := w.in.HistoryLimit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= limit
}

// continueAsNew hands the whole incident to a new run, which keeps the war
// room (it doesn't open another) and the wait for the next update. Call it
// once every handler has finished.
func (w *incidentWorkflow) continueAsNew(ctx workflow.Context) (incident.Incident, error) {
	state := w.inc
	next := w.in
	next.State = &state
	return w.inc, workflow.NewContinueAsNewError(ctx, IncidentWorkflowName, next)
}
