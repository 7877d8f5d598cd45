package insightstext_test

import (
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
)

func TestDuration(t *testing.T) {
	for secs, want := range map[float64]string{0: "0s", 44.6: "45s", 60: "1m", 750: "12m 30s", 7500: "2h 05m", 86400: "1d", 273600: "3d 4h"} {
		if got := insightstext.Duration(secs); got != want {
			t.Errorf("Duration(%v) = %q, want %q", secs, got, want)
		}
	}
}

func TestSummaryEscapesAndLinks(t *testing.T) {
	rep := insights.Report{Declared: 2, Resolved: 1, Open: 1,
		TimeToResolve: insights.Stat{Count: 1, MedianSeconds: 3600, P90Seconds: 3600},
		BySeverity:    map[string]insights.Group{"<!here>": {Declared: 1}, "critical": {Declared: 1, TimeToResolve: insights.Stat{Count: 1, MedianSeconds: 3600}}},
		Incidents:     []insights.Incident{{ID: "inc-1", Title: "Secret project down"}}}
	text := insightstext.Summary(rep, "Insights <!channel>", "https://incidents.example.com/insights?a=1&b=2", []string{"critical"})
	for _, want := range []string{"*Insights &lt;!channel&gt;*", "By severity: critical 1 (median to resolve 1h 00m), &lt;!here&gt; 1",
		"<https://incidents.example.com/insights?a=1&amp;b=2|Open the insights page>"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Secret project") || strings.Contains(text, "<!") {
		t.Errorf("the summary names an incident or mentions someone:\n%s", text)
	}
}
