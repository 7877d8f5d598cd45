package starter

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Insights reads the facts the incident and retrospective workflows record
// for the figures (insights.Record, in the memo field wfapi.MemoInsights)
// from Temporal's visibility store: one listing of the incidents of a
// period and one of their retrospectives, page by page, with no query to
// any workflow, so it works while no worker runs and reads ten thousand
// incidents in well under a second on SQLite.
type Insights struct {
	Client client.Client
	// Namespace is the namespace to list; empty means the client's.
	Namespace string
	// DataConverter decodes the memos (nil: the SDK's default); it must be
	// the workers' when a codec encrypts payloads.
	DataConverter converter.DataConverter
}

// insightsPageSize is the page size of the visibility listings: the most
// SQL visibility answers at once.
const insightsPageSize = 1000

// Records returns the record of every incident workflow declared in f's
// period (drills and maintenance war rooms too, and every severity and
// service: insights.Compute chooses), each joined with its retrospective's
// record when it has one. An incident is its latest run: runs it continued
// as new from are left out. Incidents declared before the workflows kept
// the record appear with what visibility knows of them: their title and
// security flag from the memo, severity, kind, source, commander and war
// room from the search attributes, declared at IncidentDeclaredAt or else
// their run's start time (exact unless the incident continued as new),
// and, when resolved, resolved at IncidentResolvedAt or else the time their
// workflow closed. A workflow that ended without its incident being
// resolved (its declaration refused, or terminated by an operator) is left
// out unless it recorded its insights.
func (s *Insights) Records(ctx context.Context, f insights.Filter) ([]insights.Record, error) {
	var records []insights.Record
	latest := map[string]int{} // workflow ID → index in records
	starts := map[string]time.Time{}
	err := s.list(ctx, incidentsQuery(f), func(ex *workflowpb.WorkflowExecutionInfo) {
		rec, ok := s.recordOf(ex)
		if !ok {
			return
		}
		id, start := ex.GetExecution().GetWorkflowId(), ex.GetStartTime().AsTime()
		if i, seen := latest[id]; seen {
			if start.After(starts[id]) {
				records[i], starts[id] = rec, start
			}
			return
		}
		latest[id], starts[id] = len(records), start
		records = append(records, rec)
	})
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return records, nil
	}
	retros := map[string]*insights.Retrospective{}
	retroStarts := map[string]time.Time{}
	err = s.list(ctx, retrospectivesQuery(f), func(ex *workflowpb.WorkflowExecutionInfo) {
		id := strings.TrimPrefix(ex.GetExecution().GetWorkflowId(), wfapi.RetrospectiveWorkflowID(""))
		start := ex.GetStartTime().AsTime()
		if seen, ok := retroStarts[id]; ok && !start.After(seen) {
			return
		}
		var retro insights.Retrospective
		if !s.decodeMemo(ex.GetMemo(), wfapi.MemoInsights, &retro) {
			return
		}
		retros[id], retroStarts[id] = &retro, start
	})
	if err != nil {
		return nil, err
	}
	for i := range records {
		if r, ok := retros[records[i].ID]; ok {
			records[i].Retrospective = r
		}
	}
	return records, nil
}

// Report is the figures for f at now: Records, then insights.Compute.
func (s *Insights) Report(ctx context.Context, f insights.Filter, now time.Time) (insights.Report, error) {
	records, err := s.Records(ctx, f)
	if err != nil {
		return insights.Report{}, err
	}
	return insights.Compute(records, f, now), nil
}

