// Package harness starts what an end-to-end test of incidentflow needs: an
// embedded Temporal server (in memory, ephemeral ports, no Web UI), a client
// of it, and the Slack emulator with a slack-go client pointed at it. Tests
// build their own workers with NewWorker and register what they exercise.
package harness

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// TaskQueue is the task queue of the harness's workers.
const TaskQueue = "e2e"

// Env is a running Temporal server, a client of it and a Slack emulator.
type Env struct {
	Temporal *devserver.Server
	Client   client.Client
	Slack    *slackemu.Server
	// SlackAPI is a slack-go client of the emulator with its bot token.
	SlackAPI *slack.Client
}

// Start starts a Temporal server with incidentflow's search attributes and
// a Slack emulator configured by slackOpts; both stop when the test ends.
// Set INCIDENTFLOW_E2E_LOGS=1 to see the server's warnings.
func Start(t testing.TB, slackOpts slackemu.Options) *Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{
		FrontendAddr: "127.0.0.1:0", NoUI: true,
		SearchAttributes: wfapi.SearchAttributeTypes(), Logger: logger(),
	})
	if err != nil {
		t.Fatalf("starting Temporal: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(temporalclient.Options(srv.FrontendAddress(), srv.Namespace(), logger()))
	if err != nil {
		t.Fatalf("dialling Temporal: %v", err)
	}
	t.Cleanup(c.Close)
	emu := slackemu.NewTestServer(t, slackOpts)
	return &Env{
		Temporal: srv, Client: c, Slack: emu,
		SlackAPI: slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(emu.URL()+"/api/")),
	}
}

// logger discards everything below warnings, and those too unless
// INCIDENTFLOW_E2E_LOGS is set.
func logger() *slog.Logger {
	if os.Getenv("INCIDENTFLOW_E2E_LOGS") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// NewWorker starts a worker on TaskQueue with what register registers; it
// stops when the test ends, or earlier with Stop.
func (e *Env) NewWorker(t testing.TB, register func(worker.Registry)) worker.Worker {
	t.Helper()
	w := worker.New(e.Client, TaskQueue, worker.Options{})
	register(w)
	if err := w.Start(); err != nil {
		t.Fatalf("starting the worker: %v", err)
	}
	t.Cleanup(w.Stop)
	return w
}

// Eventually polls cond every 100 ms until it holds or timeout passes, then
// fails the test with what.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
