package pagerdutyemu_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
)

const key32 = "0123456789abcdef0123456789ABCDEF"

func post(t *testing.T, url string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	resp, err := http.Post(url, "application/json", rd)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func trigger(dedup, summary string) map[string]any {
	return map[string]any{"routing_key": pagerdutyemu.SandboxRoutingKey, "event_action": "trigger", "dedup_key": dedup,
		"payload": map[string]any{"summary": summary, "source": "incidentflow", "severity": "critical"}}
}

func TestEventsLifecycleDeduplicates(t *testing.T) {
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{})
	enqueue := s.URL() + "/v2/enqueue"
	status, body, _ := post(t, enqueue, trigger("incidentflow/42", "Checkout is down"))
	if status != http.StatusAccepted || body["status"] != "success" || body["message"] != "Event processed" || body["dedup_key"] != "incidentflow/42" {
		t.Fatalf("trigger: %d %v", status, body)
	}
	// A retry of the same trigger is folded into the open alert.
	if status, _, _ := post(t, enqueue, trigger("incidentflow/42", "Checkout is down")); status != http.StatusAccepted {
		t.Fatalf("retried trigger: %d", status)
	}
	if a := s.Alerts(); len(a) != 1 || a[0].Deduplicated != 1 || a[0].Status != pagerdutyemu.StatusTriggered {
		t.Fatalf("alerts after a retried trigger = %+v, want one, deduplicated once", a)
	}
	for _, action := range []string{"acknowledge", "resolve", "resolve"} {
		ev := map[string]any{"routing_key": pagerdutyemu.SandboxRoutingKey, "event_action": action, "dedup_key": "incidentflow/42"}
		if status, body, _ := post(t, enqueue, ev); status != http.StatusAccepted {
			t.Fatalf("%s: %d %v", action, status, body)
		}
	}
	a := s.Alerts()
	if len(a) != 1 || a[0].Status != pagerdutyemu.StatusResolved || a[0].AcknowledgedAt.IsZero() {
		t.Fatalf("alerts = %+v, want one resolved after an acknowledgement", a)
	}
	// After resolution the same key opens a new alert.
	post(t, enqueue, trigger("incidentflow/42", "Checkout is down again"))
	if a := s.Alerts(); len(a) != 2 || a[1].Number != 2 || a[1].Status != pagerdutyemu.StatusTriggered {
		t.Fatalf("alerts = %+v, want a second one", a)
	}
	outcomes := []string{}
	for _, e := range s.State().Events {
		outcomes = append(outcomes, e.EventAction+":"+e.Outcome)
	}
	want := "trigger:opened trigger:deduplicated acknowledge:acknowledged resolve:resolved resolve:ignored trigger:opened"
	if got := strings.Join(outcomes, " "); got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	// PagerDuty's own timestamp format is taken.
	stamped := trigger("incidentflow/43", "stamped")
	stamped["payload"].(map[string]any)["timestamp"] = "2015-07-17T08:42:58.315+0000"
	if status, body, _ := post(t, enqueue, stamped); status != http.StatusAccepted {
		t.Errorf("timestamp 2015-07-17T08:42:58.315+0000: %d %v", status, body)
	}
	// A trigger without a dedup key gets one.
	_, body, _ = post(t, enqueue, trigger("", "no key"))
	if k, _ := body["dedup_key"].(string); len(k) != 32 {
		t.Errorf("generated dedup key = %q", k)
	}
}

