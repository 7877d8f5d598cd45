package slackemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// benchSizes are the workspaces the benchmarks run on, in messages: an
// afternoon of the sandbox, a week of incidents, a year.
var benchSizes = []int{200, 2000, 20000}

// fillWorkspace adds n bot messages shaped like incidentflow's status
// updates (text, blocks, metadata) to the workspace, 20 per war room.
func fillWorkspace(w *workspace, n int, now time.Time) {
	blocks := json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"*Status update* · investigating: checkout errors at 40%, rolling back the deploy. Next update in 15 minutes. Commander: <@U0ALICE>"}},{"type":"context","elements":[{"type":"mrkdwn","text":"Severity: critical · Status: investigating"}]},{"type":"actions","elements":[{"type":"button","action_id":"post_update","text":{"type":"plain_text","text":"Post update"}}]}]`)
	for i := 0; i < n; i++ {
		if i%20 == 0 {
			w.addChannel(w.newID("C"), fmt.Sprintf("inc-bench-%d", i/20), false, UserAlice, now, []string{UserAlice, UserBob, BotUserID})
		}
		ch := w.channels[len(w.channels)-1]
		ch.addMessage(&Message{TS: w.nextTS(now), User: BotUserID, BotID: BotID, Text: "Status update: investigating",
			Blocks: blocks, Metadata: &Metadata{EventType: "incident_update", EventPayload: map[string]any{"incident": "abc", "seq": i}}})
	}
}

// withoutJournalCheck runs f without the tests' journal check, which would
// replay the whole workspace on every call.
func withoutJournalCheck(f func()) {
	check := journalCheck
	journalCheck = nil
	defer func() { journalCheck = check }()
	f()
}

// BenchmarkPostMessage measures chat.postMessage through the emulator's
// handler (no network) on workspaces of benchSizes messages, without a
// state file and with one, where each call is journaled and synced before
// it is answered.
func BenchmarkPostMessage(b *testing.B) {
	withoutJournalCheck(func() {
		for _, n := range benchSizes {
			for _, file := range []bool{false, true} {
				b.Run(fmt.Sprintf("messages=%d/state_file=%v", n, file), func(b *testing.B) {
					opts := Options{DisableRateLimits: true}
					if file {
						opts.StateFile = filepath.Join(b.TempDir(), "slack-sandbox.json")
					}
					s := New(opts)
					defer s.Close()
					s.mu.Lock()
					fillWorkspace(s.st, n, s.now())
					s.mu.Unlock()
					if err := s.Save(); err != nil {
						b.Fatal(err)
					}
					body := url.Values{"token": {DefaultBotToken}, "channel": {IncidentsChannelID},
						"text": {"Status update: mitigated"}}.Encode()
					h := s.Handler()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodPost, "/api/chat.postMessage", strings.NewReader(body))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok":true`) {
							b.Fatalf("chat.postMessage: %d %s", rec.Code, rec.Body)
						}
					}
				})
			}
		}
	})
}

// BenchmarkWholeFileRewrite measures what writing the state through by
// rewriting the whole file would cost each call: encoding the workspace
// and replacing the file atomically.
func BenchmarkWholeFileRewrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			w := newWorkspace(DefaultUsers(), time.Now())
			fillWorkspace(w, n, time.Now())
			path := filepath.Join(b.TempDir(), "slack-sandbox.json")
			for b.Loop() {
				data, err := encodeState(w, time.Now())
				if err == nil {
					err = statefile.WriteAtomic(path, data)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
