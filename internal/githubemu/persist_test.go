package githubemu_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

// TestStateFileRoundTrip: issues, comments, labels and the numbering survive
// a restart on the same state file.
func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github-sandbox.json")
	srv, c := sandbox(t, githubemu.Options{StateFile: path})
	first := create(t, c, "acme/ops", "Add alert on queue depth", "From the retro.", "incident")
	if _, _, err := c.Issues.CreateComment(ctx(t), "acme", "ops", 1, &github.IssueComment{Body: github.String("On it")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Issues.AddLabelsToIssue(ctx(t), "acme", "ops", 1, []string{"action-item"}); err != nil {
		t.Fatal(err)
	}
	create(t, c, "acme/ops", "Second", "")
	if err := srv.CloseIssue("acme/ops", 2); err != nil {
		t.Fatal(err)
	}
	before := srv.Issues("")
	srv.Close()

	again, c2 := sandbox(t, githubemu.Options{StateFile: path})
	if err := again.StateFileError(); err != nil {
		t.Fatal(err)
	}
	after := again.Issues("")
	if len(after) != 2 {
		t.Fatalf("issues after restart = %+v", after)
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.Title != b.Title || a.Body != b.Body || a.State != b.State || a.StateReason != b.StateReason ||
			!slices.Equal(a.Labels, b.Labels) || len(a.Comments) != len(b.Comments) || a.ClosedBy != b.ClosedBy ||
			!a.CreatedAt.Equal(b.CreatedAt) {
			t.Errorf("issue %d: before %+v\nafter %+v", i+1, b, a)
		}
	}
	if got := after[0].Labels; !slices.Equal(got, []string{"incident", "action-item"}) {
		t.Errorf("labels = %v", got)
	}
	if after[0].Comments[0].Body != "On it" || after[0].Comments[0].ID == 0 {
		t.Errorf("comment = %+v", after[0].Comments[0])
	}
	third := create(t, c2, "acme/ops", "Third", "")
	if third.GetNumber() != 3 || third.GetID() <= first.GetID() {
		t.Errorf("numbering did not continue: #%d id %d (first id %d)", third.GetNumber(), third.GetID(), first.GetID())
	}
	labels, _, err := c2.Issues.ListLabels(ctx(t), "acme", "ops", nil)
	if err != nil || !slices.Equal(names(labels), []string{"incident", "action-item"}) {
		t.Errorf("repo labels = %v, %v", names(labels), err)
	}
}

// TestStateFileSavedWithoutClose: a change reaches the file within
// SaveInterval, so a process killed without Close loses at most a moment.
func TestStateFileSavedWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github-sandbox.json")
	_, c := sandbox(t, githubemu.Options{StateFile: path})
	create(t, c, "acme/ops", "Saved in the background", "")
	deadline := time.Now().Add(5 * githubemu.SaveInterval)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), "Saved in the background") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not saved after %v: %s", 5*githubemu.SaveInterval, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	other := githubemu.New(githubemu.Options{StateFile: path})
	defer other.Close()
	if _, ok := other.Issue("acme/ops", 1); !ok {
		t.Fatal("a second emulator does not see the saved issue")
	}
}

// TestStateFileCorrupt: a file the emulator cannot decode is reported and
// replaced by a fresh state (how it is moved aside is statefile's).
func TestStateFileCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github-sandbox.json")
	if err := os.WriteFile(path, []byte(`{"format":"incidentflow-github-sandbox/1","repos":[{"owner":"a"`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, c := sandbox(t, githubemu.Options{StateFile: path})
	var serr *githubemu.StateFileError
	if err := srv.StateFileError(); !errors.As(err, &serr) || serr.Path != path || serr.MovedTo != path+".corrupt" {
		t.Fatalf("StateFileError() = %v", err)
	}
	if !strings.HasPrefix(serr.Error(), "GitHub sandbox state file "+path) || !strings.HasSuffix(serr.Error(), "no issues") {
		t.Errorf("message: %s", serr)
	}
	if got := create(t, c, "acme/ops", "Fresh", ""); got.GetNumber() != 1 {
		t.Errorf("fresh state starts at #%d", got.GetNumber())
	}
	if err := srv.Save(); err != nil {
		t.Fatal(err)
	}
	again := githubemu.New(githubemu.Options{StateFile: path})
	defer again.Close()
	if err := again.StateFileError(); err != nil {
		t.Fatalf("the new file does not load: %v", err)
	}
}
