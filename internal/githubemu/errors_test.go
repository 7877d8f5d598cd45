package githubemu_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

func asErrorResponse(t *testing.T, err error, status int) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %T %v, want *github.ErrorResponse", err, err)
	}
	if er.Response.StatusCode != status {
		t.Fatalf("status %d, want %d (%v)", er.Response.StatusCode, status, err)
	}
	return er
}

func TestInvalidAssignee(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	_, _, err := c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{
		Title: github.String("x"), Assignees: &[]string{"alice", "mallory"}})
	er := asErrorResponse(t, err, http.StatusUnprocessableEntity)
	if er.Message != "Validation Failed" || len(er.Errors) != 1 || er.Errors[0].Field != "assignees" ||
		er.Errors[0].Code != "invalid" || er.Errors[0].Resource != "Issue" ||
		!strings.HasSuffix(er.DocumentationURL, "#create-an-issue") {
		t.Fatalf("error = %+v", er)
	}
	var raw struct {
		Errors []struct{ Value string }
	}
	if err := json.NewDecoder(er.Response.Body).Decode(&raw); err != nil || raw.Errors[0].Value != "mallory" {
		t.Errorf("raw body value = %+v, %v", raw, err)
	}
	if n := len(srv.Issues("")); n != 0 {
		t.Errorf("%d issues created by a rejected request", n)
	}
	create(t, c, "acme/ops", "ok", "")
	_, _, err = c.Issues.Edit(ctx(t), "acme", "ops", 1, &github.IssueRequest{Assignees: &[]string{"nobody"}})
	if er := asErrorResponse(t, err, 422); er.Errors[0].Field != "assignees" {
		t.Errorf("edit error = %+v", er)
	}
}

func TestStrictLabels(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{StrictLabels: true, Labels: []string{"incident"}})
	create(t, c, "acme/ops", "known label", "", "Incident")
	_, _, err := c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{
		Title: github.String("x"), Labels: &[]string{"incident", "made-up"}})
	er := asErrorResponse(t, err, 422)
	if er.Message != "Validation Failed" || er.Errors[0].Field != "labels" || er.Errors[0].Code != "invalid" {
		t.Fatalf("error = %+v", er)
	}
	_, _, err = c.Issues.AddLabelsToIssue(ctx(t), "acme", "ops", 1, []string{"made-up"})
	asErrorResponse(t, err, 422)
}

func TestValidationLimits(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{})
	_, _, err := c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{Body: github.String("no title")})
	if er := asErrorResponse(t, err, 422); er.Errors[0].Field != "title" || er.Errors[0].Code != "missing_field" {
		t.Errorf("missing title: %+v", er)
	}
	_, _, err = c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{
		Title: github.String("big"), Body: github.String(strings.Repeat("é", 65537))})
	er := asErrorResponse(t, err, 422)
	if er.Errors[0].Field != "body" || er.Errors[0].Code != "custom" ||
		er.Errors[0].Message != "body is too long (maximum is 65536 characters)" {
		t.Errorf("long body: %+v", er)
	}
	create(t, c, "acme/ops", "fits", strings.Repeat("é", 65536))
}

func TestBadCredentials(t *testing.T) {
	srv := githubemu.NewTestServer(t, githubemu.Options{})
	for _, tok := range []string{"", "ghp_wrong"} {
		_, _, err := newClient(t, srv, tok).Users.Get(ctx(t), "")
		if er := asErrorResponse(t, err, http.StatusUnauthorized); er.Message != "Bad credentials" {
			t.Errorf("token %q: %+v", tok, er)
		}
	}
	for _, auth := range []string{"token " + githubemu.SandboxToken, "Bearer " + githubemu.SandboxToken} {
		req, _ := http.NewRequest("GET", srv.URL()+"/user", nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%q: status %d", auth, resp.StatusCode)
		}
	}
	custom := githubemu.NewTestServer(t, githubemu.Options{Tokens: map[string]string{"ghp_ci": "ci-bot"}})
	me, _, err := newClient(t, custom, "ghp_ci").Users.Get(ctx(t), "")
	if err != nil || me.GetLogin() != "ci-bot" {
		t.Fatalf("custom token: %v %v", me, err)
	}
	_, _, err = newClient(t, custom, githubemu.SandboxToken).Users.Get(ctx(t), "")
	asErrorResponse(t, err, 401)
}
