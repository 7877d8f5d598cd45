package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/incidentflow/incidentflow/e2e/production/topology"
)

// temporalServer is the Temporal server every figure shares: the embedded
// dev server on SQLite (the default), or the production topology's server
// on PostgreSQL (--temporal postgres).
type temporalServer interface {
	FrontendAddress() string
	Namespace() string
	Stop() error
}

// postgresServer is the Temporal server built from this module, on a
// throwaway PostgreSQL cluster, configured as docker-compose.yml configures
// it: the server e2e/production runs.
type postgresServer struct {
	dir      string
	pg       *topology.Postgres
	temporal *topology.Temporal
}

// startPostgresServer starts PostgreSQL in a temporary directory, sets up
// Temporal's schema with the server's SQL tool, and starts the server with
// the compose file's dynamic configuration.
func startPostgresServer(ctx context.Context) (_ *postgresServer, err error) {
	dir, err := os.MkdirTemp("", "incidentflow-bench-postgres-")
	if err != nil {
		return nil, err
	}
	// PostgreSQL runs as the postgres account under root: it must be able
	// to reach its cluster's directory inside this one.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	s := &postgresServer{dir: dir}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()
	serverBin, sqlTool, err := topology.BuildTemporal(filepath.Join(dir, "bin"))
	if err != nil {
		return nil, err
	}
	compose, err := topology.ReadCompose("docker-compose.yml")
	if err != nil {
		return nil, fmt.Errorf("reading docker-compose.yml (run the benchmark from the repository's root): %w", err)
	}
	dc, ok := compose.Configs[topology.TemporalConfigService]
	if !ok {
		return nil, fmt.Errorf("docker-compose.yml has no config %q (Temporal's dynamic configuration)", topology.TemporalConfigService)
	}
	pgDir := filepath.Join(dir, "postgresql")
	if err := os.MkdirAll(pgDir, 0o755); err != nil {
		return nil, err
	}
	if s.pg, err = topology.StartPostgres(pgDir); err != nil {
		return nil, err
	}
	if err := topology.SetupSchema(sqlTool, s.pg); err != nil {
		return nil, err
	}
	tdir := filepath.Join(dir, "temporal")
	if err := os.MkdirAll(tdir, 0o755); err != nil {
		return nil, err
	}
	if s.temporal, err = topology.StartTemporal(ctx, serverBin, tdir, s.pg, dc.Content); err != nil {
		return nil, err
	}
	return s, nil
}

// FrontendAddress is the Temporal frontend's host:port.
func (s *postgresServer) FrontendAddress() string { return s.temporal.Address() }

// Namespace is the namespace the figures run in.
func (s *postgresServer) Namespace() string { return "default" }

// Stop stops the server and PostgreSQL and removes their files.
func (s *postgresServer) Stop() error {
	if s.temporal != nil {
		_ = s.temporal.Stop()
	}
	if s.pg != nil {
		s.pg.Close()
	}
	return os.RemoveAll(s.dir)
}
