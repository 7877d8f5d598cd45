package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/internal/milestones"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// scrapeMetrics returns what reg serves on /metrics.
func scrapeMetrics(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.String()
}

// metricValue is the value of the sample named series (name and labels
// as exposed), 0 when absent.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			require.NoError(t, err, line)
			return v
		}
	}
	return 0
}

// TestIncidentMetrics runs an incident through the real workflow on a
// worker with the milestones interceptor, as `incidentflow worker` runs
// it, and reads its milestones on /metrics: counted once each, labelled
// by severity and source, and the open count read from visibility.
func TestIncidentMetrics(t *testing.T) {
	env, incidents := newEnv(t)
	proc := testProcess()
	w := sdkworker.New(env.Client, harness.TaskQueue, sdkworker.Options{
		Interceptors: []interceptor.WorkerInterceptor{milestones.New(nil, proc.SeverityNames())},
	})
	register(env, proc)(w)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	series := func(name, labels string) string { return name + "{" + labels + "}" }
	declared := series(metrics.IncidentsDeclared, `severity="critical",source="cli"`)
	resolved := series(metrics.IncidentsResolved, `severity="critical"`)
	toResolve := series(metrics.TimeToResolve+"_count", `severity="critical"`)
	toMitigate := series(metrics.TimeToMitigate+"_count", `severity="critical"`)
	reminders := metrics.Reminders
	escalations := metrics.Escalations
	before := scrapeMetrics(t, metrics.New())

	d := declaration("e2emetrics")
	d.Source = incident.SourceCLI
	room, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)

	// A new registry at each look: each caches its count for 15 s.
	openNow := func() string {
		reg := metrics.New()
		reg.CountOpenIncidents(env.Client, env.Temporal.Namespace(), proc.SeverityNames())
		return scrapeMetrics(t, reg)
	}
	openCritical := series(metrics.IncidentsOpen, `severity="critical"`)
	harness.Eventually(t, 10*time.Second, "the incident open in visibility and counted once", func() bool {
		out := openNow()
		return strings.Contains(out, openCritical+" 1") && metricValue(t, out, declared)-metricValue(t, before, declared) == 1
	})
	harness.Eventually(t, 4*cadence, "two reminders and an escalation counted", func() bool {
		out := scrapeMetrics(t, metrics.New())
		return metricValue(t, out, reminders)-metricValue(t, before, reminders) >= 2 &&
			metricValue(t, out, escalations)-metricValue(t, before, escalations) >= 1
	})
	require.NoError(t, incidents.PostStatus(ctx, "e2emetrics", wfapi.PostStatusRequest{
		Author: slackemu.UserBob, Status: incident.Mitigated, Text: "Rolled back"}))
	require.NoError(t, incidents.Resolve(ctx, "e2emetrics", wfapi.ResolveRequest{By: slackemu.UserBob, Summary: "Rolled back", Operator: true}))
	result(ctx, t, env, room.WorkflowID)

	harness.Eventually(t, 10*time.Second, "the mitigation and the resolution counted", func() bool {
		out := scrapeMetrics(t, metrics.New())
		return metricValue(t, out, resolved)-metricValue(t, before, resolved) == 1 &&
			metricValue(t, out, toResolve)-metricValue(t, before, toResolve) == 1 &&
			metricValue(t, out, toMitigate)-metricValue(t, before, toMitigate) == 1
	})
	after := scrapeMetrics(t, metrics.New())
	require.Equal(t, 1.0, metricValue(t, after, declared)-metricValue(t, before, declared), "declared once")

	harness.Eventually(t, 10*time.Second, "no open incident once resolved", func() bool {
		return strings.Contains(openNow(), openCritical+" 0")
	})
}
