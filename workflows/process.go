package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/incident"
)

// versionProcessFromWorker is the change that made every run of the
// incident, maintenance, alert-group and retrospective workflows take its
// incident process from the worker's configuration, with the local
// activity activities.Process.WorkerProcess as the run begins, instead of
// from its input, which the starter filled from the configuration of
// whoever declared (a CLI with no configuration file declared with the
// defaults). Runs recorded before it follow their input's Process on
// replay; their next run, continued as new, asks the worker.
const versionProcessFromWorker = "process-from-worker"

// processOptions bound the call for the worker's process. It only reads
// the worker's configuration, so it is retried for as long as it fails
// (a worker without activities.Process registered): the run waits for a
// worker that can answer rather than go on without a process.
var processOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// runProcess returns the incident process this run follows, and whether
// it is the worker's: the worker's, asked for once as the run begins (the
// answer is recorded in the history, so a replay follows the same
// process), or recorded, the input's Process, in runs begun before
// versionProcessFromWorker. Call it once per run, after registering the
// run's handlers and before anything reads the process.
func runProcess(ctx workflow.Context, recorded incident.Process) (incident.Process, bool, error) {
	if workflow.GetVersion(ctx, versionProcessFromWorker, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return recorded, false, nil
	}
	var p incident.Process
	lctx := workflow.WithLocalActivityOptions(ctx, processOptions)
	if err := workflow.ExecuteLocalActivity(lctx, processActivities.WorkerProcess).Get(ctx, &p); err != nil {
		return p, true, fmt.Errorf("reading the incident process of the worker's configuration: %s", errorMessage(err))
	}
	return p, true, nil
}
