package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/incident"
	"github.com/incidentflow/incidentflow/internal/githubemu"
)

const testRepo = "acme/incidents"

func newTestGitHub(t *testing.T, opts githubemu.Options) (*GitHub, *githubemu.Server) {
	t.Helper()
	srv := githubemu.NewTestServer(t, opts)
	c, err := NewGitHubClient(githubemu.SandboxToken, srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewGitHub(c, testRepo), srv
}

func actionRequest(key string) ActionItemIssueRequest {
	return ActionItemIssueRequest{Key: key, Title: "Add a canary stage", Body: "Owner: Carol",
		Labels: []string{"incident", "major"}, Assignee: "carol", NotBefore: time.Now().Add(-time.Hour)}
}

// appError asserts err is a Temporal application error of type typ.
func appError(t *testing.T, err error, typ string) *temporal.ApplicationError {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an application error", err, err)
	}
	if ae.Type() != typ {
		t.Fatalf("error type %q, want %q (%v)", ae.Type(), typ, err)
	}
	return ae
}

func TestOpenActionItemOnceAcrossRetries(t *testing.T) {
	// The search index lags a minute behind, as GitHub's may: a retry right
	// after the first attempt must still find the issue (by listing).
	g, srv := newTestGitHub(t, githubemu.Options{SearchLag: time.Minute})
	ctx := context.Background()
	first, err := g.OpenActionItem(ctx, actionRequest("inc1-a1"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := g.OpenActionItem(ctx, actionRequest("inc1-a1"))
	if err != nil {
		t.Fatal(err)
	}
	// Search failing altogether falls back to listing too.
	srv.FailNext("search", http.StatusServiceUnavailable, 1)
	third, err := g.OpenActionItem(ctx, actionRequest("inc1-a1"))
	if err != nil {
		t.Fatal(err)
	}
	issues := srv.Issues(testRepo)
	if len(issues) != 1 {
		t.Fatalf("%d issues after three attempts, want 1", len(issues))
	}
	if first.Number != 1 || second.Number != 1 || third.Number != 1 {
		t.Errorf("attempts returned issues %d, %d, %d; want 1 each time", first.Number, second.Number, third.Number)
	}
	is := issues[0]
	if !strings.Contains(is.Body, incident.ActionItemMarker("inc1-a1")) {
		t.Errorf("body lacks the marker: %q", is.Body)
	}
	if strings.Join(is.Labels, ",") != "incident,major" || strings.Join(is.Assignees, ",") != "carol" {
		t.Errorf("labels %v assignees %v", is.Labels, is.Assignees)
	}
	if first.URL == "" || first.State != "open" {
		t.Errorf("result %+v lacks URL or state", first)
	}
	// Another item is another issue.
	if other, err := g.OpenActionItem(ctx, actionRequest("inc1-a2")); err != nil || other.Number != 2 {
		t.Fatalf("second item: %+v, %v", other, err)
	}
}

func TestOpenActionItemFindsIssueBySearch(t *testing.T) {
	g, srv := newTestGitHub(t, githubemu.Options{})
	ctx := context.Background()
	if _, err := g.OpenActionItem(ctx, actionRequest("k")); err != nil {
		t.Fatal(err)
	}
	lists := srv.CallCount("list")
	req := actionRequest("k")
	req.NotBefore = time.Now().Add(time.Hour) // listing would miss it
	got, err := g.OpenActionItem(ctx, req)
	if err != nil || got.Number != 1 {
		t.Fatalf("retry: %+v, %v", got, err)
	}
	if srv.CallCount("list") != lists || srv.CallCount("create") != 1 {
		t.Errorf("search hit should need no listing and no create: %d lists, %d creates", srv.CallCount("list")-lists, srv.CallCount("create"))
	}
}

func TestOpenActionItemBadAssigneeAndLabels(t *testing.T) {
	g, srv := newTestGitHub(t, githubemu.Options{StrictLabels: true, Labels: []string{"incident"}})
	req := actionRequest("k")
	req.Assignee = "mallory"
	got, err := g.OpenActionItem(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	is, _ := srv.Issue(testRepo, got.Number)
	if len(is.Assignees) != 0 || len(is.Labels) != 0 {
		t.Errorf("issue kept assignees %v labels %v", is.Assignees, is.Labels)
	}
	if len(got.Warnings) != 2 || !strings.Contains(got.Warnings[0], "mallory") ||
		!strings.Contains(got.Warnings[0], "retrospective.assignees") || !strings.Contains(got.Warnings[1], "major") {
		t.Errorf("warnings = %q", got.Warnings)
	}
	if n := len(srv.Issues(testRepo)); n != 1 {
		t.Errorf("%d issues, want 1", n)
	}
}

func TestGitHubRateLimits(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*githubemu.Server)
		opts   githubemu.Options
		want   time.Duration
		slack  time.Duration
	}{
		{"429 retry-after", func(s *githubemu.Server) { s.RateLimitNext(http.StatusTooManyRequests, 42*time.Second, 10) }, githubemu.Options{}, 42 * time.Second, 0},
		{"403 secondary", func(s *githubemu.Server) { s.RateLimitNext(http.StatusForbidden, 17*time.Second, 10) }, githubemu.Options{}, 17 * time.Second, 0},
		{"403 primary until reset", nil, githubemu.Options{RateLimit: 1}, time.Hour, 5 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, srv := newTestGitHub(t, c.opts)
			if c.inject != nil {
				c.inject(srv)
			} else {
				// Spend the hour's single core request.
				if _, err := g.IssueStates(context.Background(), IssueStatesRequest{Numbers: []int{1}}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := g.OpenActionItem(context.Background(), actionRequest("k"))
			ae := appError(t, err, ErrGitHubRateLimited)
			if ae.NonRetryable() {
				t.Error("a rate limit must be retryable")
			}
			if d := ae.NextRetryDelay(); d < c.want-c.slack-time.Second || d > c.want+2*time.Second {
				t.Errorf("NextRetryDelay = %s, want about %s", d, c.want)
			}
			if n := len(srv.Issues(testRepo)); n != 0 {
				t.Errorf("%d issues opened while rate-limited", n)
			}
		})
	}
}

func TestGitHubConfigErrors(t *testing.T) {
	srv := githubemu.NewTestServer(t, githubemu.Options{Repos: []string{testRepo}})
	bad, _ := NewGitHubClient("ghp_wrong", srv.URL(), nil)
	_, err := NewGitHub(bad, testRepo).OpenActionItem(context.Background(), actionRequest("k"))
	if ae := appError(t, err, ErrGitHubConfig); !ae.NonRetryable() || !strings.Contains(err.Error(), "github.token") {
		t.Errorf("401: %v", err)
	}
	good, _ := NewGitHubClient(githubemu.SandboxToken, srv.URL(), nil)
	_, err = NewGitHub(good, "acme/nope").OpenActionItem(context.Background(), actionRequest("k"))
	if ae := appError(t, err, ErrGitHubConfig); !ae.NonRetryable() || !strings.Contains(err.Error(), "github.repo") || !strings.Contains(err.Error(), "acme/nope") {
		t.Errorf("404: %v", err)
	}
	req := actionRequest("k")
	req.Repo = "acme/secret-nope"
	_, err = NewGitHub(good, testRepo).OpenActionItem(context.Background(), req)
	if ae := appError(t, err, ErrGitHubConfig); !ae.NonRetryable() || !strings.Contains(err.Error(), "github.security_repo") || !strings.Contains(err.Error(), "acme/secret-nope") {
		t.Errorf("404 in the request's repository: %v", err)
	}
	_, err = NewGitHub(nil, "").PublishPostmortem(context.Background(), PostmortemRequest{IncidentID: "x"})
	appError(t, err, ErrGitHubConfig)
}

func TestPublishPostmortemOnceAndKeepsEdits(t *testing.T) {
	g, srv := newTestGitHub(t, githubemu.Options{})
	ctx := context.Background()
	body := incident.PostmortemMarker("inc9") + "\n## Root cause\n\nTBD\n\n" + incident.WrapSection(incident.ActionItemsSection, "none yet")
	req := PostmortemRequest{IncidentID: "inc9", Title: "Postmortem: x", Body: body, ActionItems: "none yet",
		Labels: []string{incident.PostmortemLabel}, NotBefore: time.Now().Add(-time.Hour)}
	first, err := g.PublishPostmortem(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The team writes the root cause into the issue.
	is, _ := srv.Issue(testRepo, first.Number)
	edited := strings.Replace(is.Body, "TBD", "A bad deploy", 1)
	if _, _, err := g.client.Issues.Edit(ctx, "acme", "incidents", first.Number, ghIssueBody(edited)); err != nil {
		t.Fatal(err)
	}
	req.ActionItems = "- Add a canary — #2"
	second, err := g.PublishPostmortem(ctx, req)
	if err != nil || second.Number != first.Number {
		t.Fatalf("republish: %+v, %v", second, err)
	}
	issues := srv.Issues(testRepo)
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	if b := issues[0].Body; !strings.Contains(b, "A bad deploy") || !strings.Contains(b, "- Add a canary — #2") || strings.Contains(b, "none yet") {
		t.Errorf("body after republish:\n%s", b)
	}
	if strings.Join(issues[0].Labels, ",") != "postmortem" {
		t.Errorf("labels %v", issues[0].Labels)
	}
}

func TestIssueStates(t *testing.T) {
	g, srv := newTestGitHub(t, githubemu.Options{})
	ctx := context.Background()
	a, _ := g.OpenActionItem(ctx, actionRequest("a"))
	b, _ := g.OpenActionItem(ctx, actionRequest("b"))
	if err := srv.CloseIssue(testRepo, a.Number); err != nil {
		t.Fatal(err)
	}
	got, err := g.IssueStates(ctx, IssueStatesRequest{Numbers: []int{a.Number, b.Number, 99}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].State != "closed" || got[1].State != "open" || got[2].State != IssueMissing {
		t.Fatalf("states = %+v", got)
	}
	if !got[0].Closed() || got[1].Closed() || !got[2].Closed() {
		t.Error("Closed() disagrees with the states")
	}
}

func ghIssueBody(body string) *github.IssueRequest { return &github.IssueRequest{Body: &body} }

// TestRequestRepoOverridesTheConfiguredOne: a security incident's issues go
// to the repository its requests name, are found there again on a retry,
// and are read from there; the configured repository gets none.
func TestRequestRepoOverridesTheConfiguredOne(t *testing.T) {
	const private = "acme/security-incidents"
	g, srv := newTestGitHub(t, githubemu.Options{})
	ctx := context.Background()
	pm, err := g.PublishPostmortem(ctx, PostmortemRequest{IncidentID: "sec1", Title: "Postmortem: security incident sec1",
		Body: incident.PostmortemMarker("sec1"), NotBefore: time.Now().Add(-time.Hour), Repo: private})
	if err != nil {
		t.Fatal(err)
	}
	req := actionRequest("sec1-a1")
	req.Repo = private
	first, err := g.OpenActionItem(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.OpenActionItem(ctx, req)
	if err != nil || again.Number != first.Number {
		t.Fatalf("retry: %+v, %v; want #%d again", again, err, first.Number)
	}
	if n := len(srv.Issues(private)); n != 2 {
		t.Errorf("%d issues in %s, want the postmortem and the action item", n, private)
	}
	if n := len(srv.Issues(testRepo)); n != 0 {
		t.Errorf("%d issues in the configured %s, want none", n, testRepo)
	}
	if !strings.Contains(pm.URL, private) || !strings.Contains(first.URL, private) {
		t.Errorf("issue URLs %s, %s are not in %s", pm.URL, first.URL, private)
	}
	if err := srv.CloseIssue(private, first.Number); err != nil {
		t.Fatal(err)
	}
	got, err := g.IssueStates(ctx, IssueStatesRequest{Numbers: []int{first.Number}, Repo: private})
	if err != nil || len(got) != 1 || got[0].State != "closed" {
		t.Fatalf("states in %s = %+v, %v; want the closed action item", private, got, err)
	}
}
