package starter

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// InsightsDigest keeps the one Temporal schedule of the insights digest
// (wfapi.InsightsDigestScheduleID) as the configuration says: every worker
// ensures it as it starts, so that several workers keep one schedule.
type InsightsDigest struct {
	Client    client.Client
	TaskQueue string
}

// digestPhase places the runs: a weekly digest on Mondays at 09:00 UTC,
// a daily one at 09:00 UTC (interval schedules count from the Unix epoch,
// a Thursday at 00:00 UTC).
const digestPhase = 4*24*time.Hour + 9*time.Hour

// DigestOutcome says what Ensure did: "created", "updated", "deleted" or
// "none".
type DigestOutcome string

// Ensure makes the digest's schedule post req to req.Channel every
// req.Every, creating it or updating the one there; with no channel it
// deletes the schedule if there is one. Calling it again with the same
// request changes nothing that matters.
func (d *InsightsDigest) Ensure(ctx context.Context, req wfapi.InsightsDigestRequest) (DigestOutcome, error) {
	handle := d.Client.ScheduleClient().GetHandle(ctx, wfapi.InsightsDigestScheduleID)
	if req.Channel == "" {
		err := handle.Delete(ctx)
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			return "none", nil
		case err != nil:
			return "", explain(err, "")
		}
		return "deleted", nil
	}
	if req.Every <= 0 {
		return "", errors.New("the digest needs a period: set insights.digest_every, e.g. 168h")
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: req.Every, Offset: digestPhase % req.Every}}}
	action := &client.ScheduleWorkflowAction{
		ID:                  wfapi.InsightsDigestScheduleID,
		Workflow:            wfapi.InsightsDigestWorkflowName,
		Args:                []any{req},
		TaskQueue:           d.TaskQueue,
		WorkflowTaskTimeout: wfapi.WorkflowTaskTimeout,
		StaticSummary:       "Insights digest to " + req.Channel,
		// A digest that can't be posted within its period gives way to
		// the next one.
		WorkflowExecutionTimeout: req.Every,
	}
	created, err := ensureSchedule(ctx, d.Client, "the insights digest's schedule", client.ScheduleOptions{
		ID: wfapi.InsightsDigestScheduleID, Spec: spec, Action: action,
		// One missed run is caught up after an outage, not a backlog.
		CatchupWindow: req.Every,
		Note:          "insights.digest_channel and insights.digest_every; every worker keeps it as configured",
	})
	switch {
	case err != nil:
		return "", err
	case created:
		return "created", nil
	}
	return "updated", nil
}
