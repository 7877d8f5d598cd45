package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// searchKeys are the search attributes publish keeps current, in the order
// of searchValues.
var searchKeys = []temporal.SearchAttributeKeyKeyword{wfapi.SearchSeverity, wfapi.SearchStatus, wfapi.SearchCommander, wfapi.SearchKind, wfapi.SearchChannel}

func (w *incidentWorkflow) searchValues() []string {
	return []string{string(w.inc.Severity), string(w.inc.Status), w.inc.Commander, string(w.inc.Declaration.Kind), w.inc.ChannelID}
}

// publish shows where the incident stands in the Temporal Web UI (the
// current details) and in visibility (the search attributes that changed).
func (w *incidentWorkflow) publish(ctx workflow.Context) {
	workflow.SetCurrentDetails(ctx, incident.Details(&w.inc, w.loc))
	w.searched = upsertChanged(ctx, searchKeys, w.searched, w.searchValues())
}
