package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/internal/devstate"
	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
	"github.com/incidentflow/incidentflow/internal/slackemu"
	"github.com/incidentflow/incidentflow/internal/statuspageemu"
	"github.com/incidentflow/incidentflow/worker"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// Sandbox credentials used by `incidentflow dev` when no real ones are set.
const (
	sandboxBotToken      = "xoxb-sandbox"
	sandboxSigningSecret = "sandbox-signing-secret"
	sandboxGitHubRepo    = "acme/incidents"
)

// devFlagFor names the flag that changes the port of each dev server role.
var devFlagFor = map[string]string{
	"frontend":   "--frontend-port",
	"ui":         "--ui-port",
	"http":       "--listen",
	"slack":      "--slack-port",
	"github":     "--github-port",
	"pagerduty":  "--pagerduty-port",
	"statuspage": "--statuspage-port",
}

func runDev(ctx context.Context, args []string, out io.Writer) error {
	f := newConfigFlags("dev", fmt.Sprintf("[--data-dir DIR] [--frontend-port %d] [--ui-port %d] [--listen %s] [--slack-port %d] [--github-port %d] [--pagerduty-port %d]",
		config.DefaultFrontendPort, config.DefaultUIPort, config.DefaultListen, config.DefaultSlackPort, config.DefaultGitHubPort, config.DefaultPagerDutyPort)).withDataDir()
	for _, p := range []struct {
		name, key, usage string
		def              int
	}{
		{"frontend-port", "dev.frontend_port", "Temporal frontend (gRPC) port", config.DefaultFrontendPort},
		{"ui-port", "dev.ui_port", "Temporal Web UI port", config.DefaultUIPort},
		{"slack-port", "dev.slack_port", "Slack sandbox port (used when slack.bot_token is empty)", config.DefaultSlackPort},
		{"github-port", "dev.github_port", "GitHub sandbox port (used when github.token is empty)", config.DefaultGitHubPort},
		{"pagerduty-port", "dev.pagerduty_port", "PagerDuty sandbox port (used when paging.pagerduty.routing_key is empty)", config.DefaultPagerDutyPort},
		{"statuspage-port", "dev.statuspage_port", "Statuspage sandbox port (used when statuspage.api_key is empty)", config.DefaultStatusPagePort},
	} {
		f.fs.Int(p.name, p.def, p.usage)
		config.BindFlag(f.fs, p.name, p.key)
	}
	f.fs.String("listen", config.DefaultListen, "front door address (/slack/*, /alerts/*, /healthz, /metrics)")
	config.BindFlag(f.fs, "listen", "http.listen")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if cfg.Temporal.Address != "" {
		return fmt.Errorf("temporal.address is set (%s): `incidentflow dev` runs its own Temporal server; use `incidentflow worker` and `incidentflow serve` against a cluster", cfg.Temporal.Address)
	}
	logger := newLogger(cfg)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if err := checkPorts(cfg); err != nil {
		return err
	}
	started := time.Now()
	srv, err := devserver.Start(ctx, devserver.Options{
		DataDir:          cfg.Dev.DataDir,
		FrontendAddr:     devserver.LoopbackAddr(cfg.Dev.FrontendPort),
		UIAddr:           devserver.LoopbackAddr(cfg.Dev.UIPort),
		Namespace:        cfg.Temporal.Namespace,
		SearchAttributes: wfapi.SearchAttributeTypes(),
		Logger:           logger,
	})
	if err != nil {
		return portHint(err)
	}
	defer stopWithin(5*time.Second, func() { _ = srv.Stop() })
	if cfg.Temporal.WebUIURL == "" {
		cfg.Temporal.WebUIURL = srv.UIURL()
	}

	sandboxes, err := startSandboxes(cfg)
	if err != nil {
		return err
	}
	defer sandboxes.close()

	opts, _, err := clientOptions(cfg, srv.FrontendAddress(), logger)
	if err != nil {
		return err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return fmt.Errorf("can't reach the embedded Temporal at %s: %w", srv.FrontendAddress(), err)
	}
	defer c.Close()
	door, err := newFrontDoor(cfg, c, logger)
	if err != nil {
		return err
	}

	state, err := announce(ctx, cfg, srv, c, sandboxes)
	if err != nil {
		return err
	}
	defer func() { _ = devstate.Remove(cfg.Dev.DataDir, state) }()

	errs := make(chan error, 2)
	var running sync.WaitGroup
	for _, part := range []func(context.Context) error{
		func(ctx context.Context) error { return worker.Run(ctx, cfg, c) },
		door.run,
	} {
		running.Add(1)
		go func() { defer running.Done(); errs <- part(ctx) }()
	}

	fmt.Fprintf(out, "incidentflow dev is ready (%s)\n", time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(out, "  Temporal Web UI   %s\n", srv.UIURL())
	fmt.Fprintf(out, "  Temporal frontend %s (namespace %s, data in %s)\n", srv.FrontendAddress(), cfg.Temporal.Namespace, filepath.Join(cfg.Dev.DataDir, "temporal.db"))
	fmt.Fprintf(out, "  Front door        %s  (/slack/commands, /slack/interactions, /slack/events, /alerts/*, /pagerduty/webhook, /insights, /healthz, /metrics)\n", state.FrontDoorURL)
	sandboxes.describe(out)
	describeCodec(out, cfg, state.FrontDoorURL)
	from := "run from this directory"
	if flag := dataDirFlag(cfg); flag != "" {
		from += " with" + flag
	}
	fmt.Fprintf(out, "  Other verbs       %s, find this dev through %s; from anywhere, use --temporal-address %s\n",
		from, devstate.Path(cfg.Dev.DataDir), srv.FrontendAddress())
	fmt.Fprintf(out, "Try: incidentflow declare --title \"Checkout is down\" --severity critical%s\n", dataDirFlag(cfg))
	fmt.Fprintf(out, "  or rehearse one: incidentflow drill --scenario bad-deploy --speed 8%s\nPress Ctrl-C to stop.\n", dataDirFlag(cfg))

	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "Stopping…")
	case err = <-errs:
		cancel()
	}
	// Let the worker and the front door drain (worker.shutdown_grace)
	// before their client and the server go away.
	stopWithin(cfg.Worker.Grace()+5*time.Second, running.Wait)
	return err
}

