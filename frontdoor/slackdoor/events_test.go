package slackdoor

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestURLVerification(t *testing.T) {
	d := newDoor(t)
	resp := d.signedPost("/slack/events", "application/json",
		[]byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`), nil)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge answered %d %q", resp.StatusCode, b)
	}
}

// TestAppMentionAndRetries: a mention gets the help, once, however many times
// Slack redelivers the event.
func TestAppMentionAndRetries(t *testing.T) {
	d := newDoor(t)
	event := func(id string) []byte {
		return []byte(`{"token":"x","team_id":"T0SANDBOX","api_app_id":"A0INCIDENTFLOW","type":"event_callback",
"event_id":"` + id + `","event_time":1700000000,
"event":{"type":"app_mention","user":"U0ALICE","text":"<@U0INCIDENTFLOW> help","ts":"1700000000.000100","channel":"C0GENERAL","event_ts":"1700000000.000100"}}`)
	}
	for i, retry := range []string{"", "1", "2"} {
		h := http.Header{}
		if retry != "" {
			h.Set("X-Slack-Retry-Num", retry)
			h.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		resp := d.signedPost("/slack/events", "application/json", event("Ev01"), h)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, resp.StatusCode)
		}
	}
	eventually(t, "the help", func() bool { return len(d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice)) > 0 })
	time.Sleep(200 * time.Millisecond) // would a repeat answer arrive?
	if got := d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice); len(got) != 1 || !strings.Contains(got[0], "/incident declare") {
		t.Fatalf("answers %q, want the help once", got)
	}
	// A retry of an event never seen (its first delivery was lost) is handled.
	d.signedPost("/slack/events", "application/json", event("Ev02"), http.Header{"X-Slack-Retry-Num": {"1"}})
	eventually(t, "the second help", func() bool { return len(d.ephemeralTexts(slackemu.GeneralChannelID, slackemu.UserAlice)) == 2 })
	// An event the door doesn't know is acknowledged all the same.
	resp := d.signedPost("/slack/events", "application/json", []byte(`{"type":"event_callback","event_id":"Ev03","event":{"type":"no_such_event"}}`), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unknown event: %d", resp.StatusCode)
	}
}
