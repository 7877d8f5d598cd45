// Package devserver embeds a Temporal server (SQLite persistence) and the
// Temporal Web UI, for `incidentflow dev` and the tests. One Start gives a
// frontend, a UI and a namespace ready for incidentflow's workflows.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Defaults applied by Start to zero Options fields.
const (
	DefaultFrontendAddr = "127.0.0.1:7233"
	DefaultUIAddr       = "127.0.0.1:8233"
	DefaultNamespace    = "default"
	DefaultRetention    = 30 * 24 * time.Hour
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
	// SearchAttributes are registered as Keyword search attributes.
	SearchAttributes []string
	// Logger receives the Temporal server's logs (nil: slog.Default()).
	// Only Warn and above are passed on unless Logger is enabled for Debug.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server and Web UI.
type Server struct {
	temporal  temporal.Server
	ui        *webUI
	frontend  string
	uiURL     string
	namespace string
	logger    *slog.Logger
	logLevel  *slog.LevelVar
	quietLogs bool

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

// Stop stops the UI and the server; it returns within a few seconds. It is
// safe to call more than once. Data in DataDir stays for the next Start.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.quietLogs {
			// Shutting down makes the services complain about each other
			// (closed connections, cancelled polls); none of it is news.
			s.logLevel.Set(levelSilent)
		}
		if s.ui != nil {
			s.ui.stop()
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
	opts = withDefaults(opts)
	sl, logLevel, quietLogs := serverSlog(opts.Logger)

	ports := &portReserver{}
	defer ports.release()
	frontendEP, uiEP, internalEPs, err := claimPorts(ports, opts)
	if err != nil {
		return nil, err
	}

	sqlConf, err := sqliteConfig(opts.DataDir)
	if err != nil {
		return nil, err
	}
	nsConf, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, keywordMap(opts.SearchAttributes))
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, nsConf); err != nil {
		return nil, fmt.Errorf("create namespace %q in %s: %w", opts.Namespace, sqlConf.DatabaseName, err)
	}

	conf := serverConfig(sqlConf, frontendEP, internalEPs)
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
	srv, err := newAndStart(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, err
	}
	s := &Server{temporal: srv, frontend: frontendEP.dialAddr(), namespace: opts.Namespace,
		logger: sl, logLevel: logLevel, quietLogs: quietLogs}

	readyCtx, cancel := context.WithTimeoutCause(ctx, readyTimeout,
		fmt.Errorf("Temporal dev server did not become ready within %s", readyTimeout))
	defer cancel()
	if err := s.setup(readyCtx, opts); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if uiEP != nil {
		ui, err := startUI(readyCtx, *uiEP, s.frontend, opts.Namespace)
		if err != nil {
			_ = s.Stop()
			return nil, err
		}
		s.ui = ui
		s.uiURL = "http://" + uiEP.dialAddr()
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
	if opts.UIAddr == "-" {
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
func claimPorts(r *portReserver, opts Options) (frontend endpoint, ui *endpoint, internal map[string]endpoint, err error) {
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
		if ep, err = r.claim("ui", ep); err != nil {
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

// sqliteConfig returns the SQLite store for dataDir, creating the schema
// when the file is new ("" is a fresh in-memory database).
func sqliteConfig(dataDir string) (*config.SQL, error) {
	if dataDir == "" {
		return &config.SQL{
			PluginName:        sqliteplugin.PluginName,
			DatabaseName:      "incidentflow-" + strconv.FormatUint(rand.Uint64(), 36),
			ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
		}, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, DBFileName))
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	conf := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: map[string]string{"mode": "rwc"},
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(conf); err != nil {
			_ = os.Remove(path) // a half-made schema would be skipped next time
			return nil, fmt.Errorf("create Temporal schema in %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	return conf, nil
}

func keywordMap(names []string) map[string]enumspb.IndexedValueType {
	m := make(map[string]enumspb.IndexedValueType, len(names))
	for _, n := range names {
		m[n] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	return m
}

func serverConfig(sqlConf *config.SQL, frontend endpoint, internal map[string]endpoint) *config.Config {
	const store = "sqlite-default"
	conf := &config.Config{}
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: frontend.dialIP}
	conf.Persistence = config.Persistence{
		DefaultStore:     store,
		VisibilityStore:  store,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{store: {SQL: sqlConf}},
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend.dialAddr(),
				HTTPAddress:            internal["frontend-http"].dialAddr(),
			},
		},
	}
	conf.DCRedirectionPolicy = config.DCRedirectionPolicy{Policy: "noop"}
	conf.Services = map[string]config.Service{
		"frontend": {RPC: config.RPC{
			GRPCPort: frontend.port,
			HTTPPort: internal["frontend-http"].port,
			BindOnIP: frontend.bindIP,
		}},
	}
	for _, svc := range []string{"history", "matching", "worker"} {
		ep := internal[svc]
		conf.Services[svc] = config.Service{RPC: config.RPC{GRPCPort: ep.port, BindOnIP: ep.bindIP}}
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend.dialAddr()
	return conf
}

// dynamicConfig is what a dev server needs beyond the 1.32.1 defaults.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Search attributes (and their SQL aliases in the namespace) are
		// usable right after AddSearchAttributes instead of after a cache
		// refresh.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// Updates (and Update-With-Start) are on by default in 1.32.1; say
		// so explicitly since incidentflow depends on them.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// The Web UI lists and counts on every page view; 10 visibility
		// RPS per namespace throttles it (and polling tests).
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// 128k cached workflows is for production hosts, not a laptop.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
		// The worker service never stops the SDK workers of these system
		// jobs (1.32.1: "Nothing is gracefully stopping these workers"), so
		// after Stop they would poll a dead frontend forever and log about
		// it. A dev server needs none of them: the scanners clean up
		// orphaned task queues and history branches, and with the
		// parent-close-policy worker off, history applies parent close
		// policies inline.
		dynamicconfig.TaskQueueScannerEnabled.Key():       false,
		dynamicconfig.HistoryScannerEnabled.Key():         false,
		dynamicconfig.EnableParentClosePolicyWorker.Key(): false,
	}
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
			err = fmt.Errorf("start Temporal server: %w", fe)
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

// setup dials the frontend until it answers and runs Setup.
func (s *Server) setup(ctx context.Context, opts Options) error {
	var c client.Client
	for {
		var err error
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  s.frontend,
			Namespace: opts.Namespace,
			Logger:    sdklog.NewStructuredLogger(s.logger),
		})
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("connect to Temporal frontend %s: %w (last error: %v)", s.frontend, context.Cause(ctx), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer c.Close()
	if err := Setup(ctx, c, opts.Namespace, opts.Retention, opts.SearchAttributes); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", context.Cause(ctx), err)
		}
		return err
	}
	return nil
}
