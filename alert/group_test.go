package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC)

func firing(fp, name string) Alert {
	return Alert{Fingerprint: fp, Status: Firing, Labels: map[string]string{"alertname": name}, StartsAt: t0}
}

func resolved(fp, name string, end time.Time) Alert {
	a := firing(fp, name)
	a.Status, a.EndsAt = Resolved, end
	return a
}

func notify(status Status, alerts ...Alert) Notification {
	return bound(Notification{Source: SourceAlertmanager, GroupKey: "g", Status: status, Alerts: alerts})
}

func fingerprints(as []Alert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Fingerprint)
	}
	return out
}

func TestGroupApplyReportsWhatChanged(t *testing.T) {
	var g Group
	steps := []struct {
		name                    string
		n                       Notification
		firing, resolved, still []string
		allResolved             bool
	}{
		{"first notification", notify(Firing, firing("c", "B"), firing("a", "A")), []string{"a", "c"}, []string{}, []string{}, false},
		{"a repeat changes nothing", notify(Firing, firing("a", "A"), firing("c", "B")), []string{}, []string{}, []string{"a", "c"}, false},
		{"one more fires, one resolves", notify(Firing, firing("b", "A"), resolved("a", "A", t0.Add(5*time.Minute)), firing("c", "B")), []string{"b"}, []string{"a"}, []string{"c"}, false},
		{"an alert left out stays as it was", notify(Firing, firing("b", "A")), []string{}, []string{}, []string{"b", "c"}, false},
		{"the group resolves, alerts left out too", notify(Resolved, resolved("b", "A", t0.Add(9*time.Minute))), []string{}, []string{"b", "c"}, []string{}, true},
		{"a resolved alert fires again", notify(Firing, firing("a", "A")), []string{"a"}, []string{}, []string{}, false},
	}
	for _, s := range steps {
		c := g.Apply(s.n)
		assert.Equal(t, s.firing, fingerprints(c.Firing), "%s: firing", s.name)
		assert.Equal(t, s.resolved, fingerprints(c.Resolved), "%s: resolved", s.name)
		assert.Equal(t, s.still, fingerprints(c.StillFiring), "%s: still firing", s.name)
		assert.Equal(t, s.allResolved, c.AllResolved, "%s: all resolved", s.name)
	}
	assert.Equal(t, []string{"a", "b", "c"}, fingerprints(g.Alerts))
}

func TestGroupResolvedAt(t *testing.T) {
	var g Group
	g.Apply(notify(Firing, firing("a", "A"), firing("b", "A")))
	assert.True(t, g.ResolvedAt().IsZero())
	g.Apply(notify(Firing, resolved("a", "A", t0.Add(3*time.Minute)), firing("b", "A")))
	assert.True(t, g.ResolvedAt().IsZero(), "b still fires")
	g.Apply(notify(Resolved, resolved("b", "A", t0.Add(32*time.Minute))))
	assert.Equal(t, t0.Add(32*time.Minute), g.ResolvedAt())
}

func TestGroupTruncatedResolvedNotificationResolvesOnlyWhatItNames(t *testing.T) {
	var g Group
	g.Apply(notify(Firing, firing("a", "A"), firing("b", "A")))
	n := notify(Resolved, resolved("a", "A", t0))
	n.Truncated = 1
	c := g.Apply(n)
	assert.Equal(t, []string{"a"}, fingerprints(c.Resolved))
	assert.False(t, c.AllResolved)
}

func TestGroupSincePostSummarisesBetweenPosts(t *testing.T) {
	var g Group
	g.Apply(notify(Firing, firing("a", "A"), firing("b", "B")))
	g.MarkPosted() // the kickoff named a and b
	assert.True(t, g.SincePost().Empty())

	g.Apply(notify(Firing, firing("a", "A"), firing("b", "B"), firing("c", "C")))
	g.Apply(notify(Firing, resolved("a", "A", t0), firing("b", "B"), firing("c", "C"), firing("d", "D")))
	c := g.SincePost()
	assert.Equal(t, []string{"c", "d"}, fingerprints(c.Firing))
	assert.Equal(t, []string{"a"}, fingerprints(c.Resolved))
	assert.Equal(t, []string{"b"}, fingerprints(c.StillFiring))

	g.MarkPosted()
	assert.True(t, g.SincePost().Empty())
	assert.Equal(t, []string{"b", "c", "d"}, g.Posted)
}

func TestGroupIsDeterministic(t *testing.T) {
	build := func() []byte {
		var g Group
		for i := range 30 {
			var as []Alert
			for j := range 20 {
				fp := fmt.Sprintf("%02d", (i*7+j*13)%60)
				if (i+j)%3 == 0 {
					as = append(as, resolved(fp, "N"+fp[:1], t0.Add(time.Duration(i)*time.Minute)))
				} else {
					as = append(as, firing(fp, "N"+fp[:1]))
				}
			}
			g.Apply(notify(Firing, as...))
			if i%4 == 0 {
				g.MarkPosted()
			}
		}
		b, err := json.Marshal(struct {
			G Group
			C Change
		}{g, g.SincePost()})
		require.NoError(t, err)
		return b
	}
	first := build()
	for range 20 {
		assert.Equal(t, string(first), string(build()))
	}
}

func TestWorstCaseGroupFitsItsBound(t *testing.T) {
	var g Group
	for i := range 30 {
		w := worstCaseMessage(0)
		for j := range 8 {
			a := worstCaseMessage(1).Alerts[0]
			a.Fingerprint = fmt.Sprintf("%s-%03d-%d", hostile(8), i, j)
			if j%2 == 0 {
				a.Status = "resolved"
			}
			w.Alerts = append(w.Alerts, a)
		}
		body, err := json.Marshal(w)
		require.NoError(t, err)
		n, err := ParseAlertmanager(body)
		require.NoError(t, err)
		g.Apply(n)
		g.MarkPosted()
	}
	b, err := json.Marshal(g)
	require.NoError(t, err)
	t.Logf("worst case group: %d alerts in %d bytes, %d dropped", len(g.Alerts), len(b), g.Dropped)
	assert.LessOrEqual(t, len(b), MaxEncodedSize)
	assert.Positive(t, g.Dropped)

	// Many small alerts: the count bound.
	var small Group
	for i := range 10 {
		var as []Alert
		for j := range MaxAlerts {
			as = append(as, firing(fmt.Sprintf("%s%02d%02d", strings.Repeat("f", 60), i, j), "A"))
		}
		small.Apply(notify(Firing, as...))
		small.MarkPosted()
	}
	b, err = json.Marshal(small)
	require.NoError(t, err)
	assert.Len(t, small.Alerts, maxGroupAlerts)
	assert.Equal(t, 10*MaxAlerts-maxGroupAlerts, small.Dropped)
	assert.LessOrEqual(t, len(b), MaxEncodedSize)
}

func TestGroupEvictsResolvedAlertsFirst(t *testing.T) {
	var g Group
	var as []Alert
	for i := range maxGroupAlerts {
		as = append(as, resolved(fmt.Sprintf("r%03d", i), "R", t0.Add(time.Duration(maxGroupAlerts-i)*time.Second)))
	}
	for i := 0; i < len(as); i += MaxAlerts {
		g.Apply(notify(Firing, as[i:i+MaxAlerts]...))
	}
	g.Apply(notify(Firing, firing("new", "N")))
	assert.Len(t, g.Alerts, maxGroupAlerts)
	assert.NotContains(t, fingerprints(g.Alerts), fmt.Sprintf("r%03d", maxGroupAlerts-1), "the one that ended first went")
	assert.Contains(t, fingerprints(g.Alerts), "new")
}
