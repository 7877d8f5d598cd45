package alertdoor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/starter"
)

const (
	amToken      = "am-0123456789abcdef"
	grafanaToken = "gf-0123456789abcdef"
	webhookToken = "wh-0123456789abcdef"
)

// recordingSink records what it is given and answers err.
type recordingSink struct {
	mu    sync.Mutex
	got   []alert.Decision
	notes []alert.Notification
	err   error
	block bool // wait for the deadline
}

func (s *recordingSink) Notify(ctx context.Context, n alert.Notification, d alert.Decision) error {
	if s.block {
		<-ctx.Done()
		return fmt.Errorf("starting the workflow: %w", ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, n)
	s.got = append(s.got, d)
	return s.err
}

func (s *recordingSink) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../alert/testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func newServer(t *testing.T, sink Sink, sources map[string]string, logs io.Writer) *httptest.Server {
	t.Helper()
	cfg := alert.Config{Routes: []alert.RouteConfig{
		{Matchers: []string{`alertname="Watchdog"`}, Mode: "ignore"},
		{Matchers: []string{`service=~"checkout|payments"`}, SeverityLabel: "severity", SeverityMap: map[string]string{"page": "critical"}, Severity: "major", Mode: "declare"},
	}}
	rt, err := alert.NewRouter(cfg, []incident.Severity{incident.Critical, incident.Major, incident.Minor})
	require.NoError(t, err)
	if logs == nil {
		logs = io.Discard
	}
	d, err := New(Options{Sources: sources, Router: rt, Sink: sink, Logger: slog.New(slog.NewTextHandler(logs, nil)), MaxBody: 64 << 10, Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	mux := http.NewServeMux()
	for _, src := range alert.Sources {
		mux.Handle("POST /alerts/"+string(src), d.Handler(src))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var allSources = map[string]string{"alertmanager": amToken, "grafana": grafanaToken, "webhook": webhookToken}

func post(t *testing.T, srv *httptest.Server, path, auth, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header
}

func TestDoorAcceptsEachSource(t *testing.T) {
	for _, tc := range []struct {
		path, token, body string
		severity          incident.Severity // grafana's has no severity label: the route's fallback
		service           string
	}{
		{"/alerts/alertmanager", amToken, testdata(t, "alertmanager.json"), incident.Critical, "checkout"},
		{"/alerts/grafana", grafanaToken, testdata(t, "grafana.json"), incident.Major, "payments"},
		{"/alerts/webhook", webhookToken, testdata(t, "webhook.json"), incident.Critical, "checkout"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			sink := &recordingSink{}
			srv := newServer(t, sink, allSources, nil)
			status, body, h := post(t, srv, tc.path, "Bearer "+tc.token, tc.body)
			assert.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, "text/plain; charset=utf-8", h.Get("Content-Type"))
			require.Equal(t, 1, sink.calls())
			n, d := sink.notes[0], sink.got[0]
			assert.Equal(t, alert.ModeDeclare, d.Mode)
			assert.Equal(t, tc.severity, d.Severity)
			assert.Equal(t, 1, d.RouteIndex)
			assert.Equal(t, fmt.Sprintf("accepted: declare, alert group %s (matched alerts.routes[1])\n", alert.IncidentID(n.Key())), body)
			assert.Equal(t, tc.service, d.Service)
		})
	}
}

func TestDoorRefusesWhoItCannotAuthenticate(t *testing.T) {
	am := testdata(t, "alertmanager.json")
	for _, tc := range []struct {
		name, path, auth string
		sources          map[string]string
		want             string
	}{
		{"missing token", "/alerts/alertmanager", "", allSources, "missing bearer token"},
		{"another scheme", "/alerts/alertmanager", "Basic " + amToken, allSources, "missing bearer token"},
		{"wrong token", "/alerts/alertmanager", "Bearer nope", allSources, "wrong token for alert source alertmanager"},
		{"another source's token", "/alerts/alertmanager", "Bearer " + webhookToken, allSources, "wrong token for alert source alertmanager"},
		{"a prefix of the token", "/alerts/alertmanager", "Bearer " + amToken[:10], allSources, "wrong token"},
		{"source not configured", "/alerts/grafana", "Bearer " + amToken, map[string]string{"alertmanager": amToken}, "alert source grafana is not configured: set alerts.sources.grafana.token"},
		{"source with an empty token", "/alerts/grafana", "Bearer ", map[string]string{"grafana": ""}, "alert source grafana is not configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recordingSink{}
			srv := newServer(t, sink, tc.sources, nil)
			status, body, h := post(t, srv, tc.path, tc.auth, am)
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Contains(t, body, tc.want)
			assert.Equal(t, `Bearer realm="incidentflow alerts"`, h.Get("WWW-Authenticate"))
			assert.Zero(t, sink.calls(), "starts nothing")
		})
	}
}

func TestDoorAnswers(t *testing.T) {
	am := testdata(t, "alertmanager.json")
	watchdog := strings.ReplaceAll(am, `"alertname": "HighErrorRate"`, `"alertname": "Watchdog"`)
	for _, tc := range []struct {
		name       string
		sink       *recordingSink
		body       string
		status     int
		want       string
		sinkCalled bool
		logged     string
	}{
		{"too large", &recordingSink{}, am + strings.Repeat(" ", 64<<10), http.StatusRequestEntityTooLarge, "the body is over 65536 bytes", false, "alert refused"},
		{"malformed", &recordingSink{}, `{"version":"4",`, http.StatusBadRequest, "alertmanager notification: body is empty or cut short", false, "alert refused"},
		{"ignored", &recordingSink{}, watchdog, http.StatusOK, "ignored: matched alerts.routes[0]", false, "alert ignored"},
		{"no route: triage", &recordingSink{}, strings.ReplaceAll(am, `"service": "checkout"`, `"service": "search"`), http.StatusOK, "accepted: triage", true, "alert accepted"},
		{"temporal unreachable", &recordingSink{err: fmt.Errorf("signal-with-start: %w", starter.ErrUnavailable)}, am, http.StatusServiceUnavailable, "retry", true, "signal-with-start: Temporal can't be reached"},
		{"sink too slow", &recordingSink{block: true}, am, http.StatusServiceUnavailable, "retry", false, "context deadline exceeded"},
		{"sink fails", &recordingSink{err: errors.New("bad input")}, am, http.StatusInternalServerError, "see its log", true, "bad input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := newServer(t, tc.sink, allSources, &logs)
			start := time.Now()
			status, body, h := post(t, srv, "/alerts/alertmanager", "Bearer "+amToken, tc.body)
			assert.Less(t, time.Since(start), time.Second, "answers fast")
			assert.Equal(t, tc.status, status, body)
			assert.Contains(t, body, tc.want)
			assert.Equal(t, 1, strings.Count(body, "\n"), "one line")
			assert.Equal(t, tc.sinkCalled, tc.sink.calls() > 0)
			assert.Contains(t, logs.String(), tc.logged)
			if status == http.StatusServiceUnavailable {
				assert.NotEmpty(t, h.Get("Retry-After"))
			}
		})
	}
}

func TestDoorServesOnlyPost(t *testing.T) {
	srv := newServer(t, &recordingSink{}, allSources, nil)
	res, err := srv.Client().Get(srv.URL + "/alerts/alertmanager")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	status, _, _ := post(t, srv, "/alerts/nagios", "Bearer "+amToken, "{}")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestNewRefusesIncompleteOptions(t *testing.T) {
	rt, err := alert.NewRouter(alert.Config{}, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no router", Options{Sink: &recordingSink{}}, "Router is nil"},
		{"no sink", Options{Router: rt}, "Sink is nil"},
		{"unknown source", Options{Router: rt, Sink: &recordingSink{}, Sources: map[string]string{"nagios": "x"}}, `unknown alert source "nagios"`},
	} {
		_, err := New(tc.o)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

func TestDoorBoundsABodyOfUnknownLength(t *testing.T) {
	sink := &recordingSink{}
	srv := newServer(t, sink, allSources, nil)
	body := io.MultiReader(strings.NewReader(testdata(t, "alertmanager.json")), strings.NewReader(strings.Repeat(" ", 64<<10)))
	// A reader of unknown length is sent chunked, without Content-Length.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/alerts/alertmanager", io.NopCloser(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+amToken)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	assert.Zero(t, sink.calls())
}
