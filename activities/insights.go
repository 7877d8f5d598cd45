package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

// InsightsReports computes the response figures of a period;
// starter.Insights reads them from Temporal's visibility.
type InsightsReports interface {
	Report(ctx context.Context, f insights.Filter, now time.Time) (insights.Report, error)
}

// Insights are the activities of the insights digest. The outside system
// is Temporal's visibility store, read and never written, so a retry is
// harmless.
type Insights struct {
	Reports InsightsReports
	// Severities are the worker's severities, in the order the digest
	// lists them.
	Severities []string
}

// DigestRequest asks for the digest of the period [Since, Until).
type DigestRequest struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// PageURL is the insights page the digest links to ("" says where it
	// is).
	PageURL string `json:"page_url,omitempty"`
}

// InsightsDigest returns the digest of req's period as Slack mrkdwn: the
// figures as `/incident insights` sums them up, computed at req.Until.
func (a *Insights) InsightsDigest(ctx context.Context, req DigestRequest) (string, error) {
	rep, err := a.Reports.Report(ctx, insights.Filter{Since: req.Since, Until: req.Until}, req.Until)
	if err != nil {
		return "", fmt.Errorf("computing the insights of %s to %s: %w", req.Since.Format(time.DateOnly), req.Until.Format(time.DateOnly), err)
	}
	heading := fmt.Sprintf("Incident digest: %s to %s", req.Since.UTC().Format("Mon 2 Jan 15:04"), req.Until.UTC().Format("Mon 2 Jan 2006 15:04 MST"))
	return insightstext.Summary(rep, heading, req.PageURL, a.Severities), nil
}
