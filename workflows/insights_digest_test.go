package workflows_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// digestReports computes the figures of its records, remembering the
// filters asked for; it fails the first fails calls.
type digestReports struct {
	mu      sync.Mutex
	records []insights.Record
	fails   int
	asked   []insights.Filter
}

func (r *digestReports) Report(_ context.Context, f insights.Filter, now time.Time) (insights.Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, f)
	if len(r.asked) <= r.fails {
		return insights.Report{}, errors.New("visibility is busy")
	}
	return insights.Compute(r.records, f, now), nil
}

// digestEnv is a time-skipping environment running InsightsDigestWorkflow
// as its schedule would at firedAt, over reports, with Slack's posts
// recorded (the first postFails of them failing).
func digestEnv(reports *digestReports, firedAt time.Time, postFails int) (*testsuite.TestWorkflowEnvironment, func() []activities.PostRequest) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quietLogger())
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(firedAt)
	env.RegisterWorkflowWithOptions(workflows.InsightsDigestWorkflow, workflow.RegisterOptions{Name: wfapi.InsightsDigestWorkflowName})
	env.RegisterActivity(&activities.Insights{Reports: reports, Severities: []string{"critical", "major", "minor"}})
	var slack *activities.Slack
	env.RegisterActivity(&activities.Slack{})
	var mu sync.Mutex
	var posts []activities.PostRequest
	env.OnActivity(slack.PostMessage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PostRequest) (incident.MessageRef, error) {
			mu.Lock()
			defer mu.Unlock()
			posts = append(posts, req)
			if len(posts) <= postFails {
				return incident.MessageRef{}, errors.New("slack: internal_error")
			}
			return incident.MessageRef{Channel: "C0REVIEW", TS: "1.000"}, nil
		})
	return env, func() []activities.PostRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]activities.PostRequest(nil), posts...)
	}
}

func TestInsightsDigestPostsTheWeek(t *testing.T) {
	fired := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC) // a Monday, 09:00 UTC
	week := 7 * 24 * time.Hour
	reports := &digestReports{fails: 1, records: []insights.Record{
		{ID: "inc-1", Title: "Checkout down", Severity: "critical", Kind: "incident", DeclaredAt: fired.Add(-3 * 24 * time.Hour),
			AcknowledgedAt: fired.Add(-3*24*time.Hour + 4*time.Minute), ResolvedAt: fired.Add(-3*24*time.Hour + 90*time.Minute)},
		{ID: "inc-old", Title: "Last month", Severity: "major", Kind: "incident", DeclaredAt: fired.Add(-30 * 24 * time.Hour)},
	}}
	env, posts := digestEnv(reports, fired, 1)
	env.ExecuteWorkflow(wfapi.InsightsDigestWorkflowName, wfapi.InsightsDigestRequest{
		Channel: "incident-review", Every: week, PageURL: "https://incidents.example.com/insights"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("the digest did not complete: %v", env.GetWorkflowError())
	}
	want := insights.Filter{Since: fired.Add(-week), Until: fired}
	for i, f := range reports.asked {
		if f != want {
			t.Errorf("attempt %d asked for %+v, want the week before the run, %+v", i+1, f, want)
		}
	}
	if len(reports.asked) != 2 {
		t.Errorf("the figures were computed %d times, want 2 (a failure retried)", len(reports.asked))
	}
	got := posts()
	if len(got) != 2 {
		t.Fatalf("%d post attempts, want 2 (a failure retried): %+v", len(got), got)
	}
	for _, p := range got {
		if !reflect.DeepEqual(p, got[0]) {
			t.Errorf("a retried post differs, so it could post twice: %+v vs %+v", p, got[0])
		}
	}
	p := got[0]
	if p.Channel != "incident-review" || p.IncidentID != wfapi.InsightsDigestScheduleID || p.Key != "digest-2026-03-23T09:00:00Z" {
		t.Errorf("posted %+v: want #incident-review, keyed by the scheduled time", p)
	}
	for _, part := range []string{"*Incident digest: Mon 16 Mar 09:00 to Mon 23 Mar 2026 09:00 UTC*", "*1* declared, *1* resolved, *0* open now",
		"Time to resolve: median *1h 30m*", "<https://incidents.example.com/insights|Open the insights page>"} {
		if !strings.Contains(p.Text, part) {
			t.Errorf("the digest lacks %q:\n%s", part, p.Text)
		}
	}
	if strings.Contains(p.Text, "Checkout") {
		t.Errorf("the digest names an incident:\n%s", p.Text)
	}
}

func TestInsightsDigestNeedsChannelAndPeriod(t *testing.T) {
	env, posts := digestEnv(&digestReports{}, declaredAt, 0)
	env.ExecuteWorkflow(wfapi.InsightsDigestWorkflowName, wfapi.InsightsDigestRequest{Every: time.Hour})
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || !appErr.NonRetryable() || !strings.Contains(err.Error(), "insights.digest_channel") {
		t.Fatalf("a digest without a channel: %v, want a non-retryable error naming insights.digest_channel", err)
	}
	if n := len(posts()); n != 0 {
		t.Errorf("%d posts", n)
	}
}
