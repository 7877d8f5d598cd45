package githubemu_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

func TestCreateGetEditList(t *testing.T) {
	clock := newFakeClock()
	srv, c := sandbox(t, githubemu.Options{Now: clock.Now})
	labels, assignees := []string{"incident", "action-item"}, []string{"alice", "Bob"}
	req := &github.IssueRequest{Title: github.String("Add alert on queue depth"),
		Body: github.String("From the retro."), Labels: &labels, Assignees: &assignees}
	is, resp, err := c.Issues.Create(ctx(t), "acme", "ops", req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || is.GetNumber() != 1 || is.GetState() != "open" {
		t.Fatalf("create: status %d, issue %v", resp.StatusCode, is)
	}
	if want := srv.URL() + "/acme/ops/issues/1"; is.GetHTMLURL() != want {
		t.Errorf("html_url = %q, want %q", is.GetHTMLURL(), want)
	}
	if got := logins(is.Assignees); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("assignees = %v", got)
	}
	if is.GetUser().GetLogin() != githubemu.SandboxLogin || !is.GetCreatedAt().Time.Equal(clock.Now()) {
		t.Errorf("user %q created %v", is.GetUser().GetLogin(), is.GetCreatedAt())
	}
	second := create(t, c, "acme/ops", "Second", "")
	if second.GetNumber() != 2 || second.Body != nil {
		t.Errorf("second issue: number %d body %v", second.GetNumber(), second.Body)
	}

	got, _, err := c.Issues.Get(ctx(t), "acme", "ops", 1)
	if err != nil || got.GetTitle() != "Add alert on queue depth" || got.GetBody() != "From the retro." ||
		!slices.Equal(names(got.Labels), labels) {
		t.Fatalf("get: %v %v", got, err)
	}

	clock.Advance(65 * time.Second)
	closed, _, err := c.Issues.Edit(ctx(t), "acme", "ops", 1, &github.IssueRequest{
		State: github.String("closed"), StateReason: github.String("not_planned"),
		Labels: &[]string{"wontfix"}, Title: github.String("Renamed")})
	if err != nil {
		t.Fatal(err)
	}
	if closed.GetState() != "closed" || closed.GetStateReason() != "not_planned" ||
		!closed.GetClosedAt().Time.Equal(clock.Now()) || closed.GetTitle() != "Renamed" ||
		!slices.Equal(names(closed.Labels), []string{"wontfix"}) || len(closed.Assignees) != 2 {
		t.Fatalf("edit: %v", closed)
	}

	open, _, err := c.Issues.ListByRepo(ctx(t), "acme", "ops", nil)
	if err != nil || len(open) != 1 || open[0].GetNumber() != 2 {
		t.Fatalf("list open: %v %v", open, err)
	}
	closedList, _, _ := c.Issues.ListByRepo(ctx(t), "acme", "ops", &github.IssueListByRepoOptions{State: "closed"})
	all, _, _ := c.Issues.ListByRepo(ctx(t), "acme", "ops", &github.IssueListByRepoOptions{State: "all", Direction: "asc"})
	if len(closedList) != 1 || len(all) != 2 || all[0].GetNumber() != 1 {
		t.Fatalf("closed %d, all %v", len(closedList), all)
	}

	reopened, _, err := c.Issues.Edit(ctx(t), "acme", "ops", 1, &github.IssueRequest{State: github.String("open")})
	if err != nil || reopened.GetState() != "open" || reopened.GetStateReason() != "reopened" || reopened.ClosedAt != nil {
		t.Fatalf("reopen: %v %v", reopened, err)
	}
}

