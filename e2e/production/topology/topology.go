package topology

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/proctest"
)

// The compose file's services the topology runs.
const (
	TemporalService        = "temporal"
	TemporalConfigService  = "temporal-dynamic-config" // the configs entry
	SetupService           = "incidentflow-setup"
	ContainerConfigPath    = "/etc/incidentflow/incidentflow.yaml"
	composeTemporalAddress = "temporal:7233"
)

// WorkerServices and ServeServices are the compose file's incidentflow
// workers and front doors.
var (
	WorkerServices = []string{"incidentflow-worker-1", "incidentflow-worker-2"}
	ServeServices  = []string{"incidentflow-serve-1", "incidentflow-serve-2"}
)

// Options configures Start.
type Options struct {
	// Dir holds everything: the PostgreSQL cluster, the binaries, the
	// configuration files and every process's log. It must be reachable
	// by the postgres account when running as root (os.MkdirTemp's
	// directories in /tmp are).
	Dir string
	// ComposeFile is the docker-compose.yml whose services are run.
	ComposeFile string
	// Vars are the compose file's variables (its .env): SLACK_BOT_TOKEN,
	// SLACK_SIGNING_SECRET, GITHUB_TOKEN, GITHUB_REPO, CONFIG_FILE, ...
	Vars map[string]string
	// Env is added to every incidentflow process's environment after the
	// compose file's: what stands in for the outside world (the Slack and
	// GitHub emulators' URLs).
	Env map[string]string
	// Bin is the incidentflow binary; "" builds it into Dir.
	Bin string
	// Logf, when set, reports progress.
	Logf func(format string, args ...any)
}

// Topology is the running production topology.
type Topology struct {
	Postgres *Postgres
	Temporal *Temporal
	// Workers and Serves are the incidentflow processes, in the order of
	// WorkerServices and ServeServices.
	Workers []*Service
	Serves  []*Service
	// Client is a Temporal client of Namespace, for the tests' assertions.
	Client    client.Client
	Namespace string
	TaskQueue string
	// Compose is the parsed compose file.
	Compose *Compose

	opts   Options
	bin    string
	config string // the incidentflow configuration file (host path)
}

// Service is one incidentflow process started from a compose service.
type Service struct {
	*proctest.Process
	// Service is the compose service's name.
	Service string
	// Listen is the address of its HTTP listener (http.listen for serve,
	// worker.listen for a worker; "" when it has none).
	Listen string
	// Env and Args are what it was started with.
	Env  map[string]string
	Args []string
	// probe is the URL polled for readiness ("" : none).
	probe string
	top   *Topology
}

