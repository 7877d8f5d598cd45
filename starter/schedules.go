package starter

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ensureSchedule creates the schedule opts describes or, when one with its
// ID exists (another worker made it, an earlier start), points that one at
// opts' spec, action and catch-up window. It reports whether it created
// it; what names the schedule in an update's failure.
func ensureSchedule(ctx context.Context, c client.Client, what string, opts client.ScheduleOptions) (created bool, err error) {
	_, err = c.ScheduleClient().Create(ctx, opts)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return false, explain(err, "")
	}
	err = c.ScheduleClient().GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &opts.Spec, opts.Action
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.CatchupWindow = opts.CatchupWindow
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return false, fmt.Errorf("updating %s: %w", what, explain(err, ""))
	}
	return false, nil
}
