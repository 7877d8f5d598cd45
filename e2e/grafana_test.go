package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/incidentflow/incidentflow/e2e/harness"
	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/internal/slackemu"
)

const dashboardFile = "../deploy/grafana/incidentflow.json"

// grafanaDashboard is the part of Grafana's dashboard model the test checks.
type grafanaDashboard struct {
	UID           string         `json:"uid"`
	Title         string         `json:"title"`
	SchemaVersion int            `json:"schemaVersion"`
	Panels        []grafanaPanel `json:"panels"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query string `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type grafanaPanel struct {
	ID         int                `json:"id"`
	Type       string             `json:"type"`
	Title      string             `json:"title"`
	Datasource *grafanaDatasource `json:"datasource"`
	GridPos    struct{ H, W, X, Y int }
	Targets    []struct {
		RefID      string             `json:"refId"`
		Expr       string             `json:"expr"`
		Datasource *grafanaDatasource `json:"datasource"`
	} `json:"targets"`
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// promQL's words that aren't metric names: keywords and aggregation
// modifiers (functions are recognised by the parenthesis that follows).
var promQLWords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true,
}

var (
	promQLStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promQLMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promQLRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	promQLGroupings = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promQLIdent     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
)

// metricNames are the metric names a PromQL expression selects.
func metricNames(expr string) []string {
	expr = promQLStrings.ReplaceAllString(expr, `""`)
	expr = promQLMatchers.ReplaceAllString(expr, "{}")
	expr = promQLRanges.ReplaceAllString(expr, "[]")
	expr = promQLGroupings.ReplaceAllString(expr, "")
	var names []string
	for _, loc := range promQLIdent.FindAllStringIndex(expr, -1) {
		word := expr[loc[0]:loc[1]]
		rest := strings.TrimLeft(expr[loc[1]:], " ")
		if promQLWords[strings.ToLower(word)] || strings.HasPrefix(rest, "(") || strings.HasPrefix(word, "$") {
			continue
		}
		if loc[0] > 0 && expr[loc[0]-1] == '$' { // a Grafana variable
			continue
		}
		names = append(names, word)
	}
	return names
}

func TestMetricNamesOfPromQL(t *testing.T) {
	got := metricNames(`histogram_quantile(0.9, sum by (le, severity) (increase(incidentflow_time_to_resolve_seconds_bucket{severity="a b"}[$window]))) / on(x) group_left max(up)`)
	require.Equal(t, []string{"incidentflow_time_to_resolve_seconds_bucket", "up"}, got)
}

func readDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	require.NoError(t, err)
	var d grafanaDashboard
	require.NoError(t, json.Unmarshal(raw, &d), "%s is not JSON", dashboardFile)
	return d
}

// TestGrafanaDashboardIsWellFormed checks the dashboard's structure: a
// Prometheus data-source variable that every panel and query uses, unique
// panel IDs within Grafana's 24-column grid, a query in every panel.
func TestGrafanaDashboardIsWellFormed(t *testing.T) {
	d := readDashboard(t)
	require.Equal(t, "incidentflow", d.UID)
	require.GreaterOrEqual(t, d.SchemaVersion, 36, "schemaVersion")
	var hasDatasource bool
	for _, v := range d.Templating.List {
		hasDatasource = hasDatasource || v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	}
	require.True(t, hasDatasource, "no Prometheus data-source variable named datasource")
	ids := map[int]bool{}
	for _, p := range d.Panels {
		require.False(t, ids[p.ID], "panel ID %d used twice", p.ID)
		ids[p.ID] = true
		require.LessOrEqual(t, p.GridPos.X+p.GridPos.W, 24, "panel %q is wider than the grid", p.Title)
		if p.Type == "row" {
			continue
		}
		require.NotNil(t, p.Datasource, "panel %q has no data source", p.Title)
		require.Equal(t, "${datasource}", p.Datasource.UID, "panel %q", p.Title)
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, q := range p.Targets {
			require.NotEmpty(t, strings.TrimSpace(q.Expr), "panel %q query %s is empty", p.Title, q.RefID)
			require.NotNil(t, q.Datasource, "panel %q query %s has no data source", p.Title, q.RefID)
			require.Equal(t, "${datasource}", q.Datasource.UID, "panel %q query %s", p.Title, q.RefID)
			require.NotEmpty(t, metricNames(q.Expr), "panel %q query %s names no metric", p.Title, q.RefID)
		}
	}
}

func sdkProbeActivity(context.Context) (string, error) { return "ok", nil }

func sdkProbeWorkflow(ctx workflow.Context) (string, error) {
	// Not eagerly executed: an activity dispatched through the task queue
	// (as retries and activities of busy workers are) reports its
	// schedule-to-start latency.
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second, DisableEagerExecution: true})
	var out string
	err := workflow.ExecuteActivity(ctx, sdkProbeActivity).Get(ctx, &out)
	return out, err
}

// TestGrafanaDashboardQueriesExportedMetrics checks that every metric a
// query of the dashboard names is one incidentflow exports: its own
// metrics as the registry registers them, and the Temporal SDK's as a
// worker really emits them (a worker runs a workflow and an activity on a
// real server, and the test waits until every SDK metric the dashboard
// uses has appeared, or fails naming those that didn't).
func TestGrafanaDashboardQueriesExportedMetrics(t *testing.T) {
	d := readDashboard(t)
	used := map[string][]string{} // metric → the panels that use it
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			for _, name := range metricNames(q.Expr) {
				used[name] = append(used[name], p.Title)
			}
		}
	}

	env := harness.Start(t, slackemu.Options{})
	env.NewWorker(t, func(r sdkworker.Registry) {
		r.RegisterWorkflow(sdkProbeWorkflow)
		r.RegisterActivity(sdkProbeActivity)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := env.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: harness.TaskQueue}, sdkProbeWorkflow)
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))

	exported := func(name string, names []string) bool {
		if slices.Contains(names, name) {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(names, base) {
				return true
			}
		}
		return false
	}
	var missing []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		reg := metrics.New()
		reg.CountOpenIncidents(env.Client, env.Temporal.Namespace(), []string{"critical"})
		names, err := reg.Names()
		require.NoError(t, err)
		missing = missing[:0]
		for name, panels := range used {
			if !exported(name, names) {
				missing = append(missing, name+" (in "+strings.Join(panels, ", ")+")")
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			slices.Sort(missing)
			t.Fatalf("the dashboard queries metrics incidentflow doesn't export:\n  %s\nexported: %s",
				strings.Join(missing, "\n  "), strings.Join(names, " "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
