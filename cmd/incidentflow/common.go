package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/devstate"
	"github.com/incidentflow/incidentflow/internal/logging"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// commonFlags are the flags a verb has, and its --help.
type commonFlags struct {
	fs         *pflag.FlagSet
	usage      string // the line after "Usage: "
	configFile string
	jsonOut    bool
}

// newConfigFlags returns a flag set for verb with --config; usage sums up
// its flags for --help.
func newConfigFlags(verb, usage string) *commonFlags {
	c := &commonFlags{fs: pflag.NewFlagSet(verb, pflag.ContinueOnError), usage: strings.TrimSpace("incidentflow " + verb + " " + usage)}
	c.fs.Usage = func() {} // load returns the help, and run prints it
	c.fs.StringVar(&c.configFile, "config", "", "configuration file (default ./incidentflow.yaml if present)")
	return c
}

// newFlags returns a flag set for a verb that talks to Temporal: --config,
// --data-dir and --temporal-address, bound to their config keys.
func newFlags(verb, usage string) *commonFlags {
	c := newConfigFlags(verb, usage).withDataDir()
	c.fs.String("temporal-address", "", "Temporal frontend host:port (default: the incidentflow dev running with --data-dir)")
	config.BindFlag(c.fs, "temporal-address", "temporal.address")
	return c
}

// withDataDir adds --data-dir: where dev keeps its database and tells the
// other verbs where it serves.
func (c *commonFlags) withDataDir() *commonFlags {
	c.fs.String("data-dir", config.DefaultDataDir, "incidentflow dev's data directory: its database, and "+devstate.FileName+", which tells the other verbs where it serves")
	config.BindFlag(c.fs, "data-dir", "dev.data_dir")
	return c
}

// withJSON adds --json.
func (c *commonFlags) withJSON() *commonFlags {
	c.fs.BoolVar(&c.jsonOut, "json", false, "print one JSON object instead of a summary")
	return c
}

// helpError is a verb's --help, which run prints on standard output.
type helpError struct{ text string }

func (h *helpError) Error() string { return h.text }

// load parses args and loads the configuration; --help returns a
// *helpError.
func (c *commonFlags) load(args []string) (*config.Config, error) {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, &helpError{text: "Usage: " + c.usage + "\n\nFlags:\n" + c.fs.FlagUsages()}
		}
		// pflag echoes flag names as typed: escape what would break the line.
		msg := err.Error()
		if strings.ContainsFunc(msg, unicode.IsControl) {
			msg = strings.Trim(strconv.Quote(msg), `"`)
		}
		return nil, fmt.Errorf("%s (incidentflow %s --help lists the flags)", msg, c.fs.Name())
	}
	if c.fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --; see --help)", c.fs.Arg(0))
	}
	return config.Load(c.configFile, c.fs)
}

func newLogger(cfg *config.Config) *slog.Logger {
	return logging.New(os.Stderr, cfg.Log.Level, cfg.Log.Format)
}

// connectTo says which checks connect makes after dialing.
type connectTo int

const (
	// anyNamespace is for setup, which creates incidentflow's namespace.
	anyNamespace connectTo = iota
	// setUpNamespace refuses a Temporal without incidentflow's namespace
	// and search attributes.
	setUpNamespace
)

// connect dials the Temporal a verb uses: temporal.address, or else the
// incidentflow dev whose state file is in dev.data_dir. It refuses a state
// file left behind by a dev that has stopped, and with setUpNamespace a
// Temporal that isn't set up for incidentflow. Talking to dev, it makes
// dev's Web UI the one war rooms bookmark unless temporal.web_ui_url is
// set. It returns the client and the address it dialed.
func connect(ctx context.Context, cfg *config.Config, logger *slog.Logger, need connectTo) (client.Client, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addr, dev, err := findTemporal(cfg)
	if err != nil {
		return nil, "", err
	}
	opts, conn, err := clientOptions(cfg, addr, logger)
	if err != nil {
		return nil, "", err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, "", unreachable(addr, cfg.Dev.DataDir, dev, temporalclient.Explain(err, conn))
	}
	if dev != nil {
		err = checkIsDev(ctx, c, cfg.Dev.DataDir, *dev)
	}
	if err == nil && need == setUpNamespace {
		err = checkSetUp(ctx, c, cfg.Temporal.Namespace, addr)
	}
	if err != nil {
		c.Close()
		return nil, "", err
	}
	if dev != nil && cfg.Temporal.WebUIURL == "" {
		cfg.Temporal.WebUIURL = dev.WebUIURL
	}
	return c, addr, nil
}

// findTemporal is temporal.address, or else the address the state file of
// the incidentflow dev in dev.data_dir names (with that state).
func findTemporal(cfg *config.Config) (string, *devstate.State, error) {
	if cfg.Temporal.Address != "" {
		return cfg.Temporal.Address, nil, nil
	}
	st, err := devstate.Read(cfg.Dev.DataDir)
	if errors.Is(err, devstate.ErrNoState) {
		return "", nil, fmt.Errorf("incidentflow dev isn't running with data dir %s (there is no %s): start `incidentflow dev`, pass --data-dir with the directory it runs with, or --temporal-address with your Temporal's host:port",
			cfg.Dev.DataDir, devstate.Path(cfg.Dev.DataDir))
	}
	if err != nil {
		return "", nil, err
	}
	return st.TemporalAddress, &st, nil
}

