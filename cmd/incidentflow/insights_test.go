package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/insights"
)

// TestInsightsVerb: after one incident declared, mitigated and resolved
// and one declared and left open, `insights --json` counts both and times
// the resolved one, the summary says so, --csv has the header and a row per
// incident with its timestamps (a title that a spreadsheet would run as a
// formula defused), and --severity narrows it.
func TestInsightsVerb(t *testing.T) {
	d := startDev(t, t.TempDir())
	title := `=HYPERLINK("http://x.example/","click"), oops`
	resolved, _, _ := d.declareRoom(t, "--title", title, "--severity", "critical", "--as", "U0ALICE")
	if out, code := d.cli(t, "update", "--incident", resolved, "--status", "mitigated", "--text", "Rolled back"); code != 0 {
		t.Fatalf("update exited %d: %s", code, out)
	}
	if out, code := d.cli(t, "resolve", "--incident", resolved, "--summary", "Rolled back release 4121"); code != 0 {
		t.Fatalf("resolve exited %d: %s", code, out)
	}
	open, _, _ := d.declareRoom(t, "--title", "Search is slow", "--severity", "minor")

	// Visibility catches up with the resolution within moments.
	var rep insights.Report
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, code := d.cli(t, "insights", "--since", "1h", "--json")
		if code != 0 {
			t.Fatalf("insights --json exited %d: %s", code, out)
		}
		rep = insights.Report{}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("insights --json printed no Report (%v): %s", err, out)
		}
		if rep.Declared == 2 && rep.Resolved == 1 && rep.TimeToMitigate.Count == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("insights --json within 30 s of the resolution: declared %d, resolved %d, mitigated %d; want 2, 1, 1:\n%s",
				rep.Declared, rep.Resolved, rep.TimeToMitigate.Count, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if rep.Open != 1 || rep.TimeToResolve.Count != 1 || !slices.Equal(rep.TimeToResolve.IDs, []string{resolved}) || rep.Drills != 0 {
		t.Errorf("insights --json: open %d, time to resolve %+v, drills %d; want 1 open and %s resolved", rep.Open, rep.TimeToResolve, rep.Drills, resolved)
	}
	if len(rep.Incidents) != 2 || rep.Incidents[0].ID != resolved || rep.Incidents[1].ID != open {
		t.Fatalf("insights --json incidents = %+v, want %s then %s", rep.Incidents, resolved, open)
	}
	first := rep.Incidents[0]
	if first.Title != title || first.Severity != "critical" || first.Source != "cli" || first.DeclaredAt.IsZero() ||
		first.MitigatedAt.Before(first.DeclaredAt) || first.ResolvedAt.Before(first.MitigatedAt) || !rep.Incidents[1].ResolvedAt.IsZero() {
		t.Errorf("insights --json: the incidents are %+v", rep.Incidents)
	}
	if g := rep.BySeverity["critical"]; g.Declared != 1 || g.Resolved != 1 || g.TimeToResolve.Count != 1 {
		t.Errorf("insights --json: critical = %+v, want 1 declared and resolved", g)
	}

	out, code := d.cli(t, "insights", "--since", "1h")
	for _, want := range []string{"2 declared, 1 resolved, 1 open", "TIME TO", "resolve ", "critical ", "minor "} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("insights (%d) lacks %q:\n%s", code, want, out)
		}
	}

	out, code = d.cli(t, "insights", "--since", "1h", "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 3 {
		t.Fatalf("insights --csv (%d, %v) is not a header and 2 rows:\n%s", code, err, out)
	}
	if !slices.Equal(rows[0], csvHeader) || rows[0][0] != "id" || rows[0][12] != "time_to_resolve_seconds" {
		t.Errorf("insights --csv header = %v", rows[0])
	}
	row := rows[1]
	if row[0] != resolved || row[1] != "'"+title || row[2] != "critical" {
		t.Errorf("insights --csv row = %q; want %s with the title defused as %q", row, resolved, "'"+title)
	}
	for _, i := range []int{6, 8, 9} {
		if _, err := time.Parse(time.RFC3339, row[i]); err != nil {
			t.Errorf("insights --csv %s = %q, not RFC3339", csvHeader[i], row[i])
		}
	}
	if secs, err := strconv.ParseFloat(row[12], 64); err != nil || secs <= 0 {
		t.Errorf("insights --csv time_to_resolve_seconds = %q", row[12])
	}
	if rows[2][0] != open || rows[2][9] != "" || rows[2][12] != "" {
		t.Errorf("insights --csv row of the open incident = %q, want no resolution", rows[2])
	}

	out, code = d.cli(t, "insights", "--since", "1h", "--severity", "minor", "--json")
	rep = insights.Report{}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Declared != 1 || rep.Filter.Severity != "minor" {
		t.Errorf("insights --severity minor (%d, %v): declared %d; want 1:\n%s", code, err, rep.Declared, out)
	}
}

// TestInsightsRefusesBadFlags: a period or a flag combination that makes no
// sense is one line on standard error, before any Temporal is dialed.
func TestInsightsRefusesBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--since", "9x"}, `incidentflow insights: --since: "9x" is not a duration like 90d, 12w or 24h, nor a date like 2026-01-31`},
		{[]string{"--until", "soon"}, `incidentflow insights: --until: "soon" is not a duration`},
		{[]string{"--since", "7d", "--until", "30d"}, "incidentflow insights: --since "},
		{[]string{"--json", "--csv"}, "incidentflow insights: --json and --csv both given: choose one"},
		{[]string{"--since", ""}, "incidentflow insights: --since is required"},
	} {
		var out, errOut bytes.Buffer
		args := append([]string{"insights", "--data-dir", t.TempDir()}, c.args...)
		code := run(context.Background(), args, &out, &errOut)
		msg := errOut.String()
		if code != 1 || !strings.HasPrefix(msg, c.want) || strings.Count(msg, "\n") != 1 || out.Len() != 0 {
			t.Errorf("incidentflow %v: exit %d, stderr %q; want exit 1 and one line starting %q", args, code, msg, c.want)
		}
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "Checkout is down": "Checkout is down", "1.5": "1.5", "2026-03-01T00:00:00Z": "2026-03-01T00:00:00Z",
	} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