// Start builds what is needed and starts the whole topology; Close stops it.
// On error, whatever had started is stopped.
func Start(ctx context.Context, opts Options) (_ *Topology, err error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	compose, err := ReadCompose(opts.ComposeFile)
	if err != nil {
		return nil, err
	}
	top := &Topology{Compose: compose, opts: opts, bin: opts.Bin}
	defer func() {
		if err != nil {
			top.Close()
		}
	}()
	if err := top.loadConfig(); err != nil {
		return nil, err
	}

	// PostgreSQL runs as the postgres account under root: it must reach
	// its directory inside Dir.
	if err := os.Chmod(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	began := time.Now()
	binDir := filepath.Join(opts.Dir, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	if top.bin == "" {
		if top.bin, err = proctest.Build(binDir); err != nil {
			return nil, err
		}
	}
	serverBin, sqlTool, err := BuildTemporal(binDir)
	if err != nil {
		return nil, err
	}
	logf("binaries built in %v", time.Since(began).Round(time.Millisecond))

	if top.Postgres, err = StartPostgres(filepath.Join(opts.Dir, "postgresql")); err != nil {
		return nil, err
	}
	if err := SetupSchema(sqlTool, top.Postgres); err != nil {
		return nil, err
	}
	logf("PostgreSQL on %s with Temporal's schema after %v", top.Postgres.Address(), time.Since(began).Round(time.Millisecond))

	dc, ok := compose.Configs[TemporalConfigService]
	if !ok {
		return nil, fmt.Errorf("docker-compose.yml has no config %q (Temporal's dynamic configuration)", TemporalConfigService)
	}
	tdir := filepath.Join(opts.Dir, "temporal")
	if err := os.MkdirAll(tdir, 0o755); err != nil {
		return nil, err
	}
	if top.Temporal, err = StartTemporal(ctx, serverBin, tdir, top.Postgres, dc.Content); err != nil {
		return nil, err
	}
	logf("Temporal on %s after %v", top.Temporal.Address(), time.Since(began).Round(time.Millisecond))

	setup, err := top.newService(SetupService, "")
	if err != nil {
		return nil, err
	}
	if err := setup.runToEnd(ctx, time.Minute); err != nil {
		return nil, err
	}
	if top.Client, err = client.DialContext(ctx, client.Options{HostPort: top.Temporal.Address(), Namespace: top.Namespace}); err != nil {
		return nil, fmt.Errorf("dialling Temporal: %w", err)
	}

	for _, name := range WorkerServices {
		s, err := top.newService(name, config.EnvName("worker.listen"))
		if err != nil {
			return nil, err
		}
		top.Workers = append(top.Workers, s)
	}
	for _, name := range ServeServices {
		s, err := top.newService(name, config.EnvName("http.listen"))
		if err != nil {
			return nil, err
		}
		top.Serves = append(top.Serves, s)
	}
	for _, s := range append(slices.Clone(top.Workers), top.Serves...) {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	for _, s := range append(slices.Clone(top.Workers), top.Serves...) {
		if err := s.WaitReady(ctx); err != nil {
			return nil, err
		}
	}
	logf("%d workers and %d front doors ready after %v", len(top.Workers), len(top.Serves), time.Since(began).Round(time.Millisecond))
	return top, nil
}

// loadConfig finds the incidentflow configuration file the compose file
// mounts (CONFIG_FILE or its default) and reads the namespace and task
// queue from it and the compose environment, as the processes will.
func (top *Topology) loadConfig() error {
	svc, err := top.Compose.Service(SetupService)
	if err != nil {
		return err
	}
	if top.config, err = top.Compose.MountSource(svc, ContainerConfigPath, top.opts.Vars); err != nil {
		return fmt.Errorf("%s: %w", SetupService, err)
	}
	env := svc.Env(top.opts.Vars)
	// config.Load reads the environment: give it the service's, no more.
	restore := setEnv(env)
	defer restore()
	cfg, err := config.Load(top.config, nil)
	if err != nil {
		return fmt.Errorf("the configuration the compose file gives %s does not load: %w", SetupService, err)
	}
	top.Namespace, top.TaskQueue = cfg.Temporal.Namespace, cfg.Temporal.TaskQueue
	return nil
}

// setEnv sets every INCIDENTFLOW_* variable to env's (unsetting the
// others) and returns what puts the environment back.
func setEnv(env map[string]string) (restore func()) {
	saved := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, config.EnvPrefix+"_") {
			saved[k] = v
			os.Unsetenv(k)
		}
	}
	for k, v := range env {
		if strings.HasPrefix(k, config.EnvPrefix+"_") {
			os.Setenv(k, v)
		}
	}
	return func() {
		for k := range env {
			os.Unsetenv(k)
		}
		for k, v := range saved {
			os.Setenv(k, v)
		}
	}
}

// newService prepares the process of compose service name: its command
// with --config pointing at the mounted file's host path, its environment
// interpolated with Options.Vars, the Temporal address translated from the
// compose network's to the loopback, listenVar (the variable naming its
// HTTP listener) moved to a free loopback port, then Options.Env.
func (top *Topology) newService(name, listenVar string) (*Service, error) {
	svc, err := top.Compose.Service(name)
	if err != nil {
		return nil, err
	}
	args := slices.Clone(svc.Command)
	if i := slices.Index(args, "--config"); i >= 0 && i+1 < len(args) {
		src, err := top.Compose.MountSource(svc, args[i+1], top.opts.Vars)
		if err != nil {
			return nil, fmt.Errorf("%s: --config %s: %w", name, args[i+1], err)
		}
		args[i+1] = src
	}
	env := svc.Env(top.opts.Vars)
	addrVar := config.EnvName("temporal.address")
	if env[addrVar] != composeTemporalAddress {
		return nil, fmt.Errorf("%s: %s = %q, want %s (the temporal service)", name, addrVar, env[addrVar], composeTemporalAddress)
	}
	env[addrVar] = top.Temporal.Address()
	s := &Service{Service: name, Args: args, top: top}
	if compListen, ok := env[listenVar]; ok && listenVar != "" {
		_, composePort, err := net.SplitHostPort(compListen)
		if err != nil {
			return nil, fmt.Errorf("%s: %s = %q is no host:port", name, listenVar, compListen)
		}
		ports, err := FreePorts(1)
		if err != nil {
			return nil, err
		}
		s.Listen = loopback(ports[0])
		env[listenVar] = s.Listen
		if u := svc.HealthURL(); u != "" {
			// The healthcheck runs inside the container: same port as
			// the listener there.
			s.probe = strings.Replace(u, "127.0.0.1:"+composePort, s.Listen, 1)
			s.probe = strings.Replace(s.probe, "localhost:"+composePort, s.Listen, 1)
		}
	}
	for k, v := range top.opts.Env {
		env[k] = v
	}
	s.Env = env
	return s, nil
}

// start starts the service's process.
func (s *Service) start() error {
	spec := proctest.Spec{
		Name: s.Service, Path: s.top.bin, Args: s.Args,
		Env:     proctest.Env(s.Env),
		LogFile: filepath.Join(s.top.opts.Dir, s.Service+".log"),
	}
	// proctest hands this process's environment down, then Spec.Env: the
	// service gets the compose file's INCIDENTFLOW_* settings, none of ours.
	restore := clearIncidentflowEnv()
	defer restore()
	p, err := proctest.Start(spec)
	if err != nil {
		return err
	}
	s.Process = p
	return nil
}

// clearIncidentflowEnv unsets INCIDENTFLOW_* in this process (whose
// environment proctest hands down) and returns what sets them back.
func clearIncidentflowEnv() func() { return setEnv(nil) }

// runToEnd runs a one-shot service (setup) and fails if it fails.
func (s *Service) runToEnd(ctx context.Context, within time.Duration) error {
	if err := s.start(); err != nil {
		return err
	}
	select {
	case <-s.Done():
	case <-time.After(within):
		_ = s.Kill()
		return fmt.Errorf("%s did not finish within %v; its log ends:\n%s", s.Service, within, s.LogTail(20))
	case <-ctx.Done():
		_ = s.Kill()
		return ctx.Err()
	}
	if err := s.ExitErr(); err != nil {
		return fmt.Errorf("%s failed (%v); its log ends:\n%s", s.Service, err, s.LogTail(20))
	}
	return nil
}

// Start starts the service again after it was killed or stopped, and
// waits until it is ready.
func (s *Service) Start(ctx context.Context) error {
	if err := s.Restart(); err != nil {
		return err
	}
	return s.WaitReady(ctx)
}

// WaitReady waits until the service is ready: its compose healthcheck URL
// answers 200 (/readyz or /healthz), and, for a worker, Temporal lists it
// among the pollers of the task queue. It gives up after a minute, or if
// the process exits.
func (s *Service) WaitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	exited := make(chan struct{})
	go func() {
		select {
		case <-s.Done():
			close(exited)
			cancel()
		case <-ctx.Done():
		}
	}()
	err := s.waitReady(ctx)
	select {
	case <-exited:
		return fmt.Errorf("%s exited while starting (%v); its log ends:\n%s", s.Service, s.ExitErr(), s.LogTail(20))
	default:
	}
	if err != nil {
		return fmt.Errorf("%s was not ready: %w; its log ends:\n%s", s.Service, err, s.LogTail(20))
	}
	return nil
}