// unreachable explains a failed dial of addr; why is the failure in words
// (temporalclient.Explain), dev the state that named addr, nil when
// temporal.address did.
func unreachable(addr, dataDir string, dev *devstate.State, why string) error {
	if dev == nil {
		return fmt.Errorf("can't reach Temporal at %s: %s; check temporal.address (--temporal-address, INCIDENTFLOW_TEMPORAL_ADDRESS)", addr, why)
	}
	return fmt.Errorf("incidentflow dev isn't running: %s says it served Temporal at %s, but nothing answers there (%s); start `incidentflow dev` again",
		devstate.Path(dataDir), addr, why)
}

// checkIsDev fails unless the Temporal c reached is the one dev started:
// another one may have taken the address since dev stopped.
func checkIsDev(ctx context.Context, c client.Client, dataDir string, dev devstate.State) error {
	info, err := c.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		return fmt.Errorf("asking the Temporal at %s who it is: %w", dev.TemporalAddress, err)
	}
	if info.GetClusterId() != dev.ClusterID {
		return fmt.Errorf("incidentflow dev isn't running: %s says it served Temporal at %s, but another Temporal answers there now; start `incidentflow dev` again, or pass --temporal-address %s if that Temporal is the one you mean",
			devstate.Path(dataDir), dev.TemporalAddress, dev.TemporalAddress)
	}
	return nil
}

// checkSetUp fails unless namespace on the Temporal at addr has
// incidentflow's search attributes, so a verb never acts on somebody
// else's Temporal.
func checkSetUp(ctx context.Context, c client.Client, namespace, addr string) error {
	hint := fmt.Sprintf("if it is yours, run `incidentflow setup --temporal-address %s` first; otherwise point --temporal-address at incidentflow's Temporal", addr)
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("the Temporal at %s has no namespace %q, so it isn't set up for incidentflow; %s", addr, namespace, hint)
	case refusedByCluster(err):
		// A cluster that keeps its operator API from this client (a
		// Temporal Cloud API key scoped to the namespace) can't be asked;
		// `incidentflow setup` tells what to check there.
		return nil
	case err != nil:
		return fmt.Errorf("asking the Temporal at %s for the search attributes of namespace %q: %w", addr, namespace, err)
	}
	var missing []string
	for _, name := range wfapi.SearchAttributeNames() {
		if _, ok := list.GetCustomAttributes()[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Temporal at %s lacks incidentflow's search attributes %s in namespace %q, so it isn't set up for incidentflow; %s",
			addr, strings.Join(missing, ", "), namespace, hint)
	}
	return nil
}

// cliDial connects a CLI verb to incidentflow's Temporal, logging only
// warnings.
func cliDial(ctx context.Context, cfg *config.Config) (client.Client, error) {
	c, _, err := connect(ctx, cfg, logging.New(os.Stderr, "warn", "text"), setUpNamespace)
	return c, err
}

// cliIncidents connects the CLI to Temporal.
func cliIncidents(ctx context.Context, cfg *config.Config) (*starter.Incidents, func(), error) {
	dc, err := dataConverter(cfg)
	if err != nil {
		return nil, nil, err
	}
	c, err := cliDial(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &starter.Incidents{Client: c, TaskQueue: cfg.Temporal.TaskQueue, Process: cfg.Process(), DataConverter: dc}, c.Close, nil
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

// printJSON writes v as one JSON object.
func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newMaintenance is the maintenance-window scheduler over c, whose
// payloads dc decodes.
func newMaintenance(cfg *config.Config, c client.Client, p incident.Process, dc converter.DataConverter) *starter.Maintenance {
	return &starter.Maintenance{
		Client: c, TaskQueue: cfg.Temporal.TaskQueue, Process: p, DataConverter: dc,
		Policy: incident.MaintenancePolicy(cfg.MaintenancePolicy()),
	}
}

// frontDoorURL is the front door's base URL: that of the incidentflow dev
// whose state file is in dev.data_dir, else http://<http.listen>.
func frontDoorURL(cfg *config.Config) string {
	return fromDev(cfg, func(st devstate.State) string { return st.FrontDoorURL }, "http://"+cfg.HTTP.Listen)
}

// slackSandboxAPIURL is the Web API URL of the Slack sandbox of the
// incidentflow dev whose state file is in dev.data_dir, else of one on
// dev.slack_port.
func slackSandboxAPIURL(cfg *config.Config) string {
	return fromDev(cfg, func(st devstate.State) string { return st.SlackSandboxURL }, "http://"+devserver.LoopbackAddr(cfg.Dev.SlackPort)) + "/api/"
}

// fromDev is what pick takes from the state file of the incidentflow dev
// in dev.data_dir, or otherwise when there is no such file or it names
// nothing there.
func fromDev(cfg *config.Config, pick func(devstate.State) string, otherwise string) string {
	if st, err := devstate.Read(cfg.Dev.DataDir); err == nil && pick(st) != "" {
		return pick(st)
	}
	return otherwise
}
