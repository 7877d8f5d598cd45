// Package milestones counts the incidents' milestones in the worker's
// metrics as their workflows reach them: declared, acknowledged, mitigated,
// resolved, reminders and escalations (the incidentflow_* metrics of
// internal/metrics). It is a worker interceptor that watches the insights
// record (insights.Record) IncidentWorkflow upserts in its memo at every
// milestone, and emits what changed since the last one through the
// workflow's metrics handler. That handler emits nothing while a workflow
// replays, so a milestone is counted once, by the worker that first ran
// it, whichever of several workers that is; Prometheus sums the workers.
// A workflow task that fails after a milestone and is retried counts it
// again (rare: a worker crashing in the middle of the task).
//
// The interceptor issues no commands and does no I/O: the workflow's
// history, and so replay, is the same with or without it.
package milestones

import (
	"encoding/json"
	"slices"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Other is the label value of a severity or source outside the known set.
const Other = "other"

// sources are the sources counted under their own name.
var sources = []string{string(incident.SourceSlack), string(incident.SourceCLI), string(incident.SourceAlert)}

// Interceptor is the worker interceptor; add it to worker.Options'
// Interceptors.
type Interceptor struct {
	interceptor.WorkerInterceptorBase
	dc         converter.DataConverter
	severities []string
}

// New returns the interceptor. dc decodes the memo a continued run starts
// with (the worker's data converter; nil for Temporal's default);
// severities are the configured severity names, the only severity label
// values besides Other.
func New(dc converter.DataConverter, severities []string) *Interceptor {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return &Interceptor{dc: dc, severities: severities}
}

// InterceptWorkflow watches the runs of IncidentWorkflow.
func (i *Interceptor) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	if workflow.GetInfo(ctx).WorkflowType.Name != wfapi.IncidentWorkflowName {
		return next
	}
	return &inbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, i: i}
}

// inbound holds one run's last record.
type inbound struct {
	interceptor.WorkflowInboundInterceptorBase
	i    *Interceptor
	last insights.Record
}

func (in *inbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return in.Next.Init(&outboundInterceptor{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, in: in})
}

// ExecuteWorkflow starts a continued run from the record its memo carries
// over, so that milestones the earlier runs counted aren't counted again.
func (in *inbound) ExecuteWorkflow(ctx workflow.Context, input *interceptor.ExecuteWorkflowInput) (any, error) {
	info := workflow.GetInfo(ctx)
	if info.ContinuedExecutionRunID != "" && info.Memo != nil {
		if p := info.Memo.GetFields()[wfapi.MemoInsights]; p != nil {
			var v any
			if err := in.i.dc.FromPayload(p, &v); err == nil {
				in.last, _ = toRecord(v)
			}
		}
	}
	return in.Next.ExecuteWorkflow(ctx, input)
}

type outboundInterceptor struct {
	interceptor.WorkflowOutboundInterceptorBase
	in *inbound
}

// UpsertMemo emits the milestones the upserted record reached.
func (o *outboundInterceptor) UpsertMemo(ctx workflow.Context, memo map[string]any) error {
	if err := o.Next.UpsertMemo(ctx, memo); err != nil {
		return err
	}
	v, ok := memo[wfapi.MemoInsights]
	if !ok {
		return nil
	}
	next, ok := toRecord(v)
	if !ok {
		return nil
	}
	Emit(o.Next.GetMetricsHandler(ctx), o.in.last, next, o.in.i.severities)
	o.in.last = next
	return nil
}

// Emit emits to h the milestones next reached that last hadn't, for a
// real incident (drills and maintenance windows count nowhere; a record
// without a kind is an incident's).
// Severities outside severities and sources other than Slack, the CLI and
// alerts are labelled Other.
func Emit(h client.MetricsHandler, last, next insights.Record, severities []string) {
	if next.Kind != "" && next.Kind != string(incident.KindIncident) {
		return
	}
	sev := bounded(next.Severity, severities)
	bySeverity := h.WithTags(map[string]string{"severity": sev})
	if last.DeclaredAt.IsZero() && !next.DeclaredAt.IsZero() {
		h.WithTags(map[string]string{"severity": sev, "source": bounded(next.Source, sources)}).Counter(metrics.IncidentsDeclared).Inc(1)
	}
	if last.AcknowledgedAt.IsZero() && !next.AcknowledgedAt.IsZero() {
		bySeverity.Timer(metrics.TimeToAcknowledge).Record(max(next.AcknowledgedAt.Sub(next.DeclaredAt), 0))
	}
	if last.MitigatedAt.IsZero() && !next.MitigatedAt.IsZero() {
		bySeverity.Timer(metrics.TimeToMitigate).Record(max(next.MitigatedAt.Sub(next.DeclaredAt), 0))
	}
	if last.ResolvedAt.IsZero() && !next.ResolvedAt.IsZero() {
		bySeverity.Counter(metrics.IncidentsResolved).Inc(1)
		bySeverity.Timer(metrics.TimeToResolve).Record(max(next.ResolvedAt.Sub(next.DeclaredAt), 0))
	}
	if n := next.Reminders - last.Reminders; n > 0 {
		h.Counter(metrics.Reminders).Inc(int64(n))
	}
	if n := next.Escalations - last.Escalations; n > 0 {
		h.Counter(metrics.Escalations).Inc(int64(n))
	}
}

// bounded is v if known lists it, else Other.
func bounded(v string, known []string) string {
	if slices.Contains(known, v) {
		return v
	}
	return Other
}

// toRecord reads an insights record out of a memo value: the record
// itself, or its JSON (as text, bytes or decoded into maps).
func toRecord(v any) (insights.Record, bool) {
	var r insights.Record
	switch x := v.(type) {
	case insights.Record:
		return x, true
	case *insights.Record:
		if x == nil {
			return r, false
		}
		return *x, true
	case string:
		return r, json.Unmarshal([]byte(x), &r) == nil
	case []byte:
		return r, json.Unmarshal(x, &r) == nil
	case json.RawMessage:
		return r, json.Unmarshal(x, &r) == nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return r, false
	}
	return r, json.Unmarshal(b, &r) == nil
}
