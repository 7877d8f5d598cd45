package worker

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/starter"
)

// EnsureDrillSchedules keeps the schedules of drills.schedules as cfg
// says, deleting those of drills no longer there. A failure is logged, not
// fatal: the worker runs the incidents all the same, and the next start
// tries again. (Config validation has checked each schedule.)
func EnsureDrillSchedules(ctx context.Context, cfg *config.Config, c client.Client, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, ensureTimeout)
	defer cancel()
	scenarios, err := cfg.DrillScenarios()
	if err != nil {
		logger.Error("the drill scenarios could not be loaded; drill schedules are left as they are", "err", err)
		return
	}
	var want []starter.DrillSchedule
	for _, s := range cfg.Drills.Schedules {
		sc, ok := drill.Find(scenarios, s.Scenario)
		when, werr := drill.ParseWhen(s.Cron)
		if !ok || werr != nil {
			continue
		}
		want = append(want, starter.DrillSchedule{Scenario: sc, When: when, Participants: s.Participants, Speed: s.Speed})
	}
	ds := &starter.DrillSchedules{Client: c, TaskQueue: cfg.Temporal.TaskQueue, Channel: cfg.Drills.Channel, TimeZone: cfg.Process().TimeZone}
	kept, err := ds.Ensure(ctx, want)
	if err != nil {
		logger.Error("drill schedules could not all be kept", "err", err)
	}
	if len(kept) > 0 {
		logger.Info("drill schedules kept", "schedules", kept)
	}
}
