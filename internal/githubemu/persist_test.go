package githubemu_test

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
	"github.com/incidentflow/incidentflow/internal/statefile"
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

// reopen loads the state file at path into a second emulator, as a
// restart after kill -9 would: the first is neither closed nor saved.
func reopen(t *testing.T, path string) *githubemu.Server {
	t.Helper()
	s := githubemu.NewTestServer(t, githubemu.Options{StateFile: path})
	if err := s.StateFileError(); err != nil {
		t.Fatalf("reloading the state file: %v", err)
	}
	return s
}

// TestStateFileWrittenBeforeAnswer: every change the API answered is in
// the state file by the time the answer arrives, without Close or Save.
func TestStateFileWrittenBeforeAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github-sandbox.json")
	srv, c := sandbox(t, githubemu.Options{StateFile: path})
	create(t, c, "acme/ops", "Add alert on queue depth", "From the retro.", "incident")
	if is, ok := reopen(t, path).Issue("acme/ops", 1); !ok || is.Title != "Add alert on queue depth" || !slices.Equal(is.Labels, []string{"incident"}) {
		t.Fatalf("create answered, issue in the file = %+v, %v", is, ok)
	}
	if _, _, err := c.Issues.CreateComment(ctx(t), "acme", "ops", 1, &github.IssueComment{Body: github.String("On it")}); err != nil {
		t.Fatal(err)
	}
	if is, _ := reopen(t, path).Issue("acme/ops", 1); len(is.Comments) != 1 {
		t.Errorf("comment answered, comments in the file = %+v", is.Comments)
	}
	if _, _, err := c.Issues.AddLabelsToIssue(ctx(t), "acme", "ops", 1, []string{"action-item"}); err != nil {
		t.Fatal(err)
	}
	if is, _ := reopen(t, path).Issue("acme/ops", 1); !slices.Equal(is.Labels, []string{"incident", "action-item"}) {
		t.Errorf("labels answered, labels in the file = %v", is.Labels)
	}
	if _, _, err := c.Issues.CreateLabel(ctx(t), "acme", "ops", &github.Label{Name: github.String("sev1"), Color: github.String("ff0000")}); err != nil {
		t.Fatal(err)
	}
	labels, _, err := newClient(t, reopen(t, path), githubemu.SandboxToken).Issues.ListLabels(ctx(t), "acme", "ops", nil)
	if err != nil || !slices.Contains(names(labels), "sev1") {
		t.Errorf("create label answered, labels in the file = %v, %v", names(labels), err)
	}
	if _, _, err := c.Issues.Edit(ctx(t), "acme", "ops", 1, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	if is, _ := reopen(t, path).Issue("acme/ops", 1); is.State != "closed" {
		t.Errorf("close answered, issue in the file = %+v", is)
	}
	if _, err := srv.AddIssue("acme/ops", githubemu.IssueInput{Title: "Seeded"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseIssue("acme/ops", 2); err != nil {
		t.Fatal(err)
	}
	if is, ok := reopen(t, path).Issue("acme/ops", 2); !ok || is.State != "closed" {
		t.Errorf("AddIssue and CloseIssue returned, issue in the file = %+v, %v", is, ok)
	}
	if third := create(t, newClient(t, reopen(t, path), githubemu.SandboxToken), "acme/ops", "Third", ""); third.GetNumber() != 3 {
		t.Errorf("numbering after a reload: #%d", third.GetNumber())
	}
}

// TestStateFileTornJournal: a journal whose last change was cut short
// loads every change before it and says what it dropped.
func TestStateFileTornJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "github-sandbox.json")
	_, c := sandbox(t, githubemu.Options{StateFile: path})
	create(t, c, "acme/ops", "Kept", "")
	create(t, c, "acme/ops", "Torn", "")
	jp := path + statefile.JournalSuffix
	journal, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jp, journal[:len(journal)-3], 0o600); err != nil {
		t.Fatal(err)
	}
	after := githubemu.New(githubemu.Options{StateFile: path})
	defer after.Close()
	var jerr *githubemu.JournalError
	if err := after.StateFileError(); !errors.As(err, &jerr) || jerr.Loaded < 1 ||
		!strings.Contains(err.Error(), "GitHub sandbox journal "+jp) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("StateFileError() = %v", err)
	}
	if is, ok := after.Issue("acme/ops", 1); !ok || is.Title != "Kept" {
		t.Errorf("the change before the torn one: %+v, %v", is, ok)
	}
	if _, ok := after.Issue("acme/ops", 2); ok {
		t.Error("the torn change was loaded")
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

// FuzzStateFileJournal: whatever batch follows the journal's real ones
// (framed with a good checksum, so that it reaches the emulator's own
// checks), the sandbox starts without panicking, loads it or reports a
// *JournalError, and what it loaded opens again cleanly to the same issues.
func FuzzStateFileJournal(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.json")
	_, c := sandbox(f, githubemu.Options{StateFile: path})
	create(f, c, "acme/ops", "First", "", "incident")
	create(f, c, "acme/ops", "Second", "")
	snapshot, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	journal, err := os.ReadFile(path + statefile.JournalSuffix)
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.SplitAfter(string(journal), "\n")[1:] {
		if body, ok := strings.CutSuffix(line, "\n"); ok && len(body) > 9 {
			f.Add([]byte(body[9:])) // the real batches, one at a time
		}
	}
	f.Add([]byte(`[{"k":"issue/acme/ops/3","v":{"number":3,"title":"t","state":"open"}}]`))
	f.Add([]byte(`[{"k":"issue/acme/ops/9","v":{"number":9,"state":"open"}}]`))
	f.Add([]byte(`[{"k":"repo/a/b","v":{"owner":"A","name":"B","labels":[{"name":"x"},{"name":"X"}]}}]`))
	f.Add([]byte(`[{"k":"meta","v":{"next_id":-1}}]`))
	f.Fuzz(func(t *testing.T, batch []byte) {
		p := filepath.Join(t.TempDir(), "github-sandbox.json")
		if err := os.WriteFile(p, snapshot, 0o600); err != nil {
			t.Fatal(err)
		}
		framed := fmt.Appendf(append([]byte(nil), journal...), "%08x %s\n", crc32.Checksum(batch, crc32.MakeTable(crc32.Castagnoli)), batch)
		if err := os.WriteFile(p+statefile.JournalSuffix, framed, 0o600); err != nil {
			t.Fatal(err)
		}
		first := githubemu.New(githubemu.Options{StateFile: p})
		var jerr *githubemu.JournalError
		if err := first.StateFileError(); err != nil && !errors.As(err, &jerr) {
			t.Fatalf("a bad journal lost the whole state: %v", err)
		}
		loaded := first.Issues("")
		first.Close()
		again := githubemu.New(githubemu.Options{StateFile: p})
		defer again.Close()
		if err := again.StateFileError(); err != nil {
			t.Fatalf("what was loaded does not load again: %v", err)
		}
		if got := again.Issues(""); !reflect.DeepEqual(got, loaded) {
			t.Errorf("reloaded %+v\nwant %+v", got, loaded)
		}
	})
}
