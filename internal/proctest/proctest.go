// Package proctest runs incidentflow's own binary as separate processes, so
// that the end-to-end suites and the benchmark can do to a worker or a front
// door what an operator or a crash does: start it, kill -9 it, SIGTERM it,
// start it again.
package proctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Package is the import path of the incidentflow binary.
const Package = "github.com/incidentflow/incidentflow/cmd/incidentflow"

// Build compiles the incidentflow binary into dir and returns its path. It
// runs `go build`, so the caller's working directory must be inside the
// module (a test's package directory is).
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "incidentflow")
	cmd := exec.Command("go", "build", "-o", bin, Package)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", Package, err, out)
	}
	return bin, nil
}

// Spec says how to start a process.
type Spec struct {
	// Name tells the process apart in errors and logs, e.g. "worker-1".
	Name string
	// Path is the executable; Args its arguments (without the program name).
	Path string
	Args []string
	// Env is added to this process's own environment (KEY=value).
	Env []string
	// LogFile receives the process's stdout and stderr, appended across
	// restarts. Empty: a file named after Name in the system's temp dir.
	LogFile string
}

// Process is one running (or stopped) process started from a Spec.
type Process struct {
	spec Spec

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error // what Wait returned, once done is closed
}

// Start starts the process spec describes.
func Start(spec Spec) (*Process, error) {
	if spec.LogFile == "" {
		spec.LogFile = filepath.Join(os.TempDir(), fmt.Sprintf("incidentflow-%s-%d.log", spec.Name, os.Getpid()))
	}
	p := &Process{spec: spec}
	return p, p.start()
}

func (p *Process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && !p.exited() {
		return fmt.Errorf("%s is already running (pid %d)", p.spec.Name, p.cmd.Process.Pid)
	}
	log, err := os.OpenFile(p.spec.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("%s: opening its log: %w", p.spec.Name, err)
	}
	fmt.Fprintf(log, "\n==== %s started %s\n", p.spec.Name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.spec.Path, p.spec.Args...)
	cmd.Env = append(os.Environ(), p.spec.Env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %w", p.spec.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.err = cmd, done, nil
	go func() {
		err := cmd.Wait()
		log.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// exited reports whether the current process has ended; p.mu is held.
func (p *Process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Name is the process's name from its Spec.
func (p *Process) Name() string { return p.spec.Name }

// LogFile is where the process's output goes.
func (p *Process) LogFile() string { return p.spec.LogFile }

// Pid is the process ID of the current (or last) run.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// Running reports whether the process is running.
func (p *Process) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil && !p.exited()
}

// Done is closed when the current run ends.
func (p *Process) Done() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// ExitErr is what waiting for the last run returned (nil for exit status 0);
// only meaningful once Done is closed.
func (p *Process) ExitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Kill kills the process with SIGKILL, as a crash would, and waits until it
// is gone. Killing a process that has already ended does nothing.
func (p *Process) Kill() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing %s: %w", p.spec.Name, err)
	}
	<-done
	return nil
}

// Terminate sends SIGTERM and waits up to grace for the process to exit on
// its own. If it does, Terminate returns its exit error (nil for status 0);
// if not, it kills it and says that it had to.
func (p *Process) Terminate(grace time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping %s: %w", p.spec.Name, err)
	}
	select {
	case <-done:
		return p.ExitErr()
	case <-time.After(grace):
		_ = p.Kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM and was killed", p.spec.Name, grace)
	}
}

// Restart starts the process again after it has ended (been killed,
// terminated or exited by itself).
func (p *Process) Restart() error { return p.start() }

// LogTail returns the last n lines of the process's log, for a test's
// failure message.
func (p *Process) LogTail(n int) string {
	b, err := os.ReadFile(p.spec.LogFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// WaitHTTP polls url until it answers 200 or ctx ends; it returns what the
// last attempt saw when it gives up.
func WaitHTTP(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", url, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Env turns a map of settings into KEY=value lines for Spec.Env, in a
// stable order.
func Env(settings map[string]string) []string {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		env = append(env, k+"="+settings[k])
	}
	return env
}
