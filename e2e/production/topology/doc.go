// Package topology runs incidentflow's production topology on one machine,
// for the production end-to-end suite (e2e/production) and the benchmark:
// a throwaway PostgreSQL cluster (initdb, pg_ctl) in a temporary directory
// on a loopback port; the Temporal server built from go.temporal.io/server
// at the module's version, on PostgreSQL persistence and SQL visibility,
// its schema set up with the server's own SQL tool (temporal-sql-tool);
// `incidentflow setup`; and several `incidentflow worker` and `incidentflow
// serve` processes started from the binary with the environment and
// configuration file docker-compose.yml gives its services (Compose reads
// it), so that what the suite tests is what Compose runs.
//
// Every process is an internal/proctest process: it can be killed with
// SIGKILL, stopped with SIGTERM and started again.
package topology
