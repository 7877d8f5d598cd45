// Package alertmanagertest runs a real Alertmanager for tests: Debian's
// prometheus-alertmanager (apt-get install prometheus-alertmanager), on
// free loopback ports, with clustering off, a generated configuration that
// sends every group to one webhook with a bearer token, and its own API to
// post alerts to it.
package alertmanagertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultBinary is where Debian's package installs Alertmanager.
const DefaultBinary = "/usr/bin/prometheus-alertmanager"

// Binary finds the Alertmanager binary: $ALERTMANAGER_BIN, DefaultBinary,
// or alertmanager or prometheus-alertmanager on the PATH.
func Binary() (string, error) {
	if p := os.Getenv("ALERTMANAGER_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ALERTMANAGER_BIN: %w", err)
		}
		return p, nil
	}
	if _, err := os.Stat(DefaultBinary); err == nil {
		return DefaultBinary, nil
	}
	for _, name := range []string{"alertmanager", "prometheus-alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Alertmanager binary: not at %s nor on the PATH (install it with apt-get install prometheus-alertmanager, or set ALERTMANAGER_BIN)", DefaultBinary)
}

// Alertmanager is one running Alertmanager process.
type Alertmanager struct {
	bin, dir, addr string
	cmd            *exec.Cmd
	exited         chan struct{}
	logs           lockedBuffer
}

// Start writes o's configuration and starts Alertmanager, ready to take
// alerts; it is stopped when the test ends, and its log is printed if the
// test failed. Without a binary the test is skipped, or fails when the CI
// environment variable is set.
func Start(t testing.TB, o Options) *Alertmanager {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs Alertmanager: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), o.config(), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	a := &Alertmanager{bin: bin, dir: dir, addr: fmt.Sprintf("127.0.0.1:%d", port)}
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Errorf("stopping Alertmanager: %v", err)
		}
		if t.Failed() {
			t.Logf("Alertmanager's log:\n%s", a.Logs())
		}
	})
	if err := a.start(); err != nil {
		t.Fatal(err)
	}
	return a
}

// URL is Alertmanager's base URL, e.g. http://127.0.0.1:40123.
func (a *Alertmanager) URL() string { return "http://" + a.addr }

// Logs returns what Alertmanager has logged so far.
func (a *Alertmanager) Logs() string { return a.logs.String() }

// start runs the process and waits until /-/ready answers 200.
func (a *Alertmanager) start() error {
	a.cmd = exec.Command(a.bin,
		"--config.file="+filepath.Join(a.dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(a.dir, "data"),
		"--web.listen-address="+a.addr,
		"--cluster.listen-address=", // no gossip: one standalone instance
		"--log.level=debug",
	)
	a.cmd.Stdout, a.cmd.Stderr = &a.logs, &a.logs
	if err := a.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", a.bin, err)
	}
	a.exited = make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(a.exited) }()

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-a.exited:
			return fmt.Errorf("alertmanager exited at start (%v):\n%s", a.cmd.ProcessState, a.Logs())
		case <-time.After(50 * time.Millisecond):
		}
		res, err := http.Get(a.URL() + "/-/ready")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("alertmanager at %s was not ready within 15s:\n%s", a.addr, a.Logs())
}

// Stop ends Alertmanager gracefully (it writes its notification log and
// silences to storage) and waits for it; it does nothing when stopped.
func (a *Alertmanager) Stop() error {
	if a.cmd == nil || a.cmd.Process == nil {
		return nil
	}
	select {
	case <-a.exited:
		return nil
	default:
	}
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("signalling alertmanager: %w", err)
	}
	select {
	case <-a.exited:
		return nil
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.exited
		return errors.New("alertmanager did not stop within 10s of SIGTERM: killed")
	}
}

// Restart stops Alertmanager and starts it again on the same address with
// the same storage. Alertmanager keeps its notification log and silences
// there, not its alerts: senders re-post them, as Prometheus does.
func (a *Alertmanager) Restart() error {
	if err := a.Stop(); err != nil {
		return err
	}
	return a.start()
}

// PostAlerts sends alerts through Alertmanager's own API, POST
// /api/v2/alerts, as Prometheus does.
func (a *Alertmanager) PostAlerts(ctx context.Context, alerts []Alert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL()+"/api/v2/alerts", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("posting alerts to alertmanager: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var msg bytes.Buffer
		_, _ = msg.ReadFrom(res.Body)
		return fmt.Errorf("alertmanager refused the alerts: %s: %s", res.Status, msg.String())
	}
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects a process's output, safe to read while it writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
