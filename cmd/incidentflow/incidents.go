package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

func runDeclare(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("declare", "--title T --severity S [--summary T] [--service S] [--commander U] [--as U] [--security] [--idempotency-key K]").withJSON()
	title := f.fs.String("title", "", "what is broken, in a few words (required)")
	severity := f.fs.String("severity", "", "severity, one of those the worker's configuration lists (required)")
	summary := f.fs.String("summary", "", "what you know so far")
	service := f.fs.String("service", "", "affected service, as the worker's configuration lists under services")
	commander := f.fs.String("commander", "", "the incident commander: a Slack user ID (U…) or email (default: who declares it, when that is a Slack person)")
	who := newIdentity(f.fs, "who declares it")
	f.fs.StringVar(who.as, "declarer", "", "the same as --as")
	_ = f.fs.MarkDeprecated("declarer", "use --as with your Slack user ID or email")
	security := f.fs.Bool("security", false, "security incident: private war room, no details outside it")
	key := idempotencyFlag(f.fs, "declaring again with the same key joins the incident the first attempt declared")
	cfg, err := f.load(args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*title) == "" {
		return errors.New("--title is required: say what is broken in a few words")
	}
	if err := requireSeverity("--severity", *severity); err != nil {
		return err
	}
	incidents, closeFn, err := actingAs(who, cliIncidents)(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	d := incident.Declaration{
		ID:         incident.IDFromKey("cli:" + key.value()),
		Title:      *title,
		Summary:    *summary,
		Severity:   incident.Severity(*severity),
		Service:    *service,
		Declarer:   who.person(),
		Security:   *security,
		Kind:       incident.KindIncident,
		Source:     incident.SourceCLI,
		DeclaredAt: time.Now().UTC(),
	}
	if d.Declarer == "" {
		d.DeclaredVia = who.via()
	}
	if *commander != "" {
		if d.Commander, _, err = who.people.lookup(ctx, *commander); err != nil {
			return fmt.Errorf("--commander %q: %w", *commander, err)
		}
	}
	room, err := incidents.Declare(ctx, d, true)
	if err != nil {
		return key.explain(err)
	}
	if f.jsonOut {
		result, err := key.addTo(room)
		if err != nil {
			return err
		}
		return printJSON(out, result)
	}
	fmt.Fprintf(out, "Declared incident %s: war room #%s (%s), workflow %s\nDeclared as %s.\n",
		room.ID, room.ChannelName, room.ChannelID, room.WorkflowID, who.actor)
	if d.Commander == "" && d.Declarer == "" {
		fmt.Fprintln(out, "No commander yet, and nobody was invited to the war room on your behalf: join it and take command with `/incident lead @you`, or declare with --commander or --as.")
	}
	return nil
}

// requireSeverity refuses an empty severity flag (--severity, --to).
// Whether it names a severity there is, and whether --service names a
// service, the incident checks against the worker's configuration: this
// machine's may have none, or differ.
func requireSeverity(flag, s string) error {
	if strings.TrimSpace(s) == "" {
		def := incident.DefaultProcess()
		return fmt.Errorf("%s is required: one of the severities of the worker's configuration (by default %s)",
			flag, strings.Join(def.SeverityNames(), ", "))
	}
	return nil
}

// incidentFlags adds --incident to a verb's flags.
func incidentFlags(verb, usage string) (*commonFlags, *string) {
	f := newFlags(verb, "--incident ID "+usage).withJSON()
	id := f.fs.String("incident", "", "the incident's ID, as printed by declare or list (required)")
	return f, id
}

// actingOnIncident adds --incident, --as and --idempotency-key to the flags
// of a verb that changes an incident.
func actingOnIncident(verb, usage string) (*commonFlags, *string, *identity, *idempotencyKey) {
	f, id := incidentFlags(verb, usage+" [--as U] [--idempotency-key K]")
	return f, id, newIdentity(f.fs, "who is acting"), idempotencyFlag(f.fs, "running it again with the same key applies it once")
}

// withIncident loads the configuration, checks --incident and the verb's
// other flags (checks, in order) and runs fn against Temporal, acting as
// who (nil for a verb that only reads).
func withIncident(ctx context.Context, f *commonFlags, args []string, id *string, who *identity, fn func(*incidentOps) (any, string, error), out io.Writer, checks ...func() error) error {
	checkFlags := allOf(func() error { return checkIDFlag("--incident", *id, incidentIDs) }, allOf(checks...))
	connect := cliIncidents
	if who != nil {
		connect = actingAs(who, cliIncidents)
	}
	return withClient(ctx, f, args, out, connect, checkFlags, func(incidents *starter.Incidents) (any, string, error) {
		op := &incidentOps{ctx: ctx, Incidents: incidents, id: *id}
		if who != nil {
			op.who = *who
		}
		return fn(op)
	})
}

func runUpdate(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, key := actingOnIncident("update", "--status S --text T [--next 30m]")
	status := f.fs.String("status", "", "investigating, identified, monitoring or mitigated (required)")
	text := f.fs.String("text", "", "what changed (required)")
	next := f.fs.Duration("next", 0, "when the next update is due (default: the severity's cadence)")
	var st incident.Status
	checkFlags := func() (err error) {
		if st, err = parseStatusFlag(*status); err != nil {
			return err
		}
		if strings.TrimSpace(*text) == "" {
			return errors.New("--text is required: say what changed")
		}
		return checkNextUpdate(*next)
	}
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		err := op.PostStatus(key.context(ctx, "update"), op.id, wfapi.PostStatusRequest{Author: op.who.attribution(), Status: st, Text: *text, NextUpdateIn: *next})
		return key.done(op.done("update", "Posted a status update on incident "+op.id, err))
	}, out, checkFlags)
}