// announce writes the state file through which the other verbs find this
// dev: where its Temporal, Web UI, front door and Slack sandbox are, and
// its cluster ID.
func announce(ctx context.Context, cfg *config.Config, srv *devserver.Server, c client.Client, s *sandboxes) (devstate.State, error) {
	info, err := c.WorkflowService().GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		return devstate.State{}, fmt.Errorf("asking the embedded Temporal for its cluster ID: %w", err)
	}
	state := devstate.State{
		PID:             os.Getpid(),
		StartedAt:       time.Now().UTC(),
		TemporalAddress: srv.FrontendAddress(),
		ClusterID:       info.GetClusterId(),
		Namespace:       cfg.Temporal.Namespace,
		WebUIURL:        cfg.Temporal.WebUIURL,
		FrontDoorURL:    "http://" + cfg.HTTP.Listen,
	}
	if s.slack != nil {
		state.SlackSandboxURL = s.slack.URL()
	}
	return state, devstate.Write(cfg.Dev.DataDir, state)
}

// dataDirFlag is the --data-dir the other verbs need to find this dev, or
// "" for the default.
func dataDirFlag(cfg *config.Config) string {
	if filepath.Clean(cfg.Dev.DataDir) == filepath.Clean(config.DefaultDataDir) {
		return ""
	}
	return " --data-dir " + cfg.Dev.DataDir
}

