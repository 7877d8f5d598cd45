package topology

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/internal/proctest"
)

// The Temporal server's own commands, built from the go.temporal.io/server
// module at the version go.mod requires (tools.go keeps their go.sum
// entries).
const (
	TemporalServerPackage  = "go.temporal.io/server/cmd/server"
	TemporalSQLToolPackage = "go.temporal.io/server/cmd/tools/sql"
)

// The schema directories embedded in the server module that
// temporal-sql-tool applies (--schema-name), and the databases they go
// in: the names the compose file's schema job uses.
const (
	temporalDB        = "temporal"
	visibilityDB      = "temporal_visibility"
	temporalSchema    = "postgresql/v12/temporal"
	visibilitySchema  = "postgresql/v12/visibility"
	sqlPlugin         = "postgres12"
	temporalNumShards = 4
)

// BuildTemporal builds the Temporal server and temporal-sql-tool and
// returns their paths. Like proctest.Build it runs `go build`, so the
// working directory must be inside the module. Cold, it compiles the whole
// server (minutes); linking alone takes tens of seconds, so the binaries
// are kept in the user's cache directory under the server module's
// version (which go.mod pins) and reused; without a cache directory they
// go in dir.
func BuildTemporal(dir string) (server, sqlTool string, err error) {
	version, err := moduleVersion("go.temporal.io/server")
	if err != nil {
		return "", "", err
	}
	if cache, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(cache, "incidentflow-e2e", "temporal-"+version)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	server = filepath.Join(dir, "temporal-server")
	sqlTool = filepath.Join(dir, "temporal-sql-tool")
	for _, b := range []struct{ bin, pkg string }{{server, TemporalServerPackage}, {sqlTool, TemporalSQLToolPackage}} {
		if _, err := os.Stat(b.bin); err == nil {
			continue
		}
		tmp := b.bin + ".building"
		if out, err := exec.Command("go", "build", "-o", tmp, b.pkg).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("building %s: %v\n%s", b.pkg, err, out)
		}
		if err := os.Rename(tmp, b.bin); err != nil {
			return "", "", err
		}
	}
	return server, sqlTool, nil
}

// moduleVersion is the version of module that the main module requires,
// as `go list -m` reports it.
func moduleVersion(module string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module).Output()
	if err != nil {
		return "", fmt.Errorf("finding the version of %s (go list -m): %v", module, err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", fmt.Errorf("go.mod does not require %s", module)
	}
	return v, nil
}

// SetupSchema creates Temporal's two databases in pg and brings their
// schemas to the version embedded in the server, with temporal-sql-tool,
// the way the compose file's temporal-schema job does. It is safe to
// repeat.
func SetupSchema(sqlTool string, pg *Postgres) error {
	conn := []string{"--plugin", sqlPlugin, "--ep", "127.0.0.1", "--port", fmt.Sprint(pg.Port()), "--user", PostgresUser, "--password", PostgresPassword}
	for _, step := range []struct {
		db   string
		args []string
	}{
		{temporalDB, []string{"create-database"}},
		{temporalDB, []string{"setup-schema", "-v", "0.0"}},
		{temporalDB, []string{"update-schema", "--schema-name", temporalSchema}},
		{visibilityDB, []string{"create-database"}},
		{visibilityDB, []string{"setup-schema", "-v", "0.0"}},
		{visibilityDB, []string{"update-schema", "--schema-name", visibilitySchema}},
	} {
		args := append(append(append([]string{}, conn...), "--db", step.db), step.args...)
		out, err := exec.Command(sqlTool, args...).CombinedOutput()
		if err != nil && !(step.args[0] == "create-database" && strings.Contains(string(out), "already exists")) {
			return fmt.Errorf("temporal-sql-tool %s on database %s failed: %v\n%s", step.args[0], step.db, err, out)
		}
	}
	return nil
}

// Temporal is the Temporal server running as a process of its own on
// PostgreSQL persistence and SQL visibility.
type Temporal struct {
	*proctest.Process
	frontend string
}

