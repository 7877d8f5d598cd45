package frontdoor_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/internal/health"
)

// TestReadyz: GET /readyz answers the readiness probe (200 while its check
// passes, 503 with one line when it fails) while /healthz stays 200; a
// front door without one answers 404.
func TestReadyz(t *testing.T) {
	var down atomic.Bool
	probe := health.New("Temporal at 10.0.0.5:7233", func(context.Context) error {
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	}, nil, health.Options{Every: time.Nanosecond})
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Ready: probe.Handler()}, nil))
	defer srv.Close()
	if code, body := get(t, "GET", srv.URL+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("readyz: %d %q", code, body)
	}
	down.Store(true)
	time.Sleep(time.Millisecond)
	if code, body := get(t, "GET", srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: Temporal at 10.0.0.5:7233 is not reachable: connection refused") {
		t.Errorf("readyz with Temporal down: %d %q", code, body)
	}
	if code, _ := get(t, "GET", srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz with Temporal down: %d, want 200 (liveness)", code)
	}
	if code, _ := get(t, "POST", srv.URL+"/readyz"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz: %d, want 405", code)
	}

	bare := httptest.NewServer(frontdoor.New(frontdoor.Doors{}, nil))
	defer bare.Close()
	if code, _ := get(t, "GET", bare.URL+"/readyz"); code != http.StatusNotFound {
		t.Errorf("readyz without a probe: %d, want 404", code)
	}
}
