// Package devserver embeds a Temporal server (SQLite persistence) and the
// Temporal Web UI, for `incidentflow dev` and the tests. One Start gives a
// frontend, a UI and a namespace ready for incidentflow's workflows.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	appconfig "github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
)

// Defaults applied by Start to zero Options fields. The addresses are the
// ports of `incidentflow dev` (config.DefaultFrontendPort, DefaultUIPort) on
// the loopback.
var (
	DefaultFrontendAddr = LoopbackAddr(appconfig.DefaultFrontendPort)
	DefaultUIAddr       = LoopbackAddr(appconfig.DefaultUIPort)
)

// More defaults applied by Start to zero Options fields.
const (
	DefaultNamespace = "default"
	DefaultRetention = 30 * 24 * time.Hour
)

// DBFileName is the SQLite file Start keeps in Options.DataDir.
const DBFileName = "temporal.db"

// readyTimeout bounds how long Start waits for the server to come up.
const readyTimeout = 60 * time.Second

const clusterName = "active"

// Options configures Start. The zero value is a usable in-memory server on
// the default ports.
type Options struct {
	// DataDir holds the SQLite file <DataDir>/temporal.db (created with its
	// directory when missing). "" keeps everything in memory.
	DataDir string
	// FrontendAddr is the gRPC address of the Temporal frontend; default
	// "127.0.0.1:7233". Port 0 picks a free port.
	FrontendAddr string
	// UIAddr is the Web UI address; default "127.0.0.1:8233". "-" disables
	// the UI (as does NoUI). Port 0 picks a free port.
	UIAddr string
	// NoUI disables the Web UI.
	NoUI bool
	// Namespace is created (or reused) and set up; default "default".
	Namespace string
	// Retention is the namespace's workflow retention; default 30 days.
	Retention time.Duration
	// SearchAttributes are registered with their types (Keyword,
	// Datetime, ...).
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives the Temporal server's logs (nil: slog.Default()).
	// Only Warn and above are passed on unless Logger is enabled for Debug.
	Logger *slog.Logger
	// TLS, when set, makes the frontend speak TLS only (and turns the Web
	// UI off); see TLS.
	TLS *TLS
}

// Server is a running embedded Temporal server and Web UI.
//
// One process may run several at once (distinct ports and data dirs), and
// start one again on the same DataDir after Stop. Each Start/Stop cycle
// leaves about 35 idle goroutines behind: Temporal does not close its
// internal gRPC connections, and its SQLite plugin keeps one connection per
// database for the life of the process (a restart on the same DataDir
// reuses it; an in-memory database is never freed).
type Server struct {
	temporal  temporal.Server
	ui        *webUI
	frontend  string
	uiURL     string
	namespace string
	logger    *slog.Logger
	logLevel  *slog.LevelVar
	quietLogs bool

	// settle lifts the forced search-attribute refresh a while after
	// Setup added attributes (see dynamicConfig).
	settle *time.Timer

	stopOnce sync.Once
	stopErr  error
}

// FrontendAddress returns the frontend's host:port, for client.Options.HostPort.
func (s *Server) FrontendAddress() string { return s.frontend }

// UIURL returns the Web UI's base URL, e.g. http://127.0.0.1:8233, or ""
// when the UI is disabled.
func (s *Server) UIURL() string { return s.uiURL }

// Namespace returns the namespace Start set up.
func (s *Server) Namespace() string { return s.namespace }

// Stop stops the UI and the server: in about 1 s while workers are still
// long-polling (the frontend's minimum drain), in well under 0.5 s
// otherwise. It is safe to call more than once. Data in DataDir stays for
// the next Start. Unless Logger is at Debug, the server's logs are
// silenced from here on: shutdown makes its services complain about each
// other.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.quietLogs {
			s.logLevel.Set(levelSilent)
		}
		if s.ui != nil {
			s.ui.stop()
		}
		if s.settle != nil {
			s.settle.Stop()
		}
		s.stopErr = stopTemporal(s.temporal)
	})
	return s.stopErr
}