func TestEventsRefuseBadEvents(t *testing.T) {
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{RoutingKeys: []string{key32}})
	long := strings.Repeat("é", 1025)
	cases := []struct {
		name, body, want string
	}{
		{"not JSON", `{`, "Invalid JSON"},
		{"no routing key", `{"event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"}}`, "'routing_key' is missing"},
		{"short routing key", `{"routing_key":"abc","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"}}`, "32 character"},
		{"unknown routing key", `{"routing_key":"ffffffffffffffffffffffffffffffff","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"}}`, "Invalid routing key"},
		{"bad action", `{"routing_key":"` + key32 + `","event_action":"page"}`, "'event_action' is invalid"},
		{"no payload", `{"routing_key":"` + key32 + `","event_action":"trigger"}`, "'payload' is missing"},
		{"no summary", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"source":"x","severity":"info"}}`, "'payload.summary' is missing"},
		{"long summary", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"summary":"` + long + `","source":"x","severity":"info"}}`, "at most 1024"},
		{"no source", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"summary":"s","severity":"info"}}`, "'payload.source' is missing"},
		{"bad severity", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"sev1"}}`, "'payload.severity' is invalid"},
		{"bad timestamp", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info","timestamp":"yesterday"}}`, "'payload.timestamp'"},
		{"resolve without key", `{"routing_key":"` + key32 + `","event_action":"resolve"}`, "'dedup_key' is missing"},
		{"link without href", `{"routing_key":"` + key32 + `","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"},"links":[{"text":"x"}]}`, "'links[0].href'"},
	}
	for _, c := range cases {
		status, body, _ := post(t, s.URL()+"/v2/enqueue", c.body)
		raw, _ := json.Marshal(body)
		if status != http.StatusBadRequest || body["status"] != "invalid event" || !strings.Contains(string(raw), c.want) {
			t.Errorf("%s: %d %s, want 400 naming %q", c.name, status, raw, c.want)
		}
	}
	if n := len(s.Events()); n != 0 {
		t.Errorf("%d events kept from bad requests", n)
	}
	status, _, _ := post(t, s.URL()+"/v2/enqueue", `{"routing_key":"`+key32+`","event_action":"trigger","payload":{"summary":"`+strings.Repeat("x", 600<<10)+`"}}`)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 600 KiB event: %d, want 413", status)
	}
}

func TestEventsRateLimitPerRoutingKey(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{EventsPerMinute: 2, Now: func() time.Time { return now }})
	for i := range 2 {
		if status, _, _ := post(t, s.URL()+"/v2/enqueue", trigger("k", "s")); status != http.StatusAccepted {
			t.Fatalf("event %d: %d", i, status)
		}
	}
	status, body, h := post(t, s.URL()+"/v2/enqueue", trigger("k", "s"))
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "60" || body["status"] != "throttle event" {
		t.Fatalf("third event: %d %v Retry-After %q", status, body, h.Get("Retry-After"))
	}
	other := trigger("k2", "s")
	other["routing_key"] = key32
	if status, _, _ := post(t, s.URL()+"/v2/enqueue", other); status != http.StatusAccepted {
		t.Errorf("another routing key: %d, want its own budget", status)
	}
}

