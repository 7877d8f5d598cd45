package slackemu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// decode reads a JSON answer.
func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var m map[string]any
	must(t, json.NewDecoder(resp.Body).Decode(&m))
	return m
}

func TestAuthTokens(t *testing.T) {
	srv, api, _ := newEmu(t, slackemu.Options{})

	res, err := api.AuthTest()
	must(t, err)
	if res.UserID != slackemu.BotUserID || res.BotID != slackemu.BotID || res.TeamID != slackemu.TeamID {
		t.Fatalf("auth.test = %+v", res)
	}

	_, err = client(srv).AuthTest()
	must(t, err)
	_, err = slack.New("xoxb-wrong", slack.OptionAPIURL(srv.URL()+"/api/")).AuthTest()
	wantSlackErr(t, err, "invalid_auth")

	cases := []struct {
		name   string
		form   url.Values
		header http.Header
		want   string
	}{
		{"missing", url.Values{}, nil, "not_authed"},
		{"wrong form token", url.Values{"token": {"xoxb-nope"}}, nil, "invalid_auth"},
		{"wrong bearer", url.Values{}, http.Header{"Authorization": {"Bearer xoxb-nope"}}, "invalid_auth"},
		{"app token on a bot method", url.Values{"token": {slackemu.DefaultAppToken}}, nil, "not_allowed_token_type"},
		{"form token", url.Values{"token": {slackemu.DefaultBotToken}}, nil, ""},
		{"bearer", url.Values{}, http.Header{"Authorization": {"Bearer " + slackemu.DefaultBotToken}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := decode(t, postForm(t, srv, "auth.test", c.form, c.header))
			if c.want == "" {
				if body["ok"] != true {
					t.Fatalf("want ok, got %v", body)
				}
				return
			}
			if body["ok"] != false || body["error"] != c.want {
				t.Fatalf("want error %q, got %v", c.want, body)
			}
		})
	}
}

func TestFormJSONAndQueryBodies(t *testing.T) {
	srv, _, _ := newEmu(t, slackemu.Options{})
	bearer := http.Header{"Authorization": {"Bearer " + slackemu.DefaultBotToken}}

	// JSON body (what slack-go sends for views.*): chat.postMessage with blocks as an array.
	body := `{"channel":"C0INCIDENTS","text":"from json","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}],` +
		`"metadata":{"event_type":"incident_declared","event_payload":{"id":"42"}}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/api/chat.postMessage", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header["Authorization"] = bearer["Authorization"]
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	if m := decode(t, resp); m["ok"] != true {
		t.Fatalf("json post: %v", m)
	}
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	last := msgs[len(msgs)-1]
	if last.Text != "from json" || last.Metadata == nil || last.Metadata.EventPayload["id"] != "42" || len(last.Blocks) == 0 {
		t.Fatalf("stored message = %+v", last)
	}

	// Query parameters with a GET.
	req, _ = http.NewRequest(http.MethodGet, srv.URL()+"/api/conversations.info?channel=C0GENERAL", nil)
	req.Header["Authorization"] = bearer["Authorization"]
	resp2, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp2.Body.Close()
	m := decode(t, resp2)
	if ch, _ := m["channel"].(map[string]any); ch["name"] != "general" {
		t.Fatalf("query info: %v", m)
	}

	// Malformed JSON and unknown methods.
	req, _ = http.NewRequest(http.MethodPost, srv.URL()+"/api/auth.test", strings.NewReader("{"))
	req.Header.Set("Content-Type", "application/json")
	req.Header["Authorization"] = bearer["Authorization"]
	resp3, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp3.Body.Close()
	if m := decode(t, resp3); m["error"] != "invalid_json" {
		t.Fatalf("bad json: %v", m)
	}
	if m := decode(t, postForm(t, srv, "nope.nothing", url.Values{"token": {slackemu.DefaultBotToken}}, nil)); m["error"] != "unknown_method" {
		t.Fatalf("unknown method: %v", m)
	}
}