// Start starts the Temporal server and the Web UI and returns once the
// frontend and the UI accept connections and Setup has run for the
// namespace. A frontend or UI address that cannot be bound is reported as a
// *PortInUseError before anything starts. Start gives up after 60 s (or
// when ctx ends) with an error.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts = withDefaults(opts)
	sl, logLevel, quietLogs := serverSlog(opts.Logger)

	// Hold the checked ports until the server binds them; the UI's until the
	// UI starts (its server exits the process if it cannot bind).
	ports, uiPort := &portReserver{}, &portReserver{}
	defer ports.release()
	defer uiPort.release()
	frontendEP, uiEP, internalEPs, err := claimPorts(ports, uiPort, opts)
	if err != nil {
		return nil, err
	}

	begin := time.Now()
	phase := func(name string) { sl.Debug("dev server start", "phase", name, "elapsed", time.Since(begin)) }
	sqlConf, shards, err := sqliteConfig(opts.DataDir)
	if err != nil {
		return nil, err
	}
	nsConf, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	// Born with our retention (NewNamespaceConfig says 24h); Setup below
	// fixes namespaces that already existed.
	nsConf.Detail.Config.Retention = durationpb.New(opts.Retention)
	if err := sqliteschema.CreateNamespaces(sqlConf, nsConf); err != nil {
		return nil, fmt.Errorf("create namespace %q in %s: %w", opts.Namespace, sqlConf.DatabaseName, err)
	}

	phase("database ready")
	conf := serverConfig(sqlConf, shards, frontendEP, internalEPs)
	if opts.TLS != nil {
		if err := opts.TLS.apply(conf); err != nil {
			return nil, err
		}
	}
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(frontendEP.dialAddr()),
	}
	for svc, ep := range internalEPs {
		if svc != "frontend-http" {
			hosts[primitives.ServiceName(svc)] = static.SingleLocalHost(ep.dialAddr())
		}
	}
	logger := &serverLogger{sl: sl}
	sl.Debug("dev server ports", "frontend", frontendEP.listenAddr(), "frontend-http", internalEPs["frontend-http"].listenAddr(),
		"history", internalEPs["history"].listenAddr(), "matching", internalEPs["matching"].listenAddr(), "worker", internalEPs["worker"].listenAddr())

	ports.release()
	dc, liftForcedRefresh := dynamicConfig()
	srv, err := newAndStart(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
		temporal.WithDynamicConfigClient(dc),
	)
	if errors.Is(err, syscall.EADDRINUSE) {
		// Only the frontend's HTTP listener reports a plain error.
		err = &PortInUseError{Role: "frontend-http", Addr: internalEPs["frontend-http"].listenAddr(), Err: err}
	}
	if err != nil {
		// A port taken since it was checked: rare, and not retried because
		// the server leaks the listeners it had already opened.
		return nil, err
	}
	phase("services started")
	s := &Server{temporal: srv, frontend: frontendEP.dialAddr(), namespace: opts.Namespace,
		logger: sl, logLevel: logLevel, quietLogs: quietLogs}

	readyCtx, cancel := context.WithTimeoutCause(ctx, readyTimeout,
		fmt.Errorf("Temporal dev server did not become ready within %s", readyTimeout))
	defer cancel()
	added, err := s.setup(readyCtx, opts)
	if err != nil {
		_ = s.Stop()
		return nil, err
	}
	if added {
		s.settle = time.AfterFunc(searchAttributesSettle, liftForcedRefresh)
	} else {
		liftForcedRefresh()
	}
	phase("namespace set up")
	if uiEP != nil {
		uiPort.release()
		ui, err := startUI(readyCtx, *uiEP, s.frontend, opts.Namespace)
		if err != nil {
			_ = s.Stop()
			return nil, err
		}
		s.ui = ui
		s.uiURL = "http://" + uiEP.dialAddr()
		phase("web UI listening")
	}
	return s, nil
}

func withDefaults(opts Options) Options {
	if opts.FrontendAddr == "" {
		opts.FrontendAddr = DefaultFrontendAddr
	}
	if opts.UIAddr == "" {
		opts.UIAddr = DefaultUIAddr
	}
	if opts.UIAddr == "-" || opts.TLS != nil {
		opts.NoUI = true
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	return opts
}

// claimPorts checks the frontend and UI addresses and picks free loopback
// ports for the internal services (gRPC of history, matching, worker and the
// frontend's HTTP API; membership is static, so no membership ports).
func claimPorts(r, uiR *portReserver, opts Options) (frontend endpoint, ui *endpoint, internal map[string]endpoint, err error) {
	frontend, err = resolveEndpoint(opts.FrontendAddr)
	if err != nil {
		return frontend, nil, nil, fmt.Errorf("frontend address: %w", err)
	}
	if frontend, err = r.claim("frontend", frontend); err != nil {
		return frontend, nil, nil, err
	}
	if !opts.NoUI {
		ep, err := resolveEndpoint(opts.UIAddr)
		if err != nil {
			return frontend, nil, nil, fmt.Errorf("UI address: %w", err)
		}
		if ep, err = uiR.claim("ui", ep); err != nil {
			return frontend, nil, nil, err
		}
		ui = &ep
	}
	internal = map[string]endpoint{}
	for _, role := range []string{"frontend-http", "history", "matching", "worker"} {
		ep := endpoint{bindIP: "127.0.0.1", dialIP: "127.0.0.1"}
		if role == "frontend-http" {
			ep = endpoint{bindIP: frontend.bindIP, dialIP: frontend.dialIP}
		}
		if internal[role], err = r.claim(role, ep); err != nil {
			return frontend, nil, nil, err
		}
	}
	return frontend, ui, internal, nil
}

// newAndStart builds and starts the server, turning a panic from the
// server's Fatal log (e.g. a port taken since it was checked) into an error.
func newAndStart(opts ...temporal.ServerOption) (srv temporal.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(*fatalError)
			if !ok {
				panic(r)
			}
			if pe := fe.portInUse(); pe != nil {
				err = pe
			} else {
				err = fmt.Errorf("start Temporal server: %w", fe)
			}
		}
	}()
	srv, err = temporal.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("create Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = stopTemporal(srv)
		return nil, fmt.Errorf("start Temporal server: %w", err)
	}
	return srv, nil
}

func stopTemporal(srv temporal.Server) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("stop Temporal server: %v", r)
		}
	}()
	return srv.Stop()
}

// setup dials the frontend until it answers and runs Setup, reporting
// whether it added search attributes.
func (s *Server) setup(ctx context.Context, opts Options) (added bool, err error) {
	conn, err := opts.TLS.connection(s.frontend, opts.Namespace)
	if err != nil {
		return false, err
	}
	var c client.Client
	for {
		var err error
		c, err = client.DialContext(ctx, temporalclient.ConnectionOptions(conn, s.logger, nil))
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("connect to Temporal frontend %s: %w (last error: %v)", s.frontend, context.Cause(ctx), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer c.Close()
	added, err = setup(ctx, c, opts.Namespace, opts.Retention, opts.SearchAttributes)
	if err != nil && ctx.Err() != nil {
		return false, fmt.Errorf("%w: %w", context.Cause(ctx), err)
	}
	return added, err
}
