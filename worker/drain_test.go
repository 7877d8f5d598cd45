package worker

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/config"
)

// The worker options cut the sticky fallback to seconds and give running
// activities the configured grace on SIGTERM.
func TestOptionsDrainAndFallBackQuickly(t *testing.T) {
	cfg := &config.Config{Worker: config.Worker{MaxConcurrentActivities: 10, MaxConcurrentWorkflowTasks: 10, ShutdownGrace: "45s"}}
	opts := Options(cfg)
	if opts.WorkerStopTimeout != 45*time.Second {
		t.Errorf("WorkerStopTimeout = %s, want worker.shutdown_grace (45s): the SDK's 0 cancels running activities at once", opts.WorkerStopTimeout)
	}
	if d := opts.StickyScheduleToStartTimeout; d < time.Second || d > 3*time.Second {
		t.Errorf("StickyScheduleToStartTimeout = %s, want 1–3 s (the SDK's default is 5 s)", d)
	}
}

// The counter counts an activity as running while it runs, and finished
// after.
func TestTheCounterCountsRunningActivities(t *testing.T) {
	c := &activityCounter{}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	env.SetWorkerOptions(sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{c}})
	var during int64
	env.RegisterActivityWithOptions(func(context.Context) error {
		during = c.running.Load()
		return nil
	}, activity.RegisterOptions{Name: "counted"})
	if _, err := env.ExecuteActivity("counted"); err != nil {
		t.Fatal(err)
	}
	if during != 1 || c.running.Load() != 0 || c.finished.Load() != 1 {
		t.Errorf("running during %d, after %d, finished %d; want 1, 0, 1", during, c.running.Load(), c.finished.Load())
	}
}

// stoppingWorker is a worker whose Stop lets its running activities end
// over a while, as the SDK's does within WorkerStopTimeout.
type stoppingWorker struct {
	sdkworker.Worker
	c      *activityCounter
	finish int64 // activities that finish during Stop
	takes  time.Duration
}

func (w *stoppingWorker) Stop() {
	time.Sleep(w.takes)
	w.c.running.Add(-w.finish)
	w.c.finished.Add(w.finish)
}

func drainLog(t *testing.T, w *stoppingWorker, grace time.Duration) string {
	t.Helper()
	var buf bytes.Buffer
	drain(w, w.c, grace, slog.New(slog.NewTextHandler(&buf, nil)))
	return buf.String()
}

// Draining says how many activities it let finish.
func TestDrainSaysWhatItWaitedFor(t *testing.T) {
	c := &activityCounter{}
	c.running.Store(3)
	c.finished.Store(10) // before the stop: not counted
	log := drainLog(t, &stoppingWorker{c: c, finish: 3, takes: 50 * time.Millisecond}, time.Second)
	for _, want := range []string{"running_activities=3", "stopped polling; 3 activities finished; exiting"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

// Activities still running when the grace is over are named as left to
// Temporal's retries.
func TestDrainSaysWhatItLeftBehind(t *testing.T) {
	c := &activityCounter{}
	c.running.Store(2)
	log := drainLog(t, &stoppingWorker{c: c, finish: 1}, time.Second)
	if want := "stopped polling; 1 activity finished; 1 still running after the 1s grace, left to Temporal to retry on another worker; exiting"; !strings.Contains(log, want) {
		t.Errorf("the log lacks %q:\n%s", want, log)
	}
}