func TestListPaginationAndFilters(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{})
	for i := range 5 {
		label := "even"
		if i%2 == 1 {
			label = "odd"
		}
		create(t, c, "acme/ops", "issue", "", label, "incident")
	}
	opts := &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 2}}
	var seen []int
	for {
		page, resp, err := c.Issues.ListByRepo(ctx(t), "acme", "ops", opts)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Page == 0 && resp.LastPage != 3 {
			t.Errorf("LastPage = %d, want 3", resp.LastPage)
		}
		for _, is := range page {
			seen = append(seen, is.GetNumber())
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if !slices.Equal(seen, []int{5, 4, 3, 2, 1}) {
		t.Errorf("paged through %v", seen)
	}
	odd, _, err := c.Issues.ListByRepo(ctx(t), "acme", "ops",
		&github.IssueListByRepoOptions{Labels: []string{"ODD", "incident"}})
	if err != nil || len(odd) != 2 {
		t.Fatalf("labels filter: %d issues, %v", len(odd), err)
	}
}

func TestCommentsLabelsRepoUser(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{Labels: []string{"incident"}})
	create(t, c, "acme/ops", "Follow up", "")
	cm, _, err := c.Issues.CreateComment(ctx(t), "acme", "ops", 1, &github.IssueComment{Body: github.String("Done in #42")})
	if err != nil || cm.GetBody() != "Done in #42" || cm.GetUser().GetLogin() != githubemu.SandboxLogin {
		t.Fatalf("comment: %v %v", cm, err)
	}
	cms, _, err := c.Issues.ListComments(ctx(t), "acme", "ops", 1, nil)
	is, _, _ := c.Issues.Get(ctx(t), "acme", "ops", 1)
	if err != nil || len(cms) != 1 || is.GetComments() != 1 {
		t.Fatalf("comments: %v %v, count %d", cms, err, is.GetComments())
	}
	added, _, err := c.Issues.AddLabelsToIssue(ctx(t), "acme", "ops", 1, []string{"incident", "sev1"})
	if err != nil || !slices.Equal(names(added), []string{"incident", "sev1"}) {
		t.Fatalf("add labels: %v %v", names(added), err)
	}
	if _, _, err := c.Issues.CreateLabel(ctx(t), "acme", "ops", &github.Label{Name: github.String("retro"), Color: github.String("ff0000")}); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Issues.CreateLabel(ctx(t), "acme", "ops", &github.Label{Name: github.String("Retro")})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || er.Errors[0].Code != "already_exists" {
		t.Fatalf("duplicate label: %v", err)
	}
	all, _, _ := c.Issues.ListLabels(ctx(t), "acme", "ops", nil)
	if got := names(all); !slices.Equal(got, []string{"incident", "sev1", "retro"}) {
		t.Errorf("labels = %v", got)
	}
	repo, _, err := c.Repositories.Get(ctx(t), "acme", "ops")
	if err != nil || repo.GetFullName() != "acme/ops" || repo.GetOpenIssuesCount() != 1 {
		t.Fatalf("repo: %v %v", repo, err)
	}
	me, _, err := c.Users.Get(ctx(t), "")
	if err != nil || me.GetLogin() != githubemu.SandboxLogin {
		t.Fatalf("user: %v %v", me, err)
	}
}

func TestDeclaredRepos(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{Repos: []string{"acme/ops"}})
	create(t, c, "ACME/ops", "ok", "")
	_, _, err := c.Issues.Create(ctx(t), "acme", "other", &github.IssueRequest{Title: github.String("x")})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 404 || er.Message != "Not Found" {
		t.Fatalf("undeclared repo: %v", err)
	}
	_, _, err = c.Issues.Get(ctx(t), "acme", "ops", 7)
	if !errors.As(err, &er) || er.Response.StatusCode != 404 {
		t.Fatalf("missing issue: %v", err)
	}
	_, _, err = c.Search.Issues(ctx(t), "repo:acme/other x", nil)
	if !errors.As(err, &er) || er.Response.StatusCode != 422 {
		t.Fatalf("search undeclared repo: %v", err)
	}
	if got := srv.Issues("acme/ops"); len(got) != 1 || got[0].Repo != "acme/ops" {
		t.Fatalf("Issues = %v", got)
	}
}

func TestEnterpriseURLs(t *testing.T) {
	srv := githubemu.NewTestServer(t, githubemu.Options{})
	c, err := github.NewClient(nil).WithAuthToken(githubemu.SandboxToken).WithEnterpriseURLs(srv.URL(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	create(t, c, "acme/ops", "via /api/v3", "marker-1")
	res, _, err := c.Search.Issues(ctx(t), `"marker-1" repo:acme/ops`, nil)
	if err != nil || res.GetTotal() != 1 {
		t.Fatalf("search: %v %v", res, err)
	}
	if calls := srv.Calls(); calls[0].Path != "/repos/acme/ops/issues" || calls[0].Op != "create" {
		t.Errorf("call recorded as %+v", calls[0])
	}
}
