package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// historyFull reports whether this run's history is long enough to
// continue as new: Temporal suggests it, or it has limit events
// (wfapi.DefaultHistoryLimit when limit isn't positive).
func historyFull(ctx workflow.Context, limit int) bool {
	if limit <= 0 {
		limit = wfapi.DefaultHistoryLimit
	}
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() >= limit
}
