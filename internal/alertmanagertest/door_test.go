package alertmanagertest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/alertdoor"
	"github.com/incidentflow/incidentflow/incident"
)

// sinkFunc adapts a function to alertdoor.Sink.
type sinkFunc func(context.Context, alert.Notification, alert.Decision) error

func (f sinkFunc) Notify(ctx context.Context, n alert.Notification, d alert.Decision) error {
	return f(ctx, n, d)
}

func TestAlertmanagerThroughTheAlertDoor(t *testing.T) {
	type taken struct {
		n alert.Notification
		d alert.Decision
	}
	got := make(chan taken, 4)
	cfg := alert.Config{Routes: []alert.RouteConfig{{
		Matchers: []string{`service="checkout"`, `severity=~"critical|page"`}, SeverityLabel: "severity",
		SeverityMap: map[string]string{"page": "critical"}, Mode: "declare", Title: "{{ .CommonAnnotations.summary }}",
	}}}
	rt, err := alert.NewRouter(cfg, []incident.Severity{incident.Critical, incident.Major, incident.Minor})
	require.NoError(t, err)
	door, err := alertdoor.New(alertdoor.Options{
		Sources: map[string]string{"alertmanager": token}, Router: rt,
		Sink: sinkFunc(func(_ context.Context, n alert.Notification, d alert.Decision) error {
			got <- taken{n, d}
			return nil
		}),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Alerts: door}, nil))
	t.Cleanup(srv.Close)

	am := Start(t, Options{WebhookURL: srv.URL + "/alerts/alertmanager", Token: token})
	require.NoError(t, am.PostAlerts(context.Background(), checkoutAlerts(time.Time{})))
	select {
	case x := <-got:
		assert.Len(t, x.n.Alerts, 3)
		assert.Equal(t, alert.Decision{Mode: alert.ModeDeclare, Service: "checkout", Severity: incident.Critical,
			Title: "Checkout 5xx rate above 5%", RouteIndex: 0, Reason: "matched alerts.routes[0]"}, x.d)
	case <-time.After(15 * time.Second):
		t.Fatal("the door took no notification within 15s")
	}
}
