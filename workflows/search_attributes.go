package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// upsertChanged keeps a workflow's Keyword search attributes current: of
// keys, it upserts those whose value in values differs from last (the
// values upserted before; nil for none), leaving empty values alone. It
// returns values, the next call's last.
func upsertChanged(ctx workflow.Context, keys []temporal.SearchAttributeKeyKeyword, last, values []string) []string {
	var changed []temporal.SearchAttributeUpdate
	for i, key := range keys {
		if values[i] != "" && (last == nil || last[i] != values[i]) {
			changed = append(changed, key.ValueSet(values[i]))
		}
	}
	if len(changed) > 0 {
		if err := workflow.UpsertTypedSearchAttributes(ctx, changed...); err != nil {
			workflow.GetLogger(ctx).Warn("could not update the search attributes", "error", err)
		}
	}
	return values
}
