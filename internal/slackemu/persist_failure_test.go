package slackemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnswerWhenTheStateFileFails: a change that cannot be written to the
// state file is not answered as done: chat.postMessage answers HTTP 500
// fatal_error with a sentence that says why, and while the change stays
// pending the other doors (here the upload URL) answer 500 too.
func TestAnswerWhenTheStateFileFails(t *testing.T) {
	s := NewTestServer(t, Options{StateFile: filepath.Join(t.TempDir(), "slack-sandbox.json")})
	s.mu.Lock()
	_ = s.journal.Close() // from here on nothing can be written
	s.mu.Unlock()
	resp, err := http.PostForm(s.URL()+"/api/chat.postMessage", url.Values{"token": {DefaultBotToken},
		"channel": {IncidentsChannelID}, "text": {"Resolved"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Metadata struct {
			Messages []string `json:"messages"`
		} `json:"response_metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError || answer.OK || answer.Error != "fatal_error" ||
		len(answer.Metadata.Messages) != 1 || !strings.HasPrefix(answer.Metadata.Messages[0],
		"the Slack sandbox could not write the change to its state file, so it may be lost: writing the Slack sandbox journal") {
		t.Errorf("answer = %d %+v", resp.StatusCode, answer)
	}
	up, err := http.Post(s.URL()+"/_emu/upload/F0NONE", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	up.Body.Close()
	if up.StatusCode != http.StatusInternalServerError {
		t.Errorf("upload answered %d", up.StatusCode)
	}
}
