package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func runDeclare(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("declare", "--title T --severity S [--summary T] [--service S] [--commander U] [--security]").withJSON()
	title := f.fs.String("title", "", "what is broken, in a few words (required)")
	severity := f.fs.String("severity", "", "severity, one of the configured ones (required)")
	summary := f.fs.String("summary", "", "what you know so far")
	service := f.fs.String("service", "", "affected service, as configured under services")
	commander := f.fs.String("commander", "", "Slack user ID of the incident commander (default: the declarer)")
	declarer := f.fs.String("declarer", "", "Slack user ID of whoever declares it (default: none)")
	security := f.fs.Bool("security", false, "security incident: private war room, no details outside it")
	key := f.fs.String("idempotency-key", "", "declaring twice with the same key gives one incident (default: random)")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*title) == "" {
		return errors.New("--title is required: say what is broken in a few words")
	}
	p := process(cfg, "")
	if err := p.CheckSeverity(incident.Severity(*severity)); err != nil {
		return fmt.Errorf("--severity: %w", err)
	}
	if *service != "" {
		if _, ok := p.Services[*service]; !ok {
			return fmt.Errorf("--service: unknown service %q; configured services are listed under services in the configuration", *service)
		}
	}
	if *key == "" {
		*key = randomKey()
	}
	incidents, closeFn, err := cliIncidents(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	room, err := incidents.Declare(ctx, incident.Declaration{
		ID:         incident.IDFromKey("cli:" + *key),
		Title:      *title,
		Summary:    *summary,
		Severity:   incident.Severity(*severity),
		Service:    *service,
		Commander:  *commander,
		Declarer:   *declarer,
		Security:   *security,
		Kind:       incident.KindIncident,
		Source:     incident.SourceCLI,
		DeclaredAt: time.Now().UTC(),
	}, true)
	if err != nil {
		return err
	}
	if f.jsonOut {
		return printJSON(out, room)
	}
	fmt.Fprintf(out, "Declared incident %s: war room #%s (%s), workflow %s\n", room.ID, room.ChannelName, room.ChannelID, room.WorkflowID)
	return nil
}

// incidentFlags adds --incident and --by to a verb's flags.
func incidentFlags(verb, usage string) (*commonFlags, *string, *string) {
	f := newFlags(verb, "--incident ID "+usage).withJSON()
	id := f.fs.String("incident", "", "the incident's ID, as printed by declare or list (required)")
	by := f.fs.String("by", cliUser(), "who is acting (a Slack user ID, or your name)")
	return f, id, by
}

// withIncident loads the configuration, checks --incident and runs fn
// against Temporal.
func withIncident(ctx context.Context, f *commonFlags, args []string, id *string, fn func(*incidentOps) (any, string, error), out io.Writer) error {
	checkID := func() error {
		if !incident.ValidID(*id) {
			return errors.New("--incident is required: the ID printed by `incidentflow declare` or `incidentflow list`")
		}
		return nil
	}
	return withClient(ctx, f, args, out, cliIncidents, checkID, func(incidents *starter.Incidents) (any, string, error) {
		return fn(&incidentOps{ctx: ctx, Incidents: incidents, id: *id})
	})
}

func runUpdate(ctx context.Context, args []string, out io.Writer) error {
	f, id, by := incidentFlags("update", "--status S --text T [--next 30m]")
	status := f.fs.String("status", "", "investigating, identified, monitoring or mitigated (required)")
	text := f.fs.String("text", "", "what changed (required)")
	next := f.fs.Duration("next", 0, "when the next update is due (default: the severity's cadence)")
	return withIncident(ctx, f, args, id, func(op *incidentOps) (any, string, error) {
		st, err := incident.ParseUpdateStatus(*status)
		if err != nil {
			return nil, "", fmt.Errorf("--status: %w", err)
		}
		if strings.TrimSpace(*text) == "" {
			return nil, "", errors.New("--text is required: say what changed")
		}
		err = op.PostStatus(ctx, op.id, wfapi.PostStatusRequest{Author: *by, Status: st, Text: *text, NextUpdateIn: *next})
		return op.result("update"), "Posted a status update on incident " + op.id, err
	}, out)
}

