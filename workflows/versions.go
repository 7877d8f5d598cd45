package workflows

import "go.temporal.io/sdk/workflow"

// keptVersion is a change asked of GetVersion once, where the run first
// needs it.
type keptVersion struct{ asked, on bool }

// is reports whether the run has change id, asking GetVersion the first
// time.
func (v *keptVersion) is(ctx workflow.Context, id string) bool {
	if !v.asked {
		v.asked = true
		v.on = workflow.GetVersion(ctx, id, workflow.DefaultVersion, 1) >= 1
	}
	return v.on
}
