// Command incidentflow runs a team's incident process in Slack on Temporal.
//
//	incidentflow dev        embedded Temporal + Web UI + worker + front door (+ sandboxes)
//	incidentflow worker     the Temporal worker, against temporal.address
//	incidentflow serve      the Slack front door (HTTP and Socket Mode)
//	incidentflow setup      registers search attributes and retention on a cluster
//	incidentflow declare|update|severity|resolve|status|list   drive incidents from a terminal
//	incidentflow maintenance schedule|list|cancel|status|complete|promote   planned maintenance
//	incidentflow alert fire|resolve   a test alert to the front door, as Alertmanager sends it
//	incidentflow insights   response figures of a period (--since 90d), as a table, --json or --csv
//	incidentflow version
//
// `incidentflow dev` writes where it serves to dev.json in its data
// directory; the other verbs dial that Temporal unless temporal.address is
// set.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/incident"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// verb is one subcommand.
type verb struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

func verbs() []verb {
	return []verb{
		{"dev", "run everything in one process: embedded Temporal and Web UI, worker, front door, Slack and GitHub sandboxes", runDev},
		{"worker", "run the Temporal worker against temporal.address", runWorker},
		{"serve", "run the Slack front door (HTTP, or Socket Mode with slack.app_token)", runServe},
		{"setup", fmt.Sprintf("register incidentflow's search attributes and %d-day retention on a Temporal cluster (safe to repeat)", devserver.DefaultRetention/(24*time.Hour)), runSetup},
		{"declare", "declare an incident and wait for its war room", runDeclare},
		{"update", "post a status update: --incident ID --status S --text T", runUpdate},
		{"severity", "change the severity: --incident ID --to S", runSeverity},
		{"resolve", "resolve an incident: --incident ID --summary T", runResolve},
		{"page", "page the on-call through PagerDuty: --incident ID [--service S]", runPage},
		{"status", "show an incident: --incident ID", runStatus},
		{"list", "list open incidents", runList},
		{"insights", "response figures of a period: --since 90d [--until D] [--severity S] [--service S] [--json | --csv]", runInsights},
		{"maintenance", "planned maintenance: " + subNames(maintenanceVerbs), maintenanceVerb},
		{"statuspage", "the public status page: " + subNames(statusPageVerbs), statusPageVerb},
		{"drill", "rehearse an incident: --scenario NAME [--participants U1,U2] [--speed 4] | " + subNames(drillVerbs), drillVerb},
		{"alert", "send a test alert to the front door as Alertmanager would: " + subNames(alertVerbs) + " --labels k=v,…", alertVerb},
		{"version", "print the version", runVersion},
	}
}

// subNames lists the names of subs, "a | b | c".
func subNames(subs []verb) string {
	names := make([]string, len(subs))
	for i, v := range subs {
		names[i] = v.name
	}
	return strings.Join(names, " | ")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first SIGTERM or Ctrl-C drains (worker.shutdown_grace); a second
	// one ends the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	out, errOut = cleanWriter{out}, cleanWriter{errOut}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return 0
	}
	for _, v := range verbs() {
		if v.name == args[0] {
			err := v.run(ctx, args[1:], out)
			var help *helpError
			if errors.As(err, &help) {
				fmt.Fprint(out, help.text)
				return 0
			}
			if err != nil {
				fmt.Fprintln(errOut, "incidentflow "+v.name+": "+err.Error())
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(errOut, "incidentflow: unknown command %q\n\n", args[0])
	usage(errOut)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "incidentflow runs your incident process in Slack on Temporal.")
	fmt.Fprintln(w, "\nUsage: incidentflow <command> [flags]\n\nCommands:")
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-12s %s\n", v.name, v.summary)
	}
	fmt.Fprintln(w, "\nRun incidentflow <command> --help for its flags. Configuration: --config FILE (default ./incidentflow.yaml), INCIDENTFLOW_* environment variables.")
}

func runVersion(_ context.Context, _ []string, out io.Writer) error {
	fmt.Fprintln(out, "incidentflow", version)
	return nil
}

// cleanWriter removes from what it writes the characters incident.Clean
// removes, so that incident text the CLI prints (a title or an update typed
// in Slack) can't move the terminal's cursor, recolour it or reorder a
// line. Every print of the CLI is whole text, so no write splits a
// character.
type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, incident.Clean(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
