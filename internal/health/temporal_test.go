package health_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/internal/health"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startTemporal(t *testing.T, addr, dataDir string) *devserver.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{FrontendAddr: addr, DataDir: dataDir, NoUI: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("start Temporal on %s: %v", addr, err)
	}
	return srv
}

// waitFor polls the probe until it answers code, for at most a minute
// (the client reconnects to a restarted server with gRPC's backoff).
func waitFor(t *testing.T, p *health.Probe, code int) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, body := get(t, p.Handler())
		if got == code {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still answers %d %q, want %d", got, body, code)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTemporalProbe: ready while Temporal runs, 503 once it stops, ready
// again after it restarts on the same address, with the same client.
func TestTemporalProbe(t *testing.T) {
	addr, dataDir := freeAddr(t), t.TempDir()
	srv := startTemporal(t, addr, dataDir)
	defer func() { _ = srv.Stop() }()

	conn := temporalclient.Connection{HostPort: addr, Namespace: srv.Namespace()}
	c, err := client.Dial(temporalclient.ConnectionOptions(conn, slog.New(slog.DiscardHandler), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := health.NewTemporal(c, conn, health.Options{Every: 50 * time.Millisecond})
	if body := waitFor(t, p, http.StatusOK); body != "ready\n" {
		t.Errorf("ready: %q", body)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	body := waitFor(t, p, http.StatusServiceUnavailable)
	if want := fmt.Sprintf("not ready: Temporal at %s is not reachable: ", addr); !strings.HasPrefix(body, want) || strings.Count(body, "\n") != 1 {
		t.Errorf("stopped: %q, want one line starting %q", body, want)
	}

	srv = startTemporal(t, addr, dataDir)
	waitFor(t, p, http.StatusOK)
}
