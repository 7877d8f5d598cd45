package githubemu

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnswerWhenTheStateFileFails: an issue that cannot be written to the
// state file is not answered as created: HTTP 500 with a sentence that
// says why, and no Location.
func TestAnswerWhenTheStateFileFails(t *testing.T) {
	s := NewTestServer(t, Options{StateFile: filepath.Join(t.TempDir(), "github-sandbox.json")})
	s.mu.Lock()
	_ = s.journal.Close() // from here on nothing can be written
	s.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/repos/acme/ops/issues", strings.NewReader(`{"title":"Add an alert"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+SandboxToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer errorBody
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Location") != "" ||
		!strings.HasPrefix(answer.Message, "The GitHub sandbox could not write the change to its state file, so it may be lost: writing the GitHub sandbox journal") {
		t.Errorf("answer = %d %+v", resp.StatusCode, answer)
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].Status != http.StatusInternalServerError {
		t.Errorf("calls = %+v", calls)
	}
}
