package slackdoor

import (
	"context"
	"time"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

// InsightsReports computes the response figures of a period:
// *starter.Insights reads them from Temporal's visibility.
type InsightsReports interface {
	Report(ctx context.Context, f insights.Filter, now time.Time) (insights.Report, error)
}

// insightsPeriod is the period /incident insights sums up.
const insightsPeriod = 30 * 24 * time.Hour

// insightsCommand answers /incident insights: the figures of the last 30
// days, only to the caller, with a link to the page. It names no
// incident, so no security incident shows.
func (f *FrontDoor) insightsCommand(ctx context.Context) *ephemeral {
	if f.insights == nil {
		return say("Insights are not set up on this incidentflow: `incidentflow insights --since 30d` shows them on the command line.")
	}
	tctx, cancel := f.temporalCtx(ctx, 0)
	defer cancel()
	now := f.now()
	rep, err := f.insights.Report(tctx, insights.Filter{Since: now.Add(-insightsPeriod), Until: now}, now)
	if err != nil {
		f.log.Warn("insights failed", "err", err)
		return say("%s", f.failure(err, "I can't show the insights; `incidentflow insights --since 30d` shows them on the command line"))
	}
	return say("%s", insightstext.Summary(rep, "Incident insights: the last 30 days", f.insightsURL, f.process.SeverityNames()))
}
