package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// versionInsightsMemo is the change that keeps the facts of the insights
// current in the workflows' memo (wfapi.MemoInsights) and an incident's
// IncidentDeclaredAt and IncidentResolvedAt search attributes set. A run
// begun before it records none of them when replayed: the incident and
// retrospective workflows ask GetVersion as they first would.
const versionInsightsMemo = "insights-memo"

// keptMemo is a run's keeping of its insights in the memo: whether the run
// keeps them (versionInsightsMemo, asked once, as it first would), and the
// record (an insights.Record or insights.Retrospective) it last kept.
type keptMemo[T any] struct {
	keptVersion
	// last is the record last upserted, or carried from the run this one
	// continued from.
	last *T
}

// keeps reports whether this run keeps its insights.
func (m *keptMemo[T]) keeps(ctx workflow.Context) bool { return m.is(ctx, versionInsightsMemo) }

// upsert keeps rec in the memo and as last, and reports whether it could.
func (m *keptMemo[T]) upsert(ctx workflow.Context, rec T) bool {
	if err := workflow.UpsertMemo(ctx, map[string]any{wfapi.MemoInsights: rec}); err != nil {
		workflow.GetLogger(ctx).Warn("could not keep the insights in the memo", "error", err)
		return false
	}
	m.last = &rec
	return true
}

// insightsRecord is the incident's record as of now: insights.FromIncident
// with what the run it continued from knew (insights.Record.Carry).
func (w *incidentWorkflow) insightsRecord(ctx workflow.Context) insights.Record {
	rec := insights.FromIncident(w.inc)
	rec.WorkflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	if sc := w.dr.score; sc != nil {
		rec.Drill = insights.DrillResult{Scenario: sc.Scenario, Points: sc.Points, MaxPoints: sc.MaxPoints}
	}
	if w.insights.last != nil {
		rec = rec.Carry(*w.insights.last)
	}
	return rec
}

// keepInsights upserts the incident's record into the memo when it changed
// since the last upsert, sets IncidentDeclaredAt if the run started
// without it (a war room a maintenance window started, an incident
// declared before the attribute existed) and IncidentResolvedAt once the
// incident is resolved. publish calls it at every milestone.
func (w *incidentWorkflow) keepInsights(ctx workflow.Context) {
	if !w.insights.keeps(ctx) {
		return
	}
	rec := w.insightsRecord(ctx)
	if last := w.insights.last; last == nil {
		w.setDeclaredAt(ctx, rec)
	} else if *last == rec {
		return
	}
	if !w.insights.upsert(ctx, rec) {
		return
	}
	if !rec.ResolvedAt.IsZero() && !w.resolvedAtSet {
		w.resolvedAtSet = true
		if err := workflow.UpsertTypedSearchAttributes(ctx, wfapi.SearchResolvedAt.ValueSet(rec.ResolvedAt)); err != nil {
			workflow.GetLogger(ctx).Warn("could not set IncidentResolvedAt", "error", err)
		}
	}
}

// setDeclaredAt sets IncidentDeclaredAt unless the run has it (from its
// start, or from the run it continued from).
func (w *incidentWorkflow) setDeclaredAt(ctx workflow.Context, rec insights.Record) {
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(wfapi.SearchDeclaredAt); ok || rec.DeclaredAt.IsZero() {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, wfapi.SearchDeclaredAt.ValueSet(rec.DeclaredAt)); err != nil {
		workflow.GetLogger(ctx).Warn("could not set IncidentDeclaredAt", "error", err)
	}
}
