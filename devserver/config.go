package devserver

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// historyShards is how many history shards a new database gets. Each shard
// has its own timer queue, and one queue fires about 110 timers a second on
// SQLite: with one shard, 2,000 incidents reminding every 10 s fell behind
// by minutes; with four they keep up (see docs/performance.md).
const historyShards = 4

// sqliteConfig returns the SQLite store for dataDir, creating the schema
// when the file is new ("" is a fresh in-memory database), and the number
// of history shards to run it with.
func sqliteConfig(dataDir string) (*config.SQL, int32, error) {
	if dataDir == "" {
		return &config.SQL{
			PluginName:        sqliteplugin.PluginName,
			DatabaseName:      "incidentflow-" + strconv.FormatUint(rand.Uint64(), 36),
			ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
		}, historyShards, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("data dir: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, DBFileName))
	if err != nil {
		return nil, 0, fmt.Errorf("data dir: %w", err)
	}
	conf := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: map[string]string{"mode": "rwc"},
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(conf); err != nil {
			_ = os.Remove(path) // a half-made schema would be skipped next time
			return nil, 0, fmt.Errorf("create Temporal schema in %s: %w", path, err)
		}
	} else if err != nil {
		return nil, 0, fmt.Errorf("data dir: %w", err)
	}
	return conf, shardCount(path), nil
}

// shardCount returns how many history shards the database at path was
// first started with (a cluster's count never changes; Temporal would warn
// and keep the old one), or historyShards when it hasn't been started yet.
func shardCount(path string) int32 {
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}).String())
	if err != nil {
		return historyShards
	}
	defer db.Close()
	var n int32
	if err := db.QueryRow("SELECT COUNT(*) FROM shards").Scan(&n); err != nil || n == 0 {
		return historyShards
	}
	return n
}

func serverConfig(sqlConf *config.SQL, shards int32, frontend endpoint, internal map[string]endpoint) *config.Config {
	const store = "sqlite-default"
	conf := &config.Config{}
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: frontend.dialIP}
	conf.Persistence = config.Persistence{
		DefaultStore:     store,
		VisibilityStore:  store,
		NumHistoryShards: shards,
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

// searchAttributesSettle is how long after adding search attributes to a
// running server the forced refresh stays on: past the namespace cache's
// refresh interval (NamespaceCacheRefreshInterval, 10 s in 1.32.1), after
// which every service sees the namespace's new aliases by itself.
const searchAttributesSettle = 11 * time.Second

// dynamicConfig is what a dev server needs beyond the 1.32.1 defaults, and
// a function that lifts ForceSearchAttributesCacheRefreshOnRead.
//
// The forced refresh makes search attributes that Setup adds to a running
// server (an existing database from before a new attribute) usable at once
// instead of about 10 s later, when workflows started meanwhile would be
// refused ("no mapping defined for search attribute"). It costs on every
// read: each one rereads the cluster metadata under a lock, which in the
// alert-storm benchmark was the server's most contended mutex. So it is on
// from the start only until Setup has run, and then for
// searchAttributesSettle if Setup added any.
func dynamicConfig() (*dynamicconfig.MemoryClient, func()) {
	dc := dynamicconfig.NewMemoryClient()
	for key, value := range staticDynamicConfig() {
		dc.OverrideValue(key, value)
	}
	return dc, dc.OverrideValue(dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(), true)
}

// staticDynamicConfig is the part of dynamicConfig that never changes.
func staticDynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Updates (and Update-With-Start) are on by default in 1.32.1; say
		// so explicitly since incidentflow depends on them.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// The Web UI lists and counts on every page view; 10 visibility
		// RPS per namespace throttles it (and polling tests).
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// A worker that stops (SIGTERM, `dev` restarted) has the server
		// answer its outstanding polls empty instead of handing them a task
		// it would never run: without it a workflow task dispatched to a
		// stopping worker waited its 10 s timeout (a rolling restart's
		// stall).
		dynamicconfig.EnableCancelWorkerPollsOnShutdown.Key(): true,
		// 128k cached workflows is for production hosts, not a laptop.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
		// One partition per task queue instead of four: a dev server has a
		// handful of pollers, and with four partitions matching is still
		// force-loading them for ~2 s when Stop follows a (re)start.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The persistence rate limits protect a database that many hosts
		// share; a dev server's SQLite has one user, and at the 2,000 open
		// incidents of the benchmark the frontend's limit refused list
		// queries, which the Web UI and `incidentflow list` make ("System
		// Persistence Max QPS Reached").
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 100000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  100000,
		dynamicconfig.MatchingPersistenceMaxQPS.Key(): 100000,
		// The size accounting of external payloads (payloads stored
		// outside the history, which incidentflow never makes) walks every
		// payload of every event the server persists: about 2% of the
		// alert storm's CPU, the stacks its recursion grows included.
		dynamicconfig.ExternalPayloadsEnabled.Key(): false,
		// The worker service never stops the SDK workers of these system
		// jobs (1.32.1: "Nothing is gracefully stopping these workers"), so
		// after Stop they would poll a dead frontend forever (and hold up
		// the frontend's drain for 1 s). A dev server needs none of them:
		// the scanners clean up orphaned task queues and history branches,
		// and with the parent-close-policy worker off, history applies
		// parent close policies inline.
		dynamicconfig.TaskQueueScannerEnabled.Key():       false,
		dynamicconfig.HistoryScannerEnabled.Key():         false,
		dynamicconfig.EnableParentClosePolicyWorker.Key(): false,
	}
}
