package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/alertdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/temporalclient"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/worker"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func runWorker(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := newFlags("worker", "[--temporal-address host:port]").load(args)
	if err != nil {
		return err
	}
	logger := newLogger(cfg)
	c, _, err := connect(ctx, cfg, logger, setUpNamespace)
	if err != nil {
		return err
	}
	defer c.Close()
	stopHTTP, err := startWorkerHTTP(cfg, c, logger)
	if err != nil {
		return err
	}
	defer stopHTTP()
	return worker.Run(ctx, cfg, c)
}

func runServe(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("serve", fmt.Sprintf("[--listen %s]", config.DefaultListen))
	f.fs.String("listen", config.DefaultListen, "front door address")
	config.BindFlag(f.fs, "listen", "http.listen")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if cfg.Slack.BotToken == "" {
		return errors.New("slack.bot_token is empty: set INCIDENTFLOW_SLACK_BOT_TOKEN (or run `incidentflow dev`, which plays Slack itself)")
	}
	if cfg.Slack.AppToken == "" && cfg.Slack.SigningSecret == "" {
		return errors.New("set slack.signing_secret (HTTP mode) or slack.app_token (Socket Mode) so incidentflow can trust what Slack sends")
	}
	logger := newLogger(cfg)
	c, _, err := connect(ctx, cfg, logger, setUpNamespace)
	if err != nil {
		return err
	}
	defer c.Close()
	door, err := newFrontDoor(cfg, c, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "incidentflow front door on http://%s\n", cfg.HTTP.Listen)
	return door.run(ctx)
}

func runSetup(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("setup", fmt.Sprintf("[--temporal-address host:port] [--retention %dh]", devserver.DefaultRetention/time.Hour))
	retention := f.fs.Duration("retention", devserver.DefaultRetention, "how long closed incidents stay visible in Temporal")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if err := checkRetention(*retention); err != nil {
		return err
	}
	c, addr, err := connect(ctx, cfg, newLogger(cfg), anyNamespace)
	if err != nil {
		return err
	}
	defer c.Close()
	outcome, err := setUpCluster(ctx, c, cfg.Temporal.Namespace, addr, *retention, wfapi.SearchAttributeTypes())
	if err != nil {
		return err
	}
	printSetup(out, addr, cfg.Temporal.Namespace, *retention, outcome)
	return nil
}

// frontDoor is the HTTP server (and Socket Mode client) Slack talks to.
type frontDoor struct {
	cfg    *config.Config
	door   *slackdoor.FrontDoor
	server *http.Server
	logger *slog.Logger
}

// newFrontDoor builds the front door over c.
func newFrontDoor(cfg *config.Config, c client.Client, logger *slog.Logger) (*frontDoor, error) {
	var opts []slack.Option
	if cfg.Slack.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.Slack.APIURL))
	}
	api := slack.New(cfg.Slack.BotToken, opts...)
	codec, err := cfg.Temporal.Codec.Codec()
	if err != nil {
		return nil, err
	}
	dc := temporalclient.DataConverter(codec)
	proc := cfg.Process()
	alerts := newAlerts(cfg, c)
	incidents := &starter.Incidents{Client: c, TaskQueue: cfg.Temporal.TaskQueue, Process: proc, DataConverter: dc}
	reports := newInsights(cfg, c, dc)
	scenarios, err := cfg.DrillScenarios()
	if err != nil {
		return nil, err
	}
	door := slackdoor.NewFrontDoor(slackdoor.FrontDoorOptions{
		Incidents:        incidents,
		Slack:            api,
		SlackAPIURL:      cfg.Slack.APIURL,
		SigningSecret:    cfg.Slack.SigningSecret,
		Logger:           logger,
		Retro:            &starter.Retrospectives{Client: c},
		Maintenance:      newMaintenance(cfg, c, proc, dc),
		Alerts:           alerts,
		TimelineReaction: cfg.Timeline.Reaction,
		Insights:         reports,
		InsightsURL:      cfg.InsightsPageURL(),
		Drills:           &starter.Drills{Incidents: incidents, Scenarios: scenarios, Channel: cfg.Drills.Channel},
	})
	alertDoor, err := newAlertDoor(cfg, &proc, alerts, logger)
	if err != nil {
		return nil, err
	}
	codecDoor, err := newCodecDoor(cfg, codec, logger)
	if err != nil {
		return nil, err
	}
	pagerDutyDoor, err := newPagerDutyDoor(cfg, incidents, logger)
	if err != nil {
		return nil, err
	}
	insightsDoor, err := newInsightsDoor(cfg, reports, proc, logger)
	if err != nil {
		return nil, err
	}
	return &frontDoor{
		cfg:    cfg,
		door:   door,
		logger: logger,
		server: &http.Server{Handler: frontdoor.New(frontdoor.Doors{Slack: door, Alerts: alertDoor, Codec: codecDoor, PagerDuty: pagerDutyDoor, Insights: insightsDoor, Ready: temporalProbe(cfg, c).Handler()}, processMetrics(cfg, c)), ReadHeaderTimeout: 5 * time.Second},
	}, nil
}

// newAlertDoor is the alert door over cfg's alerts settings, routing to the
// severities of proc (the server's process); with no source configured it
// refuses every alert with 401.
func newAlertDoor(cfg *config.Config, proc *incident.Process, alerts *starter.Alerts, logger *slog.Logger) (*alertdoor.Door, error) {
	router, err := alert.NewRouter(cfg.Alerts, proc.SeverityLevels())
	if err != nil {
		return nil, err
	}
	return alertdoor.New(alertdoor.Options{Sources: cfg.Alerts.Tokens(), Router: router, Sink: alerts, Logger: logger})
}

// newAlerts is the Temporal client of alert groups.
func newAlerts(cfg *config.Config, c client.Client) *starter.Alerts {
	return &starter.Alerts{Client: c, TaskQueue: cfg.Temporal.TaskQueue, Settings: wfapi.AlertSettings{
		TriageChannel: cfg.Alerts.Channel(), PostEvery: cfg.Alerts.PostInterval(), ReopenWithin: cfg.Alerts.ReopenWindow(),
	}}
}

// run serves until ctx ends; with an app token it also runs Socket Mode.
func (d *frontDoor) run(ctx context.Context) error {
	l, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return portHint(&devserver.PortInUseError{Role: "http", Addr: d.cfg.HTTP.Listen, Err: err})
	}
	errs := make(chan error, 2)
	go func() {
		if err := d.server.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	}()
	if d.cfg.Slack.AppToken != "" {
		go func() { errs <- d.door.RunSocketMode(ctx, d.cfg.Slack.AppToken) }()
		d.logger.Info("Socket Mode on: Slack connects out, no public URL needed")
	}
	select {
	case <-ctx.Done():
	case err := <-errs:
		return err
	}
	return d.drain()
}

// drain stops the front door on SIGTERM (or Ctrl-C): it stops accepting
// connections, lets the requests in flight be answered, then finishes what
// the front door does after answering Slack (opening modals, declarations
// still on their way to Temporal), all within worker.shutdown_grace.
func (d *frontDoor) drain() error {
	grace := d.cfg.Worker.Grace()
	d.logger.Info("stopping: no new connections; finishing the requests in flight", "grace", grace.String())
	start := time.Now()
	shutdown, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := d.server.Shutdown(shutdown); err != nil {
		_ = d.server.Close()
		return fmt.Errorf("requests were still in flight after the %s grace (worker.shutdown_grace) and were cut off: %w", grace, err)
	}
	stopWithin(max(grace-time.Since(start), time.Second), d.door.Wait)
	d.logger.Info("front door stopped: every request answered; exiting", "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}
