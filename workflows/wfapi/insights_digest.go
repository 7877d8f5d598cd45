package wfapi

import "time"

// InsightsDigestWorkflowName is the workflow type of the insights digest;
// InsightsDigestScheduleID is the one Temporal schedule that starts it
// (insights.digest_channel and insights.digest_every), each run's ID this
// followed by the time the schedule started it.
const (
	InsightsDigestWorkflowName = "InsightsDigestWorkflow"
	InsightsDigestScheduleID   = "insights-digest"
)

// InsightsDigestRequest is the argument of InsightsDigestWorkflow, kept in
// its schedule: post the figures of the Every before each run to Channel.
type InsightsDigestRequest struct {
	// Channel is a channel name or ID.
	Channel string `json:"channel"`
	// Every is how often the digest runs, and how long back it looks.
	Every time.Duration `json:"every"`
	// PageURL is the insights page the digest links to; empty says where
	// the page is.
	PageURL string `json:"page_url,omitempty"`
}
