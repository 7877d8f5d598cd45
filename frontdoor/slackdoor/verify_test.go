package slackdoor

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// TestSignature checks that only requests signed with the signing secret, in
// time, with a body of at most 1 MiB, get through, and that a refused one
// starts nothing.
func TestSignature(t *testing.T) {
	d := newDoor(t)
	body := []byte(url.Values{"command": {"/incident"}, "text": {"list"}, "user_id": {slackemu.UserAlice},
		"channel_id": {slackemu.IncidentsChannelID}, "trigger_id": {"1.2.ab"}}.Encode())
	big := append(bytes.Repeat([]byte("a"), MaxBodyBytes), []byte("&text=list")...)
	now := time.Now()
	sign := func(secret string, at time.Time, b []byte) http.Header {
		ts, sig := slackemu.Sign(secret, at, b)
		return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   int
	}{
		{"good", sign(testSecret, now, body), body, http.StatusOK},
		{"clock 4 minutes ahead", sign(testSecret, now.Add(4*time.Minute), body), body, http.StatusOK},
		{"wrong secret", sign("another-secret", now, body), body, http.StatusUnauthorized},
		{"stale timestamp", sign(testSecret, now.Add(-6*time.Minute), body), body, http.StatusUnauthorized},
		{"future timestamp", sign(testSecret, now.Add(6*time.Minute), body), body, http.StatusUnauthorized},
		{"no headers", http.Header{}, body, http.StatusUnauthorized},
		{"no signature", http.Header{"X-Slack-Request-Timestamp": sign(testSecret, now, body)["X-Slack-Request-Timestamp"]}, body, http.StatusUnauthorized},
		{"no timestamp", http.Header{"X-Slack-Signature": sign(testSecret, now, body)["X-Slack-Signature"]}, body, http.StatusUnauthorized},
		{"signature without v0=", http.Header{"X-Slack-Request-Timestamp": sign(testSecret, now, body)["X-Slack-Request-Timestamp"],
			"X-Slack-Signature": {strings.TrimPrefix(sign(testSecret, now, body).Get("X-Slack-Signature"), "v0=")}}, body, http.StatusUnauthorized},
		{"garbage signature", http.Header{"X-Slack-Request-Timestamp": sign(testSecret, now, body)["X-Slack-Request-Timestamp"],
			"X-Slack-Signature": {"v0=zz"}}, body, http.StatusUnauthorized},
		{"tampered body", sign(testSecret, now, body), bytes.Replace(body, []byte("list"), []byte("help"), 1), http.StatusUnauthorized},
		{"body over 1 MiB", sign(testSecret, now, big), big, http.StatusRequestEntityTooLarge},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				if path != "/slack/commands" && tt.want == http.StatusOK {
					t.Skip("the good body is a slash command")
				}
				req, _ := http.NewRequest(http.MethodPost, d.srv.URL+path, bytes.NewReader(tt.body))
				req.Header = tt.header.Clone()
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				before := d.ops.count() + len(d.emu.Views())
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.want {
					t.Fatalf("status %d (%s), want %d", resp.StatusCode, got, tt.want)
				}
				if tt.want != http.StatusOK && d.ops.count()+len(d.emu.Views()) != before {
					t.Fatal("a refused request started something")
				}
			})
		}
	}
}

// TestNoSigningSecret: without a signing secret the HTTP door refuses Slack
// requests and says why in the log, rather than accepting unsigned ones.
func TestNoSigningSecret(t *testing.T) {
	d := newDoor(t, func(o *FrontDoorOptions) { o.SigningSecret = "" })
	resp := d.signedPost("/slack/commands", "application/x-www-form-urlencoded", []byte("text=list"), nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}

func TestMethods(t *testing.T) {
	d := newDoor(t)
	resp, err := http.Get(d.srv.URL + "/slack/commands")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /slack/commands: %d, want 405", resp.StatusCode)
	}
}
