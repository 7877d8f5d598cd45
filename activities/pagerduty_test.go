package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/internal/pagerdutyemu"
)

const testRoutingKey = "0123456789abcdef0123456789abcdef"

func newTestPagerDuty(t *testing.T, opts pagerdutyemu.Options, edit func(*PagerDutyOptions)) (*PagerDuty, *pagerdutyemu.Server) {
	t.Helper()
	srv := pagerdutyemu.NewTestServer(t, opts)
	o := PagerDutyOptions{RoutingKey: pagerdutyemu.SandboxRoutingKey, Sandbox: true, Token: pagerdutyemu.SandboxToken,
		EventsURL: srv.URL(), APIURL: srv.URL() + "/",
		Services: map[string]PagerDutyService{
			"checkout": {RoutingKey: testRoutingKey, EscalationPolicy: pagerdutyemu.SandboxEscalationPolicy},
			"search":   {EscalationPolicy: "PGAP000"},
			"billing":  {EscalationPolicy: "PNOONE0"},
			"ghost":    {EscalationPolicy: "PGHOST0"},
		}}
	if edit != nil {
		edit(&o)
	}
	return NewPagerDuty(o), srv
}

func pageReq(id, service string) PageRequest {
	return PageRequest{IncidentID: id, Service: service, DedupKey: "incidentflow/" + id, Summary: "Checkout is down",
		Severity: "critical", Links: []PageLink{{Href: "https://slack.example.com/archives/C1", Text: "War room"}},
		CustomDetails: map[string]string{"severity": "critical"}}
}

func TestPageOnceAcrossRetriesAndLostAnswers(t *testing.T) {
	p, srv := newTestPagerDuty(t, pagerdutyemu.Options{}, nil)
	ctx := context.Background()
	res, err := p.Page(ctx, pageReq("42", "checkout"))
	if err != nil {
		t.Fatal(err)
	}
	if res.DedupKey != "incidentflow/42" || !strings.Contains(res.RoutedBy, "checkout") {
		t.Errorf("result = %+v", res)
	}
	// PagerDuty takes the event but the answer is lost (a timeout, a worker
	// killed mid-call); the retry reports the error, then succeeds, and
	// PagerDuty still holds one alert.
	srv.FailAfterNext(http.StatusBadGateway, 1)
	_, err = p.Page(ctx, pageReq("42", "checkout"))
	appError(t, err, ErrPagerDutyUnavailable)
	if _, err := p.Page(ctx, pageReq("42", "checkout")); err != nil {
		t.Fatal(err)
	}
	alerts := srv.Alerts()
	if len(alerts) != 1 || alerts[0].Deduplicated != 2 || alerts[0].RoutingKey != testRoutingKey {
		t.Fatalf("alerts = %+v, want one alert on checkout's key, deduplicated twice", alerts)
	}
	ev := srv.Events()[0]
	var payload map[string]any
	_ = json.Unmarshal(ev.Payload, &payload)
	if payload["summary"] != "Checkout is down" || payload["source"] != "incidentflow" || payload["severity"] != "critical" {
		t.Errorf("payload = %v", payload)
	}
	if !strings.Contains(string(ev.Links), "War room") {
		t.Errorf("links = %s", ev.Links)
	}

	// Resolving twice is harmless.
	for range 2 {
		if err := p.ResolvePage(ctx, ResolvePageRequest{IncidentID: "42", Service: "checkout", DedupKey: "incidentflow/42"}); err != nil {
			t.Fatal(err)
		}
	}
	if a := srv.Alerts(); a[0].Status != pagerdutyemu.StatusResolved {
		t.Errorf("alert after resolve = %+v", a[0])
	}
}

