package frontdoor_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/frontdoor"
	"github.com/incidentflow/incidentflow/frontdoor/codecdoor"
	"github.com/incidentflow/incidentflow/frontdoor/slackdoor"
	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/metrics"
	"github.com/incidentflow/incidentflow/internal/payloadcodec"
)

func get(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRoutes: the one mux answers /healthz and /metrics, mounts every Slack
// route (an unsigned request reaches the door and is refused with 401),
// refuses other methods with 405 and unknown paths with 404.
func TestRoutes(t *testing.T) {
	p := incident.DefaultProcess()
	door := slackdoor.NewFrontDoor(slackdoor.FrontDoorOptions{
		Process: &p, Slack: slack.New("xoxb-test"), SigningSecret: "secret",
	})
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Slack: door}, metrics.New()))
	defer srv.Close()

	if code, body := get(t, "GET", srv.URL+"/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz: %d %q", code, body)
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		if code, _ := get(t, "POST", srv.URL+path); code != http.StatusUnauthorized {
			t.Errorf("unsigned POST %s: %d, want 401", path, code)
		}
		if code, _ := get(t, "GET", srv.URL+path); code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, code)
		}
	}
	if code, _ := get(t, "GET", srv.URL+"/nowhere"); code != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", code)
	}
	code, body := get(t, "GET", srv.URL+"/metrics")
	if code != http.StatusOK || !strings.Contains(body, `incidentflow_http_requests_total{code="401",path="/slack/events"} 1`) {
		t.Errorf("metrics: %d, want the refused Slack requests counted:\n%s", code, body)
	}
}

// TestWithoutSlack: a front door with no Slack door answers 404 on /slack/*
// and still serves health and metrics.
func TestWithoutSlack(t *testing.T) {
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{}, nil))
	defer srv.Close()
	if code, _ := get(t, "POST", srv.URL+"/slack/commands"); code != http.StatusNotFound {
		t.Errorf("POST /slack/commands without a Slack door: %d, want 404", code)
	}
	if code, _ := get(t, "GET", srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz: %d", code)
	}
}

// TestCodecRoutes: with a codec door, /codec/decode and /codec/encode are
// mounted (an unauthenticated POST reaches the door and gets 401, a
// preflight 204, GET 405); without one they answer 404.
func TestCodecRoutes(t *testing.T) {
	codec, err := payloadcodec.New([]string{"k1:" + base64.StdEncoding.EncodeToString(make([]byte, payloadcodec.KeySize))})
	if err != nil {
		t.Fatal(err)
	}
	door, err := codecdoor.New(codecdoor.Options{Codec: codec, Token: "a-codec-token-of-some-length", Origins: []string{"http://127.0.0.1:8233"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(frontdoor.New(frontdoor.Doors{Codec: door}, nil))
	defer srv.Close()
	for _, path := range []string{"/codec/decode", "/codec/encode"} {
		if code, body := get(t, "POST", srv.URL+path); code != http.StatusUnauthorized {
			t.Errorf("unauthenticated POST %s: %d %q, want 401", path, code, body)
		}
		if code, _ := get(t, "GET", srv.URL+path); code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, code)
		}
		req, _ := http.NewRequest("OPTIONS", srv.URL+path, nil)
		req.Header.Set("Origin", "http://127.0.0.1:8233")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:8233" {
			t.Errorf("preflight of %s: %d %v", path, resp.StatusCode, resp.Header)
		}
	}

	without := httptest.NewServer(frontdoor.New(frontdoor.Doors{}, nil))
	defer without.Close()
	if code, _ := get(t, "POST", without.URL+"/codec/decode"); code != http.StatusNotFound {
		t.Errorf("POST /codec/decode without a codec: %d, want 404", code)
	}
}
