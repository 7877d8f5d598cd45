package githubemu_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

// ensureIssue is the "create unless it exists" a retried activity does:
// search for the marker, check it exactly, create only when absent.
func ensureIssue(ctx context.Context, c *github.Client, owner, repo, marker, title string) (*github.Issue, bool, error) {
	q := fmt.Sprintf("%q in:body repo:%s/%s is:issue", marker, owner, repo)
	res, _, err := c.Search.Issues(ctx, q, nil)
	if err != nil {
		return nil, false, err
	}
	for _, is := range res.Issues {
		if strings.Contains(is.GetBody(), marker) {
			return is, false, nil
		}
	}
	body := "Action item.\n\n<!-- " + marker + " -->"
	is, _, err := c.Issues.Create(ctx, owner, repo, &github.IssueRequest{Title: &title, Body: &body})
	return is, err == nil, err
}

func TestSearchByBodyMarker(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	create(t, c, "acme/ops", "A", "x <!-- incidentflow:action:abc123 -->")
	create(t, c, "acme/ops", "B", "x <!-- incidentflow:action:abc1234 -->")
	create(t, c, "acme/other", "C", "x <!-- incidentflow:action:abc123 -->")
	create(t, c, "acme/ops", "incidentflow:action:abc123 in title only", "")

	res, _, err := c.Search.Issues(ctx(t), `"incidentflow:action:abc123" in:body repo:acme/ops is:issue`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetTotal() != 1 || len(res.Issues) != 1 || res.Issues[0].GetTitle() != "A" || res.GetIncompleteResults() {
		t.Fatalf("search found %d: %v", res.GetTotal(), res.Issues)
	}
	if res.Issues[0].GetRepositoryURL() != srv.URL()+"/repos/acme/ops" {
		t.Errorf("repository_url = %q", res.Issues[0].GetRepositoryURL())
	}
	bare, _, _ := c.Search.Issues(ctx(t), `incidentflow:action:abc123 repo:acme/ops`, nil)
	if bare.GetTotal() != 2 { // A, and the title of the fourth issue
		t.Errorf("bare marker matched %d, want 2", bare.GetTotal())
	}

	is1, created1, err1 := ensureIssue(ctx(t), c, "acme", "ops", "incidentflow:action:zz9", "Rotate keys")
	is2, created2, err2 := ensureIssue(ctx(t), c, "acme", "ops", "incidentflow:action:zz9", "Rotate keys")
	if err1 != nil || err2 != nil || !created1 || created2 || is1.GetNumber() != is2.GetNumber() {
		t.Fatalf("ensure twice: %v/%v created %v/%v numbers %d/%d", err1, err2, created1, created2, is1.GetNumber(), is2.GetNumber())
	}
	if n := len(srv.Issues("acme/ops")); n != 4 {
		t.Errorf("acme/ops has %d issues, want 4", n)
	}
}

func TestSearchQualifiers(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	create(t, c, "acme/ops", "Disk full on db-1", "Postmortem follow-up", "action-item", "sev1")
	create(t, c, "acme/ops", "Add runbook", "for the disk alert", "action-item")
	create(t, c, "acme/ops", "Unrelated", "nothing here")
	if err := srv.CloseIssue("acme/ops", 2); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]int{
		`repo:acme/ops label:action-item`:              {2, 1},
		`repo:acme/ops label:action-item is:open`:      {1},
		`repo:acme/ops is:closed`:                      {2},
		`repo:acme/ops state:open -label:sev1`:         {3},
		`repo:acme/ops disk in:title`:                  {1},
		`repo:acme/ops disk`:                           {2, 1},
		`repo:acme/ops disk -runbook`:                  {1},
		`repo:acme/ops label:"sev1"`:                   {1},
		`repo:acme/ops is:pr`:                          {},
		`user:acme no:label`:                           {3},
		`repo:acme/ops created:>2020-01-01 label:sev1`: {1},
		`repo:acme/nope disk`:                          {},
	}
	for q, want := range cases {
		res, _, err := c.Search.Issues(ctx(t), q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got := []int{}
		for _, is := range res.Issues {
			got = append(got, is.GetNumber())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
	asc, _, _ := c.Search.Issues(ctx(t), "repo:acme/ops", &github.SearchOptions{Sort: "created", Order: "asc",
		ListOptions: github.ListOptions{PerPage: 2}})
	if asc.GetTotal() != 3 || len(asc.Issues) != 2 || asc.Issues[0].GetNumber() != 1 {
		t.Errorf("asc page: total %d, %d items", asc.GetTotal(), len(asc.Issues))
	}
}

func TestSearchLag(t *testing.T) {
	clock := newFakeClock()
	_, c := sandbox(t, githubemu.Options{Now: clock.Now, SearchLag: 5 * time.Second})
	create(t, c, "acme/ops", "fresh", "marker-xyz")
	res, _, _ := c.Search.Issues(ctx(t), `"marker-xyz"`, nil)
	if res.GetTotal() != 0 {
		t.Fatalf("fresh issue visible to search before SearchLag")
	}
	clock.Advance(5 * time.Second)
	res, _, _ = c.Search.Issues(ctx(t), `"marker-xyz"`, nil)
	if res.GetTotal() != 1 {
		t.Fatalf("issue not visible after SearchLag")
	}
}
