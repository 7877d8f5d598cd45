package statuspageemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incidentflow/incidentflow/internal/statuspageemu"
)

type client struct {
	t   *testing.T
	srv *statuspageemu.Server
	key string
}

func newClient(t *testing.T, opts statuspageemu.Options) *client {
	return &client{t: t, srv: statuspageemu.NewTestServer(t, opts), key: statuspageemu.SandboxAPIKey}
}

// do sends a request and returns the status, the decoded body and the
// response.
func (c *client) do(method, path, body string) (int, any, *http.Response) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL()+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if c.key != "" {
		req.Header.Set("Authorization", "OAuth "+c.key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v any
	_ = json.Unmarshal(data, &v)
	return resp.StatusCode, v, resp
}

const incidents = "/v1/pages/" + statuspageemu.SandboxPageID + "/incidents"

func TestIncidentLifecycle(t *testing.T) {
	c := newClient(t, statuspageemu.Options{})
	code, v, _ := c.do("POST", incidents, `{"incident":{"name":"Checkout is slow","status":"investigating","body":"We are looking into it",
		"components":{"cmpcheckout01":"partial_outage"},"metadata":{"incidentflow":{"incident_id":"inc-1"}}}}`)
	require.Equal(t, 201, code, "%v", v)
	in := v.(map[string]any)
	id := in["id"].(string)
	assert.Len(t, id, 12)
	assert.Equal(t, "major", in["impact"], "a partial outage is a major impact")
	assert.Equal(t, "inc-1", in["metadata"].(map[string]any)["incidentflow"].(map[string]any)["incident_id"])
	status, _ := c.srv.ComponentStatus("cmpcheckout01")
	assert.Equal(t, "partial_outage", status)

	code, v, _ = c.do("PATCH", incidents+"/"+id, `{"incident":{"status":"identified","body":"A bad deploy"}}`)
	require.Equal(t, 200, code, "%v", v)
	code, _, _ = c.do("PATCH", incidents+"/"+id, `{"incident":{"impact_override":"minor"}}`)
	require.Equal(t, 200, code)
	code, v, _ = c.do("PATCH", incidents+"/"+id, `{"incident":{"status":"resolved","body":"Fixed","components":{"cmpcheckout01":"operational"}}}`)
	require.Equal(t, 200, code, "%v", v)
	assert.Equal(t, "minor", v.(map[string]any)["impact"])

	st := c.srv.State()
	require.Len(t, st.Incidents, 1)
	got := st.Incidents[0]
	assert.Equal(t, "resolved", got.Status)
	assert.Equal(t, "Fixed", got.Body)
	var bodies []string
	for _, u := range got.Updates {
		bodies = append(bodies, u.Status+": "+u.Body)
	}
	assert.Equal(t, []string{"investigating: We are looking into it", "identified: A bad deploy", "resolved: Fixed"}, bodies,
		"a PATCH without a body or a new status adds no update")
	assert.Equal(t, "operational", got.Components[0].Status)

	code, v, _ = c.do("GET", incidents+"/unresolved", "")
	require.Equal(t, 200, code)
	assert.Empty(t, v)
	code, v, _ = c.do("GET", incidents+"?q=checkout", "")
	require.Equal(t, 200, code)
	assert.Len(t, v, 1)
	code, _, _ = c.do("DELETE", incidents+"/"+id, "")
	require.Equal(t, 200, code)
	code, v, _ = c.do("GET", incidents+"/"+id, "")
	assert.Equal(t, 404, code)
	assert.Contains(t, v.(map[string]any)["error"], "Couldn't find Incident")
}

func TestScheduledMaintenance(t *testing.T) {
	c := newClient(t, statuspageemu.Options{})
	from := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	until := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	code, v, _ := c.do("POST", incidents, `{"incident":{"name":"DB upgrade","status":"scheduled","body":"Planned","scheduled_for":"`+from+`","scheduled_until":"`+until+`","component_ids":["cmpcheckout01"]}}`)
	require.Equal(t, 201, code, "%v", v)
	id := v.(map[string]any)["id"].(string)
	assert.Equal(t, "maintenance", v.(map[string]any)["impact"])
	_, v, _ = c.do("GET", incidents+"/scheduled", "")
	assert.Len(t, v, 1)
	code, v, _ = c.do("PATCH", incidents+"/"+id, `{"incident":{"status":"investigating"}}`)
	assert.Equal(t, 422, code, "maintenance takes maintenance statuses")
	assert.Contains(t, v.(map[string]any)["error"].([]any)[0], "is not included in the list")
	code, _, _ = c.do("PATCH", incidents+"/"+id, `{"incident":{"status":"in_progress","body":"Started","components":{"cmpcheckout01":"under_maintenance"}}}`)
	require.Equal(t, 200, code)
	_, v, _ = c.do("GET", incidents+"/active_maintenance", "")
	assert.Len(t, v, 1)
	status, _ := c.srv.ComponentStatus("cmpcheckout01")
	assert.Equal(t, "under_maintenance", status)
}

func TestRefusals(t *testing.T) {
	c := newClient(t, statuspageemu.Options{})
	cases := []struct {
		name, method, path, body string
		key                      string
		code                     int
		want                     string
	}{
		{"no key", "GET", incidents, "", "-", 401, "Could not authenticate"},
		{"wrong key", "GET", incidents, "", "nope", 401, "Could not authenticate"},
		{"unknown page", "GET", "/v1/pages/nopage/incidents", "", "", 404, "Couldn't find Page"},
		{"not JSON", "POST", incidents, "name=x", "", 400, "not valid JSON"},
		{"no incident", "POST", incidents, `{"name":"x"}`, "", 400, "incident is missing"},
		{"bad type", "POST", incidents, `{"incident":{"name":3}}`, "", 400, "incident[name] must be a string"},
		{"blank name", "POST", incidents, `{"incident":{"name":"  "}}`, "", 422, "Name can't be blank"},
		{"bad status", "POST", incidents, `{"incident":{"name":"x","status":"on_fire"}}`, "", 422, "is not included in the list"},
		{"bad impact", "POST", incidents, `{"incident":{"name":"x","impact_override":"huge"}}`, "", 422, "Impact override"},
		{"unknown component", "POST", incidents, `{"incident":{"name":"x","components":{"nope":"operational"}}}`, "", 422, "can't be found"},
		{"bad component status", "POST", incidents, `{"incident":{"name":"x","components":{"cmpsearch0001":"down"}}}`, "", 422, "Component status"},
		{"maintenance without end", "POST", incidents, `{"incident":{"name":"x","scheduled_for":"2030-01-01T00:00:00Z"}}`, "", 422, "Scheduled until can't be blank"},
		{"maintenance backwards", "POST", incidents, `{"incident":{"name":"x","scheduled_for":"2030-01-01T00:00:00Z","scheduled_until":"2029-01-01T00:00:00Z"}}`, "", 422, "must be after"},
		{"bad time", "POST", incidents, `{"incident":{"name":"x","scheduled_for":"tomorrow"}}`, "", 400, "ISO 8601"},
		{"too big", "POST", incidents, `{"incident":{"name":"` + strings.Repeat("a", statuspageemu.MaxBody) + `"}}`, "", 413, "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.key = statuspageemu.SandboxAPIKey
			switch tc.key {
			case "-":
				c.key = ""
			case "":
			default:
				c.key = tc.key
			}
			code, v, _ := c.do(tc.method, tc.path, tc.body)
			assert.Equal(t, tc.code, code)
			data, _ := json.Marshal(v)
			assert.Contains(t, string(data), tc.want)
		})
	}
	assert.Empty(t, c.srv.State().Incidents, "nothing refused was created")
}

