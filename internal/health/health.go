// Package health answers the liveness and readiness probes of
// incidentflow's processes (GET /healthz, GET /readyz) for a load balancer
// or Kubernetes. Liveness is the process answering at all; readiness is
// Temporal being reachable, checked at most once every Options.Every
// however many probes arrive, so a flood of probes never becomes a flood
// of calls to Temporal.
package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// Defaults of Options.
const (
	DefaultEvery   = 2 * time.Second
	DefaultTimeout = time.Second
)

// Options tune a Probe.
type Options struct {
	// Every is the least time between two checks; probes in between get
	// the last answer. Default DefaultEvery.
	Every time.Duration
	// Timeout bounds one check. Default DefaultTimeout.
	Timeout time.Duration
}

// Probe is a readiness probe over a cached check.
type Probe struct {
	what    string // "Temporal at 127.0.0.1:7233"
	check   func(context.Context) error
	explain func(error) string
	every   time.Duration
	timeout time.Duration

	mu        sync.Mutex
	checkedAt time.Time
	last      error
	running   chan struct{} // not nil while a check runs
	checks    atomic.Int64
}

// New returns a probe of what (named so in its messages, e.g. "Temporal
// at host:port") that check tells reachable; explain words check's errors
// (nil: their own text).
func New(what string, check func(context.Context) error, explain func(error) string, opts Options) *Probe {
	if opts.Every <= 0 {
		opts.Every = DefaultEvery
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if explain == nil {
		explain = func(err error) string { return err.Error() }
	}
	return &Probe{what: what, check: check, explain: explain, every: opts.Every, timeout: opts.Timeout}
}

// NewTemporal is the probe of the Temporal c talks to over conn: ready
// while the frontend answers its gRPC health check (client.CheckHealth).
func NewTemporal(c client.Client, conn temporalclient.Connection, opts Options) *Probe {
	return New("Temporal at "+conn.HostPort, func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}, func(err error) string { return temporalclient.Explain(err, conn) }, opts)
}

// Checks is how many checks the probe has made.
func (p *Probe) Checks() int64 { return p.checks.Load() }

// Ready is nil while what the probe checks is reachable, else an error
// saying it isn't and why. It checks when the last check is older than
// Options.Every; probes arriving meanwhile, or while a check runs, share
// that check's answer.
func (p *Probe) Ready(ctx context.Context) error {
	p.mu.Lock()
	if p.running == nil && !p.checkedAt.IsZero() && time.Since(p.checkedAt) < p.every {
		err := p.last
		p.mu.Unlock()
		return err
	}
	if ch := p.running; ch != nil {
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%s: no answer yet (%w)", p.what, ctx.Err())
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.last
	}
	ch := make(chan struct{})
	p.running = ch
	p.mu.Unlock()

	// The check is not the request's: a probe that gives up must not
	// record Temporal as unreachable for the next ones.
	checkCtx, cancel := context.WithTimeout(context.Background(), p.timeout)
	err := p.check(checkCtx)
	timedOut := checkCtx.Err() != nil
	cancel()
	p.checks.Add(1)
	if err != nil {
		if timedOut || errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%s is not reachable: no answer within %s", p.what, p.timeout)
		} else {
			err = fmt.Errorf("%s is not reachable: %s", p.what, p.explain(err))
		}
	}

	p.mu.Lock()
	p.last, p.checkedAt, p.running = err, time.Now(), nil
	p.mu.Unlock()
	close(ch)
	return err
}

// Handler answers GET /readyz: 200 "ready" while Ready is nil, else 503
// with one line saying what is not reachable and why.
func (p *Probe) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := p.Ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready: "+oneLine(err.Error())+"\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
}

// Live answers GET /healthz: "ok" while the process serves requests,
// whatever Temporal's state (a liveness probe must not restart a process
// for an outage elsewhere).
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
}

// oneLine replaces line breaks in s, which gRPC errors may carry.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
