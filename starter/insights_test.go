package starter

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakeVisibility answers ListWorkflow from executions, pageSize at a time,
// for the two queries Insights sends (told apart by workflow type).
type fakeVisibility struct {
	client.Client
	incidents, retros []*workflowpb.WorkflowExecutionInfo
	pageSize          int
	queries           []string
}

func (f *fakeVisibility) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.queries = append(f.queries, req.GetQuery())
	all := f.incidents
	if strings.Contains(req.GetQuery(), wfapi.RetrospectiveWorkflowName) {
		all = f.retros
	}
	start := 0
	if len(req.GetNextPageToken()) > 0 {
		start = int(req.GetNextPageToken()[0])
	}
	end := min(start+f.pageSize, len(all))
	resp := &workflowservice.ListWorkflowExecutionsResponse{Executions: all[start:end]}
	if end < len(all) {
		resp.NextPageToken = []byte{byte(end)}
	}
	return resp, nil
}

var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// execution is a visibility row: workflow id, its status, its start, its
// search attributes and memo fields.
func execution(t *testing.T, dc converter.DataConverter, id string, status enumspb.WorkflowExecutionStatus, start time.Time,
	attrs map[string]any, memo map[string]any) *workflowpb.WorkflowExecutionInfo {
	t.Helper()
	ex := &workflowpb.WorkflowExecutionInfo{
		Execution:        &commonpb.WorkflowExecution{WorkflowId: id, RunId: id + start.String()},
		Status:           status,
		StartTime:        timestamppb.New(start),
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{}},
		Memo:             &commonpb.Memo{Fields: map[string]*commonpb.Payload{}},
	}
	if status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		ex.CloseTime = timestamppb.New(start.Add(2 * time.Hour))
	}
	for k, v := range attrs {
		p, err := converter.GetDefaultDataConverter().ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		ex.SearchAttributes.IndexedFields[k] = p
	}
	for k, v := range memo {
		p, err := dc.ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		ex.Memo.Fields[k] = p
	}
	return ex
}

