package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/internal/metrics"
)

// runs numbers the runs of a test within the process (-count), whose
// metrics are process-wide: each run labels its series apart.
var runs atomic.Int64

// unique is prefix made unique to this run.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, runs.Add(1)) }

// scrape returns what reg serves on /metrics.
func scrape(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// sample returns the value of the sample line that starts with prefix
// (a metric name and its labels), and whether there is one.
func sample(text, prefix string) (string, bool) {
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			return rest, true
		}
	}
	return "", false
}

func TestSDKMetricsAreExposedWithPrometheusNames(t *testing.T) {
	ns := unique("ns-sdk-test")
	h := metrics.SDKHandler().WithTags(map[string]string{"namespace": ns, "task_queue": "q"})
	h.Counter("temporal_sdk_test_polls").Inc(2)
	h.Counter("temporal_sdk_test_polls").Inc(1)
	// The same metric with another tag set: exposed with the union of
	// the label names.
	h.WithTags(map[string]string{"worker_type": "ActivityWorker"}).Counter("temporal_sdk_test_polls").Inc(5)
	h.Gauge("temporal_sdk_test_slots_available").Update(7)
	h.Timer("temporal_sdk_test_latency").Record(300 * time.Millisecond)

	out := scrape(t, metrics.New())
	for prefix, want := range map[string]string{
		`temporal_sdk_test_polls_total{namespace="` + ns + `",task_queue="q",worker_type=""}`:               "3",
		`temporal_sdk_test_polls_total{namespace="` + ns + `",task_queue="q",worker_type="ActivityWorker"}`: "5",
		`temporal_sdk_test_slots_available{namespace="` + ns + `",task_queue="q"}`:                          "7",
		`temporal_sdk_test_latency_seconds_count{namespace="` + ns + `",task_queue="q"}`:                    "1",
		`temporal_sdk_test_latency_seconds_bucket{namespace="` + ns + `",task_queue="q",le="0.5"}`:          "1",
		`temporal_sdk_test_latency_seconds_bucket{namespace="` + ns + `",task_queue="q",le="0.25"}`:         "0",
	} {
		if got, ok := sample(out, prefix); !ok || got != want {
			t.Errorf("%s = %q (present %v), want %s\n%s", prefix, got, ok, want, out)
		}
	}
}

func TestMilestonesFromTheSDKHandlerReachTheIncidentMetrics(t *testing.T) {
	reg := metrics.New()
	sev := unique("sev-milestone-test")
	before, _ := sample(scrape(t, reg), metrics.IncidentsResolved+`{severity="`+sev+`"}`)
	if before != "" {
		t.Fatalf("severity %s already counted: %s", sev, before)
	}
	h := metrics.SDKHandler().WithTags(map[string]string{"namespace": "default", "workflow_type": "IncidentWorkflow"})
	h.WithTags(map[string]string{"severity": sev, "source": "cli"}).Counter(metrics.IncidentsDeclared).Inc(1)
	bySev := h.WithTags(map[string]string{"severity": sev})
	bySev.Counter(metrics.IncidentsResolved).Inc(1)
	bySev.Timer(metrics.TimeToAcknowledge).Record(45 * time.Second)
	bySev.Timer(metrics.TimeToResolve).Record(2 * time.Hour)

	out := scrape(t, reg)
	for prefix, want := range map[string]string{
		metrics.IncidentsDeclared + `{severity="` + sev + `",source="cli"}`:          "1",
		metrics.IncidentsResolved + `{severity="` + sev + `"}`:                       "1",
		metrics.TimeToAcknowledge + `_bucket{severity="` + sev + `",le="30"}`:        "0",
		metrics.TimeToAcknowledge + `_bucket{severity="` + sev + `",le="60"}`:        "1",
		metrics.TimeToResolve + `_bucket{severity="` + sev + `",le="3600"}`:          "0",
		metrics.TimeToResolve + `_bucket{severity="` + sev + `",le="7200"}`:          "1",
		metrics.TimeToResolve + `_bucket{severity="` + sev + `",le="604800"}`:        "1",
		metrics.TimeToResolve + `_sum{severity="` + sev + `"}`:                       "7200",
		metrics.TimeToMitigate + `_count{severity="` + sev + `"}`:                    "",
		`temporal_` + strings.TrimPrefix(metrics.IncidentsDeclared, "incidentflow_"): "",
	} {
		got, ok := sample(out, prefix)
		if want == "" {
			if ok {
				t.Errorf("%s is exposed (%s), want absent", prefix, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s = %q (present %v), want %s", prefix, got, ok, want)
		}
	}
}

func TestSlackErrorsAreCountedUnderBoundedLabels(t *testing.T) {
	reg := metrics.New()
	metrics.SlackError("conversations.setTopic", "too_long", false)
	metrics.SlackError("conversations.setTopic", "some_new_code_slack_invented", false)
	metrics.SlackError("conversations.setTopic", "", false)
	metrics.SlackError("conversations.setTopic", "", true)
	out := scrape(t, reg)
	for _, prefix := range []string{
		metrics.SlackAPIErrors + `{error="too_long",method="conversations.setTopic"}`,
		metrics.SlackAPIErrors + `{error="other",method="conversations.setTopic"}`,
		metrics.SlackAPIErrors + `{error="http_error",method="conversations.setTopic"}`,
		metrics.SlackRateLimited + `{method="conversations.setTopic"}`,
	} {
		if _, ok := sample(out, prefix); !ok {
			t.Errorf("no sample %s in\n%s", prefix, out)
		}
	}
	if strings.Contains(out, "some_new_code_slack_invented") {
		t.Errorf("an unknown Slack error code became a label value:\n%s", out)
	}
}

// countingClient answers CountWorkflow with counts by severity and
// remembers the queries.
type countingClient struct {
	client.Client
	mu      sync.Mutex
	counts  map[string]int64
	queries []string
	err     error
}

func (c *countingClient) CountWorkflow(_ context.Context, req *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries = append(c.queries, req.GetQuery())
	if c.err != nil {
		return nil, c.err
	}
	for sev, n := range c.counts {
		if strings.HasSuffix(req.GetQuery(), "IncidentSeverity = '"+sev+"'") {
			return &workflowservice.CountWorkflowExecutionsResponse{Count: n}, nil
		}
	}
	return &workflowservice.CountWorkflowExecutionsResponse{}, nil
}

func (c *countingClient) asked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queries)
}