// list calls each with every execution query matches, page by page.
func (s *Insights) list(ctx context.Context, query string, each func(*workflowpb.WorkflowExecutionInfo)) error {
	req := &workflowservice.ListWorkflowExecutionsRequest{Namespace: s.Namespace, Query: query, PageSize: insightsPageSize}
	for {
		resp, err := s.Client.ListWorkflow(ctx, req)
		if err != nil {
			return explain(err, "")
		}
		for _, ex := range resp.GetExecutions() {
			each(ex)
		}
		if len(resp.GetNextPageToken()) == 0 {
			return nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}

// incidentsQuery lists the incident workflows declared in f's period: by
// IncidentDeclaredAt, or, for those that predate it, by their start time.
// Runs that continued as new are left out.
func incidentsQuery(f insights.Filter) string {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'ContinuedAsNew'", wfapi.IncidentWorkflowName)
	declared := wfapi.SearchDeclaredAt.GetName()
	if period := bounds(declared, f); period != "" {
		q += fmt.Sprintf(" AND ((%s) OR (%s IS NULL AND %s))", period, declared, bounds("StartTime", f))
	}
	return q
}

// retrospectivesQuery lists the retrospectives of the incidents of f's
// period: each starts once its incident is resolved, so after Since.
func retrospectivesQuery(f insights.Filter) string {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'ContinuedAsNew'", wfapi.RetrospectiveWorkflowName)
	if !f.Since.IsZero() {
		q += fmt.Sprintf(" AND StartTime >= '%s'", visibilityTime(f.Since))
	}
	return q
}

// bounds is the condition that attribute lies in f's period, or "" when
// the period is unbounded.
func bounds(attribute string, f insights.Filter) string {
	var c []string
	if !f.Since.IsZero() {
		c = append(c, fmt.Sprintf("%s >= '%s'", attribute, visibilityTime(f.Since)))
	}
	if !f.Until.IsZero() {
		c = append(c, fmt.Sprintf("%s < '%s'", attribute, visibilityTime(f.Until)))
	}
	return strings.Join(c, " AND ")
}

// visibilityTime is t as visibility queries take it.
func visibilityTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// recordOf is the record of the incident ex runs, and false for a workflow
// left out (see Records).
func (s *Insights) recordOf(ex *workflowpb.WorkflowExecutionInfo) (insights.Record, bool) {
	var rec insights.Record
	recorded := s.decodeMemo(ex.GetMemo(), wfapi.MemoInsights, &rec)
	status := keyword(ex, wfapi.SearchStatus.GetName())
	ended := ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	if !recorded && ended && status != string(incident.Resolved) {
		return rec, false
	}
	if rec.WorkflowID == "" {
		rec.WorkflowID = ex.GetExecution().GetWorkflowId()
	}
	if rec.ID == "" {
		rec.ID = strings.TrimPrefix(rec.WorkflowID, wfapi.IncidentWorkflowID(""))
	}
	if recorded {
		return rec, true
	}
	// Declared before the workflows recorded their insights: what
	// visibility knows.
	s.decodeMemo(ex.GetMemo(), wfapi.MemoTitle, &rec.Title)
	s.decodeMemo(ex.GetMemo(), wfapi.MemoSecurity, &rec.Security)
	rec.Severity = keyword(ex, wfapi.SearchSeverity.GetName())
	rec.Kind = cmp.Or(keyword(ex, wfapi.SearchKind.GetName()), string(incident.KindIncident))
	rec.Source = keyword(ex, wfapi.SearchSource.GetName())
	rec.Commander = keyword(ex, wfapi.SearchCommander.GetName())
	rec.ChannelID = keyword(ex, wfapi.SearchChannel.GetName())
	rec.DeclaredAt = datetime(ex, wfapi.SearchDeclaredAt.GetName())
	if rec.DeclaredAt.IsZero() {
		rec.DeclaredAt = ex.GetStartTime().AsTime()
	}
	if status == string(incident.Resolved) {
		rec.ResolvedAt = datetime(ex, wfapi.SearchResolvedAt.GetName())
		if rec.ResolvedAt.IsZero() && ex.GetCloseTime() != nil {
			rec.ResolvedAt = ex.GetCloseTime().AsTime()
		}
	}
	return rec, true
}

// decodeMemo decodes memo field name into v, reporting whether it was there
// and decoded.
func (s *Insights) decodeMemo(memo *commonpb.Memo, name string, v any) bool {
	p, ok := memo.GetFields()[name]
	return ok && orDefault(s.DataConverter).FromPayload(p, v) == nil
}

// keyword is ex's Keyword search attribute name, or "".
func keyword(ex *workflowpb.WorkflowExecutionInfo, name string) string {
	var v string
	if p, ok := ex.GetSearchAttributes().GetIndexedFields()[name]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v
}

// datetime is ex's Datetime search attribute name, or the zero time.
func datetime(ex *workflowpb.WorkflowExecutionInfo, name string) time.Time {
	var v time.Time
	if p, ok := ex.GetSearchAttributes().GetIndexedFields()[name]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v.UTC()
}