func (s *Service) waitReady(ctx context.Context) error {
	if s.probe != "" {
		if err := waitProbe(ctx, s.probe); err != nil {
			return err
		}
	}
	if !s.IsWorker() {
		return nil
	}
	for {
		polling, err := s.top.polling(ctx, s.Pid())
		if err == nil && polling {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("Temporal does not list worker pid %d among the pollers of %s: %w (last error: %v)", s.Pid(), s.top.TaskQueue, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitProbe waits until probe answers 200. A listener without the route
// (404 for /readyz: a binary older than readiness) is waited on at
// /healthz instead.
func waitProbe(ctx context.Context, probe string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := hc.Get(probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound && strings.HasSuffix(probe, "/readyz") {
				probe = strings.TrimSuffix(probe, "/readyz") + "/healthz"
				continue
			}
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", probe, resp.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", probe, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// IsWorker reports whether the service runs `incidentflow worker`.
func (s *Service) IsWorker() bool { return len(s.Args) > 0 && s.Args[0] == "worker" }

// Identity is the Temporal identity of the worker's current process (the
// SDK's default, "<pid>@<host>@").
func (s *Service) Identity() string { return strconv.Itoa(s.Pid()) + "@" }

// URL is the base URL of the service's HTTP listener.
func (s *Service) URL() string { return "http://" + s.Listen }

// polling reports whether a process with pid polls the task queue for
// workflow and activity tasks.
func (top *Topology) polling(ctx context.Context, pid int) (bool, error) {
	for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := top.Client.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
			Namespace: top.Namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: top.TaskQueue}, TaskQueueType: kind,
		})
		if err != nil {
			return false, err
		}
		if !slices.ContainsFunc(resp.GetPollers(), func(p *taskqueuepb.PollerInfo) bool {
			return strings.HasPrefix(p.GetIdentity(), strconv.Itoa(pid)+"@")
		}) {
			return false, nil
		}
	}
	return true, nil
}

// ConfigFile is the incidentflow configuration file every service reads.
func (top *Topology) ConfigFile() string { return top.config }

// Bin is the incidentflow binary.
func (top *Topology) Bin() string { return top.bin }

// Close stops every process (incidentflow's with SIGTERM, then Temporal,
// then PostgreSQL) and the client. It does not remove Options.Dir.
func (top *Topology) Close() {
	var errs []error
	for _, s := range append(slices.Clone(top.Serves), top.Workers...) {
		if s.Process != nil && s.Running() {
			errs = append(errs, s.Terminate(40*time.Second)) // past worker.shutdown_grace
		}
	}
	if top.Client != nil {
		top.Client.Close()
	}
	if top.Temporal != nil && top.Temporal.Running() {
		_ = top.Temporal.Stop()
	}
	if top.Postgres != nil {
		top.Postgres.Close()
	}
	if err := errors.Join(errs...); err != nil && top.opts.Logf != nil {
		top.opts.Logf("stopping the topology: %v", err)
	}
}
