package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// versionCancelMootTimers is the change that cancels a wait's timer once
// something else ends the wait: the wait for the next status update that
// an update or a severity change restarts, the retrospective's sleep that
// new action items or the "done" mark interrupt. Before it, every such
// wait left its timer pending: after three updates the Web UI showed three
// "next status update due" timers, and each fired later, into a workflow
// task with nothing to do. Runs begun before the change keep their
// timers when replayed.
const versionCancelMootTimers = "cancel-moot-timers"

// awaitOrTimeout waits until cond holds or d has passed, under a timer the
// Web UI names summary, and reports whether cond held first. Since
// versionCancelMootTimers the timer is cancelled when cond ends the wait,
// and none is started when cond holds already.
func awaitOrTimeout(ctx workflow.Context, d time.Duration, summary string, cond func() bool) (bool, error) {
	opts := workflow.TimerOptions{Summary: summary}
	if workflow.GetVersion(ctx, versionCancelMootTimers, workflow.DefaultVersion, 1) < 1 {
		return workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: d, TimerOptions: opts}, cond)
	}
	if cond() {
		return true, nil
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel() // a timer that fired is not cancelled
	fired := workflow.NewTimerWithOptions(timerCtx, d, opts)
	if err := workflow.Await(ctx, func() bool { return cond() || fired.IsReady() }); err != nil {
		return false, err
	}
	return cond(), nil
}
