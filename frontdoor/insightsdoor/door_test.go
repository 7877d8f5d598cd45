package insightsdoor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/insightsdoor"
	"github.com/incidentflow/incidentflow/insights"
	"github.com/incidentflow/incidentflow/insights/insightstext"
	"github.com/incidentflow/incidentflow/starter"
)

// serve mounts d on the front door's mux, as `incidentflow serve` does,
// on a loopback listener.
func serve(t *testing.T, d *insightsdoor.Door) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Insights: d}, nil))
	t.Cleanup(srv.Close)
	return srv
}

// get requests path from srv with the bearer token (none when empty) and
// returns the status, the headers and the body.
func get(t *testing.T, srv *httptest.Server, method, path, token string) (int, http.Header, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// oneLine fails the test unless body is one line of plain text holding
// want.
func oneLine(t *testing.T, what, body string, h http.Header, want string) {
	t.Helper()
	if strings.Count(body, "\n") != 1 || !strings.HasSuffix(body, "\n") || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("%s: want one line of plain text, got %s %q", what, h.Get("Content-Type"), body)
	}
	if !strings.Contains(body, want) {
		t.Errorf("%s: answered %q, want it to say %q", what, body, want)
	}
}

func TestTokenProtectsBothRoutes(t *testing.T) {
	srv := serve(t, newDoor(t, &fakeReports{records: records()}, insightsdoor.Options{Token: testTok, Listen: "0.0.0.0:3000"}))
	for _, path := range []string{"/insights", "/insights.json"} {
		status, h, body := get(t, srv, http.MethodGet, path, "")
		if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a token: %d %q (WWW-Authenticate %q), want 401 asking for one", path, status, body, h.Get("WWW-Authenticate"))
		}
		oneLine(t, path+" without a token", body, h, "Authorization: Bearer <insights.token>")
		status, h, body = get(t, srv, http.MethodGet, path, "wrong-token-wrong-token")
		if status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", path, status)
		}
		oneLine(t, path+" with a wrong token", body, h, "wrong bearer token")
		if status, _, body = get(t, srv, http.MethodGet, path, testTok); status != http.StatusOK {
			t.Errorf("%s with the token: %d %q, want 200", path, status, body)
		}
	}
}

func TestWithoutTokenOnlyLoopback(t *testing.T) {
	t.Run("loopback listener, loopback client", func(t *testing.T) {
		srv := serve(t, newDoor(t, &fakeReports{records: records()}, insightsdoor.Options{Listen: "127.0.0.1:3000"}))
		if status, _, body := get(t, srv, http.MethodGet, "/insights", ""); status != http.StatusOK {
			t.Fatalf("GET /insights from this host: %d %q, want 200", status, body)
		}
	})
	t.Run("listener on every address", func(t *testing.T) {
		srv := serve(t, newDoor(t, &fakeReports{records: records()}, insightsdoor.Options{Listen: ":3000"}))
		status, h, body := get(t, srv, http.MethodGet, "/insights.json", "")
		if status != http.StatusForbidden {
			t.Fatalf("GET /insights.json with http.listen :3000 and no token: %d, want 403", status)
		}
		oneLine(t, "a listener on every address", body, h, "set insights.token")
	})
	t.Run("client elsewhere", func(t *testing.T) {
		d := newDoor(t, &fakeReports{records: records()}, insightsdoor.Options{Listen: "localhost:3000"})
		req := httptest.NewRequest(http.MethodGet, "/insights", nil)
		req.RemoteAddr = "203.0.113.7:41000" // as a proxy on another host would come
		rec := httptest.NewRecorder()
		d.Page().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("a request from 203.0.113.7 without a token: %d, want 403", rec.Code)
		}
		oneLine(t, "a client elsewhere", rec.Body.String(), rec.Header(), "through a proxy that authenticates")
	})
}

func TestOnlyGetAndHead(t *testing.T) {
	srv := serve(t, newDoor(t, &fakeReports{records: records()}, insightsdoor.Options{Token: testTok}))
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		status, h, body := get(t, srv, method, "/insights", testTok)
		if status != http.StatusMethodNotAllowed || h.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /insights: %d, Allow %q, want 405 with Allow: GET, HEAD", method, status, h.Get("Allow"))
		}
		oneLine(t, method, body, h, "read-only")
	}
	if status, _, body := get(t, srv, http.MethodHead, "/insights", testTok); status != http.StatusOK || body != "" {
		t.Errorf("HEAD /insights: %d %q, want 200 and no body", status, body)
	}
}

func TestBadQueryIs400(t *testing.T) {
	reports := &fakeReports{records: records()}
	srv := serve(t, newDoor(t, reports, insightsdoor.Options{Token: testTok}))
	for query, want := range map[string]string{
		"since=yesterday":                     `since: "yesterday" is not a duration`,
		"since=7d&until=30d":                  "is not before until",
		"sevrity=critical":                    `unknown parameter "sevrity"`,
		"severity=a&severity=b":               "given 2 times",
		"service=%zz":                         "not valid URL encoding",
		"service=" + strings.Repeat("x", 101): "at most 100 characters",
		"service=check%0Aout":                 "without control characters",
	} {
		status, h, body := get(t, srv, http.MethodGet, "/insights.json?"+query, testTok)
		if status != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", query, status)
		}
		oneLine(t, "?"+query, body, h, want)
	}
	if n := len(reports.filters()); n != 0 {
		t.Errorf("a bad query reached Temporal %d times", n)
	}
}