func runSeverity(ctx context.Context, args []string, out io.Writer) error {
	f, id, by := incidentFlags("severity", "--to S [--reason T]")
	to := f.fs.String("to", "", "the new severity (required)")
	reason := f.fs.String("reason", "", "why it changed")
	return withIncident(ctx, f, args, id, func(op *incidentOps) (any, string, error) {
		err := op.SetSeverity(ctx, op.id, wfapi.SetSeverityRequest{By: *by, Severity: incident.Severity(*to), Reason: *reason})
		return op.result("severity"), "Incident " + op.id + " is now " + *to, err
	}, out)
}

func runResolve(ctx context.Context, args []string, out io.Writer) error {
	f, id, by := incidentFlags("resolve", "--summary T")
	summary := f.fs.String("summary", "", "how it was resolved (required)")
	return withIncident(ctx, f, args, id, func(op *incidentOps) (any, string, error) {
		if strings.TrimSpace(*summary) == "" {
			return nil, "", errors.New("--summary is required: say how it was resolved")
		}
		err := op.Resolve(ctx, op.id, wfapi.ResolveRequest{By: *by, Summary: *summary})
		return op.result("resolve"), "Resolved incident " + op.id, err
	}, out)
}

func runStatus(ctx context.Context, args []string, out io.Writer) error {
	f, id, _ := incidentFlags("status", "")
	return withIncident(ctx, f, args, id, func(op *incidentOps) (any, string, error) {
		inc, err := op.Get(ctx, op.id)
		if err != nil {
			return nil, "", err
		}
		return inc, describe(&inc), nil
	}, out)
}

func runList(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("list", "").withJSON()
	return withClient(ctx, f, args, out, cliIncidents, nil, func(incidents *starter.Incidents) (any, string, error) {
		list, err := incidents.List(ctx)
		if err != nil {
			return nil, "", err
		}
		result := map[string]any{"incidents": list}
		if len(list) == 0 {
			return result, "No open incidents.", nil
		}
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tSTATUS\tKIND\tCOMMANDER\tCHANNEL\tSTARTED\tTITLE")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Severity, s.Status, s.Kind, s.Commander, s.ChannelID,
				s.StartedAt.Local().Format("2006-01-02 15:04"), s.Title)
		}
		err = tw.Flush()
		return result, strings.TrimSuffix(b.String(), "\n"), err
	})
}

// describe is the human summary of an incident.
func describe(inc *incident.Incident) string {
	var b strings.Builder
	d := inc.Declaration
	fmt.Fprintf(&b, "Incident %s: %s\n", d.ID, d.Title)
	fmt.Fprintf(&b, "  severity %s · status %s · commander %s", inc.Severity, inc.Status, orDash(inc.Commander))
	if inc.Comms != "" {
		fmt.Fprintf(&b, " · comms %s", inc.Comms)
	}
	fmt.Fprintf(&b, "\n  war room #%s (%s)\n", orDash(inc.ChannelName), orDash(inc.ChannelID))
	if !inc.NextUpdateBy.IsZero() && !inc.IsResolved() {
		fmt.Fprintf(&b, "  next update due %s\n", inc.NextUpdateBy.Local().Format("15:04 MST"))
	}
	if inc.IsResolved() {
		dur := inc.Durations()
		fmt.Fprintf(&b, "  resolved: %s (to acknowledge %s, to mitigate %s, to resolve %s)\n", inc.Resolution,
			dur.ToAcknowledge.Round(time.Second), dur.ToMitigate.Round(time.Second), dur.ToResolve.Round(time.Second))
	}
	fmt.Fprintf(&b, "  timeline (%d entries):\n", len(inc.Timeline))
	for _, e := range inc.Timeline {
		fmt.Fprintf(&b, "    %s  %-10s %s %s\n", e.At.Local().Format("01-02 15:04"), e.Kind, orDash(e.Actor), e.Text)
	}
	return strings.TrimRight(b.String(), "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func cliUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "cli"
}