func TestOpenIncidentsAreCountedInVisibilityAndCached(t *testing.T) {
	c := &countingClient{counts: map[string]int64{"critical": 2, "minor": 1}}
	reg := metrics.New()
	reg.CountOpenIncidents(c, "default", []string{"critical", "major", "minor"})

	out := scrape(t, reg)
	for prefix, want := range map[string]string{
		metrics.IncidentsOpen + `{severity="critical"}`: "2",
		metrics.IncidentsOpen + `{severity="major"}`:    "0",
		metrics.IncidentsOpen + `{severity="minor"}`:    "1",
	} {
		if got, _ := sample(out, prefix); got != want {
			t.Errorf("%s = %q, want %s", prefix, got, want)
		}
	}
	want := "WorkflowType = 'IncidentWorkflow' AND ExecutionStatus = 'Running' AND IncidentKind = 'incident' AND IncidentSeverity = 'critical'"
	if c.queries[0] != want {
		t.Errorf("query %q, want %q", c.queries[0], want)
	}
	scrape(t, reg)
	if n := c.asked(); n != 3 {
		t.Errorf("two scrapes within %s asked visibility %d times, want 3 (once per severity)", metrics.OpenCacheFor, n)
	}
}

func TestOpenIncidentsAreLeftOutWhenTemporalCantAnswer(t *testing.T) {
	c := &countingClient{err: errors.New("unavailable")}
	reg := metrics.New()
	reg.CountOpenIncidents(c, "default", []string{"critical"})
	out := scrape(t, reg)
	if strings.Contains(out, metrics.IncidentsOpen+"{") {
		t.Errorf("open incidents exposed although visibility failed:\n%s", out)
	}
	if !strings.Contains(out, "go_goroutines") {
		t.Errorf("the rest of the metrics are missing:\n%s", out)
	}
}

// TestMetricsPassPromtool runs `promtool check metrics` over a scrape with
// every kind of incidentflow metric present.
func TestMetricsPassPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is not installed (apt-get install prometheus): CI checks the metrics with it")
		}
		t.Skip("promtool is not installed (apt-get install prometheus); CI runs this test")
	}
	reg := metrics.New()
	reg.CountOpenIncidents(&countingClient{counts: map[string]int64{"critical": 1}}, "default", []string{"critical"})
	h := metrics.SDKHandler().WithTags(map[string]string{"namespace": "default"})
	h.WithTags(map[string]string{"severity": "critical", "source": "slack"}).Counter(metrics.IncidentsDeclared).Inc(1)
	bySev := h.WithTags(map[string]string{"severity": "critical"})
	bySev.Counter(metrics.IncidentsResolved).Inc(1)
	for _, name := range []string{metrics.TimeToAcknowledge, metrics.TimeToMitigate, metrics.TimeToResolve} {
		bySev.Timer(name).Record(10 * time.Minute)
	}
	h.Counter(metrics.Reminders).Inc(1)
	h.Counter(metrics.Escalations).Inc(1)
	metrics.SlackError("chat.postMessage", "not_in_channel", false)
	metrics.SlackError("chat.postMessage", "", true)
	h.Counter("temporal_promtool_test_request").Inc(1)
	h.Gauge("temporal_promtool_test_worker_task_slots_available").Update(3)
	h.Timer("temporal_promtool_test_workflow_task_execution_latency").Record(time.Millisecond)
	srv := httptest.NewServer(reg.Instrument(reg.Handler()))
	defer srv.Close()
	resp, err := http.Get(srv.URL) // the HTTP metrics need a request first
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	out := scrape(t, reg)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\nmetrics:\n%s", err, stderr.String(), out)
	}
}
