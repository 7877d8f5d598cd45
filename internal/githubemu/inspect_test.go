package githubemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestStateShape(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	create(t, c, "acme/ops", "First", "body one", "incident")
	create(t, c, "acme/ops", "Second", "")
	status, body, _ := get(t, srv.URL()+"/_emu/state")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	var state struct {
		Issues []map[string]json.RawMessage `json:"issues"`
	}
	if err := json.Unmarshal([]byte(body), &state); err != nil || len(state.Issues) != 2 {
		t.Fatalf("state %s: %v", body, err)
	}
	for _, key := range []string{"repo", "number", "title", "body", "labels", "assignees", "state"} {
		if _, ok := state.Issues[0][key]; !ok {
			t.Errorf("state issue lacks %q: %s", key, body)
		}
	}
	want := map[string]string{"repo": `"acme/ops"`, "number": "2", "title": `"Second"`, "body": `""`,
		"labels": "[]", "assignees": "[]", "state": `"open"`}
	for k, v := range want {
		if got := string(state.Issues[1][k]); got != v {
			t.Errorf("issues[1].%s = %s, want %s", k, got, v)
		}
	}
	if srv.CallCount("") != 2 {
		t.Errorf("/_emu/state was recorded as an API call")
	}
}

func TestPagesEscape(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	is := create(t, c, "acme/ops", "<script>alert(1)</script>", "body <b>bold</b>")
	status, page, hdr := get(t, srv.URL()+"/")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("index: %d %s", status, hdr.Get("Content-Type"))
	}
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("index page does not escape the title:\n%s", page)
	}
	status, page, _ = get(t, is.GetHTMLURL())
	if status != 200 || strings.Contains(page, "<b>bold") || !strings.Contains(page, "&lt;b&gt;bold") {
		t.Fatalf("issue page %d:\n%s", status, page)
	}
	if status, _, _ := get(t, srv.URL()+"/acme/ops/issues/9"); status != 404 {
		t.Errorf("missing issue page: %d", status)
	}
}

func TestInspectionHelpers(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	seeded, err := srv.AddIssue("acme/ops", githubemu.IssueInput{Title: "Seeded", Body: "by a person",
		Labels: []string{"bug"}, Assignees: []string{"carol"}})
	if err != nil || seeded.Number != 1 || seeded.User != "alice" {
		t.Fatalf("AddIssue: %+v %v", seeded, err)
	}
	if _, err := srv.AddIssue("acme/ops", githubemu.IssueInput{Title: "x", Assignees: []string{"zed"}}); err == nil {
		t.Error("AddIssue accepted an invalid assignee")
	}
	if err := srv.CloseIssue("acme/ops", 1); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseIssue("acme/ops", 5); err == nil {
		t.Error("CloseIssue of a missing issue succeeded")
	}
	got, _, err := c.Issues.Get(ctx(t), "acme", "ops", 1)
	if err != nil || got.GetState() != "closed" || got.GetStateReason() != "completed" ||
		got.GetClosedBy().GetLogin() != "alice" || got.ClosedAt == nil {
		t.Fatalf("closed issue through the API: %v %v", got, err)
	}
	is, ok := srv.Issue("ACME/OPS", 1)
	if !ok || is.State != "closed" || !slices.Equal(is.Labels, []string{"bug"}) ||
		is.HTMLURL != srv.URL()+"/acme/ops/issues/1" {
		t.Fatalf("Issue: %+v %v", is, ok)
	}
	srv.FailNext("", 500, 10)
	srv.Reset()
	if len(srv.Issues("")) != 0 || len(srv.Calls()) != 0 {
		t.Fatal("Reset kept state")
	}
	if is := create(t, c, "acme/ops", "after reset", ""); is.GetNumber() != 1 {
		t.Fatalf("after Reset: #%d", is.GetNumber())
	}
	resp, err := http.Post(srv.URL()+"/_emu/reset", "", nil)
	if err != nil || resp.StatusCode != 204 || len(srv.Issues("")) != 0 {
		t.Fatalf("POST /_emu/reset: %v %v", resp, err)
	}
	resp.Body.Close()
}