// sandboxes are the Slack and GitHub emulators dev serves when no real
// credentials are configured.
type sandboxes struct {
	slack  *slackemu.Server
	github *githubemu.Server
	// pagerduty is the PagerDuty sandbox (dev_pagerduty.go), on call
	// through escalation policy onCallPolicy.
	pagerduty    *pagerdutyemu.Server
	onCallPolicy string
	// statuspage is the Statuspage sandbox (dev_statuspage.go).
	statuspage *statuspageemu.Server
	// alertToken is the token every alert source accepts when none is
	// configured.
	alertToken string
	// sandboxSecret says the Slack sandbox signs with sandboxSigningSecret,
	// which the banner may print; a configured secret it never prints.
	sandboxSecret bool
}

// ensureSandboxChannels creates the channels the configuration names in
// the Slack sandbox — where declarations are announced, where status
// updates are broadcast, and the alert triage channel — as public channels
// with the bot and the seeded people in them, unless they exist. A
// configured channel ID (upper case) names a channel that must exist
// already.
func ensureSandboxChannels(s *slackemu.Server, cfg *config.Config) error {
	p := cfg.Process()
	names := slices.Concat(p.AnnounceChannels, p.BroadcastChannels, []string{cfg.Alerts.Channel()})
	for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
		if _, exists := s.ChannelByName(name); exists || name != strings.ToLower(name) {
			continue
		}
		if _, err := s.CreateChannel(name, false, slackemu.BotUserID, slackemu.UserAlice, slackemu.UserBob, slackemu.UserCarol); err != nil {
			return fmt.Errorf("creating #%s in the Slack sandbox: %w", name, err)
		}
	}
	return nil
}

