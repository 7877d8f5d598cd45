package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// searchValues are the values of wfapi.SearchKeys, in their order.
func (w *incidentWorkflow) searchValues() []string {
	return []string{string(w.inc.Severity), string(w.inc.Status), w.inc.Commander, string(w.inc.Declaration.Kind), w.inc.ChannelID}
}

// publish shows where the incident stands in the Temporal Web UI (the
// current details) and in visibility (the search attributes that changed,
// and the insights in the memo).
func (w *incidentWorkflow) publish(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, incident.Details(&w.inc, w.loc))
	w.searched = upsertChanged(ctx, wfapi.SearchKeys, w.searched, w.searchValues())
	w.keepInsights(ctx)
}
