package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/drill"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

// drillVerbs are the subcommands of `incidentflow drill` besides starting
// one (`incidentflow drill --scenario NAME`).
var drillVerbs = []verb{
	{"list", "list the scenarios: built in and in drills.scenarios_dir", runDrillList},
	{"hint", "reveal a drill's next hint: --incident ID", runDrillHint},
}

// drillVerb starts a drill, or runs one of drillVerbs.
func drillVerb(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return subVerb(ctx, "drill", drillVerbs, args, out)
	}
	return runDrill(ctx, args, out)
}

// runDrill starts a drill and waits until its room is ready.
func runDrill(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("drill", "--scenario NAME [--participants U1,U2] [--commander U] [--speed 4] [--as U] [--idempotency-key K]  (or: drill list | drill hint --incident ID)").withJSON()
	scenario := f.fs.String("scenario", "", "the scenario to play: a built-in one (database-outage, bad-deploy, security-breach) or one in drills.scenarios_dir (required; incidentflow drill list lists them)")
	participants := f.fs.StringSlice("participants", nil, "Slack user IDs or emails invited to the drill room, comma-separated")
	commander := f.fs.String("commander", "", "who plays the commander: a Slack user ID or email (default: who starts it)")
	speed := f.fs.Float64("speed", 1, fmt.Sprintf("play the scenario this many times faster (%v to %v): its offsets and the update cadence shrink", drill.MinSpeed, drill.MaxSpeed))
	who := newIdentity(f.fs, "who starts the drill")
	key := idempotencyFlag(f.fs, "starting again with the same key joins the drill the first attempt started")
	check := func() error {
		if strings.TrimSpace(*scenario) == "" {
			return errors.New("--scenario is required: `incidentflow drill list` lists the scenarios")
		}
		return drill.CheckSpeed(*speed)
	}
	return withClient(ctx, f, args, out, actingAs(who, cliDrills), check, func(d *starter.Drills) (any, string, error) {
		req := starter.DrillRequest{Scenario: *scenario, Speed: *speed, By: who.person(), Key: key.value()}
		if req.By == "" {
			req.DeclaredVia = who.via()
		}
		var err error
		if *commander != "" {
			if req.Commander, _, err = who.people.lookup(ctx, *commander); err != nil {
				return nil, "", fmt.Errorf("--commander %q: %w", *commander, err)
			}
		}
		for _, p := range *participants {
			id, _, err := who.people.lookup(ctx, strings.TrimSpace(p))
			if err != nil {
				return nil, "", fmt.Errorf("--participants %q: %w", p, err)
			}
			req.Participants = append(req.Participants, id)
		}
		started, err := d.Start(ctx, req, true)
		if err != nil {
			return key.done(nil, "", err)
		}
		human := fmt.Sprintf("Drill %s started: scenario %s in #%s (%s), workflow %s\nStarted as %s. Play it in the drill room; /incident hint (or `incidentflow drill hint --incident %s`) reveals the next fact.",
			started.ID, started.Scenario, started.Channel, started.ChannelID, started.WorkflowID, who.actor, started.ID)
		return key.done(started, human, nil)
	})
}

// cliDrills is the drill starter over the CLI's Temporal client, with the
// scenarios of this machine's configuration.
func cliDrills(ctx context.Context, cfg *config.Config) (*starter.Drills, func(), error) {
	scenarios, err := cfg.DrillScenarios()
	if err != nil {
		return nil, nil, err
	}
	incidents, closeFn, err := cliIncidents(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &starter.Drills{Incidents: incidents, Scenarios: scenarios, Channel: cfg.Drills.Channel}, closeFn, nil
}

// runDrillList lists the scenarios.
func runDrillList(_ context.Context, args []string, out io.Writer) error {
	f := newFlags("drill list", "").withJSON()
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	scenarios, err := cfg.DrillScenarios()
	if err != nil {
		return err
	}
	if f.jsonOut {
		return printJSON(out, scenarios)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tSEVERITY\tTIME LIMIT\tINJECTS\tFROM\tTITLE")
	for _, s := range scenarios {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.Severity, incident.FormatDuration(s.TimeLimit), len(s.Injects), s.Origin, s.Title)
	}
	return tw.Flush()
}

// runDrillHint reveals a drill's next hint.
func runDrillHint(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, _ := actingOnIncident("drill hint", "")
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		d := &starter.Drills{Incidents: op.Incidents}
		hint, err := d.Hint(op.ctx, op.id, who.person())
		if err != nil {
			return nil, "", err
		}
		return hint, fmt.Sprintf("Hint %d of %d: %s", hint.N, hint.Of, hint.Hint), nil
	}, out)
}