// startSandboxes starts the emulators that stand in for missing credentials
// and points cfg at them.
func startSandboxes(cfg *config.Config) (*sandboxes, error) {
	s := &sandboxes{}
	if cfg.Slack.BotToken == "" {
		if cfg.Slack.SigningSecret == "" {
			cfg.Slack.SigningSecret = sandboxSigningSecret
		}
		s.sandboxSecret = cfg.Slack.SigningSecret == sandboxSigningSecret
		s.slack = slackemu.New(slackemu.Options{BotToken: sandboxBotToken,
			StateFile:        filepath.Join(cfg.Dev.DataDir, "slack-sandbox.json"),
			MessageShortcuts: sandboxMessageShortcuts()})
		if err := s.slack.StateFileError(); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
		if err := s.slack.Start(devserver.LoopbackAddr(cfg.Dev.SlackPort)); err != nil {
			s.close()
			return nil, portHint(&devserver.PortInUseError{Role: "slack", Addr: devserver.LoopbackAddr(cfg.Dev.SlackPort), Err: err})
		}
		s.slack.SetFrontDoor("http://"+cfg.HTTP.Listen, cfg.Slack.SigningSecret)
		cfg.Slack.BotToken = sandboxBotToken
		cfg.Slack.APIURL = s.slack.URL() + "/api/"
		cfg.Slack.AppToken = "" // the sandbox plays Slack over HTTP
		if err := ensureSandboxChannels(s.slack, cfg); err != nil {
			s.close()
			return nil, err
		}
	}
	if len(cfg.Alerts.Sources) == 0 {
		cfg.Alerts.Sources = map[string]alert.SourceConfig{}
		for _, src := range alert.Sources {
			cfg.Alerts.Sources[string(src)] = alert.SourceConfig{Token: sandboxAlertToken}
		}
		s.alertToken = sandboxAlertToken
	}
	if cfg.GitHub.Token == "" {
		s.github = githubemu.New(githubemu.Options{StateFile: filepath.Join(cfg.Dev.DataDir, "github-sandbox.json")})
		if err := s.github.StateFileError(); err != nil {
			fmt.Fprintf(os.Stderr, "warning: %v\n", err)
		}
		if err := s.github.Start(devserver.LoopbackAddr(cfg.Dev.GitHubPort)); err != nil {
			s.close()
			return nil, portHint(&devserver.PortInUseError{Role: "github", Addr: devserver.LoopbackAddr(cfg.Dev.GitHubPort), Err: err})
		}
		cfg.GitHub.Token = githubemu.SandboxToken
		cfg.GitHub.BaseURL = s.github.URL() + "/"
		if cfg.GitHub.Repo == "" {
			cfg.GitHub.Repo = sandboxGitHubRepo
		}
	}
	pd, err := startPagerDutySandbox(cfg)
	if err != nil {
		s.close()
		return nil, err
	}
	s.pagerduty, s.onCallPolicy = pd, cfg.Paging.PagerDuty.EscalationPolicy
	if s.statuspage, err = startStatusPageSandbox(cfg); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// sandboxMessageShortcuts are the front door's message shortcuts, which the
// Slack sandbox's page offers on every message.
func sandboxMessageShortcuts() []slackemu.MessageShortcutEntry {
	var out []slackemu.MessageShortcutEntry
	for _, sc := range slackdoor.MessageShortcuts() {
		out = append(out, slackemu.MessageShortcutEntry{CallbackID: sc.CallbackID, Name: sc.Name})
	}
	return out
}

func (s *sandboxes) describe(out io.Writer) {
	if s.slack != nil {
		secret := "the signing secret of slack.signing_secret"
		if s.sandboxSecret {
			secret = fmt.Sprintf("signing secret %q", sandboxSigningSecret)
		}
		fmt.Fprintf(out, "  Slack sandbox     %s  (state: %s/_emu/state, bot token %s, %s)\n", s.slack.URL(), s.slack.URL(), sandboxBotToken, secret)
	}
	if s.alertToken != "" {
		fmt.Fprintf(out, "  Alerts            POST /alerts/alertmanager, /alerts/grafana, /alerts/webhook with \"Authorization: Bearer %s\"; try `incidentflow alert fire --labels alertname=HighErrorRate,service=checkout`\n", s.alertToken)
	}
	if s.github != nil {
		fmt.Fprintf(out, "  GitHub sandbox    %s  (state: %s/_emu/state, repo %s)\n", s.github.URL(), s.github.URL(), sandboxGitHubRepo)
	}
	describePagerDuty(out, s.pagerduty, s.onCallPolicy)
	describeStatusPage(out, s.statuspage)
}

func (s *sandboxes) close() {
	if s.slack != nil {
		s.slack.Close()
	}
	if s.github != nil {
		s.github.Close()
	}
	if s.pagerduty != nil {
		s.pagerduty.Close()
	}
	if s.statuspage != nil {
		s.statuspage.Close()
	}
}

// checkPorts fails fast, in one line, on a port something else holds.
func checkPorts(cfg *config.Config) error {
	ports := map[string]string{"frontend": devserver.LoopbackAddr(cfg.Dev.FrontendPort), "ui": devserver.LoopbackAddr(cfg.Dev.UIPort), "http": cfg.HTTP.Listen}
	if cfg.Slack.BotToken == "" {
		ports["slack"] = devserver.LoopbackAddr(cfg.Dev.SlackPort)
	}
	if cfg.GitHub.Token == "" {
		ports["github"] = devserver.LoopbackAddr(cfg.Dev.GitHubPort)
	}
	if cfg.Paging.PagerDuty.RoutingKey == "" {
		ports["pagerduty"] = devserver.LoopbackAddr(cfg.Dev.PagerDutyPort)
	}
	if cfg.StatusPage.APIKey == "" {
		ports["statuspage"] = devserver.LoopbackAddr(cfg.Dev.StatusPagePort)
	}
	for _, role := range []string{"frontend", "ui", "http", "slack", "github", "pagerduty", "statuspage"} {
		addr, ok := ports[role]
		if !ok {
			continue
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return portHint(&devserver.PortInUseError{Role: role, Addr: addr, Err: err})
		}
		l.Close()
	}
	return nil
}

// portHint turns a busy port into one line naming the flag that moves it.
func portHint(err error) error {
	var busy *devserver.PortInUseError
	if errors.As(err, &busy) {
		return fmt.Errorf("port %s (%s) is already in use; stop whatever holds it or pick another with %s", busy.Addr, busy.Role, devFlagFor[busy.Role])
	}
	return err
}

// stopWithin runs stop, giving up after d so Ctrl-C never hangs.
func stopWithin(d time.Duration, stop func()) {
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
