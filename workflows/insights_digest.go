package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// insightsActivities compute the digest (insights_digest.go).
var insightsActivities *activities.Insights

// insightsActivityOptions bound the computing of a digest: a listing of
// the period's incidents from visibility, seconds even for thousands.
var insightsActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
		MaximumAttempts:    10,
	},
	Summary: "Compute the figures of the period",
}

// InsightsDigestWorkflow posts the insights digest: the figures of the
// req.Every before the run's scheduled time, summed up as `/incident
// insights` does, in req.Channel. Its schedule (wfapi.
// InsightsDigestScheduleID) starts one run every req.Every. The post is
// keyed by the scheduled time, so a retried post, or a run restarted by
// hand, doesn't post the same digest twice. Register it under
// InsightsDigestWorkflowName, with the activities.Insights and
// activities.Slack activities.
func InsightsDigestWorkflow(ctx workflow.Context, req wfapi.InsightsDigestRequest) error {
	if req.Channel == "" || req.Every <= 0 {
		return temporal.NewNonRetryableApplicationError("the digest needs a channel and a period: set insights.digest_channel and insights.digest_every", "BadDigest", errors.New("bad digest request"))
	}
	until := firedAt(ctx).UTC()
	var text string
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, insightsActivityOptions), insightsActivities.InsightsDigest,
		activities.DigestRequest{Since: until.Add(-req.Every), Until: until, PageURL: req.PageURL}).Get(ctx, &text)
	if err != nil {
		return err
	}
	return workflow.ExecuteActivity(slackCall(ctx, "Post the digest to "+req.Channel), slackActivities.PostMessage, activities.PostRequest{
		Channel: req.Channel, IncidentID: wfapi.InsightsDigestScheduleID, Key: "digest-" + until.Format(time.RFC3339), Text: text,
	}).Get(ctx, nil)
}
