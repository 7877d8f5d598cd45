package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlertTextsFromARealNotification(t *testing.T) {
	n, err := ParseGrafana(readTestdata(t, "grafana.json"))
	require.NoError(t, err)

	assert.Equal(t, "2 alerts firing: High memory usage (grafana＿folder=Payments, service=payments, team=blue, zone=us-1), "+
		"High memory usage (grafana＿folder=Payments, service=payments, team=blue, zone=eu-1)", Headline(n.Alerts, 0))

	text := AlertsText(n.Alerts, 0)
	lines := strings.Split(text, "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, "2 alerts firing:", lines[0])
	assert.Equal(t, "• High memory usage (grafana＿folder=Payments, service=payments, team=blue, zone=us-1): Payments memory above 90% in us-1"+
		" · <https://grafana.example.com/alerting/grafana/1afz29v7z/view?orgId=1|source>"+
		" · <https://grafana.example.com/d/payments-mem?orgId=1|dashboard>"+
		" · <https://grafana.example.com/d/payments-mem?orgId=1&amp;viewPanel=4|panel>"+
		" · <https://grafana.example.com/alerting/silence/new?alertmanager=grafana&amp;matcher=alertname%3DHigh+memory+usage&amp;matcher=zone%3Dus-1&amp;orgId=1|silence>", lines[1])

	md := AlertsMarkdown(n.Alerts, 0)
	assert.Contains(t, md, "- High memory usage (grafana_folder=Payments, service=payments, team=blue, zone=us-1): Payments memory above 90% in us-1 · [source](https://grafana.example.com/alerting/grafana/1afz29v7z/view?orgId=1)")
}

func TestAlertTextsEscapeUntrustedText(t *testing.T) {
	a := Alert{
		Fingerprint: "f", Status: Firing,
		Labels:       map[string]string{"alertname": "<!channel> *Down*", "team": "<@U123>"},
		Annotations:  map[string]string{"summary": "see <https://evil|here> `now`"},
		GeneratorURL: "https://example.com/x?a=1|<b>",
	}
	for name, text := range map[string]string{
		"headline": Headline([]Alert{a}, 0),
		"list":     AlertsText([]Alert{a}, 0),
		"change":   ChangeText(Change{Firing: []Alert{a}}),
	} {
		assert.NotContains(t, text, "<!channel>", name)
		assert.NotContains(t, text, "<@U123>", name)
		assert.NotContains(t, text, "<https://evil", name)
		assert.NotContains(t, text, "*Down*", name)
		assert.NotContains(t, text, "`", name)
	}
	assert.Contains(t, AlertsText([]Alert{a}, 0), "<https://example.com/x?a=1%7C%3Cb%3E|source>", "a URL cannot split or end its link")
	md := AlertsMarkdown([]Alert{a}, 0)
	assert.NotContains(t, md, "<!channel>")
	assert.NotContains(t, md, "<@U123>")
}

func TestAlertListsAreBounded(t *testing.T) {
	var as []Alert
	for i := range 30 {
		a := firing(fmt.Sprintf("%02d", i), strings.Repeat("N", 500))
		for j := range 20 {
			a.Labels[fmt.Sprintf("l%02d", j)] = strings.Repeat("v", 500)
		}
		a.Annotations = map[string]string{"summary": strings.Repeat("s", 2000)}
		as = append(as, a)
	}
	text := AlertsText(as, 70)
	assert.True(t, strings.HasPrefix(text, "100 alerts firing:"))
	assert.True(t, strings.HasSuffix(text, "…and 90 more."))
	assert.Less(t, len(text), 8000)
	assert.Less(t, len(Headline(as, 70)), 1500)
	assert.True(t, strings.HasSuffix(Headline(as, 70), "and 97 more"))
}

func TestChangeText(t *testing.T) {
	c := Change{
		Firing:      []Alert{firing("b", "HighLatency")},
		Resolved:    []Alert{resolved("a", "HighErrorRate", t0), resolved("c", "HighErrorRate", t0)},
		StillFiring: []Alert{firing("d", "DiskFull")},
	}
	assert.Equal(t, "1 alert newly firing:\n• HighLatency\n2 alerts resolved:\n• HighErrorRate\n• HighErrorRate\n1 alert still firing.", ChangeText(c))
	assert.Empty(t, ChangeText(Change{StillFiring: c.StillFiring}), "nothing changed: nothing to post")
}

func TestAllResolvedText(t *testing.T) {
	at := time.Date(2024, 5, 1, 14, 32, 0, 0, time.UTC)
	assert.Equal(t, ":white_check_mark: All 3 alerts resolved at 14:32 UTC — resolve the incident?", AllResolvedText(3, at, time.UTC))
	assert.Equal(t, ":white_check_mark: The alert resolved — resolve the incident?", AllResolvedText(1, time.Time{}, nil))
}

func TestTimelineText(t *testing.T) {
	n := Notification{Source: SourceGrafana}
	c := Change{
		Firing:      []Alert{firing("a", "A"), firing("b", "B"), firing("c", "C"), firing("d", "D")},
		StillFiring: []Alert{firing("e", "E")},
	}
	assert.Equal(t, "grafana: 4 newly firing (A, B, C, …); 1 still firing", TimelineText(n, c))
	assert.Equal(t, "grafana: 1 resolved (A); all resolved", TimelineText(n, Change{Resolved: []Alert{resolved("a", "A", t0)}, AllResolved: true}))
	assert.Equal(t, "grafana: no change; 1 still firing", TimelineText(n, Change{StillFiring: c.StillFiring}))
}
