package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/activities"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/worker"
)

// benchWorker is a figure's worker: in this process, or in a child.
type benchWorker struct {
	w     sdkworker.Worker
	child *childWorker
}

// workerConfig is the configuration `incidentflow worker` would load for a
// stack: its task queue and the emulators' URLs, and the defaults for the
// rest (worker options included).
func workerConfig(s *stack) (*config.Config, error) {
	cfg, err := defaultConfig()
	if err != nil {
		return nil, err
	}
	cfg.Temporal.TaskQueue = s.taskQueue
	cfg.Slack.BotToken = slackemu.DefaultBotToken
	cfg.Slack.APIURL = s.emuURL + "/api/"
	cfg.Slack.SigningSecret = signingSecret
	cfg.GitHub.Token = githubemu.SandboxToken
	cfg.GitHub.BaseURL = s.gh.URL() + "/"
	cfg.GitHub.Repo = "acme/incidents"
	return cfg, nil
}

// startWorker starts the stack's worker.
func startWorker(ctx context.Context, s *stack) (*benchWorker, error) {
	cfg, err := workerConfig(s)
	if err != nil {
		return nil, err
	}
	if s.opts.workerInChild {
		child, err := startChildWorker(ctx, childConfig{
			Temporal:   s.h.srv.FrontendAddress(),
			Namespace:  s.h.srv.Namespace(),
			Config:     cfg,
			Process:    s.opts.process,
			RateWindow: s.workerRateWindow(),
		})
		if err != nil {
			return nil, err
		}
		return &benchWorker{child: child}, nil
	}
	w, err := newWorker(s.h.client, cfg, s.opts.process, s.workerRateWindow(), s.h.logger)
	if err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("starting the worker on %s: %w", s.taskQueue, err)
	}
	return &benchWorker{w: w}, nil
}

// newWorker builds the worker `incidentflow worker` runs (worker.Options,
// worker.NewActivities, worker.Register), except that the Slack activities'
// client-side rate limiter uses window, the emulator's, and that the
// workflows follow proc, the figure's process.
func newWorker(c client.Client, cfg *config.Config, proc incident.Process, window time.Duration, logger *slog.Logger) (sdkworker.Worker, error) {
	acts, err := worker.NewActivities(cfg, c, logger)
	if err != nil {
		return nil, err
	}
	acts.Slack = worker.NewSlack(cfg, activities.SlackOptions{RateWindow: window})
	acts.Process = &activities.Process{Current: proc}
	sdkworker.SetStickyWorkflowCacheSize(cfg.Worker.MaxCachedWorkflows)
	w := sdkworker.New(c, cfg.Temporal.TaskQueue, worker.Options(cfg))
	worker.Register(w, acts)
	return w, nil
}

// stop stops the worker.
func (b *benchWorker) stop() {
	if b.w != nil {
		b.w.Stop()
	}
	if b.child != nil {
		b.child.stop()
	}
}
