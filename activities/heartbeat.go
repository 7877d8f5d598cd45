package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// heartbeatEvery is how often an activity tells Temporal it is alive, both
// while a call waits for its turn in the Slack rate limiter and while a
// call to Slack, GitHub, a calendar or Temporal itself is under way. The
// workflows give these activities a heartbeat timeout of 3 s
// (workflows.HeartbeatTimeout) and the worker sends heartbeats at most a
// second apart (worker.HeartbeatThrottle), so a worker killed mid-call is
// noticed within seconds while a healthy call, however slow, never times
// out.
var heartbeatEvery = time.Second // a variable only so that tests can shorten it

// beating runs f, the body of an activity or one outside call within it,
// and heartbeats the activity of ctx every heartbeatEvery until f returns,
// repeating the progress recorded in ctx (recordProgress). Outside an
// activity (a local activity, a unit test calling a method directly) it
// just runs f. It is the one place where activities keep themselves alive
// while they wait on someone else.
func beating[T any](ctx context.Context, f func() (T, error)) (T, error) {
	if !activity.IsActivity(ctx) || activity.GetInfo(ctx).IsLocalActivity {
		return f()
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				heartbeat(ctx)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		close(done)
		<-stopped
	}()
	return f()
}

// beatingErr is beating for a call that returns only an error.
func beatingErr(ctx context.Context, f func() error) error {
	_, err := beating(ctx, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// ErrWorkerStopping is the error type of an activity that gave up waiting
// because its worker is shutting down (SIGTERM): Temporal retries it at
// once on another worker, or on this one restarted.
const ErrWorkerStopping = "WorkerStopping"

// errWorkerStopping is the retryable error of such an activity.
var errWorkerStopping = temporal.NewApplicationError(
	"the worker is shutting down (SIGTERM); Temporal retries this on another worker", ErrWorkerStopping)

// workerStopping is closed when the worker running the activity of ctx
// begins to stop; nil (never closed) outside an activity.
func workerStopping(ctx context.Context) <-chan struct{} {
	if !activity.IsActivity(ctx) || activity.GetInfo(ctx).IsLocalActivity {
		return nil
	}
	return activity.GetWorkerStopChannel(ctx)
}

// whileWorkerRuns runs f, which only waits (for another workflow, say),
// with a context that ends when the worker begins to stop: a draining
// worker lets the activities that do work finish within its grace, but
// one that merely waits gives way at once with errWorkerStopping, to be
// retried elsewhere instead of holding the drain (or being cut off by it).
func whileWorkerRuns[T any](ctx context.Context, f func(ctx context.Context) (T, error)) (T, error) {
	stop := workerStopping(ctx)
	if stop == nil {
		return f(ctx)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-stop:
			cancel(errWorkerStopping)
		case <-wctx.Done():
		}
	}()
	v, err := f(wctx)
	if err != nil && errors.Is(context.Cause(wctx), errWorkerStopping) {
		return v, errWorkerStopping
	}
	return v, err
}