// StartTemporal writes the server's configuration (every service on a free
// loopback port, persistence and visibility in pg, dynamic configuration
// dynamicConfig — the compose file's) into dir and starts the server
// binary. It returns once the frontend answers a health check.
func StartTemporal(ctx context.Context, bin, dir string, pg *Postgres, dynamicConfig string) (*Temporal, error) {
	ports, err := FreePorts(9)
	if err != nil {
		return nil, err
	}
	dcPath := filepath.Join(dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dcPath, []byte(dynamicConfig), 0o644); err != nil {
		return nil, fmt.Errorf("writing Temporal's dynamic configuration: %w", err)
	}
	var conf strings.Builder
	if err := serverConfig.Execute(&conf, map[string]any{
		"Postgres": pg.Address(), "User": PostgresUser, "Password": PostgresPassword,
		"TemporalDB": temporalDB, "VisibilityDB": visibilityDB, "Plugin": sqlPlugin, "Shards": temporalNumShards,
		"Ports": ports, "DynamicConfig": dcPath,
	}); err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "temporal.yaml")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		return nil, fmt.Errorf("writing Temporal's configuration: %w", err)
	}
	p, err := proctest.Start(proctest.Spec{
		Name: "temporal", Path: bin,
		Args:    []string{"--config-file", confPath, "--allow-no-auth", "start"},
		LogFile: filepath.Join(dir, "temporal.log"),
	})
	if err != nil {
		return nil, err
	}
	t := &Temporal{Process: p, frontend: loopback(ports[0])}
	if err := t.WaitReady(ctx); err != nil {
		_ = p.Kill()
		return nil, err
	}
	return t, nil
}

// Address is the frontend's host:port.
func (t *Temporal) Address() string { return t.frontend }

// Restart stops the server with SIGTERM (killing it if it takes longer
// than 20 s), starts it again and waits until it is ready.
func (t *Temporal) Restart(ctx context.Context) error {
	if err := t.Stop(); err != nil {
		return err
	}
	return t.StartAgain(ctx)
}

// Stop stops the server with SIGTERM, as an operator's restart does.
func (t *Temporal) Stop() error {
	// Its exit status after SIGTERM says nothing useful; that it is gone
	// does (Terminate kills it after the grace).
	_ = t.Terminate(20 * time.Second)
	if t.Running() {
		return fmt.Errorf("the Temporal server (pid %d) is still running after SIGTERM and SIGKILL", t.Pid())
	}
	return nil
}

// StartAgain starts the stopped server and waits until it is ready.
func (t *Temporal) StartAgain(ctx context.Context) error {
	if err := t.Process.Restart(); err != nil {
		return err
	}
	return t.WaitReady(ctx)
}

// WaitReady waits until the frontend answers a health check, or ctx ends,
// or the server exits.
func (t *Temporal) WaitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var last error
	for {
		select {
		case <-t.Done():
			return fmt.Errorf("the Temporal server exited while starting (%v); its log ends:\n%s", t.ExitErr(), t.LogTail(20))
		default:
		}
		c, err := client.DialContext(ctx, client.Options{HostPort: t.frontend, Namespace: "temporal-system"})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("the Temporal server on %s was not ready: %w (last: %v); its log ends:\n%s", t.frontend, ctx.Err(), last, t.LogTail(20))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// serverConfig is the Temporal server's static configuration: the
// development-postgres12.yaml shipped with the server, on our ports, with
// archival off, and no metrics or pprof listeners.
var serverConfig = template.Must(template.New("temporal.yaml").Parse(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: {{.Shards}}
  datastores:
    default:
      sql:
        pluginName: {{.Plugin}}
        databaseName: {{.TemporalDB}}
        connectAddr: "{{.Postgres}}"
        connectProtocol: tcp
        user: {{.User}}
        password: {{.Password}}
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: {{.Plugin}}
        databaseName: {{.VisibilityDB}}
        connectAddr: "{{.Postgres}}"
        connectProtocol: tcp
        user: {{.User}}
        password: {{.Password}}
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: {grpcPort: {{index .Ports 0}}, membershipPort: {{index .Ports 1}}, httpPort: {{index .Ports 2}}, bindOnLocalHost: true}
  history:
    rpc: {grpcPort: {{index .Ports 3}}, membershipPort: {{index .Ports 4}}, bindOnLocalHost: true}
  matching:
    rpc: {grpcPort: {{index .Ports 5}}, membershipPort: {{index .Ports 6}}, bindOnLocalHost: true}
  worker:
    rpc: {grpcPort: {{index .Ports 7}}, membershipPort: {{index .Ports 8}}, bindOnLocalHost: true}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:{{index .Ports 0}}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: 10s
`))
