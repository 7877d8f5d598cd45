package alertmanagertest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/alert"
)

const token = "am-test-0123456789abcdef"

// delivery is one webhook request Alertmanager made.
type delivery struct {
	at   time.Time
	auth string
	body []byte
}

// webhook records Alertmanager's deliveries.
func webhook(t *testing.T) (*httptest.Server, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{at: time.Now(), auth: r.Header.Get("Authorization"), body: body}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// next waits for a delivery, failing after within.
func next(t *testing.T, got <-chan delivery, within time.Duration) delivery {
	t.Helper()
	select {
	case d := <-got:
		return d
	case <-time.After(within):
		t.Fatalf("no webhook delivery within %s", within)
		return delivery{}
	}
}

// none asserts no delivery arrives for a while.
func none(t *testing.T, got <-chan delivery, during time.Duration, why string) {
	t.Helper()
	select {
	case d := <-got:
		t.Fatalf("unexpected delivery (%s): %s", why, d.body)
	case <-time.After(during):
	}
}

func checkoutAlerts(endsAt time.Time) []Alert {
	var as []Alert
	for _, instance := range []string{"checkout-1", "checkout-2", "checkout-3"} {
		as = append(as, Alert{
			Labels:       map[string]string{"alertname": "HighErrorRate", "service": "checkout", "severity": "page", "instance": instance},
			Annotations:  map[string]string{"summary": "Checkout 5xx rate above 5%"},
			EndsAt:       endsAt,
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=job%3A5xx_rate%3Aratio+%3E+0.05",
		})
	}
	return as
}

func TestAlertmanagerDeliversOneGroupThatParses(t *testing.T) {
	srv, got := webhook(t)
	started := time.Now()
	am := Start(t, Options{WebhookURL: srv.URL + "/alerts/alertmanager", Token: token})
	t.Logf("ready %s after start", time.Since(started).Round(time.Millisecond))
	ctx := context.Background()

	sent := time.Now()
	require.NoError(t, am.PostAlerts(ctx, checkoutAlerts(time.Time{})))
	first := next(t, got, 15*time.Second)
	t.Logf("firing: delivered %s after the alerts were posted (group_wait 1s)", first.at.Sub(sent).Round(time.Millisecond))

	assert.Equal(t, "Bearer "+token, first.auth)
	n, err := alert.ParseAlertmanager(first.body)
	require.NoError(t, err, "%s", first.body)
	assert.Equal(t, alert.Firing, n.Status)
	assert.Len(t, n.Alerts, 3)
	assert.Equal(t, "incidentflow", n.Receiver)
	assert.Equal(t, map[string]string{"alertname": "HighErrorRate", "service": "checkout"}, n.GroupLabels)
	assert.Equal(t, "Checkout 5xx rate above 5%", n.CommonAnnotations["summary"])
	assert.NotEmpty(t, n.ExternalURL, "Alertmanager names itself")
	var g alert.Group
	assert.Len(t, g.Apply(n).Firing, 3)
	none(t, got, 3*time.Second, "nothing changed, and repeat_interval is 1h")

	sent = time.Now()
	require.NoError(t, am.PostAlerts(ctx, checkoutAlerts(time.Now().Add(-time.Second))))
	second := next(t, got, 15*time.Second)
	t.Logf("resolved: delivered %s after the alerts were resolved (group_interval 2s)", second.at.Sub(sent).Round(time.Millisecond))

	r, err := alert.ParseAlertmanager(second.body)
	require.NoError(t, err, "%s", second.body)
	assert.Equal(t, alert.Resolved, r.Status)
	assert.Len(t, r.Alerts, 3)
	for _, a := range r.Alerts {
		assert.Equal(t, alert.Resolved, a.Status)
		assert.False(t, a.EndsAt.IsZero())
	}
	assert.Equal(t, alert.IncidentID(n.Key()), alert.IncidentID(r.Key()), "one incident per group")
	c := g.Apply(r)
	assert.Len(t, c.Resolved, 3)
	assert.True(t, c.AllResolved)
}

func TestAlertmanagerRestartKeepsWhatItNotified(t *testing.T) {
	srv, got := webhook(t)
	am := Start(t, Options{WebhookURL: srv.URL + "/alerts/alertmanager", Token: token, MaxAlerts: 2})
	ctx := context.Background()

	require.NoError(t, am.PostAlerts(ctx, checkoutAlerts(time.Time{})))
	first, err := alert.ParseAlertmanager(next(t, got, 15*time.Second).body)
	require.NoError(t, err)
	assert.Len(t, first.Alerts, 2, "max_alerts")
	assert.Equal(t, 1, first.Truncated, "the third is counted as truncated")

	// Alertmanager writes its notification log after the webhook answers:
	// stopped before that, it sends the group again after the restart (seen
	// here: delivery is at least once, hence one incident ID per group).
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, am.Restart())
	// Prometheus re-sends firing alerts; the notification log kept in
	// storage says this group was notified already.
	require.NoError(t, am.PostAlerts(ctx, checkoutAlerts(time.Time{})))
	none(t, got, 4*time.Second, "the restarted Alertmanager already notified this group")

	require.NoError(t, am.PostAlerts(ctx, checkoutAlerts(time.Now().Add(-time.Second))))
	resolved, err := alert.ParseAlertmanager(next(t, got, 15*time.Second).body)
	require.NoError(t, err)
	assert.Equal(t, alert.Resolved, resolved.Status)
	assert.Equal(t, first.Key(), resolved.Key(), "the same group across a restart")
}
