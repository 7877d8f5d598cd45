package milestones_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/internal/milestones"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// recorder is a metrics handler that writes down every value emitted, as
// "name{k=v,…} value".
type recorder struct {
	mu   *sync.Mutex
	tags map[string]string
	got  *[]string
}

func newRecorder() recorder { return recorder{mu: &sync.Mutex{}, got: &[]string{}} }

func (r recorder) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(r.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return recorder{mu: r.mu, tags: merged, got: r.got}
}

func (r recorder) add(name string, v any) {
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(r.tags)) {
		if k == "severity" || k == "source" {
			labels = append(labels, k+"="+r.tags[k])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.got = append(*r.got, fmt.Sprintf("%s{%s} %v", name, strings.Join(labels, ","), v))
}

func (r recorder) Counter(name string) client.MetricsCounter {
	return counter(func(n int64) { r.add(name, n) })
}
func (r recorder) Gauge(name string) client.MetricsGauge {
	return gauge(func(v float64) { r.add(name, v) })
}
func (r recorder) Timer(name string) client.MetricsTimer {
	return timer(func(d time.Duration) { r.add(name, d) })
}

// incidentflow's own metrics only, in the order emitted.
func (r recorder) milestones() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range *r.got {
		if strings.HasPrefix(s, "incidentflow_") {
			out = append(out, s)
		}
	}
	return out
}

type counter func(int64)

func (c counter) Inc(n int64) { c(n) }

type gauge func(float64)

func (g gauge) Update(v float64) { g(v) }

type timer func(time.Duration)

func (t timer) Record(d time.Duration) { t(d) }

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func declared() insights.Record {
	return insights.Record{ID: "x", Kind: "incident", Severity: "critical", Source: "slack", DeclaredAt: t0}
}

func TestEmitCountsWhatChanged(t *testing.T) {
	sevs := []string{"critical", "major"}
	acked := declared()
	acked.AcknowledgedAt = t0.Add(90 * time.Second)
	acked.Reminders = 2
	done := acked
	done.MitigatedAt = t0.Add(10 * time.Minute)
	done.ResolvedAt = t0.Add(time.Hour)
	done.Reminders, done.Escalations = 3, 1
	done.Severity = "major"

	r := newRecorder()
	milestones.Emit(r, insights.Record{}, declared(), sevs)
	milestones.Emit(r, declared(), acked, sevs)
	milestones.Emit(r, acked, acked, sevs) // nothing new
	milestones.Emit(r, acked, done, sevs)
	want := []string{
		metrics.IncidentsDeclared + "{severity=critical,source=slack} 1",
		metrics.TimeToAcknowledge + "{severity=critical} 1m30s",
		metrics.Reminders + "{} 2",
		metrics.TimeToMitigate + "{severity=major} 10m0s",
		metrics.IncidentsResolved + "{severity=major} 1",
		metrics.TimeToResolve + "{severity=major} 1h0m0s",
		metrics.Reminders + "{} 1",
		metrics.Escalations + "{} 1",
	}
	if got := r.milestones(); !slices.Equal(got, want) {
		t.Errorf("emitted\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEmitBoundsLabelsAndSkipsDrillsAndMaintenance(t *testing.T) {
	r := newRecorder()
	odd := declared()
	odd.Severity, odd.Source = "sev-typed-by-someone", "carrier-pigeon"
	milestones.Emit(r, insights.Record{}, odd, []string{"critical"})
	for _, kind := range []string{"drill", "maintenance"} {
		rec := declared()
		rec.Kind = kind
		rec.ResolvedAt = t0.Add(time.Minute)
		milestones.Emit(r, insights.Record{}, rec, []string{"critical"})
	}
	want := []string{metrics.IncidentsDeclared + "{severity=other,source=other} 1"}
	if got := r.milestones(); !slices.Equal(got, want) {
		t.Errorf("emitted %q, want %q", got, want)
	}
}

// fakeIncident stands for IncidentWorkflow: it upserts the records it is
// given in its memo, a timer apart, as the real one does at milestones.
func fakeIncident(ctx workflow.Context, records []insights.Record) error {
	for _, r := range records {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return err
		}
		if err := workflow.UpsertMemo(ctx, map[string]any{wfapi.MemoInsights: r}); err != nil {
			return err
		}
	}
	return nil
}

func run(t *testing.T, records []insights.Record, setup func(*testsuite.TestWorkflowEnvironment)) []string {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	r := newRecorder()
	s.SetMetricsHandler(r)
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{milestones.New(nil, []string{"critical"})}})
	env.RegisterWorkflowWithOptions(fakeIncident, workflow.RegisterOptions{Name: wfapi.IncidentWorkflowName})
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(wfapi.IncidentWorkflowName, records)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	return r.milestones()
}

func TestInterceptorEmitsTheMilestonesOfTheUpsertedRecords(t *testing.T) {
	acked := declared()
	acked.AcknowledgedAt = t0.Add(5 * time.Minute)
	got := run(t, []insights.Record{declared(), acked}, nil)
	want := []string{
		metrics.IncidentsDeclared + "{severity=critical,source=slack} 1",
		metrics.TimeToAcknowledge + "{severity=critical} 5m0s",
	}
	if !slices.Equal(got, want) {
		t.Errorf("emitted %q, want %q", got, want)
	}
}

func TestContinuedRunStartsFromTheRecordItsMemoCarries(t *testing.T) {
	acked := declared()
	acked.AcknowledgedAt = t0.Add(5 * time.Minute)
	acked.Reminders = 4
	resolved := acked
	resolved.Reminders = 5
	resolved.ResolvedAt = t0.Add(3 * time.Hour)
	got := run(t, []insights.Record{acked, resolved}, func(env *testsuite.TestWorkflowEnvironment) {
		env.SetContinuedExecutionRunID("run-before")
		if err := env.SetMemoOnStart(map[string]any{wfapi.MemoInsights: acked}); err != nil {
			t.Fatal(err)
		}
	})
	want := []string{
		metrics.IncidentsResolved + "{severity=critical} 1",
		metrics.TimeToResolve + "{severity=critical} 3h0m0s",
		metrics.Reminders + "{} 1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("emitted %q, want %q (the declaration, acknowledgement and 4 reminders were the earlier run's)", got, want)
	}
}

func TestOtherWorkflowsAreLeftAlone(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	r := newRecorder()
	s.SetMetricsHandler(r)
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{milestones.New(nil, []string{"critical"})}})
	env.RegisterWorkflowWithOptions(fakeIncident, workflow.RegisterOptions{Name: wfapi.RetrospectiveWorkflowName})
	env.ExecuteWorkflow(wfapi.RetrospectiveWorkflowName, []insights.Record{declared()})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := r.milestones(); len(got) != 0 {
		t.Errorf("a retrospective emitted %q", got)
	}
}
