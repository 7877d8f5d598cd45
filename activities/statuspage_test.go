package activities

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/internal/statuspageemu"
)

// newTestStatusPage returns Statuspage activities against an emulator. With
// lose set, the answer to the first request matching it is lost after the
// emulator handled it (a worker killed mid-call, a dropped connection).
func newTestStatusPage(t *testing.T, lose string) (*StatusPage, *statuspageemu.Server) {
	t.Helper()
	emu := statuspageemu.New(statuspageemu.Options{})
	var lost atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lose != "" && r.Method+" "+r.URL.Path == lose && lost.CompareAndSwap(false, true) {
			emu.Handler().ServeHTTP(httptest.NewRecorder(), r)
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			conn.Close()
			return
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return NewStatusPage(StatusPageOptions{APIURL: ts.URL, PageID: statuspageemu.SandboxPageID, APIKey: statuspageemu.SandboxAPIKey}), emu
}

const spIncidents = "/v1/pages/" + statuspageemu.SandboxPageID + "/incidents"

func publicRequest() PublicIncidentRequest {
	return PublicIncidentRequest{IncidentID: "inc-7", Name: "Checkout is slow", Status: PublicInvestigating,
		Body: "We are looking into slow checkouts.", Components: map[string]string{"cmpcheckout01": ComponentPartialOutage}, UpdateKey: "publish"}
}

func TestPublishIncidentOnceAcrossALostAnswer(t *testing.T) {
	s, emu := newTestStatusPage(t, "POST "+spIncidents)
	ctx := context.Background()
	_, err := s.PublishIncident(ctx, publicRequest())
	require.Error(t, err, "the answer was lost")
	got, err := s.PublishIncident(ctx, publicRequest()) // the retry
	require.NoError(t, err)
	st := emu.State()
	require.Len(t, st.Incidents, 1, "the retry found the public incident instead of making a second")
	assert.Equal(t, st.Incidents[0].ID, got.ID)
	assert.Len(t, st.Incidents[0].Updates, 1)
	assert.Equal(t, "inc-7", st.Incidents[0].Metadata["incidentflow"]["incident_id"])
	status, _ := emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, ComponentPartialOutage, status)
}

func TestPublicUpdateOnceAcrossALostAnswer(t *testing.T) {
	s, emu := newTestStatusPage(t, "")
	ctx := context.Background()
	made, err := s.PublishIncident(ctx, publicRequest())
	require.NoError(t, err)
	// The same page behind a proxy that loses the PATCH's answer.
	var lost atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && lost.CompareAndSwap(false, true) {
			emu.Handler().ServeHTTP(httptest.NewRecorder(), r)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	s = NewStatusPage(StatusPageOptions{APIURL: ts.URL, PageID: statuspageemu.SandboxPageID, APIKey: statuspageemu.SandboxAPIKey})
	upd := PublicIncidentRequest{IncidentID: "inc-7", PageIncidentID: made.ID, Status: PublicIdentified,
		Body: "A bad deploy; rolling back.", UpdateKey: "update-2"}
	_, err = s.PublishIncident(ctx, upd)
	require.Error(t, err)
	_, err = s.PublishIncident(ctx, upd)
	require.NoError(t, err)
	resolved, err := s.PublishIncident(ctx, PublicIncidentRequest{IncidentID: "inc-7", PageIncidentID: made.ID, Status: PublicResolved,
		Body: "Fixed.", Components: map[string]string{"cmpcheckout01": ComponentOperational}, UpdateKey: "resolve"})
	require.NoError(t, err)
	assert.Equal(t, PublicResolved, resolved.Status)
	var bodies []string
	for _, u := range emu.State().Incidents[0].Updates {
		bodies = append(bodies, u.Body)
	}
	assert.Equal(t, []string{"We are looking into slow checkouts.", "A bad deploy; rolling back.", "Fixed."}, bodies,
		"the retried update posted once")
	status, _ := emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, ComponentOperational, status)
}