// encrypting is the workers' data converter with the payload codec.
func encrypting(t *testing.T) converter.DataConverter {
	t.Helper()
	b := make([]byte, payloadcodec.KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	codec, err := payloadcodec.New([]string{"k1:" + base64.StdEncoding.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
}

func TestInsightsRecordsReadsEveryPageJoinsRetrospectivesAndFallsBack(t *testing.T) {
	dc := encrypting(t)
	const (
		running   = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		completed = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
		failed    = enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	)
	recorded := insights.Record{ID: "r1", WorkflowID: "incident-r1", Title: "Checkout down", Severity: "critical", Kind: "incident",
		DeclaredAt: day.Add(time.Hour), AcknowledgedAt: day.Add(70 * time.Minute), ResolvedAt: day.Add(3 * time.Hour)}
	retro := insights.Retrospective{MeetingBooked: true, MeetingEnd: day.Add(50 * time.Hour), Done: true,
		ActionItems: []insights.ActionItem{{OpenedAt: day.Add(2 * time.Hour)}}}
	older := recorded
	older.Title, older.ResolvedAt = "the run before", time.Time{}
	vis := &fakeVisibility{pageSize: 2}
	vis.incidents = []*workflowpb.WorkflowExecutionInfo{
		execution(t, dc, "incident-r1", completed, day.Add(time.Hour), nil, map[string]any{wfapi.MemoInsights: older}),
		// Declared before the memo, still open: what visibility knows.
		execution(t, dc, "incident-old", running, day.Add(5*time.Hour), map[string]any{
			wfapi.SearchSeverity.GetName(): "major", wfapi.SearchKind.GetName(): "drill",
			wfapi.SearchCommander.GetName(): "U0DAN", wfapi.SearchStatus.GetName(): "identified",
		}, map[string]any{wfapi.MemoTitle: "Old one", wfapi.MemoSecurity: false}),
		// The latest run of r1 (listed again, as a reset would).
		execution(t, dc, "incident-r1", completed, day.Add(2*time.Hour), nil, map[string]any{wfapi.MemoInsights: recorded}),
		// Resolved before the memo, with its resolution time.
		execution(t, dc, "incident-gone", completed, day.Add(6*time.Hour), map[string]any{
			wfapi.SearchSeverity.GetName(): "minor", wfapi.SearchStatus.GetName(): "resolved",
			wfapi.SearchDeclaredAt.GetName(): day.Add(5 * time.Hour), wfapi.SearchResolvedAt.GetName(): day.Add(7 * time.Hour),
		}, map[string]any{wfapi.MemoTitle: "security incident", wfapi.MemoSecurity: true}),
		// A declaration refused: no incident.
		execution(t, dc, "incident-refused", failed, day.Add(8*time.Hour), map[string]any{
			wfapi.SearchStatus.GetName(): "investigating"}, nil),
	}
	vis.retros = []*workflowpb.WorkflowExecutionInfo{
		execution(t, dc, "retro-r1", running, day.Add(3*time.Hour), nil, map[string]any{wfapi.MemoInsights: retro}),
		execution(t, dc, "retro-gone", completed, day.Add(7*time.Hour), nil, nil),
	}
	s := &Insights{Client: vis, DataConverter: dc}
	f := insights.Filter{Since: day, Until: day.Add(24 * time.Hour)}
	got, err := s.Records(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("records %+v, want r1, old and gone", got)
	}
	want0 := recorded
	want0.Retrospective = &retro
	if got[0].Title != want0.Title || got[0].ResolvedAt != want0.ResolvedAt || got[0].Retrospective == nil || !got[0].Retrospective.Equal(retro) {
		t.Errorf("r1: %+v, want its latest run with its retrospective %+v", got[0], retro)
	}
	old := got[1]
	if old.ID != "old" || old.Title != "Old one" || old.Severity != "major" || old.Kind != "drill" || old.Commander != "U0DAN" ||
		!old.DeclaredAt.Equal(day.Add(5*time.Hour)) || !old.ResolvedAt.IsZero() {
		t.Errorf("old: %+v", old)
	}
	gone := got[2]
	if gone.Title != "security incident" || !gone.Security || gone.Kind != "incident" ||
		!gone.DeclaredAt.Equal(day.Add(5*time.Hour)) || !gone.ResolvedAt.Equal(day.Add(7*time.Hour)) || gone.Retrospective != nil {
		t.Errorf("gone: %+v", gone)
	}

	rep, err := s.Report(context.Background(), f, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Declared != 2 || rep.Drills != 1 || rep.Resolved != 2 {
		t.Errorf("report: declared %d, drills %d, resolved %d; want 2, 1, 2", rep.Declared, rep.Drills, rep.Resolved)
	}
	if n := len(vis.queries); n != 2*(3+1) {
		t.Errorf("%d listings, want three pages of incidents and one of retrospectives, twice: %q", n, vis.queries)
	}
}

func TestInsightsWithoutIncidentsListsNoRetrospectives(t *testing.T) {
	vis := &fakeVisibility{pageSize: 10}
	got, err := (&Insights{Client: vis}).Records(context.Background(), insights.Filter{})
	if err != nil || len(got) != 0 || len(vis.queries) != 1 {
		t.Errorf("records %v, %v after %q", got, err, vis.queries)
	}
}

func TestInsightsQueries(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	f := insights.Filter{Since: time.Date(2026, 3, 1, 1, 0, 0, 0, cet), Until: time.Date(2026, 3, 8, 1, 0, 0, 0, cet)}
	if got, want := incidentsQuery(f), "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND "+
		"((IncidentDeclaredAt >= '2026-03-01T00:00:00Z' AND IncidentDeclaredAt < '2026-03-08T00:00:00Z') OR "+
		"(IncidentDeclaredAt IS NULL AND StartTime >= '2026-03-01T00:00:00Z' AND StartTime < '2026-03-08T00:00:00Z'))"; got != want {
		t.Errorf("incidents query\n%s\nwant\n%s", got, want)
	}
	if got, want := incidentsQuery(insights.Filter{Since: f.Since}), "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND "+
		"((IncidentDeclaredAt >= '2026-03-01T00:00:00Z') OR (IncidentDeclaredAt IS NULL AND StartTime >= '2026-03-01T00:00:00Z'))"; got != want {
		t.Errorf("incidents query since\n%s\nwant\n%s", got, want)
	}
	if got, want := retrospectivesQuery(f), "WorkflowType = 'RetrospectiveWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND StartTime >= '2026-03-01T00:00:00Z'"; got != want {
		t.Errorf("retrospectives query\n%s\nwant\n%s", got, want)
	}
	if got, want := incidentsQuery(insights.Filter{}), "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew'"; got != want {
		t.Errorf("unbounded incidents query\n%s\nwant\n%s", got, want)
	}
}
