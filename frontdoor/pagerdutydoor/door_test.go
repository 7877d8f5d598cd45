package pagerdutydoor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor/pagerdutydoor"
	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
	"github.com/incidentflow/incidentflow/starter"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

const secret = "a-webhook-secret-of-pagerduty"

type recorded struct {
	incident string
	ev       wfapi.PageEvent
}

type fakeEvents struct {
	mu   sync.Mutex
	got  []recorded
	err  error
	wait time.Duration
}

func (f *fakeEvents) RecordPageEvent(ctx context.Context, id string, ev wfapi.PageEvent) error {
	if f.wait > 0 {
		select {
		case <-time.After(f.wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.got = append(f.got, recorded{id, ev})
	return nil
}

func (f *fakeEvents) calls() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.got...)
}

func newDoor(t *testing.T, ev pagerdutydoor.PageEvents, timeout time.Duration) http.Handler {
	t.Helper()
	d, err := pagerdutydoor.New(pagerdutydoor.Options{Secret: secret, Events: ev, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return d.Handler()
}

func webhook(eventType, dedupKey string) string {
	return fmt.Sprintf(`{"event":{"id":"01DEF","event_type":%q,"resource_type":"incident","occurred_at":"2026-03-01T02:14:05.123Z",
"agent":{"id":"PAVA","type":"user_reference","summary":"Ava Adams"},"client":null,
"data":{"id":"Q1","type":"incident","html_url":"https://acme.pagerduty.com/incidents/Q1","number":3,"status":"acknowledged","incident_key":%q,"title":"x"}}}`,
		eventType, dedupKey)
}

func send(h http.Handler, body, sig string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/pagerduty/webhook", strings.NewReader(body))
	if sig != "" {
		r.Header.Set("X-PagerDuty-Signature", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRecordsAcknowledgementsAndResolutions(t *testing.T) {
	ev := &fakeEvents{}
	h := newDoor(t, ev, 0)
	key := wfapi.PageDedupKey("abc123", "checkout")
	body := webhook("incident.acknowledged", key)
	// Two signatures (a secret being rotated): the second matches.
	if w := send(h, body, "v1=00ff,"+pagerdutyemu.Sign(secret, []byte(body))); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "recorded") {
		t.Fatalf("acknowledged: %d %s", w.Code, w.Body)
	}
	resolved := webhook("incident.resolved", key)
	if w := send(h, resolved, pagerdutyemu.Sign(secret, []byte(resolved))); w.Code != http.StatusOK {
		t.Fatalf("resolved: %d %s", w.Code, w.Body)
	}
	got := ev.calls()
	if len(got) != 2 {
		t.Fatalf("recorded %d events, want 2", len(got))
	}
	want := wfapi.PageEvent{ID: "01DEF", Kind: wfapi.PageAcknowledged, DedupKey: key, By: "Ava Adams",
		At: time.Date(2026, 3, 1, 2, 14, 5, 123e6, time.UTC), URL: "https://acme.pagerduty.com/incidents/Q1"}
	if got[0].incident != "abc123" || got[0].ev != want {
		t.Errorf("recorded %+v, want %+v for abc123", got[0], want)
	}
	if got[1].ev.Kind != wfapi.PageResolved {
		t.Errorf("second event %+v, want resolved", got[1].ev)
	}
	// A name over the incident's bound is cut, not refused; control
	// characters are dropped.
	long := strings.Replace(body, "Ava Adams", "Ava\u202e "+strings.Repeat("x", 300), 1)
	if w := send(h, long, pagerdutyemu.Sign(secret, []byte(long))); w.Code != http.StatusOK {
		t.Fatalf("long name: %d %s", w.Code, w.Body)
	}
	if by := ev.calls()[2].ev.By; len([]rune(by)) != 100 || strings.ContainsRune(by, '\u202e') {
		t.Errorf("long name recorded as %q", by)
	}
}

func TestRefusals(t *testing.T) {
	ev := &fakeEvents{}
	h := newDoor(t, ev, 0)
	body := webhook("incident.acknowledged", wfapi.PageDedupKey("abc123", ""))
	big := `{"event":{"id":"1","event_type":"x","data":"` + strings.Repeat("a", 1<<20) + `"}}`
	notJSON := "not json"
	noEvent := `{"messages":[]}`
	badTime := strings.Replace(body, "2026-03-01T02:14:05.123Z", "yesterday", 1)
	for _, c := range []struct {
		name, body, sig string
		status          int
		says            string
	}{
		{"unsigned", body, "", http.StatusUnauthorized, "no X-PagerDuty-Signature"},
		{"wrong secret", body, pagerdutyemu.Sign("another secret", []byte(body)), http.StatusUnauthorized, "does not match"},
		{"signature of another body", body, pagerdutyemu.Sign(secret, []byte(body+" ")), http.StatusUnauthorized, "does not match"},
		{"not v1", body, "v0=" + strings.TrimPrefix(pagerdutyemu.Sign(secret, []byte(body)), "v1="), http.StatusUnauthorized, "does not match"},
		{"not hex", body, "v1=zz", http.StatusUnauthorized, "does not match"},
		{"over 1 MiB", big, pagerdutyemu.Sign(secret, []byte(big)), http.StatusRequestEntityTooLarge, "over"},
		{"not JSON", notJSON, pagerdutyemu.Sign(secret, []byte(notJSON)), http.StatusBadRequest, "not a PagerDuty webhook"},
		{"no event", noEvent, pagerdutyemu.Sign(secret, []byte(noEvent)), http.StatusBadRequest, `no "event"`},
		{"bad time", badTime, pagerdutyemu.Sign(secret, []byte(badTime)), http.StatusBadRequest, "occurred_at"},
	} {
		w := send(h, c.body, c.sig)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.says) || strings.Count(w.Body.String(), "\n") != 1 {
			t.Errorf("%s: %d %q, want %d with one line saying %q", c.name, w.Code, w.Body, c.status, c.says)
		}
	}
	if n := len(ev.calls()); n != 0 {
		t.Errorf("%d events recorded from refused deliveries", n)
	}
}

func TestIgnoresWhatIsNotAPageEvent(t *testing.T) {
	ev := &fakeEvents{}
	h := newDoor(t, ev, 0)
	for _, c := range []struct{ name, body, says string }{
		{"other type", webhook("incident.triggered", wfapi.PageDedupKey("abc123", "")), "incident.triggered is not recorded"},
		{"ping", `{"event":{"id":"P1","event_type":"pagey.ping","resource_type":"pagey","occurred_at":"2026-03-01T02:14:05Z","agent":null,"data":{"message":"Hello from your friend Pagey!"}}}`, "pagey.ping"},
		{"foreign key", webhook("incident.acknowledged", "d3640fbd41094207a1c11e58e46b1662"), "is not a page incidentflow sent"},
		{"no key", webhook("incident.acknowledged", ""), "no incident_key"},
	} {
		w := send(h, c.body, pagerdutyemu.Sign(secret, []byte(c.body)))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ignored") || !strings.Contains(w.Body.String(), c.says) {
			t.Errorf("%s: %d %q", c.name, w.Code, w.Body)
		}
	}
	if n := len(ev.calls()); n != 0 {
		t.Errorf("%d ignored deliveries recorded", n)
	}
}

func TestIncidentServiceAnswers(t *testing.T) {
	body := webhook("incident.resolved", wfapi.PageDedupKey("abc123", ""))
	sig := pagerdutyemu.Sign(secret, []byte(body))
	for _, c := range []struct {
		name   string
		ev     *fakeEvents
		status int
	}{
		{"Temporal down", &fakeEvents{err: fmt.Errorf("%w right now", starter.ErrUnavailable)}, http.StatusServiceUnavailable},
		{"slow", &fakeEvents{wait: time.Second}, http.StatusServiceUnavailable},
		{"no incident", &fakeEvents{err: fmt.Errorf("incident abc123: %w", starter.ErrNotFound)}, http.StatusOK},
		{"incident ended", &fakeEvents{err: fmt.Errorf("incident abc123: %w", starter.ErrIncidentEnded)}, http.StatusOK},
		{"other failure", &fakeEvents{err: errors.New("boom")}, http.StatusInternalServerError},
	} {
		w := send(newDoor(t, c.ev, 50*time.Millisecond), body, sig)
		if w.Code != c.status {
			t.Errorf("%s: %d %q, want %d", c.name, w.Code, w.Body, c.status)
		}
		if c.status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", c.name)
		}
	}
}

func TestNewRefusesAnEmptySecret(t *testing.T) {
	if _, err := pagerdutydoor.New(pagerdutydoor.Options{Events: &fakeEvents{}}); err == nil || !strings.Contains(err.Error(), "paging.pagerduty.webhook_secret") {
		t.Errorf("New without a secret: %v", err)
	}
}

// The emulator's webhooks, signed as PagerDuty signs them, pass the door.
func TestTheEmulatorsWebhooksPass(t *testing.T) {
	ev := &fakeEvents{}
	mux := http.NewServeMux()
	mux.Handle("POST /pagerduty/webhook", newDoor(t, ev, 0))
	door := httptest.NewServer(mux)
	defer door.Close()
	emu := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{WebhookURL: door.URL + "/pagerduty/webhook", WebhookSecret: secret})
	key := wfapi.PageDedupKey("abc123", "")
	resp, err := http.Post(emu.URL()+"/v2/enqueue", "application/json", strings.NewReader(
		`{"routing_key":"sandbox-routing-key","event_action":"trigger","dedup_key":"`+key+`","payload":{"summary":"s","source":"x","severity":"critical"}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := emu.Acknowledge(key, "Dave Diaz"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(ev.calls()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := ev.calls()
	if len(got) != 1 || got[0].incident != "abc123" || got[0].ev.By != "Dave Diaz" || got[0].ev.Kind != wfapi.PageAcknowledged || !strings.HasPrefix(got[0].ev.URL, emu.URL()) {
		t.Fatalf("recorded %+v", got)
	}
	for _, d := range emu.Deliveries() {
		if !d.Delivered {
			t.Errorf("delivery %+v not answered 2xx", d)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(webhook("incident.acknowledged", "incidentflow/abc")))
	f.Add([]byte(`{"event":{"id":"1","event_type":"incident.resolved","resource_type":"incident","data":{"incident_key":"incidentflow/x/y"}}}`))
	f.Add([]byte(`{"event":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		wh, err := pagerdutydoor.Parse(body)
		if err != nil {
			return
		}
		if wh.ID == "" || wh.Type == "" {
			t.Fatalf("parsed an event without id or type: %q", body)
		}
		ev, id, ignored := wh.PageEvent()
		if ignored != "" {
			return
		}
		if back, ok := wfapi.IncidentOfDedupKey(ev.DedupKey); !ok || back != id || len(ev.URL) > 2000 {
			t.Fatalf("page event %+v of %q from %q", ev, id, body)
		}
		if err := ev.Check(); err != nil {
			t.Fatalf("page event %+v from %q fails the incident's check: %v", ev, body, err)
		}
	})
}