func runSeverity(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, key := actingOnIncident("severity", "--to S [--reason T]")
	to := f.fs.String("to", "", "the new severity (required)")
	reason := f.fs.String("reason", "", "why it changed")
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		err := op.SetSeverity(key.context(ctx, "severity"), op.id, wfapi.SetSeverityRequest{By: op.who.attribution(), Severity: incident.Severity(*to), Reason: *reason, Operator: true})
		return key.done(op.done("severity", "Incident "+op.id+" is now "+*to, err))
	}, out, func() error { return requireSeverity("--to", *to) })
}

func runResolve(ctx context.Context, args []string, out io.Writer) error {
	f, id, who, key := actingOnIncident("resolve", "--summary T")
	summary := f.fs.String("summary", "", "how it was resolved (required)")
	checkSummary := func() error {
		if strings.TrimSpace(*summary) == "" {
			return errors.New("--summary is required: say how it was resolved")
		}
		return nil
	}
	return withIncident(ctx, f, args, id, who, func(op *incidentOps) (any, string, error) {
		err := op.Resolve(key.context(ctx, "resolve"), op.id, wfapi.ResolveRequest{By: op.who.attribution(), Summary: *summary, Operator: true})
		if resolved := op.alreadyResolved(err); resolved != nil {
			result := op.result("resolve")
			result["already_resolved"] = true
			return key.done(result, fmt.Sprintf("Incident %s was already resolved at %s by %s; nothing changed.",
				op.id, incident.Clock(resolved.At, resolved.At.Location()), resolved.By), nil)
		}
		return key.done(op.done("resolve", "Resolved incident "+op.id, err))
	}, out, checkSummary)
}

func runStatus(ctx context.Context, args []string, out io.Writer) error {
	f, id := incidentFlags("status", "")
	return withIncident(ctx, f, args, id, nil, func(op *incidentOps) (any, string, error) {
		inc, err := op.Get(ctx, op.id)
		if err != nil {
			return nil, "", err
		}
		return inc, describe(&inc), nil
	}, out)
}

func runList(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("list", "[--all] [--status S] [--since 7d]").withJSON()
	all := f.fs.Bool("all", false, "list resolved (ended) incidents too, not only open ones")
	status := f.fs.String("status", "", "only incidents in this status: "+strings.Join(starter.StatusNames(), ", ")+" (resolved ones included)")
	since := f.fs.String("since", "", "only incidents declared within this long, e.g. 7d, 36h or 90m")
	var filter starter.ListFilter
	check := func() error {
		filter.Closed, filter.Status = *all, incident.Status(*status)
		if err := filter.Check(); err != nil {
			return fmt.Errorf("--status: %w", err)
		}
		if *since == "" {
			return nil
		}
		age, err := parseAge(*since)
		if err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		filter.Since = time.Now().Add(-age)
		return nil
	}
	return withClient(ctx, f, args, out, cliIncidents, check, func(incidents *starter.Incidents) (any, string, error) {
		list, err := incidents.ListMatching(ctx, filter)
		if err != nil {
			return nil, "", err
		}
		result := map[string]any{"incidents": list}
		if len(list) == 0 {
			if filter == (starter.ListFilter{}) {
				return result, "No open incidents (`incidentflow list --all` shows resolved ones too).", nil
			}
			return result, "No incidents match.", nil
		}
		return result, listTable(list, filter.IncludesClosed()), nil
	})
}

// listTable is the human listing of incidents; withClosed adds when each
// ended.
func listTable(list []starter.Summary, withClosed bool) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	head := "ID\tSEVERITY\tSTATUS\tKIND\tCOMMANDER\tCHANNEL\tSTARTED"
	if withClosed {
		head += "\tCLOSED"
	}
	fmt.Fprintln(tw, head+"\tTITLE")
	for _, s := range list {
		status := s.Status
		if s.Ended != "" && s.Ended != "completed" {
			status += " (workflow " + s.Ended + ")"
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", s.ID, s.Severity, orDash(status), s.Kind, orDash(s.Commander), s.ChannelID,
			s.StartedAt.Local().Format("2006-01-02 15:04"))
		if withClosed {
			closed := "-"
			if !s.ClosedAt.IsZero() {
				closed = s.ClosedAt.Local().Format("2006-01-02 15:04")
			}
			row += "\t" + closed
		}
		fmt.Fprintln(tw, row+"\t"+s.Title)
	}
	_ = tw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// parseAge reads how far back to look: a Go duration (36h, 90m) or a
// number of days (7d).
func parseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q isn't a length of time: write it as 7d, 36h or 90m", s)
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
