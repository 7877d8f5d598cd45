package health_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/health"
)

func get(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestProbeAnswers(t *testing.T) {
	var down atomic.Bool
	p := health.New("Temporal at 10.0.0.5:7233", func(context.Context) error {
		if down.Load() {
			return errors.New("connection refused\nsecond line")
		}
		return nil
	}, func(err error) string { return "explained: " + err.Error() }, health.Options{Every: time.Nanosecond})
	if code, body := get(t, p.Handler()); code != http.StatusOK || body != "ready\n" {
		t.Errorf("up: %d %q", code, body)
	}
	down.Store(true)
	time.Sleep(time.Millisecond) // past Every
	code, body := get(t, p.Handler())
	if code != http.StatusServiceUnavailable || body != "not ready: Temporal at 10.0.0.5:7233 is not reachable: explained: connection refused second line\n" {
		t.Errorf("down: %d %q", code, body)
	}
	if code, body := get(t, health.Live()); code != http.StatusOK || body != "ok\n" {
		t.Errorf("live: %d %q", code, body)
	}
}

func TestProbeCachesAndSharesChecks(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	p := health.New("Temporal at x:7233", func(context.Context) error {
		calls.Add(1)
		<-release
		return nil
	}, nil, health.Options{Every: time.Hour})

	// A flood of probes while the first check runs: one check for all.
	var wg sync.WaitGroup
	codes := make(chan int, 200)
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := get(t, p.Handler())
			codes <- code
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a probe got %d", code)
		}
	}
	// And within Every, more probes use the cached answer.
	for range 50 {
		get(t, p.Handler())
	}
	if n := calls.Load(); n != 1 || p.Checks() != 1 {
		t.Errorf("%d checks (%d counted) for 250 probes within Every, want 1", n, p.Checks())
	}
}

func TestProbeTimeout(t *testing.T) {
	p := health.New("Temporal at x:7233", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil, health.Options{Timeout: 10 * time.Millisecond})
	code, body := get(t, p.Handler())
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Temporal at x:7233 is not reachable: no answer within 10ms") {
		t.Errorf("%d %q", code, body)
	}
}
