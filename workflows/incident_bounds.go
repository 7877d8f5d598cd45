package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
)

// versionBoundedDeclaration is the change that refuses, before the war
// room opens, a declaration that breaks incident.CheckDeclaration (a title
// of 100,000 characters started from tctl): the war-room-ready update fails
// with the sentence, and the workflow ends without a Slack call. An
// incident begun before the change with such a declaration opens its war
// room as it did when replayed.
const versionBoundedDeclaration = "bounded-declaration"

// refuseUnboundedDeclaration returns incident.CheckDeclaration's sentence
// when the declaration breaks a bound, in the run that opens the incident
// (a later run carries on with the declaration its first accepted) since
// versionBoundedDeclaration. It asks for the version only then, so a
// declaration within the bounds records no marker.
func (w *incidentWorkflow) refuseUnboundedDeclaration(ctx workflow.Context) error {
	if w.in.State != nil {
		return nil
	}
	err := incident.CheckDeclaration(w.inc.Declaration)
	if err == nil || workflow.GetVersion(ctx, versionBoundedDeclaration, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	return err
}

// payload is the incident as a payload carries it — the query's answer,
// the retrospective's input, the workflow's result: compacted to
// incident.DefaultLimits, so that however many updates this run has taken
// (a run continues as new only after DefaultHistoryLimit events) it stays
// within the bound DefaultLimits documents, well under Temporal's 2 MiB.
// An incident within the limits is answered whole. w.inc itself keeps
// everything until the run continues as new.
func (w *incidentWorkflow) payload() incident.Incident {
	return w.inc.Compacted(incident.DefaultLimits)
}
