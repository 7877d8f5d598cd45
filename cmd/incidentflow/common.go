package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/logging"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
)

// commonFlags are the flags every verb that reads configuration has.
type commonFlags struct {
	fs         *pflag.FlagSet
	configFile string
	jsonOut    bool
}

// newFlags returns a flag set for verb with --config, --data-dir and
// --temporal-address bound to their config keys.
func newFlags(verb, usage string) *commonFlags {
	c := &commonFlags{fs: pflag.NewFlagSet(verb, pflag.ContinueOnError)}
	c.fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: incidentflow %s %s\n\nFlags:\n%s", verb, usage, c.fs.FlagUsages())
	}
	c.fs.StringVar(&c.configFile, "config", "", "configuration file (default ./incidentflow.yaml if present)")
	c.fs.String("data-dir", config.DefaultDataDir, "directory where incidentflow dev keeps its SQLite database")
	config.BindFlag(c.fs, "data-dir", "dev.data_dir")
	c.fs.String("temporal-address", "", "Temporal frontend host:port (empty: the local incidentflow dev server)")
	config.BindFlag(c.fs, "temporal-address", "temporal.address")
	return c
}

// withJSON adds --json.
func (c *commonFlags) withJSON() *commonFlags {
	c.fs.BoolVar(&c.jsonOut, "json", false, "print one JSON object instead of a summary")
	return c
}

// load parses args and loads the configuration.
func (c *commonFlags) load(args []string) (*config.Config, error) {
	if err := c.fs.Parse(args); err != nil {
		return nil, err
	}
	if c.fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --; see --help)", c.fs.Arg(0))
	}
	return config.Load(c.configFile, c.fs)
}

func newLogger(cfg *config.Config) *slog.Logger {
	return logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
}

// temporalAddress is where the CLI finds Temporal: temporal.address, or the
// local dev server.
func temporalAddress(cfg *config.Config) string {
	if cfg.Temporal.Address != "" {
		return cfg.Temporal.Address
	}
	return hostPort(cfg.Dev.FrontendPort)
}

// dial connects to Temporal at addr and checks it answers.
func dial(ctx context.Context, cfg *config.Config, addr string, logger *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, temporalclient.Options(addr, cfg.Temporal.Namespace, logger))
	if err != nil {
		hint := "set temporal.address (INCIDENTFLOW_TEMPORAL_ADDRESS)"
		if cfg.Temporal.Address == "" {
			hint = "start `incidentflow dev` first, or set temporal.address (INCIDENTFLOW_TEMPORAL_ADDRESS)"
		}
		return nil, fmt.Errorf("can't reach Temporal at %s: %v; %s", addr, err, hint)
	}
	return c, nil
}

// cliDial connects the CLI to Temporal, logging only warnings.
func cliDial(ctx context.Context, cfg *config.Config) (client.Client, error) {
	return dial(ctx, cfg, temporalAddress(cfg), logging.New(os.Stderr, "warn", "text"))
}

// cliIncidents connects the CLI to Temporal.
func cliIncidents(ctx context.Context, cfg *config.Config) (*starter.Incidents, func(), error) {
	c, err := cliDial(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &starter.Incidents{Client: c, TaskQueue: cfg.Temporal.TaskQueue, Process: process(cfg, "")}, c.Close, nil
}

// withClient loads the configuration, runs check (when not nil), connects
// with connect and runs fn, printing its result as one JSON object with
// --json and its human summary otherwise.
func withClient[T any](ctx context.Context, f *commonFlags, args []string, out io.Writer,
	connect func(context.Context, *config.Config) (T, func(), error), check func() error,
	fn func(T) (any, string, error)) error {
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	t, closeFn, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	result, human, err := fn(t)
	if err != nil {
		return err
	}
	if f.jsonOut {
		return printJSON(out, result)
	}
	fmt.Fprintln(out, human)
	return nil
}

// process is the configured incident process, with the Web UI URL of the
// dev server when none is configured.
func process(cfg *config.Config, devUIURL string) incident.Process {
	p := cfg.Process()
	if p.WebUIURL == "" {
		if devUIURL == "" {
			devUIURL = "http://" + hostPort(cfg.Dev.UIPort)
		}
		p.WebUIURL = devUIURL
	}
	return p
}

// printJSON writes v as one JSON object.
func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newMaintenance is the maintenance-window scheduler over c.
func newMaintenance(cfg *config.Config, c client.Client, p incident.Process) *starter.Maintenance {
	return &starter.Maintenance{
		Client: c, TaskQueue: cfg.Temporal.TaskQueue, Process: p,
		Policy: incident.MaintenancePolicy(cfg.MaintenancePolicy()),
	}
}
