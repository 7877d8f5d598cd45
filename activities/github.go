package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"go.temporal.io/sdk/temporal"
)

// GitHub is the retrospective's door to GitHub issues: it publishes the
// postmortem, opens an issue per action item and reads their states. Every
// exported method is an activity (register it with RegisterActivity) and is
// idempotent: the issues it creates carry hidden markers it looks for first.
type GitHub struct {
	client      *github.Client
	repo        string // owner/name
	owner, name string
}

// NewGitHub returns the GitHub activities working on repo ("owner/name")
// through client; a request naming another repository (its Repo field) is
// served there instead. With a nil client or no repository every activity
// fails, not retryably, with a message naming github.token and github.repo.
func NewGitHub(client *github.Client, repo string) *GitHub {
	g := &GitHub{client: client, repo: repo}
	g.owner, g.name, _ = strings.Cut(repo, "/")
	return g
}

// in returns the activities working on repo, or g itself when repo is empty
// or g's own: a request's Repo overrides the configured repository.
func (g *GitHub) in(repo string) *GitHub {
	if repo == "" || repo == g.repo {
		return g
	}
	return NewGitHub(g.client, repo)
}

// NewGitHubClient returns a go-github client authenticated with token,
// talking to baseURL (a GitHub Enterprise API root or an emulator) or to
// api.github.com when baseURL is empty. httpClient may be nil.
func NewGitHubClient(token, baseURL string, httpClient *http.Client) (*github.Client, error) {
	c := github.NewClient(httpClient)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if baseURL == "" {
		return c, nil
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + "/")
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("github.base_url %q is not a URL such as https://github.example.com/api/v3/", baseURL)
	}
	c.BaseURL = u
	return c, nil
}

// Issue is a GitHub issue as the retrospective follows it.
type Issue struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	// State is "open", "closed", or "missing" when the issue was deleted or
	// moved away.
	State string `json:"state"`
	// Assignees are the logins the issue is assigned to.
	Assignees []string `json:"assignees,omitempty"`
}

// IssueMissing is the state of an issue GitHub no longer has.
const IssueMissing = "missing"

// Closed reports whether the issue needs no more following.
func (i Issue) Closed() bool { return i.State == "closed" || i.State == IssueMissing }

func issueOf(is *github.Issue) Issue {
	out := Issue{Number: is.GetNumber(), URL: is.GetHTMLURL(), State: is.GetState()}
	if is != nil {
		for _, u := range is.Assignees {
			out.Assignees = append(out.Assignees, u.GetLogin())
		}
	}
	return out
}

// check fails, not retryably, when GitHub isn't configured.
func (g *GitHub) check() error {
	if g.client != nil && g.owner != "" && g.name != "" {
		return nil
	}
	return temporal.NewApplicationErrorWithOptions(
		"GitHub isn't configured: set github.repo (owner/name) and github.token to publish postmortems and action items",
		ErrGitHubConfig, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// findByMarker returns the issue whose body holds marker, or nil. It asks
// the search API first; when search is unavailable (rate-limited, failing)
// or finds nothing (its index trails writes), it lists the issues updated
// since notBefore, which is exact.
func (g *GitHub) findByMarker(ctx context.Context, marker string, notBefore time.Time) (*github.Issue, error) {
	token := strings.TrimSuffix(strings.TrimPrefix(marker, "<!-- "), " -->")
	q := fmt.Sprintf(`repo:%s is:issue in:body "%s"`, g.repo, token)
	res, _, err := g.client.Search.Issues(ctx, q, &github.SearchOptions{ListOptions: github.ListOptions{PerPage: 50}})
	if err == nil {
		for _, is := range res.Issues {
			if strings.Contains(is.GetBody(), marker) {
				return is, nil
			}
		}
	} else if s := statusOf(err); s == http.StatusUnauthorized || errors.Is(err, context.Canceled) {
		return nil, g.githubError("search issues", err)
	}
	return g.listByMarker(ctx, marker, notBefore)
}

// maxListPages bounds the fallback listing (100 issues a page).
const maxListPages = 10

func (g *GitHub) listByMarker(ctx context.Context, marker string, notBefore time.Time) (*github.Issue, error) {
	opts := &github.IssueListByRepoOptions{State: "all", Sort: "created", Direction: "desc",
		Since: notBefore, ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; page < maxListPages; page++ {
		list, resp, err := g.client.Issues.ListByRepo(ctx, g.owner, g.name, opts)
		if err != nil {
			return nil, g.githubError("list issues", err)
		}
		for _, is := range list {
			if !is.IsPullRequest() && strings.Contains(is.GetBody(), marker) {
				return is, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return nil, nil
}

// IssueStatesRequest names the issues to look at.
type IssueStatesRequest struct {
	Numbers []int `json:"numbers"`
	// Repo (owner/name) holds the issues; empty: the configured repository.
	Repo string `json:"repo,omitempty"`
}

// IssueStates returns the current state of each issue, in the order asked.
// An issue GitHub no longer has (404, 410) is IssueMissing.
func (g *GitHub) IssueStates(ctx context.Context, req IssueStatesRequest) ([]Issue, error) {
	return beating(ctx, func() ([]Issue, error) { return g.issueStates(ctx, req) })
}

// issueStates is IssueStates's body; IssueStates heartbeats around it.
func (g *GitHub) issueStates(ctx context.Context, req IssueStatesRequest) ([]Issue, error) {
	g = g.in(req.Repo)
	if err := g.check(); err != nil {
		return nil, err
	}
	out := make([]Issue, 0, len(req.Numbers))
	for _, n := range req.Numbers {
		is, _, err := g.client.Issues.Get(ctx, g.owner, g.name, n)
		if s := statusOf(err); s == http.StatusNotFound || s == http.StatusGone {
			out = append(out, Issue{Number: n, State: IssueMissing})
			continue
		}
		if err != nil {
			return nil, g.githubError(fmt.Sprintf("read issue #%d", n), err)
		}
		out = append(out, issueOf(is))
	}
	return out, nil
}
