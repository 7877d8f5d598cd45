package worker

import (
	"context"
	"sync/atomic"

	"go.temporal.io/sdk/interceptor"
)

// activityCounter counts the activities a worker is running and those that
// have finished, so that a draining worker can say what it waited for. It
// is a worker interceptor: every activity, of every kind, passes through it.
type activityCounter struct {
	interceptor.WorkerInterceptorBase
	running  atomic.Int64
	finished atomic.Int64
}

// InterceptActivity counts the activity in while it runs.
func (c *activityCounter) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &countedActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, c: c}
}

type countedActivity struct {
	interceptor.ActivityInboundInterceptorBase
	c *activityCounter
}

// ExecuteActivity runs the activity, counted as running until it returns.
func (a *countedActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	a.c.running.Add(1)
	defer func() {
		a.c.running.Add(-1)
		a.c.finished.Add(1)
	}()
	return a.Next.ExecuteActivity(ctx, in)
}
