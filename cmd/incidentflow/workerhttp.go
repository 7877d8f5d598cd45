package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/internal/health"
	"github.com/incidentflow/incidentflow/internal/metrics"
)

// temporalProbe is the readiness probe of the Temporal c talks to:
// temporal.address, or incidentflow dev's. Its answers name the TLS
// setting at fault when a handshake fails.
func temporalProbe(cfg *config.Config, c client.Client) *health.Probe {
	addr := cfg.Temporal.Address
	if addr == "" {
		addr = devserver.LoopbackAddr(cfg.Dev.FrontendPort)
	}
	conn, _ := cfg.Temporal.Connection(addr, time.Now()) // checked when c was dialed
	return health.NewTemporal(c, conn, health.Options{})
}

// processMetrics is the registry a process serves on /metrics (the
// worker's listener, the front door): metrics.New's, and the open
// incidents of cfg's severities counted in c's visibility.
func processMetrics(cfg *config.Config, c client.Client) *metrics.Registry {
	reg := metrics.New()
	proc := cfg.Process()
	reg.CountOpenIncidents(c, cfg.Temporal.Namespace, proc.SeverityNames())
	return reg
}

// workerMux is what `incidentflow worker` serves on worker.listen:
// GET /healthz (the process is up), GET /readyz (Temporal is reachable)
// and GET /metrics.
func workerMux(ready *health.Probe, reg *metrics.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", health.Live())
	mux.Handle("GET /readyz", ready.Handler())
	mux.Handle("GET /metrics", reg.Handler())
	return reg.Instrument(mux)
}

// startWorkerHTTP serves workerMux on worker.listen until stop is called;
// with worker.listen empty it serves nothing. The listener is bound before
// it returns, so a port in use is reported at start.
func startWorkerHTTP(cfg *config.Config, c client.Client, logger *slog.Logger) (stop func(), err error) {
	if cfg.Worker.Listen == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", cfg.Worker.Listen)
	if err != nil {
		return nil, fmt.Errorf("worker.listen: can't listen on %s for the worker's /healthz and /readyz: %v; stop whatever holds the port or set another (INCIDENTFLOW_WORKER_LISTEN)", cfg.Worker.Listen, errors.Unwrap(err))
	}
	srv := &http.Server{
		Handler:           workerMux(temporalProbe(cfg, c), processMetrics(cfg, c)),
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    8 << 10,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("worker health listener stopped", "listen", cfg.Worker.Listen, "error", err)
		}
	}()
	logger.Info("worker health endpoints", "healthz", "http://"+l.Addr().String()+"/healthz", "readyz", "http://"+l.Addr().String()+"/readyz")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
