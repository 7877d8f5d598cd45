package githubemu_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

// newClient points a go-github client at the emulator, as the activities do:
// the API is served at the root, so BaseURL is the server URL plus "/".
func newClient(t testing.TB, srv *githubemu.Server, token string) *github.Client {
	t.Helper()
	c := github.NewClient(nil)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	u, err := url.Parse(srv.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// sandbox starts an emulator and a client authenticated with SandboxToken.
func sandbox(t testing.TB, opts githubemu.Options) (*githubemu.Server, *github.Client) {
	srv := githubemu.NewTestServer(t, opts)
	return srv, newClient(t, srv, githubemu.SandboxToken)
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func create(t testing.TB, c *github.Client, repo, title, body string, labels ...string) *github.Issue {
	t.Helper()
	owner, name := split(repo)
	req := &github.IssueRequest{Title: &title, Body: &body}
	if labels != nil {
		req.Labels = &labels
	}
	is, _, err := c.Issues.Create(ctx(t), owner, name, req)
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return is
}

func split(repo string) (string, string) {
	for i := range repo {
		if repo[i] == '/' {
			return repo[:i], repo[i+1:]
		}
	}
	return repo, ""
}

func names(labels []*github.Label) []string {
	out := []string{}
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	return out
}

func logins(users []*github.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.GetLogin())
	}
	return out
}