func TestJSONIsTheReport(t *testing.T) {
	reports := &fakeReports{records: records()}
	srv := serve(t, newDoor(t, reports, insightsdoor.Options{Token: testTok}))
	status, h, body := get(t, srv, http.MethodGet, "/insights.json?since=30d&severity=major", testTok)
	if status != http.StatusOK || h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /insights.json: %d %s (Cache-Control %q) %q", status, h.Get("Content-Type"), h.Get("Cache-Control"), body)
	}
	want := insights.Filter{Since: now.Add(-30 * day), Until: now, Severity: "major"}
	if got := reports.filters(); len(got) != 1 || got[0] != want {
		t.Fatalf("asked for %+v, want %+v", got, want)
	}
	var rep insights.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("the answer is not a Report: %v\n%s", err, body)
	}
	// Of the last 30 days' major incidents only inc-5 remains.
	if rep.Declared != 1 || rep.Resolved != 1 || len(rep.Incidents) != 1 || rep.Incidents[0].ID != "inc-5" {
		t.Fatalf("report %+v, want inc-5 alone", rep)
	}
	for _, key := range []string{`"declared"`, `"time_to_acknowledge"`, `"median_seconds"`, `"by_severity"`, `"incidents"`, `"acknowledged_at"`} {
		if !strings.Contains(body, key) {
			t.Errorf("the JSON lacks %s", key)
		}
	}
}

func TestPageShowsTheFigures(t *testing.T) {
	reports := &fakeReports{records: records()}
	srv := serve(t, newDoor(t, reports, insightsdoor.Options{Token: testTok}))
	status, h, body := get(t, srv, http.MethodGet, "/insights", testTok)
	if status != http.StatusOK || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /insights: %d %s", status, h.Get("Content-Type"))
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q lets the page load from elsewhere", csp)
	}
	rep := insights.Compute(records(), insights.Filter{Since: now.Add(-90 * day), Until: now}, now)
	for _, want := range []string{
		`<dd id="fig-declared">5</dd>`, `<dd id="fig-resolved">4</dd>`, `<dd id="fig-open">1</dd>`,
		`<dd id="fig-drills">1<small>`, `<dd id="fig-maintenance">1<small>`,
		fmt.Sprintf(`<td class="n median">%s</td>`, insightstext.Duration(rep.TimeToAcknowledge.MedianSeconds)),
		fmt.Sprintf(`<td class="n median">%s</td>`, insightstext.Duration(rep.TimeToResolve.MedianSeconds)),
		fmt.Sprintf(`<dd id="fig-escalations">%d</dd>`, rep.Escalations),
		fmt.Sprintf(`<dd id="fig-updates-on-time">%s<small>`, insightstext.Percent(rep.UpdatesOnTimeRatio)),
		`<figure id="chart-per-week">`, `<figure id="chart-mttr">`, `<figure id="dist-tta">`, `<figure id="dist-ttr">`,
		`<rect class="bar"`, `<circle class="dot"`, `<line class="median"`,
		`<a class="war-room" href="https://slack.com/app_redirect?channel=C001">#inc-20260201-0900-checkout-is-down</a>`,
		`<a class="web-ui" href="http://127.0.0.1:8233/namespaces/default/workflows/incident-inc-1">Temporal</a>`,
		`<td>security incident</td>`,
		`<a href="?severity=critical&amp;since=90d">critical</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script") || !strings.Contains(body, "Search &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; slow") {
		t.Errorf("a title's markup is not escaped")
	}
	if strings.Contains(body, "Drill: database failover") || strings.Contains(body, "Maintenance: upgrade") {
		t.Errorf("a drill or a maintenance window is listed among the incidents")
	}
	for _, ref := range []string{"src=", "<link", "@import", "url("} {
		if strings.Contains(body, ref) {
			t.Errorf("the page refers to something elsewhere: %s", ref)
		}
	}
}

func TestPageOfAnEmptyPeriod(t *testing.T) {
	srv := serve(t, newDoor(t, &fakeReports{}, insightsdoor.Options{Token: testTok}))
	status, _, body := get(t, srv, http.MethodGet, "/insights?since=7d", testTok)
	if status != http.StatusOK {
		t.Fatalf("GET /insights over no incident: %d %q", status, body)
	}
	for _, want := range []string{`<dd id="fig-declared">0</dd>`, "No incidents were declared in this period.", "No incident got this far in this period.", `value="7d"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty page lacks %s", want)
		}
	}
}

func TestTemporalFailures(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		want   string
	}{
		{fmt.Errorf("listing: %w", starter.ErrUnavailable), http.StatusServiceUnavailable, "Temporal is unreachable"},
		{fmt.Errorf("listing: %w", context.DeadlineExceeded), http.StatusGatewayTimeout, "try a shorter period"},
		{errors.New("visibility said no"), http.StatusInternalServerError, "visibility said no"},
	} {
		srv := serve(t, newDoor(t, &fakeReports{err: tc.err}, insightsdoor.Options{Token: testTok}))
		status, h, body := get(t, srv, http.MethodGet, "/insights", testTok)
		if status != tc.status {
			t.Errorf("%v: %d, want %d", tc.err, status, tc.status)
		}
		oneLine(t, tc.err.Error(), body, h, tc.want)
	}
}

func TestNewNeedsReports(t *testing.T) {
	if _, err := insightsdoor.New(insightsdoor.Options{}); err == nil || !strings.Contains(err.Error(), "Reports") {
		t.Fatalf("New without Reports: %v", err)
	}
}
