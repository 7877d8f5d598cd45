// Command bench measures incidentflow end to end — the Slack front door, the
// incident workflow on an embedded Temporal server and the Slack activities
// against internal/slackemu with a per-call latency like Slack's — and sets
// every figure beside its floor, measured or computed in the same run:
//
//	go run ./bench            # the full run (about a quarter of an hour)
//	go run ./bench --quick    # small numbers, under 3 minutes; what CI runs
//	go run ./bench --json     # one JSON object instead of the table
//
// The figures: (1) how fast the front door acknowledges Slack, (2) how long
// from a declaration to a ready war room, (3) a burst of declarations under
// Slack's rate limits, (4) thousands of open incidents reminding on a short
// cadence, (5) the history of a month-long incident, (6) an alert storm on
// three front doors: exactly one incident per alert group, no notification
// lost, and how fast each is acknowledged, (7) crash recovery: kill -9 of
// one of two `incidentflow worker` processes during bursts, the time until
// the incidents it was working on move again, none doubled or lost, (8)
// `incidentflow insights --json` over 10,000 closed incidents. docs/performance.md
// explains each figure, its floor and its flags.
//
// It exits non-zero when a figure could not be produced or an incident
// failed; targets missed are reported, not failed on.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"
)

// settings are every figure's knobs, from the flags.
type settings struct {
	quick    bool
	jsonOut  bool
	jsonFile string
	verbose  bool
	figures  map[string]bool
	// temporal is the Temporal server the figures share (backendSQLite or
	// backendPostgres).
	temporal string
	latency  time.Duration
	ack      ackSettings
	warRoom  warRoomSettings
	burst    burstSettings
	scale    scaleSettings
	long     longSettings
	storm    stormSettings
	recovery recoverySettings
	insights insightsSettings
	deadline time.Duration
}

// figureNames are the figures in the order they run.
var figureNames = []string{"ack", "warroom", "burst", "scale", "long", "alertstorm", "recovery", "insights"}