func TestPageDefaultRoutingKeyAndSummaryCut(t *testing.T) {
	p, srv := newTestPagerDuty(t, pagerdutyemu.Options{}, nil)
	req := pageReq("7", "")
	req.Summary = strings.Repeat("é", 1500)
	res, err := p.Page(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.RoutedBy != "the PagerDuty sandbox" {
		t.Errorf("RoutedBy = %q", res.RoutedBy)
	}
	summary := srv.Alerts()[0].Summary
	if n := utf8.RuneCountInString(summary); n != MaxPageSummary || !utf8.ValidString(summary) || !strings.HasSuffix(summary, "…") {
		t.Errorf("summary of %d characters (valid UTF-8: %v)", n, utf8.ValidString(summary))
	}
}

func TestPageErrorsSayWhatToDo(t *testing.T) {
	ctx := context.Background()
	noKey, _ := newTestPagerDuty(t, pagerdutyemu.Options{}, func(o *PagerDutyOptions) { o.RoutingKey = "" })
	_, err := noKey.Page(ctx, pageReq("1", "search"))
	ae := appError(t, err, ErrPagerDutyConfig)
	if !ae.NonRetryable() || !strings.Contains(err.Error(), "services.search.pagerduty_routing_key") || !strings.Contains(err.Error(), "paging.pagerduty.routing_key") {
		t.Errorf("no routing key: %v", err)
	}

	p, srv := newTestPagerDuty(t, pagerdutyemu.Options{RoutingKeys: []string{testRoutingKey}}, func(o *PagerDutyOptions) {
		o.RoutingKey, o.Sandbox = "ffffffffffffffffffffffffffffffff", false
	})
	_, err = p.Page(ctx, pageReq("2", ""))
	ae = appError(t, err, ErrPagerDutyRejected)
	if !ae.NonRetryable() || !strings.Contains(err.Error(), "Invalid routing key") || !strings.Contains(err.Error(), "paging.pagerduty.routing_key") {
		t.Errorf("400: %v", err)
	}

	srv.RateLimitNext("enqueue", 7*time.Second, 1)
	_, err = p.Page(ctx, pageReq("3", "checkout"))
	ae = appError(t, err, ErrPagerDutyRateLimited)
	if ae.NonRetryable() || ae.NextRetryDelay() != 7*time.Second {
		t.Errorf("429: retryable %v after %s, want retryable after 7s", !ae.NonRetryable(), ae.NextRetryDelay())
	}

	srv.FailNext("enqueue", http.StatusServiceUnavailable, 1)
	_, err = p.Page(ctx, pageReq("3", "checkout"))
	if ae := appError(t, err, ErrPagerDutyUnavailable); ae.NonRetryable() {
		t.Error("503 is not retryable")
	}

	srv.FailNext("enqueue", http.StatusForbidden, 1)
	_, err = p.Page(ctx, pageReq("3", "checkout"))
	if ae := appError(t, err, ErrPagerDutyConfig); !ae.NonRetryable() || !strings.Contains(err.Error(), "routing key was refused") {
		t.Errorf("403: %v", err)
	}

	down := NewPagerDuty(PagerDutyOptions{RoutingKey: testRoutingKey, EventsURL: "http://127.0.0.1:1"})
	_, err = down.Page(ctx, pageReq("4", ""))
	if ae := appError(t, err, ErrPagerDutyUnavailable); ae.NonRetryable() || !strings.Contains(err.Error(), "can't be reached") {
		t.Errorf("unreachable: %v", err)
	}
	if len(srv.Alerts()) != 0 {
		t.Error("a refused page opened an alert")
	}
}

func TestOnCall(t *testing.T) {
	p, srv := newTestPagerDuty(t, pagerdutyemu.Options{}, func(o *PagerDutyOptions) { o.EscalationPolicy = "PNOONE0" })
	ctx := context.Background()
	res, err := p.OnCall(ctx, OnCallRequest{Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	want := []OnCallPerson{{Name: "Dave Diaz", Email: "dave@example.com", Level: 1}, {Name: "Erin Evans", Email: "erin@example.com", Level: 2},
		{Name: "Nadia Novak", Email: "nadia@example.net", Level: 2}}
	if len(res.People) != 3 || res.People[0] != want[0] || res.People[1] != want[1] || res.People[2] != want[2] || len(res.Problems) != 0 {
		t.Errorf("checkout's on-call = %+v", res)
	}

	for _, c := range []struct{ service, want string }{
		{"search", "schedule Weekend cover has a gap"},
		{"billing", "has no one on call (no schedule?)"},
		{"", "Unstaffed escalation (PNOONE0) has no one on call"},
		{"ghost", "PagerDuty has no escalation policy PGHOST0 (HTTP 404): check services.ghost.pagerduty_escalation_policy"},
	} {
		res, err := p.OnCall(ctx, OnCallRequest{Service: c.service})
		if err != nil || len(res.People) != 0 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], c.want) {
			t.Errorf("OnCall(%q) = %+v, %v; want a problem saying %q", c.service, res, err, c.want)
		}
	}

	none, _ := newTestPagerDuty(t, pagerdutyemu.Options{}, nil)
	res, _ = none.OnCall(ctx, OnCallRequest{Service: "payments"})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "no PagerDuty escalation policy is configured for service payments") {
		t.Errorf("no policy: %+v", res)
	}

	srv.RateLimitNext("oncalls", 3*time.Second, 1)
	_, err = p.OnCall(ctx, OnCallRequest{Service: "checkout"})
	if ae := appError(t, err, ErrPagerDutyRateLimited); ae.NextRetryDelay() != 3*time.Second {
		t.Errorf("429 retry after %s", ae.NextRetryDelay())
	}

	srv.RevokeToken(pagerdutyemu.SandboxToken)
	res, err = p.OnCall(ctx, OnCallRequest{Service: "checkout"})
	if err != nil || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "paging.pagerduty.token was refused") || !strings.Contains(res.Problems[0], "expired") {
		t.Errorf("expired token: %+v, %v", res, err)
	}

	noToken, _ := newTestPagerDuty(t, pagerdutyemu.Options{}, func(o *PagerDutyOptions) { o.Token = "" })
	res, _ = noToken.OnCall(ctx, OnCallRequest{Service: "checkout"})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "paging.pagerduty.token is not set") {
		t.Errorf("no token: %+v", res)
	}
}

func TestOnCallPersonWithoutEmail(t *testing.T) {
	f := pagerdutyemu.Fixtures{
		Users:              []pagerdutyemu.User{{ID: "PNOMAIL", Name: "Quinn"}, {ID: "PAVA001", Name: "Ava", Email: "ava@example.com"}},
		Schedules:          []pagerdutyemu.Schedule{{ID: "PS1", Name: "Primary", OnCall: []string{"PNOMAIL", "PAVA001"}}},
		EscalationPolicies: []pagerdutyemu.EscalationPolicy{{ID: "PEP0001", Name: "Main", Rules: []pagerdutyemu.EscalationRule{{Schedules: []string{"PS1"}}}}},
	}
	p, _ := newTestPagerDuty(t, pagerdutyemu.Options{Fixtures: &f}, func(o *PagerDutyOptions) { o.EscalationPolicy = "PEP0001" })
	res, err := p.OnCall(context.Background(), OnCallRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.People) != 1 || res.People[0].Email != "ava@example.com" || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "Quinn is on call") {
		t.Errorf("result = %+v", res)
	}
}

func TestCutRunes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééé", 2, "é…"}, {"ab", 0, ""}, {"a\xffb", 5, "a\uFFFDb"}} {
		if got := CutRunes(c.in, c.n); got != c.want {
			t.Errorf("CutRunes(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