func TestFaults(t *testing.T) {
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{})
	s.FailNext("enqueue", http.StatusServiceUnavailable, 1)
	if status, _, _ := post(t, s.URL()+"/v2/enqueue", trigger("k", "s")); status != http.StatusServiceUnavailable {
		t.Errorf("FailNext: %d", status)
	}
	if len(s.Alerts()) != 0 {
		t.Error("a failed call changed the state")
	}
	s.RateLimitNext("", 7*time.Second, 1)
	if status, _, h := post(t, s.URL()+"/v2/enqueue", trigger("k", "s")); status != 429 || h.Get("Retry-After") != "7" {
		t.Errorf("RateLimitNext: %d %q", status, h.Get("Retry-After"))
	}
	s.FailAfterNext(http.StatusBadGateway, 1)
	if status, _, _ := post(t, s.URL()+"/v2/enqueue", trigger("k", "s")); status != http.StatusBadGateway {
		t.Errorf("FailAfterNext: %d", status)
	}
	if len(s.Alerts()) != 1 {
		t.Error("FailAfterNext did not process the event")
	}
	// The same through HTTP.
	if status, _, _ := post(t, s.URL()+"/_emu/fail", map[string]any{"match": "oncalls", "status": 500, "count": 1}); status != http.StatusNoContent {
		t.Fatalf("/_emu/fail: %d", status)
	}
	if status, _ := get(t, s.URL()+"/oncalls", pagerdutyemu.SandboxToken); status != 500 {
		t.Errorf("injected oncalls fault: %d", status)
	}
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Token token="+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestRESTOnCallsAndUsers(t *testing.T) {
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{})
	q := url.Values{"escalation_policy_ids[]": {pagerdutyemu.SandboxEscalationPolicy}, "include[]": {"users"}}
	if status, body := get(t, s.URL()+"/oncalls?"+q.Encode(), ""); status != http.StatusUnauthorized || body["error"] == nil {
		t.Fatalf("no token: %d %v", status, body)
	}
	status, body := get(t, s.URL()+"/oncalls?"+q.Encode(), pagerdutyemu.SandboxToken)
	if status != http.StatusOK {
		t.Fatalf("oncalls: %d %v", status, body)
	}
	entries := body["oncalls"].([]any)
	if len(entries) != 3 {
		t.Fatalf("oncalls = %v, want Dave (level 1), Erin and Nadia (level 2)", entries)
	}
	first := entries[0].(map[string]any)
	user := first["user"].(map[string]any)
	if user["email"] != "dave@example.com" || first["escalation_level"].(float64) != 1 || first["schedule"].(map[string]any)["id"] != "PSCHED1" {
		t.Errorf("first on-call entry = %v", first)
	}
	if second := entries[1].(map[string]any); second["schedule"] != nil || second["start"] != nil {
		t.Errorf("a person named directly has no schedule: %v", second)
	}
	// Without include[]=users the user is a reference without email.
	_, body = get(t, s.URL()+"/oncalls?escalation_policy_ids[]=PSANDBX", pagerdutyemu.SandboxToken)
	if u := body["oncalls"].([]any)[0].(map[string]any)["user"].(map[string]any); u["type"] != "user_reference" || u["email"] != nil {
		t.Errorf("user without include = %v", u)
	}
	_, body = get(t, s.URL()+"/oncalls?escalation_policy_ids[]=PGAP000", pagerdutyemu.SandboxToken)
	if n := len(body["oncalls"].([]any)); n != 0 {
		t.Errorf("a schedule with a gap: %d entries", n)
	}
	if status, body := get(t, s.URL()+"/users/PERIN01", pagerdutyemu.SandboxToken); status != 200 || body["user"].(map[string]any)["email"] != "erin@example.com" {
		t.Errorf("GET /users/PERIN01: %d %v", status, body)
	}
	if status, _ := get(t, s.URL()+"/users/PNOBODY", pagerdutyemu.SandboxToken); status != 404 {
		t.Errorf("unknown user: %d", status)
	}
	if status, body := get(t, s.URL()+"/escalation_policies/PNOONE0", pagerdutyemu.SandboxToken); status != 200 || len(body["escalation_policy"].(map[string]any)["escalation_rules"].([]any)) != 0 {
		t.Errorf("policy without rules: %d %v", status, body)
	}
	if status, _ := get(t, s.URL()+"/oncalls?limit=500", pagerdutyemu.SandboxToken); status != 400 {
		t.Errorf("limit 500: %d, want 400", status)
	}
	s.RevokeToken(pagerdutyemu.SandboxToken)
	if status, _ := get(t, s.URL()+"/oncalls", pagerdutyemu.SandboxToken); status != 401 {
		t.Errorf("revoked token: %d, want 401", status)
	}
	// Fixtures an operator sets.
	f := pagerdutyemu.Fixtures{Users: []pagerdutyemu.User{{ID: "PX", Name: "X"}},
		EscalationPolicies: []pagerdutyemu.EscalationPolicy{{ID: "PEP", Rules: []pagerdutyemu.EscalationRule{{Schedules: []string{"PMISSING"}}}}}}
	if err := s.SetFixtures(f); err == nil || !strings.Contains(err.Error(), "PMISSING") {
		t.Errorf("fixtures naming a missing schedule: %v", err)
	}
}

// subscriber records the webhooks it is sent, failing the first failFirst.
type subscriber struct {
	mu        sync.Mutex
	bodies    [][]byte
	sigs      []string
	failFirst int
}

