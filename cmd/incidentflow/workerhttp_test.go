package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/devserver"
)

// TestWorkerHTTP: with worker.listen set, the worker serves /healthz,
// /readyz and /metrics; /readyz follows Temporal, /healthz doesn't.
func TestWorkerHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{FrontendAddr: "127.0.0.1:0", NoUI: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop() }()
	hermetic(t, t.TempDir())
	t.Chdir(t.TempDir())
	listen := "127.0.0.1:" + strconv.Itoa(freePort(t))
	t.Setenv("INCIDENTFLOW_TEMPORAL_ADDRESS", srv.FrontendAddress())
	t.Setenv("INCIDENTFLOW_WORKER_LISTEN", listen)
	cfg, err := newFlags("worker", "").load(nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	c, _, err := connect(ctx, cfg, logger, anyNamespace)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop, err := startWorkerHTTP(cfg, c, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	fetch := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + listen + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := fetch("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := fetch("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, body := fetch("/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics: %d", code)
	}
	if code, _ := fetch("/slack/commands"); code != http.StatusNotFound {
		t.Errorf("the worker serves the front door's routes: %d", code)
	}

	// A second worker on the same address says which key to change.
	if _, err := startWorkerHTTP(cfg, c, logger); err == nil || !strings.Contains(err.Error(), "worker.listen: can't listen on "+listen) {
		t.Errorf("second listener: %v", err)
	}

	_ = srv.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := fetch("/readyz")
		if code == http.StatusServiceUnavailable {
			if !strings.HasPrefix(body, "not ready: Temporal at "+srv.FrontendAddress()+" is not reachable: ") {
				t.Errorf("/readyz with Temporal down: %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %q with Temporal stopped", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := fetch("/healthz"); code != 200 {
		t.Errorf("/healthz follows Temporal: %d", code)
	}
}
