package githubemu_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

// Pointing go-github at the emulator: the API lives at the root, so BaseURL is
// the server's URL plus "/". (WithEnterpriseURLs(srv.URL(), srv.URL()) works
// too, but then go-github files search under the core rate limit.)
func Example() {
	srv := githubemu.New(githubemu.Options{Repos: []string{"acme/ops"}})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer srv.Close()

	c := github.NewClient(nil).WithAuthToken(githubemu.SandboxToken)
	c.BaseURL, _ = url.Parse(srv.URL() + "/")

	ctx := context.Background()
	title, body := "Add a disk alert", "<!-- incidentflow:action:abc123 -->"
	is, _, err := c.Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: &title, Body: &body})
	if err != nil {
		panic(err)
	}
	res, _, err := c.Search.Issues(ctx, `"incidentflow:action:abc123" in:body repo:acme/ops`, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(is.GetNumber(), res.GetTotal(), srv.Issues("acme/ops")[0].Title)
	// Output: 1 1 Add a disk alert
}
