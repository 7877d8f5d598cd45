// Package worker runs incidentflow's Temporal worker: it builds the Slack,
// GitHub and calendar clients from the configuration, registers every
// workflow and activity on the task queue, and runs until its context ends.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

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
	counted, err := Milestones(cfg)
	if err != nil {
		return err
	}
	opts := Options(cfg)
	counter := &activityCounter{}
	opts.Interceptors = append(opts.Interceptors, counter, counted)
	w := sdkworker.New(c, cfg.Temporal.TaskQueue, opts)
	Register(w, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker on task queue %q: %w", cfg.Temporal.TaskQueue, err)
	}
	logger.Info("worker polling", "task_queue", cfg.Temporal.TaskQueue, "namespace", cfg.Temporal.Namespace)
	EnsureDigest(ctx, cfg, c, logger)
	EnsureDrillSchedules(ctx, cfg, c, logger)
	<-ctx.Done()
	drain(w, counter, cfg.Worker.Grace(), logger)
	return nil
}

// drain stops w the way a rolling restart needs: it stops polling at once
// (the SDK tells the server, which hands this worker's sticky workflow
// tasks to the other workers), lets the activities it is running finish
// within grace (Options' WorkerStopTimeout) and logs what it did. An
// activity still running after grace is cancelled; Temporal retries it on
// another worker once its heartbeat stops. drain returns within grace and
// a little more even if the SDK's stop takes longer.
func drain(w sdkworker.Worker, counter *activityCounter, grace time.Duration, logger *slog.Logger) {
	running, before := counter.running.Load(), counter.finished.Load()
	logger.Info("stopping: no new tasks; letting running activities finish", "running_activities", running, "grace", grace.String())
	start := time.Now()
	stopped := make(chan struct{})
	go func() { w.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(grace + stopMargin):
	}
	finished, left := counter.finished.Load()-before, counter.running.Load()
	took := time.Since(start).Round(time.Millisecond)
	if left > 0 {
		logger.Warn(fmt.Sprintf("stopped polling; %d %s finished; %d still running after the %s grace, left to Temporal to retry on another worker; exiting",
			finished, activitiesWord(finished), left, grace), "took", took.String())
		return
	}
	logger.Info(fmt.Sprintf("stopped polling; %d %s finished; exiting", finished, activitiesWord(finished)), "took", took.String())
}

// stopMargin is how long past the grace drain waits for the SDK to return
// from Stop (it waits for its workflow and activity workers one after the
// other).
const stopMargin = 2 * time.Second

func activitiesWord(n int64) string {
	if n == 1 {
		return "activity"
	}
	return "activities"
}

// Options are the worker options the configuration sets.
//
// Pollers scale with the load instead of staying at the SDK's default of
// two per task kind: with two, a burst of declarations waited in Temporal's
// queues long enough for the Slack front door's 2 s to run out (go run
// ./bench --figures burst: 4–116 of 200 simultaneous declarations refused
// with two pollers, 0–12 with autoscaling, on 2 cores), and never fewer
// than MinPollers.
//
// A workflow's tasks go to the worker that ran its last one (its sticky
// queue, where its state is cached). When that worker dies, the server
// notices only that its sticky queue has gone unpolled for a while; until
// then each task waits StickyScheduleToStartTimeout there before it falls
// back to the normal queue. The SDK's 5 s is cut to StickyTimeout so that
// an incident on a killed worker moves again within seconds.
//
// Heartbeats are sent at most HeartbeatThrottle apart (the SDK's own
// throttle, 80% of the heartbeat timeout, would leave a 3 s timeout 0.6 s
// of slack).
//
// WorkerStopTimeout is worker.shutdown_grace: on SIGTERM the running
// activities get that long to finish (the SDK's default, 0, cancels them
// at once).
func Options(cfg *config.Config) sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentActivityExecutionSize:     cfg.Worker.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskExecutionSize: cfg.Worker.MaxConcurrentWorkflowTasks,
		WorkflowTaskPollerBehavior:             sdkworker.NewPollerBehaviorAutoscaling(pollers),
		ActivityTaskPollerBehavior:             sdkworker.NewPollerBehaviorAutoscaling(pollers),
		StickyScheduleToStartTimeout:           StickyTimeout,
		WorkerStopTimeout:                      cfg.Worker.Grace(),
		MaxHeartbeatThrottleInterval:           HeartbeatThrottle,
		DefaultHeartbeatThrottleInterval:       HeartbeatThrottle,
	}
}

// pollers scale each kind of poller with the load, never below
// MinPollers.
var pollers = sdkworker.PollerBehaviorAutoscalingOptions{MinimumNumberOfPollers: MinPollers}

// MinPollers is the fewest pollers of each kind a worker keeps, however
// quiet: one for each of a task queue's partitions at Temporal's default
// of four (Temporal sends each poll to the partition with the fewest, so
// four cover them all). A task waits in its partition until a poll lands
// there, and a poll waits up to a minute: with the SDK's minimum of one,
// a quiet worker left partitions unpolled, and the one worker left
// running in a rolling restart did too, so incidents stalled for up to
// a minute (35-55 s measured, one run in three).
const MinPollers = 4

// HeartbeatThrottle is the longest the worker holds an activity's
// heartbeat before sending it: with the activities heartbeating every
// second, a heartbeat reaches Temporal at least every second, two seconds
// within workflows.HeartbeatTimeout.
const HeartbeatThrottle = time.Second

// StickyTimeout is how long a workflow task waits on the sticky queue of
// the worker that cached its workflow before any worker may take it. The
// server counts it in whole seconds. A healthy worker on a loaded server
// takes its sticky tasks well within it; a task that misses it only
// replays its history on another worker.
const StickyTimeout = 3 * time.Second