func TestScheduledMaintenanceLifecycle(t *testing.T) {
	s, emu := newTestStatusPage(t, "POST "+spIncidents)
	ctx := context.Background()
	from := time.Now().Add(time.Hour).Truncate(time.Second)
	req := ScheduledMaintenanceRequest{WindowID: "db-20260101t0200", Name: "DB upgrade", Body: "Checkout may be slow.",
		Status: MaintenanceScheduled, ScheduledFor: from, ScheduledUntil: from.Add(time.Hour),
		Components: map[string]string{"cmpcheckout01": ComponentUnderMaintenance}, UpdateKey: "scheduled"}
	_, err := s.ScheduleMaintenance(ctx, req)
	require.Error(t, err)
	made, err := s.ScheduleMaintenance(ctx, req)
	require.NoError(t, err)
	require.Len(t, emu.State().Incidents, 1)
	status, _ := emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, ComponentOperational, status, "a maintenance to come leaves its components alone")

	_, err = s.ScheduleMaintenance(ctx, ScheduledMaintenanceRequest{WindowID: req.WindowID, PageIncidentID: made.ID,
		Status: MaintenanceInProgress, Body: "Started.", Components: req.Components, UpdateKey: "in_progress"})
	require.NoError(t, err)
	status, _ = emu.ComponentStatus("cmpcheckout01")
	assert.Equal(t, ComponentUnderMaintenance, status)
	done, err := s.ScheduleMaintenance(ctx, ScheduledMaintenanceRequest{WindowID: req.WindowID, PageIncidentID: made.ID, Cancel: true,
		Body: "Cancelled.", Components: map[string]string{"cmpcheckout01": ComponentOperational}, UpdateKey: "cancel"})
	require.NoError(t, err)
	assert.Equal(t, MaintenanceCompleted, done.Status, "cancel is completed with a word")
	st := emu.State().Incidents[0]
	assert.True(t, st.Scheduled)
	assert.Equal(t, "Cancelled.", st.Body)
	assert.Len(t, st.Updates, 3)
}

func TestStatusPageErrorsInWords(t *testing.T) {
	ctx := context.Background()
	emu := statuspageemu.NewTestServer(t, statuspageemu.Options{})
	cases := []struct {
		name, key, page string
		fault           func()
		typ, want       string
		retryable       bool
	}{
		{"bad key", "nope", statuspageemu.SandboxPageID, nil, ErrStatusPageConfig, "check statuspage.api_key", false},
		{"unknown page", statuspageemu.SandboxAPIKey, "nopage", nil, ErrStatusPageConfig, "check statuspage.page_id", false},
		{"rate limited", statuspageemu.SandboxAPIKey, statuspageemu.SandboxPageID, func() { emu.RateLimitNext(7*time.Second, 1) }, ErrStatusPageRateLimited, "retrying in 7s", true},
		{"down", statuspageemu.SandboxAPIKey, statuspageemu.SandboxPageID, func() { emu.FailNext("*", 503, 1) }, ErrStatusPageUnavailable, "retrying", true},
		{"not configured", "", "", nil, ErrStatusPageConfig, "set statuspage.api_key and statuspage.page_id", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				tc.fault()
			}
			s := NewStatusPage(StatusPageOptions{APIURL: emu.URL(), PageID: tc.page, APIKey: tc.key})
			_, err := s.PublishIncident(ctx, publicRequest())
			ae := appError(t, err, tc.typ)
			assert.Contains(t, ae.Error(), tc.want)
			assert.Equal(t, !tc.retryable, ae.NonRetryable())
			if tc.typ == ErrStatusPageRateLimited {
				assert.Equal(t, 7*time.Second, ae.NextRetryDelay())
			}
		})
	}
	s := NewStatusPage(StatusPageOptions{APIURL: emu.URL(), PageID: statuspageemu.SandboxPageID, APIKey: statuspageemu.SandboxAPIKey})
	bad := publicRequest()
	bad.Components = map[string]string{"nope": ComponentOperational}
	_, err := s.PublishIncident(ctx, bad)
	ae := appError(t, err, ErrStatusPageRejected)
	assert.Contains(t, ae.Error(), `Component "nope" can't be found`, "Statuspage's own words reach the war room")
	bad = publicRequest()
	bad.Status = "on_fire"
	_, err = s.PublishIncident(ctx, bad)
	appError(t, err, ErrStatusPageRejected)
	assert.Empty(t, emu.State().Incidents)
}

func TestPublicTextCleanedAndBounded(t *testing.T) {
	s, emu := newTestStatusPage(t, "")
	req := publicRequest()
	req.Name = "Checkout\u202e slow " + strings.Repeat("x", 400)
	req.Body = strings.Repeat("y", MaxPublicBody+50)
	_, err := s.PublishIncident(context.Background(), req)
	require.NoError(t, err)
	in := emu.State().Incidents[0]
	assert.NotContains(t, in.Name, "\u202e")
	assert.LessOrEqual(t, len([]rune(in.Name)), MaxPublicName)
	assert.LessOrEqual(t, len([]rune(in.Body)), MaxPublicBody)
}

// FuzzStatusPageErrorText: whatever Statuspage answers, the war room gets a
// bounded line, never a panic.
func FuzzStatusPageErrorText(f *testing.F) {
	for _, s := range []string{`{"error":"Could not authenticate"}`, `{"error":["Name can't be blank","x"]}`, `{"message":"m"}`, `<html>`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if s := errorText(data); len([]rune(s)) > 300 || strings.ContainsAny(s, "\n\r") {
			t.Fatalf("errorText is not one bounded line: %q", s)
		}
	})
}