func TestRateLimitAndFaults(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, statuspageemu.Options{RateLimit: 2, RateWindow: 10 * time.Second, Now: func() time.Time { return now }})
	for range 2 {
		code, _, _ := c.do("GET", incidents, "")
		require.Equal(t, 200, code)
	}
	code, v, resp := c.do("GET", incidents, "")
	assert.Equal(t, 429, code)
	assert.Equal(t, "10", resp.Header.Get("Retry-After"))
	assert.Contains(t, v.(map[string]any)["error"], "Rate limit")
	now = now.Add(11 * time.Second)
	code, _, _ = c.do("GET", incidents, "")
	assert.Equal(t, 200, code, "the window rolls on")

	c.srv.RateLimitNext(3*time.Second, 1)
	_, _, resp = c.do("GET", incidents, "")
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	c.srv.FailNext("create", 503, 1)
	code, _, _ = c.do("POST", incidents, `{"incident":{"name":"x"}}`)
	assert.Equal(t, 503, code)
	assert.Empty(t, c.srv.State().Incidents, "a failed call changes nothing")
}

func TestPageAndStateFile(t *testing.T) {
	file := t.TempDir() + "/sp.json"
	c := newClient(t, statuspageemu.Options{StateFile: file})
	code, _, _ := c.do("POST", incidents, `{"incident":{"name":"Search <b>down</b>","body":"Looking","components":{"cmpsearch0001":"major_outage"}}}`)
	require.Equal(t, 201, code)
	resp, err := http.Get(c.srv.URL() + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "Search &lt;b&gt;down&lt;/b&gt;", "names are escaped")
	assert.Contains(t, string(page), "major_outage")

	again := statuspageemu.New(statuspageemu.Options{StateFile: file})
	require.NoError(t, again.StateFileError())
	require.Len(t, again.State().Incidents, 1, "the incidents outlive a restart")
	status, _ := again.ComponentStatus("cmpsearch0001")
	assert.Equal(t, "major_outage", status)
}
