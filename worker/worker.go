// Package worker runs incidentflow's Temporal worker: it builds the Slack,
// GitHub and calendar clients from the configuration, registers every
// workflow and activity on the task queue, and runs until its context ends.
package worker

import (
	"context"
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/logging"
)

// Run registers incidentflow's workflows and activities on cfg's task queue
// and polls it through c until ctx is done. It logs as cfg.Log says.
func Run(ctx context.Context, cfg *config.Config, c client.Client) error {
	logger := logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format).With("component", "worker")
	acts, err := NewActivities(cfg, c, logger)
	if err != nil {
		return err
	}
	// Incidents wait for long stretches between reminders: keep their
	// workflows cached so a reminder doesn't replay a whole history.
	sdkworker.SetStickyWorkflowCacheSize(cfg.Worker.MaxCachedWorkflows)
	w := sdkworker.New(c, cfg.Temporal.TaskQueue, Options(cfg))
	Register(w, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker on task queue %q: %w", cfg.Temporal.TaskQueue, err)
	}
	logger.Info("worker polling", "task_queue", cfg.Temporal.TaskQueue, "namespace", cfg.Temporal.Namespace)
	<-ctx.Done()
	w.Stop()
	return nil
}

// Options are the worker options the configuration sets.
//
// Pollers scale with the load instead of staying at the SDK's default of
// two per task kind: with two, a burst of declarations waited in Temporal's
// queues long enough for the Slack front door's 2 s to run out (go run
// ./bench --figures burst: 4–116 of 200 simultaneous declarations refused
// with two pollers, 0–12 with autoscaling, on 2 cores).
func Options(cfg *config.Config) sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentActivityExecutionSize:     cfg.Worker.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskExecutionSize: cfg.Worker.MaxConcurrentWorkflowTasks,
		WorkflowTaskPollerBehavior:             sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
		ActivityTaskPollerBehavior:             sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
	}
}
