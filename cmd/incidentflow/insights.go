package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incidentflow/incidentflow/config"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
	"github.com/incidentflow/incidentflow/starter"
)

// runInsights prints the response figures of a period: a summary, the
// Report as one JSON object with --json, or one CSV row per incident with
// --csv.
func runInsights(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("insights", "--since 90d [--until D] [--severity S] [--service S] [--json | --csv]").withJSON()
	since := f.fs.String("since", "90d", "the period's start: a length of time back (90d, 12w, 24h, 30m) or a date (2026-01-31, or RFC3339)")
	until := f.fs.String("until", "", "the period's end, written like --since (default: now)")
	severity := f.fs.String("severity", "", "only incidents of this severity")
	service := f.fs.String("service", "", "only incidents of this service")
	csvOut := f.fs.Bool("csv", false, "print a header and one CSV row per incident with every timestamp, for a spreadsheet")
	var filter insights.Filter
	check := func() (err error) {
		if f.jsonOut && *csvOut {
			return errors.New("--json and --csv both given: choose one")
		}
		if filter, err = insights.ParsePeriod(*since, *until, time.Now()); err != nil {
			return err
		}
		if err := incident.CheckName("--severity", *severity); err != nil {
			return err
		}
		if err := incident.CheckName("--service", *service); err != nil {
			return err
		}
		filter.Severity, filter.Service = *severity, *service
		return nil
	}
	return withClient(ctx, f, args, out, cliInsights, check, func(s *starter.Insights) (any, string, error) {
		rep, err := s.Report(ctx, filter, time.Now())
		if err != nil {
			return nil, "", err
		}
		if *csvOut {
			text, err := insightsCSV(rep)
			return rep, strings.TrimSuffix(text, "\n"), err
		}
		return rep, insightsSummary(rep), nil
	})
}

// cliInsights connects the CLI to Temporal's visibility for the figures.
func cliInsights(ctx context.Context, cfg *config.Config) (*starter.Insights, func(), error) {
	dc, err := dataConverter(cfg)
	if err != nil {
		return nil, nil, err
	}
	c, err := cliDial(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &starter.Insights{Client: c, Namespace: cfg.Temporal.Namespace, DataConverter: dc}, c.Close, nil
}

// insightsSummary is the terminal summary of rep.
func insightsSummary(rep insights.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Incidents declared from %s to %s", clock(rep.Filter.Since), clock(rep.Filter.Until))
	if rep.Filter.Severity != "" {
		fmt.Fprintf(&b, ", severity %s", rep.Filter.Severity)
	}
	if rep.Filter.Service != "" {
		fmt.Fprintf(&b, ", service %s", rep.Filter.Service)
	}
	fmt.Fprintf(&b, ":\n  %d declared, %d resolved, %d open (apart from these: %s, %s)\n",
		rep.Declared, rep.Resolved, rep.Open, count(rep.Drills, "drill"), count(rep.Maintenance, "maintenance window"))
	if drills := insightstext.DrillScores(rep); drills != "" {
		fmt.Fprintf(&b, "  drill scores by team: %s\n", drills)
	}
	if rep.Declared == 0 {
		return strings.TrimSuffix(b.String(), "\n")
	}

	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME TO\tINCIDENTS\tMEDIAN\tP90\tMEAN")
	for _, row := range []struct {
		name string
		st   insights.Stat
	}{{"acknowledge", rep.TimeToAcknowledge}, {"mitigate", rep.TimeToMitigate}, {"resolve", rep.TimeToResolve}} {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", row.name, row.st.Count, statCells(row.st))
	}
	_ = tw.Flush()

	b.WriteString("\nProcess:\n")
	if rep.UpdateIntervals == 0 {
		b.WriteString("  status updates on time: no update interval has ended\n")
	} else {
		fmt.Fprintf(&b, "  status updates on time: %.0f%% of %s\n", 100*rep.UpdatesOnTimeRatio, count(rep.UpdateIntervals, "update interval"))
	}
	fmt.Fprintf(&b, "  %s, %s\n", count(rep.Reminders, "reminder"), count(rep.Escalations, "escalation"))
	fmt.Fprintf(&b, "  commander and spokesperson within 10 minutes: %d of %d incidents\n", rep.RolesWithin10m, rep.Declared)

	r, items := rep.Retrospectives, rep.ActionItems
	b.WriteString("\nFollow-through:\n")
	fmt.Fprintf(&b, "  %s held, %s written, %s done\n", count(r.Held, "retrospective"), count(r.PostmortemsWritten, "postmortem"), count(r.Done, "retrospective"))
	fmt.Fprintf(&b, "  action items: %d opened, %d closed, %d overdue", items.Opened, items.Closed, items.Overdue)
	if open := items.Opened - items.Closed; open > 0 {
		fmt.Fprintf(&b, "; the %d open ones are %s old (median)", open, insightstext.Duration(items.MedianOpenAgeSeconds))
	}
	b.WriteString("\n\n")

	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tDECLARED\tRESOLVED\tOPEN\tRESOLVED IN: MEDIAN\tP90\tMEAN")
	for _, name := range slices.Sorted(maps.Keys(rep.BySeverity)) {
		g := rep.BySeverity[name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", name, g.Declared, g.Resolved, g.Open, statCells(g.TimeToResolve))
	}
	_ = tw.Flush()
	b.WriteString("\n--json prints every figure (by service, source and commander, per week and month); --csv one row per incident.")
	return b.String()
}

// statCells is st's median, p90 and mean as tab-separated cells, dashes
// when it counts nothing.
func statCells(st insights.Stat) string {
	if st.Count == 0 {
		return "-\t-\t-"
	}
	return insightstext.Duration(st.MedianSeconds) + "\t" + insightstext.Duration(st.P90Seconds) + "\t" + insightstext.Duration(st.MeanSeconds)
}

// count is n and word, plural unless n is 1: "1 drill", "3 drills".
func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// clock is t for the summary: UTC to the minute.
func clock(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// csvHeader is the header of `insights --csv`.
var csvHeader = []string{"id", "title", "severity", "service", "source", "commander",
	"declared_at", "acknowledged_at", "mitigated_at", "resolved_at",
	"time_to_acknowledge_seconds", "time_to_mitigate_seconds", "time_to_resolve_seconds"}

// insightsCSV is rep's incidents as CSV: csvHeader, then one row each,
// times in RFC3339 (empty when the step hasn't happened), every cell safe
// to open in a spreadsheet.
func insightsCSV(rep insights.Report) (string, error) {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(csvHeader)
	for _, inc := range rep.Incidents {
		row := []string{inc.ID, inc.Title, inc.Severity, inc.Service, inc.Source, inc.Commander,
			timestamp(inc.DeclaredAt), timestamp(inc.AcknowledgedAt), timestamp(inc.MitigatedAt), timestamp(inc.ResolvedAt),
			secondsTo(inc, inc.AcknowledgedAt), secondsTo(inc, inc.MitigatedAt), secondsTo(inc, inc.ResolvedAt)}
		for i := range row {
			row[i] = defuse(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return b.String(), w.Error()
}

// timestamp is t in RFC3339 (UTC), empty for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// secondsTo is the seconds from inc's declaration to at, as Compute counts
// them (never below zero), to the millisecond; empty when at is zero.
func secondsTo(inc insights.Incident, at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return strconv.FormatFloat(max(0, at.Sub(inc.DeclaredAt).Seconds()), 'f', 3, 64)
}

// defuse keeps a spreadsheet from reading cell as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading '.
func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
