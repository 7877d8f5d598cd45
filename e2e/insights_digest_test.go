package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TestInsightsDigestSchedule keeps the digest's schedule as a worker does
// at start (created, then the same again, then gone), and runs it: the
// schedule's run computes the figures from visibility and posts the digest
// in the channel once, however often the run's post is retried.
func TestInsightsDigestSchedule(t *testing.T) {
	env := harness.Start(t, slackemu.Options{RateWindow: rateWindow})
	reader := &starter.Insights{Client: env.Client, Namespace: env.Temporal.Namespace()}
	env.NewWorker(t, func(r worker.Registry) {
		register(env, testProcess())(r)
		r.RegisterWorkflowWithOptions(workflows.InsightsDigestWorkflow, workflow.RegisterOptions{Name: wfapi.InsightsDigestWorkflowName})
		r.RegisterActivity(&activities.Insights{Reports: reader, Severities: []string{"critical", "minor"}})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	incidents := &starter.Incidents{Client: env.Client, TaskQueue: harness.TaskQueue, Process: testProcess()}
	d := declaration("digest1")
	d.Severity = incident.Minor
	_, err := incidents.Declare(ctx, d, true)
	require.NoError(t, err)
	harness.Eventually(t, 30*time.Second, "the incident in visibility", func() bool {
		recs, err := reader.Records(ctx, insights.Filter{Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Hour)})
		return err == nil && len(recs) == 1
	})

	digest := &starter.InsightsDigest{Client: env.Client, TaskQueue: harness.TaskQueue}
	req := wfapi.InsightsDigestRequest{Channel: "incidents", Every: 24 * time.Hour, PageURL: "https://incidents.example.com/insights"}
	outcome, err := digest.Ensure(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, starter.DigestOutcome("created"), outcome)
	outcome, err = digest.Ensure(ctx, req) // a second worker starting
	require.NoError(t, err)
	assert.Equal(t, starter.DigestOutcome("updated"), outcome)
	handle := env.Client.ScheduleClient().GetHandle(ctx, wfapi.InsightsDigestScheduleID)
	desc, err := handle.Describe(ctx)
	require.NoError(t, err)
	require.Len(t, desc.Schedule.Spec.Intervals, 1)
	assert.Equal(t, client.ScheduleIntervalSpec{Every: 24 * time.Hour, Offset: 9 * time.Hour}, desc.Schedule.Spec.Intervals[0], "daily at 09:00 UTC")
	for _, next := range desc.Info.NextActionTimes {
		assert.Equal(t, 9, next.UTC().Hour(), "the next digests are at 09:00 UTC: %v", desc.Info.NextActionTimes)
	}

	// Run it now rather than wait for 09:00. Temporal keeps a run's
	// scheduled time, the end of the digest's period, in whole seconds:
	// the incident counts once its second has passed.
	declared := time.Now()
	harness.Eventually(t, 5*time.Second, "the second of the declaration to pass", func() bool {
		return time.Now().Truncate(time.Second).After(declared)
	})
	require.NoError(t, handle.Trigger(ctx, client.ScheduleTriggerOptions{}))
	var digests []slackemu.Message
	harness.Eventually(t, 30*time.Second, "the digest in #incidents", func() bool {
		digests = posts(env, slackemu.IncidentsChannelID, wfapi.InsightsDigestScheduleID, "digest-")
		return len(digests) > 0
	})
	text := digests[0].Text
	for _, want := range []string{"Incident digest:", "1* declared", "*1* open now", "By severity: minor 1", "Open the insights page"} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, d.Title, "the digest names no incident")

	outcome, err = digest.Ensure(ctx, wfapi.InsightsDigestRequest{Every: 24 * time.Hour})
	require.NoError(t, err)
	assert.Equal(t, starter.DigestOutcome("deleted"), outcome)
	outcome, err = digest.Ensure(ctx, wfapi.InsightsDigestRequest{Every: 24 * time.Hour})
	require.NoError(t, err)
	assert.Equal(t, starter.DigestOutcome("none"), outcome)
	assert.Len(t, posts(env, slackemu.IncidentsChannelID, wfapi.InsightsDigestScheduleID, "digest-"), 1, "one digest posted")
	assert.False(t, strings.Contains(text, "<!"), "no mention in the digest")
}