func (sub *subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.failFirst > 0 {
		sub.failFirst--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	sub.bodies = append(sub.bodies, body)
	sub.sigs = append(sub.sigs, r.Header.Get("X-PagerDuty-Signature"))
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWebhooksSignedAndRetried(t *testing.T) {
	sub := &subscriber{failFirst: 1}
	hs := httptest.NewServer(sub)
	defer hs.Close()
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{WebhookURL: hs.URL, WebhookSecret: "s3cret-s3cret-s3cret", WebhookRetryDelay: 10 * time.Millisecond})
	post(t, s.URL()+"/v2/enqueue", trigger("incidentflow/7", "Search is slow"))
	if err := s.Acknowledge("incidentflow/7", "Dave Diaz"); err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge("incidentflow/7", "Dave Diaz"); err == nil {
		t.Error("acknowledging twice was accepted")
	}
	// Through the page's form, as a person.
	resp, err := http.PostForm(s.URL()+"/_emu/resolve", url.Values{"dedup_key": {"incidentflow/7"}, "by": {"Erin Evans"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, "three webhooks", func() bool { sub.mu.Lock(); defer sub.mu.Unlock(); return len(sub.bodies) == 3 })
	sub.mu.Lock()
	defer sub.mu.Unlock()
	types := []string{}
	for i, b := range sub.bodies {
		if sub.sigs[i] != pagerdutyemu.Sign("s3cret-s3cret-s3cret", b) {
			t.Errorf("webhook %d signed %q", i, sub.sigs[i])
		}
		var env struct {
			Event struct {
				EventType string `json:"event_type"`
				Agent     struct{ Summary, Type string }
				Data      struct {
					IncidentKey string `json:"incident_key"`
					HTMLURL     string `json:"html_url"`
				}
			}
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		if env.Event.Data.IncidentKey != "incidentflow/7" || env.Event.Data.HTMLURL == "" {
			t.Errorf("webhook %d data = %+v", i, env.Event.Data)
		}
		types = append(types, env.Event.EventType+" by "+env.Event.Agent.Summary)
	}
	want := "incident.triggered by Sandbox service (Events API v2)|incident.acknowledged by Dave Diaz|incident.resolved by Erin Evans"
	if got := strings.Join(types, "|"); got != want {
		t.Errorf("webhooks = %s, want %s", got, want)
	}
	if d := s.Deliveries(); d[0].Attempts != 2 || !d[0].Delivered {
		t.Errorf("first delivery = %+v, want delivered on the second attempt", d[0])
	}
}

func TestPageAndStateFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pd.json")
	s := pagerdutyemu.NewTestServer(t, pagerdutyemu.Options{StateFile: file})
	post(t, s.URL()+"/v2/enqueue", trigger("incidentflow/9", "<script>alert(1)</script> checkout"))
	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "&lt;script&gt;") || strings.Contains(string(page), "<script>alert") || !strings.Contains(string(page), "Acknowledge") {
		t.Errorf("page does not show the alert escaped with its buttons:\n%s", page)
	}
	status, st := get(t, s.URL()+"/_emu/state", "")
	if status != 200 || len(st["events"].([]any)) != 1 || st["oncalls"] == nil {
		t.Fatalf("state: %d %v", status, st)
	}
	ev := st["events"].([]any)[0].(map[string]any)
	for _, k := range []string{"routing_key", "dedup_key", "event_action", "payload"} {
		if ev[k] == nil {
			t.Errorf("state event lacks %s: %v", k, ev)
		}
	}
	s.Close()
	again := pagerdutyemu.New(pagerdutyemu.Options{StateFile: file})
	defer again.Close()
	if err := again.StateFileError(); err != nil {
		t.Fatal(err)
	}
	if a := again.Alerts(); len(a) != 1 || a[0].DedupKey != "incidentflow/9" {
		t.Errorf("alerts after a restart = %+v", a)
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"routing_key":"sandbox-routing-key","event_action":"trigger","dedup_key":"k","payload":{"summary":"s","source":"x","severity":"info"}}`))
	f.Add([]byte(`{"routing_key":"` + key32 + `","event_action":"resolve","dedup_key":"k","links":[{"href":"h"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, errs := pagerdutyemu.ParseEvent(body)
		if len(errs) > 0 {
			return
		}
		if ev.RoutingKey == "" || ev.Action == "" {
			t.Fatalf("accepted an event without routing key or action: %q", body)
		}
		if ev.Action == "trigger" && (ev.Summary == "" || ev.Source == "" || ev.Severity == "") {
			t.Fatalf("accepted a trigger without summary, source or severity: %q", body)
		}
		if ev.Action != "trigger" && ev.DedupKey == "" {
			t.Fatalf("accepted a %s without dedup key: %q", ev.Action, body)
		}
	})
}
