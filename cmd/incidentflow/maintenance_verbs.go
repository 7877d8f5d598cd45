package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// maintenanceVerbs are the subcommands of `incidentflow maintenance`.
var maintenanceVerbs = []verb{
	{"schedule", "schedule a window, or reschedule one with --id: --title T --start RFC3339 --duration D [--recurrence R]", runMaintenanceSchedule},
	{"list", "list the scheduled windows", runMaintenanceList},
	{"cancel", "cancel a window and its recurrences: --id ID", runMaintenanceCancel},
	{"status", "show a window and its runs: --id ID", runMaintenanceStatus},
	{"complete", "confirm the window in progress is complete: --id ID", runMaintenanceComplete},
	{"promote", "turn the window in progress into an incident: --id ID --severity S", runMaintenancePromote},
}

// maintenanceVerb runs `incidentflow maintenance <subcommand>`.
func maintenanceVerb(ctx context.Context, args []string, out io.Writer) error {
	return subVerb(ctx, "maintenance", maintenanceVerbs, args, out)
}

// subVerb runs `incidentflow <name> <subcommand>` with one of subs, or
// lists them.
func subVerb(ctx context.Context, name string, subs []verb, args []string, out io.Writer) error {
	if len(args) > 0 {
		for _, v := range subs {
			if v.name == args[0] {
				return v.run(ctx, args[1:], out)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: incidentflow %s <subcommand> [flags]\n\nSubcommands:\n", name)
	for _, v := range subs {
		fmt.Fprintf(&b, "  %-9s %s\n", v.name, v.summary)
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, b.String())
		return nil
	}
	return fmt.Errorf("unknown subcommand %q: use %s (incidentflow %s --help describes them)", args[0], subNames(subs), name)
}

// cliMaintenance connects the CLI to Temporal for maintenance windows.
func cliMaintenance(ctx context.Context, cfg *config.Config) (*starter.Maintenance, func(), error) {
	dc, err := dataConverter(cfg)
	if err != nil {
		return nil, nil, err
	}
	c, err := cliDial(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return newMaintenance(cfg, c, cfg.Process(), dc), c.Close, nil
}

// withMaintenance loads the configuration, checks the subcommand's flags
// (checks, in order) and runs fn against Temporal, acting as who (nil for a
// subcommand that only reads), printing its JSON result or its human
// summary.
func withMaintenance(ctx context.Context, f *commonFlags, args []string, out io.Writer, who *identity, fn func(*starter.Maintenance) (any, string, error), checks ...func() error) error {
	connect := cliMaintenance
	if who != nil {
		connect = actingAs(who, cliMaintenance)
	}
	return withClient(ctx, f, args, out, connect, allOf(checks...), func(m *starter.Maintenance) (any, string, error) {
		result, human, err := fn(m)
		return result, strings.TrimRight(human, "\n"), err
	})
}

// windowIDFlag adds --id to a subcommand that needs one.
func windowIDFlag(f *commonFlags) *string {
	return f.fs.String("id", "", "the window's ID, as printed by schedule or list (required)")
}

func checkWindowID(id string) error { return checkIDFlag("--id", id, windowIDs) }

func runMaintenanceList(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance list", "").withJSON()
	return withMaintenance(ctx, f, args, out, nil, func(m *starter.Maintenance) (any, string, error) {
		list, err := m.List(ctx)
		if err != nil {
			return nil, "", err
		}
		if len(list) == 0 {
			return map[string]any{"windows": list}, "No maintenance windows are scheduled.", nil
		}
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNEXT START\tDURATION\tREPEATS\tSTATE\tTITLE")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, when(s.NextStart, m.Process.Location()),
				incident.FormatDuration(s.Window.Duration), s.Window.Recurrence, windowState(s), s.Window.Title)
		}
		_ = tw.Flush()
		return map[string]any{"windows": list}, b.String(), nil
	})
}

func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// windowState is the state of a window's runs, or of its schedule.
func windowState(s starter.WindowSummary) string {
	var phases []string
	for _, r := range s.Runs {
		phases = append(phases, string(r.State.Phase))
	}
	switch {
	case len(phases) > 0:
		return strings.Join(phases, ",")
	case s.Paused:
		return "paused"
	case s.NextStart.IsZero():
		return "done"
	}
	return "scheduled"
}

func runMaintenanceCancel(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance cancel", "--id ID [--reason T] [--idempotency-key K]").withJSON()
	id := windowIDFlag(f)
	reason := f.fs.String("reason", "", "why, for the channels that had a heads-up")
	who := newIdentity(f.fs, "who cancels")
	key := idempotencyFlag(f.fs, "running it again with the same key calls the coming window off once")
	return withMaintenance(ctx, f, args, out, who, func(m *starter.Maintenance) (any, string, error) {
		res, err := m.Cancel(key.context(ctx, "maintenance-cancel"), *id, who.attribution(), *reason)
		if err != nil {
			return key.done(nil, "", err)
		}
		human := fmt.Sprintf("Cancelled maintenance %s as %s: its schedule is deleted.", res.ID, who.actor)
		switch {
		case len(res.Notified) > 0:
			human += fmt.Sprintf(" The coming window was called off; %s, which had a heads-up, %s told.", channelList(res.Notified), isAre(len(res.Notified)))
		case len(res.CalledOff) > 0:
			human += " The coming window was called off; no heads-up had gone out, so nothing was posted."
		}
		if n := len(res.InProgress); n > 0 {
			human += fmt.Sprintf(" %d window(s) in progress carry on: complete them in their war room.", n)
		}
		return key.done(res, human, nil)
	}, func() error { return checkWindowID(*id) })
}

func runMaintenanceStatus(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance status", "--id ID").withJSON()
	id := windowIDFlag(f)
	return withMaintenance(ctx, f, args, out, nil, func(m *starter.Maintenance) (any, string, error) {
		s, err := m.Get(ctx, *id)
		if err != nil {
			return nil, "", err
		}
		loc := m.Process.Location()
		var b strings.Builder
		fmt.Fprintf(&b, "Maintenance %s: %s\n  %s, for %s · %s\n  next start %s\n", s.ID, s.Window.Title, s.When,
			incident.FormatDuration(s.Window.Duration), windowState(s), when(s.NextStart, loc))
		for _, r := range s.Runs {
			fmt.Fprintf(&b, "  run %s: %s, %s to %s", r.WorkflowID, r.State.Phase, when(r.State.Start, loc), incident.Clock(r.State.End, loc))
			if r.State.ChannelID != "" {
				fmt.Fprintf(&b, ", war room #%s (%s)", r.State.ChannelName, r.State.ChannelID)
			}
			b.WriteString("\n")
			writeStatusPage(&b, r.State.StatusPage)
		}
		return s, b.String(), nil
	}, func() error { return checkWindowID(*id) })
}

func runMaintenanceComplete(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance complete", "--id ID [--note T] [--retrospective] [--idempotency-key K]").withJSON()
	id := windowIDFlag(f)
	note := f.fs.String("note", "", "how it went, for the war room's resolution")
	retro := f.fs.Bool("retrospective", false, "hold a retrospective of this window")
	who := newIdentity(f.fs, "who confirms")
	key := idempotencyFlag(f.fs, "running it again with the same key gives the first attempt's answer")
	return withMaintenance(ctx, f, args, out, who, func(m *starter.Maintenance) (any, string, error) {
		st, err := m.CompleteWith(key.context(ctx, "maintenance-complete"), *id, wfapi.CompleteMaintenanceRequest{By: who.attribution(), Note: *note, Retrospective: *retro})
		return key.done(st, fmt.Sprintf("Maintenance %s is complete (confirmed as %s); its end is announced.", *id, who.actor), err)
	}, func() error { return checkWindowID(*id) })
}

func runMaintenancePromote(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("maintenance promote", "--id ID --severity S [--note T] [--idempotency-key K]").withJSON()
	id := windowIDFlag(f)
	severity := f.fs.String("severity", "", "the incident's severity (required)")
	note := f.fs.String("note", "", "what went wrong")
	who := newIdentity(f.fs, "who declares the incident")
	key := idempotencyFlag(f.fs, "running it again with the same key joins the incident the first attempt declared")
	return withMaintenance(ctx, f, args, out, who, func(m *starter.Maintenance) (any, string, error) {
		// The promoting person declares the incident and, without a lead,
		// commands it, so only a Slack person goes there.
		res, err := m.PromoteWith(key.context(ctx, "maintenance-promote"), *id, wfapi.PromoteMaintenanceRequest{By: who.person(), Severity: incident.Severity(*severity), Note: *note})
		return key.done(res, fmt.Sprintf("Maintenance %s is now incident %s (workflow %s), declared as %s.", *id, res.IncidentID, res.WorkflowID, who.actor), err)
	}, func() error { return checkWindowID(*id) }, func() error { return requireSeverity("--severity", *severity) })
}

// channelList names channels (by ID) in a sentence.
func channelList(chs []string) string {
	if len(chs) == 1 {
		return "channel " + chs[0]
	}
	return "channels " + strings.Join(chs, ", ")
}

func isAre(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}
