package insightsdoor_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
	"github.com/incidentflow/incidentflow/internal/browsertest"
)

// artifactDir is where the test leaves its screenshot:
// $INCIDENTFLOW_ARTIFACTS, else build/artifacts at the repository's root.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("INCIDENTFLOW_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("making the artifact directory %s: %v", dir, err)
	}
	return dir
}

// busyRecords are records() and a quarter's worth more, made the same
// way every time, so that the charts have something to show.
func busyRecords() []insights.Record {
	recs := records()
	sevs := []string{"critical", "major", "minor"}
	services := []string{"checkout", "search", "auth", "payments"}
	for i := range 36 {
		declared := at(time.Duration(85-2*i)*day - time.Duration(i*37)*time.Minute)
		ack := time.Duration(1+i%9) * time.Minute
		resolve := time.Duration(20+(i*53)%400) * time.Minute
		r := insights.Record{ID: fmt.Sprintf("inc-b%02d", i), WorkflowID: fmt.Sprintf("incident-inc-b%02d", i),
			Title: fmt.Sprintf("Elevated errors on %s", services[i%4]), Severity: sevs[i%3], Service: services[i%4], Source: "slack", Kind: "incident",
			Commander: fmt.Sprintf("U0LEAD%d", i%3), ChannelID: fmt.Sprintf("C1%02d", i), Channel: fmt.Sprintf("inc-%02d-errors", i),
			DeclaredAt: declared, AcknowledgedAt: declared.Add(ack), MitigatedAt: declared.Add(resolve / 2), ResolvedAt: declared.Add(resolve),
			CommanderAt: declared, CommsAt: declared.Add(ack), UpdateIntervals: 2 + i%4, UpdatesOnTime: 1 + i%4, Updates: 2 + i%4, Reminders: i % 2}
		recs = append(recs, r)
	}
	return recs
}

// TestPageInABrowser loads /insights in headless Chromium over hand-built
// incidents: the figures on the page are the report's, every chart drew
// with a size, and a screenshot of the page is saved as a build artifact.
func TestPageInABrowser(t *testing.T) {
	ctx := browsertest.Start(t, chromedp.WindowSize(1200, 900))

	recs := busyRecords()
	d := newDoor(t, &fakeReports{records: recs}, insightsdoor.Options{Listen: "127.0.0.1:3000"})
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Insights: d}, nil))
	t.Cleanup(srv.Close)
	rep := insights.Compute(recs, insights.Filter{Since: now.Add(-90 * day), Until: now}, now)

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("loading /insights", chromedp.Navigate(srv.URL+"/insights"), chromedp.WaitVisible(chromedp.CSS(`#fig-declared`)))

	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
	for sel, want := range map[string]string{
		`#fig-declared`:             strconv.Itoa(rep.Declared),
		`#fig-resolved`:             strconv.Itoa(rep.Resolved),
		`#fig-open`:                 strconv.Itoa(rep.Open),
		`#fig-escalations`:          strconv.Itoa(rep.Escalations),
		`#fig-tta td.median`:        insightstext.Duration(rep.TimeToAcknowledge.MedianSeconds),
		`#fig-ttm td.median`:        insightstext.Duration(rep.TimeToMitigate.MedianSeconds),
		`#fig-ttr td.median`:        insightstext.Duration(rep.TimeToResolve.MedianSeconds),
		`#incidents tr.incident td`: "inc-5", // the most recent first
	} {
		if got := text(sel); got != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	if rep.Declared != 41 || rep.Open != 1 {
		t.Errorf("the fixture changed: %d declared, %d open", rep.Declared, rep.Open)
	}

	// Every chart is an SVG drawn with a size, with its marks in it.
	sizes := `(function () {
		var out = {};
		document.querySelectorAll('figure').forEach(function (f) {
			var svg = f.querySelector('svg'); var r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
			var marks = svg ? svg.querySelectorAll('rect.bar, circle.dot').length : 0;
			var big = svg ? Array.prototype.filter.call(svg.querySelectorAll('rect.bar, circle.dot'), function (m) { var b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length : 0;
			out[f.id] = [Math.round(r.width), Math.round(r.height), marks, big];
		});
		return out;
	})()`
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	charts, err := chromedp.Run(sctx, chromedp.Evaluate[map[string][]int](sizes))
	cancel()
	if err != nil {
		t.Fatalf("measuring the charts: %v", err)
	}
	for _, id := range []string{"chart-per-week", "chart-mttr", "dist-tta", "dist-ttm", "dist-ttr"} {
		c := charts[id]
		if len(c) != 4 || c[0] < 100 || c[1] < 50 || c[2] == 0 || c[3] != c[2] {
			t.Errorf("chart %s: [width height marks marks-with-a-size] = %v, want an SVG at least 100×50 whose every mark has a size", id, c)
		}
	}
	if n := charts["dist-ttr"]; len(n) == 4 && n[2] != rep.TimeToResolve.Count {
		t.Errorf("the time-to-resolve plot has %d dots, want one per resolved incident (%d)", n[2], rep.TimeToResolve.Count)
	}

	sctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	cancel()
	if err != nil {
		t.Fatalf("taking the screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), "insights.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot of /insights saved to %s (%d bytes)", abs, len(png))
}