func parseFlags(args []string) (*settings, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./bench [--quick] [--json] [flags]\n\nMeasures incidentflow end to end; see docs/performance.md.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	s := &settings{}
	fs.BoolVar(&s.quick, "quick", false, "small numbers (under 3 minutes): checks that every figure is produced")
	fs.BoolVar(&s.jsonOut, "json", false, "print one JSON object instead of the table")
	fs.StringVar(&s.jsonFile, "json-file", "", "also write the JSON object to this file")
	fs.BoolVar(&s.verbose, "verbose", false, "show the Temporal server's and the SDK's warnings")
	only := fs.String("figures", strings.Join(figureNames, ","), "the figures to run, comma-separated: "+strings.Join(figureNames, ","))
	fs.StringVar(&s.temporal, "temporal", backendSQLite, "the Temporal server the figures share: sqlite (the embedded dev server) or postgres (the production topology's server on a throwaway PostgreSQL, as e2e/production runs it)")
	fs.DurationVar(&s.latency, "slack-latency", 100*time.Millisecond, "latency the Slack emulator adds to every Web API call")

	fs.Float64Var(&s.ack.Rate, "ack-rate", 50, "ack: requests per second sent to the front door (half slash commands, half view submissions)")
	fs.DurationVar(&s.ack.Duration, "ack-duration", 30*time.Second, "ack: how long the load runs")

	fs.IntVar(&s.warRoom.Incidents, "warroom-incidents", 100, "time to war room: incidents declared")
	fs.IntVar(&s.warRoom.Concurrency, "warroom-concurrency", 1, "time to war room: incidents declared at a time (more measure the server's contention too)")

	fs.IntVar(&s.burst.Incidents, "burst", 200, "burst: incidents declared at once, with Slack's rate limits on")
	fs.DurationVar(&s.burst.Window, "rate-window", 6*time.Second, "burst: the rate-limit window of the emulator and of the worker's limiter (Slack's is 1m; a shorter one scales the run down)")

	fs.IntVar(&s.scale.Incidents, "scale-incidents", 2000, "scale: incidents open at once")
	fs.DurationVar(&s.scale.Cadence, "scale-cadence", 10*time.Second, "scale: how often each incident reminds")
	fs.DurationVar(&s.scale.Duration, "scale-duration", 2*time.Minute, "scale: how long reminders are measured once every incident is open")
	fs.BoolVar(&s.scale.InlineWorker, "scale-inline-worker", false, "scale: run the worker in this process instead of a child process")

	fs.IntVar(&s.long.Days, "long-days", 30, "long incident: simulated days of a critical incident")
	fs.DurationVar(&s.long.MissEvery, "long-miss-every", 4*time.Hour, "long incident: simulated time between missed status updates, when the reminder fires (0: never)")
	fs.DurationVar(&s.long.Cadence, "long-cadence", time.Second, "long incident: what the 15-minute cadence is compressed to when an update is missed (the embedded server fires no timer sooner than about 1s)")
	stormFlags(fs, &s.storm)
	fs.IntVar(&s.recovery.Kills, "recovery-kills", 20, "crash recovery: kill -9s of a worker process, one per burst")
	fs.IntVar(&s.recovery.Burst, "recovery-burst", 5, "crash recovery: incidents declared at once before each kill")
	fs.IntVar(&s.insights.Incidents, "insights-incidents", 10000, "insights: closed incidents in visibility when `incidentflow insights --json` is timed (the real ones and their copies)")
	fs.IntVar(&s.insights.Real, "insights-real", 200, "insights: of those, incidents closed through the real incident workflow; the rest copy their visibility footprint")
	fs.IntVar(&s.insights.Concurrency, "insights-concurrency", 50, "insights: real incidents generated at a time")
	fs.IntVar(&s.insights.CopyConcurrency, "insights-copy-concurrency", 50, "insights: copies started (and terminated) at a time")
	fs.IntVar(&s.insights.Runs, "insights-runs", 3, "insights: timed runs of the verb (the median is reported)")
	fs.DurationVar(&s.deadline, "timeout", 0, "give up after this long (default 10m with --quick, 1h otherwise)")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --; see --help)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if s.quick {
		quick := map[string]func(){
			"ack-duration":       func() { s.ack.Duration = 2 * time.Second },
			"ack-rate":           func() { s.ack.Rate = 20 },
			"warroom-incidents":  func() { s.warRoom.Incidents = 10 },
			"burst":              func() { s.burst.Incidents = 20 },
			"rate-window":        func() { s.burst.Window = 3 * time.Second },
			"scale-incidents":    func() { s.scale.Incidents = 50 },
			"scale-duration":     func() { s.scale.Duration = 20 * time.Second },
			"scale-cadence":      func() { s.scale.Cadence = 5 * time.Second },
			"long-days":          func() { s.long.Days = 3 },
			"recovery-kills":     func() { s.recovery.Kills = 3 },
			"recovery-burst":     func() { s.recovery.Burst = 3 },
			"insights-incidents": func() { s.insights.Incidents = 1000 },
			"insights-real":      func() { s.insights.Real = 30 },
		}
		for name, apply := range stormQuick(&s.storm) {
			quick[name] = apply
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
	}
	if s.deadline <= 0 {
		s.deadline = time.Hour
		if s.quick {
			s.deadline = 10 * time.Minute
		}
	}
	if s.temporal != backendSQLite && s.temporal != backendPostgres {
		return nil, fmt.Errorf("--temporal %q: use %s or %s", s.temporal, backendSQLite, backendPostgres)
	}
	s.figures = map[string]bool{}
	for _, f := range strings.Split(*only, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		known := false
		for _, n := range figureNames {
			known = known || n == f
		}
		if !known {
			return nil, fmt.Errorf("unknown figure %q: use %s", f, strings.Join(figureNames, ", "))
		}
		s.figures[f] = true
	}
	s.warRoom.Latency, s.burst.Latency, s.scale.Latency, s.ack.Latency = s.latency, s.latency, s.latency, s.latency
	s.storm.Latency, s.recovery.Latency = s.latency, s.latency
	if err := s.storm.check(); err != nil {
		return nil, err
	}
	switch {
	case s.ack.Rate <= 0 || s.ack.Duration <= 0:
		return nil, fmt.Errorf("--ack-rate and --ack-duration must be positive")
	case s.warRoom.Incidents <= 0 || s.burst.Incidents <= 0 || s.scale.Incidents <= 0:
		return nil, fmt.Errorf("--warroom-incidents, --burst and --scale-incidents must be positive")
	case s.burst.Window < time.Second:
		return nil, fmt.Errorf("--rate-window must be at least 1s: Slack's Retry-After counts whole seconds")
	case s.scale.Cadence <= 0 || s.scale.Duration <= 0 || s.long.Cadence <= 0 || s.long.Days <= 0:
		return nil, fmt.Errorf("--scale-cadence, --scale-duration, --long-cadence and --long-days must be positive")
	case s.recovery.Kills <= 0 || s.recovery.Burst <= 0 || s.recovery.Burst > 100:
		return nil, fmt.Errorf("--recovery-kills must be positive and --recovery-burst between 1 and 100")
	case s.insights.Incidents <= 0 || s.insights.Concurrency <= 0 || s.insights.CopyConcurrency <= 0 || s.insights.Runs <= 0:
		return nil, fmt.Errorf("--insights-incidents, --insights-concurrency, --insights-copy-concurrency and --insights-runs must be positive")
	case s.insights.Real <= 0 || s.insights.Real > s.insights.Incidents:
		return nil, fmt.Errorf("--insights-real must be between 1 and --insights-incidents")
	}
	return s, nil
}

