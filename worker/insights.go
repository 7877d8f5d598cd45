package worker

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// NewInsights returns the digest's activities: the figures read from c's
// visibility, memos decoded as cfg's temporal.codec encodes them, and
// cfg's severities.
func NewInsights(cfg *config.Config, c client.Client) (*activities.Insights, error) {
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil {
		return nil, err
	}
	proc := cfg.Process()
	return &activities.Insights{
		Reports:    &starter.Insights{Client: c, Namespace: cfg.Temporal.Namespace, DataConverter: temporalclient.DataConverter(codec)},
		Severities: proc.SeverityNames(),
	}, nil
}

// ensureTimeout bounds the keeping of the digest's schedule at start.
const ensureTimeout = 10 * time.Second

// EnsureDigest keeps the insights digest's schedule as cfg says
// (insights.digest_channel, insights.digest_every): posting, changed, or
// gone when no channel is set. A failure is logged, not fatal: the worker
// runs the incidents all the same, and the next start tries again.
func EnsureDigest(ctx context.Context, cfg *config.Config, c client.Client, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, ensureTimeout)
	defer cancel()
	req := wfapi.InsightsDigestRequest{Channel: cfg.Insights.DigestChannel, Every: cfg.Insights.DigestInterval(), PageURL: cfg.InsightsPageURL()}
	outcome, err := (&starter.InsightsDigest{Client: c, TaskQueue: cfg.Temporal.TaskQueue}).Ensure(ctx, req)
	if err != nil {
		logger.Error("the insights digest's schedule could not be kept; the digest may not be posted as configured until the worker restarts", "schedule", wfapi.InsightsDigestScheduleID, "err", err)
		return
	}
	if outcome != "none" {
		logger.Info("insights digest schedule "+string(outcome), "schedule", wfapi.InsightsDigestScheduleID, "channel", req.Channel, "every", req.Every.String())
	}
}
