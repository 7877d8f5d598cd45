package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// childEnv carries a childConfig to a worker child process: the bench
// binary started again, which runs only the worker (so that the worker's
// memory and CPU can be told from the server's).
const childEnv = "INCIDENTFLOW_BENCH_CHILD_WORKER"

// childConfig is what a child worker needs.
type childConfig struct {
	Temporal  string         `json:"temporal"`
	Namespace string         `json:"namespace"`
	Config    *config.Config `json:"config"`
	// Process is the process the worker hands its workflows, which a
	// configuration file can't always say (sub-minute cadences).
	Process    incident.Process `json:"process"`
	RateWindow time.Duration    `json:"rate_window"`
}

// childWorker is a running worker child process.
type childWorker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
}

// startChildWorker starts a child worker and waits until it polls.
func startChildWorker(ctx context.Context, cfg childConfig) (*childWorker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(cfg)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the worker child process: %w", err)
	}
	c := &childWorker{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		buf := make([]byte, 16)
		n, err := stdout.Read(buf)
		if err == nil && string(buf[:n]) != "ready\n" {
			err = fmt.Errorf("unexpected %q", buf[:n])
		}
		ready <- err
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { _ = cmd.Wait(); close(c.done) }()
	select {
	case err := <-ready:
		if err != nil {
			c.stop()
			return nil, fmt.Errorf("the worker child process didn't start: %w", err)
		}
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		c.stop()
		return nil, fmt.Errorf("the worker child process didn't start within 30 s")
	}
	return c, nil
}

// pid returns the child's process ID.
func (c *childWorker) pid() int { return c.cmd.Process.Pid }

// stop asks the child to stop (by closing its stdin) and waits for it.
func (c *childWorker) stop() {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// runChild is the child process: it runs a worker until its stdin closes.
func runChild(spec string) error {
	var cfg childConfig
	if err := json.Unmarshal([]byte(spec), &cfg); err != nil {
		return err
	}
	logger := quietLogger(os.Stderr, false)
	c, err := client.Dial(temporalclient.Options(cfg.Temporal, cfg.Namespace, logger))
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := newWorker(c, cfg.Config, cfg.Process, cfg.RateWindow, logger)
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return err
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	w.Stop()
	return nil
}