func main() {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := runChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, "bench worker:", err)
			os.Exit(1)
		}
		return
	}
	s, err := parseFlags(os.Args[1:])
	if err == flag.ErrHelp {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, s.deadline)
	defer cancel()
	rep, err := run(ctx, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if s.jsonOut {
		_ = rep.writeJSON(os.Stdout)
	} else {
		rep.writeTable(os.Stdout)
	}
	if s.jsonFile != "" {
		if err := writeJSONFile(s.jsonFile, rep); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if !rep.OK {
		os.Exit(1)
	}
}

// run starts the Temporal server and runs the chosen figures one after
// another on it.
func run(ctx context.Context, s *settings) (*report, error) {
	rep := &report{Machine: thisMachine(), Started: time.Now(), Settings: s.describe()}
	logger := quietLogger(os.Stderr, s.verbose)
	progress := func(format string, args ...any) {
		if !s.jsonOut {
			fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
		}
	}
	progress("starting the Temporal server (%s)", s.temporal)
	h, err := startHarness(ctx, s.temporal, logger)
	if err != nil {
		return nil, err
	}
	defer h.close()
	for _, name := range figureNames {
		if !s.figures[name] {
			continue
		}
		if ctx.Err() != nil {
			rep.Problems = append(rep.Problems, name+": not run ("+ctx.Err().Error()+")")
			continue
		}
		progress("figure %s", name)
		var fig *figure
		switch name {
		case "ack":
			fig = runAck(ctx, h, s.ack)
		case "warroom":
			fig = runWarRoom(ctx, h, s.warRoom)
		case "burst":
			fig = runBurst(ctx, h, s.burst)
		case "scale":
			fig = runScale(ctx, h, s.scale)
		case "long":
			fig = runLong(ctx, h, s.long)
		case "alertstorm":
			fig = runAlertStorm(ctx, h, s.storm)
		case "recovery":
			fig = runRecovery(ctx, h, s.recovery)
		case "insights":
			fig = runInsights(ctx, h, s.insights)
		}
		progress("figure %s done in %s", name, time.Duration(fig.Elapsed).Round(time.Second))
		rep.Figures = append(rep.Figures, fig)
		switch {
		case fig.Error != "":
			rep.Problems = append(rep.Problems, fig.Name+": "+fig.Error)
		case len(fig.Rows) == 0:
			rep.Problems = append(rep.Problems, fig.Name+": no figure produced")
		}
		if fig.Failed > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d incidents failed", fig.Name, fig.Failed))
		}
	}
	rep.Elapsed = seconds(time.Since(rep.Started))
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// describe lists the settings for the report.
func (s *settings) describe() map[string]any {
	var figs []string
	for _, n := range figureNames {
		if s.figures[n] {
			figs = append(figs, n)
		}
	}
	return map[string]any{
		"quick": s.quick, "figures": figs, "temporal": s.temporal, "slack_latency": s.latency.String(),
		"ack_rate": s.ack.Rate, "ack_duration": s.ack.Duration.String(),
		"warroom_incidents": s.warRoom.Incidents, "warroom_concurrency": s.warRoom.Concurrency,
		"burst": s.burst.Incidents, "rate_window": s.burst.Window.String(),
		"scale_incidents": s.scale.Incidents, "scale_cadence": s.scale.Cadence.String(),
		"scale_duration": s.scale.Duration.String(), "scale_worker_in_child": !s.scale.InlineWorker,
		"long_days": s.long.Days, "long_cadence": s.long.Cadence.String(), "long_miss_every": s.long.MissEvery.String(),
		"storm_notifications": s.storm.Notifications, "storm_duration": s.storm.Duration.String(),
		"storm_groups": s.storm.Groups, "storm_doors": s.storm.Doors,
		"recovery_kills": s.recovery.Kills, "recovery_burst": s.recovery.Burst,
		"insights_incidents": s.insights.Incidents, "insights_real": s.insights.Real,
		"insights_concurrency": s.insights.Concurrency, "insights_copy_concurrency": s.insights.CopyConcurrency,
	}
}
