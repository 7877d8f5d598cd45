package githubemu_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

func TestPrimaryRateLimit(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	srv := githubemu.NewTestServer(t, githubemu.Options{RateLimit: 3, Now: clock.Now})
	c := newClient(t, srv, githubemu.SandboxToken)
	for want := 2; want >= 0; want-- {
		_, resp, err := c.Users.Get(ctx(t), "")
		if err != nil || resp.Rate.Remaining != want || resp.Rate.Limit != 3 {
			t.Fatalf("remaining %d (want %d), err %v", resp.Rate.Remaining, want, err)
		}
	}
	// The last response said Remaining: 0, so go-github refuses locally.
	_, _, err := c.Users.Get(ctx(t), "")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || !strings.Contains(rle.Message, "not making remote request") {
		t.Fatalf("same client: %T %v", err, err)
	}
	if n := srv.CallCount(""); n != 3 {
		t.Fatalf("%d calls reached the server, want 3", n)
	}
	// A fresh client gets the server's 403.
	_, _, err = newClient(t, srv, githubemu.SandboxToken).Issues.Get(ctx(t), "acme", "ops", 1)
	if !errors.As(err, &rle) {
		t.Fatalf("fresh client: %T %v, want *github.RateLimitError", err, err)
	}
	if rle.Response.StatusCode != 403 || rle.Rate.Remaining != 0 || rle.Rate.Limit != 3 ||
		!rle.Rate.Reset.Time.Equal(start.Add(time.Hour)) || !strings.HasPrefix(rle.Message, "API rate limit exceeded") {
		t.Fatalf("rate limit error: %+v rate %+v", rle, rle.Rate)
	}
	if calls := srv.Calls(); calls[len(calls)-1].Status != 403 {
		t.Errorf("last call %+v", calls[len(calls)-1])
	}
	clock.Advance(time.Hour)
	_, resp, err := newClient(t, srv, githubemu.SandboxToken).Users.Get(ctx(t), "")
	if err != nil || resp.Rate.Remaining != 2 {
		t.Fatalf("after reset: %v remaining %d", err, resp.Rate.Remaining)
	}
}

func TestSearchRateLimitIsSeparate(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{SearchRateLimit: 1})
	_, resp, err := c.Search.Issues(ctx(t), "repo:acme/ops", nil)
	if err != nil || resp.Header.Get("X-RateLimit-Resource") != "search" || resp.Rate.Remaining != 0 {
		t.Fatalf("first search: %v %v", err, resp.Header)
	}
	if _, _, err := c.Users.Get(ctx(t), ""); err != nil {
		t.Fatalf("core request after search limit: %v", err)
	}
	_, _, err = c.Search.Issues(ctx(t), "repo:acme/ops", nil)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("second search: %T %v", err, err)
	}
}

func TestSecondaryRateLimit403(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	srv.RateLimitNext(403, 1500*time.Millisecond, 1)
	_, resp, err := c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{Title: github.String("x")})
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("%T %v, want *github.AbuseRateLimitError", err, err)
	}
	if abuse.RetryAfter == nil || *abuse.RetryAfter != 2*time.Second || resp.StatusCode != 403 ||
		!strings.Contains(abuse.Message, "secondary rate limit") {
		t.Fatalf("abuse error %+v retry %v", abuse, abuse.RetryAfter)
	}
	if n := len(srv.Issues("")); n != 0 {
		t.Fatalf("rate-limited create made %d issues", n)
	}
	// go-github now refuses locally until Retry-After has passed.
	_, _, err = c.Users.Get(ctx(t), "")
	if !errors.As(err, &abuse) || srv.CallCount("user") != 0 {
		t.Fatalf("same client: %v, %d calls", err, srv.CallCount("user"))
	}
	if _, _, err := newClient(t, srv, githubemu.SandboxToken).Users.Get(ctx(t), ""); err != nil {
		t.Fatalf("after the injected fault: %v", err)
	}
}

func TestSecondaryRateLimit429(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	srv.RateLimitNext(429, 3*time.Second, 1)
	_, _, err := c.Search.Issues(ctx(t), "repo:acme/ops", nil)
	var rle *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &rle) || errors.As(err, &abuse) {
		t.Fatalf("go-github v60 classified a 429: %T", err)
	}
	er := asErrorResponse(t, err, 429)
	if er.Response.Header.Get("Retry-After") != "3" || !strings.Contains(er.Message, "secondary rate limit") {
		t.Fatalf("429: %+v %v", er, er.Response.Header)
	}
	if _, _, err := c.Search.Issues(ctx(t), "repo:acme/ops", nil); err != nil {
		t.Fatalf("after the 429 (go-github does not hold back): %v", err)
	}
}

func TestFailNext(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	srv.FailNext("create", 502, 2)
	srv.FailNext("GET /repos/*/*/issues/*", 500, 1)
	for range 2 {
		_, _, err := c.Issues.Create(ctx(t), "acme", "ops", &github.IssueRequest{Title: github.String("x")})
		asErrorResponse(t, err, 502)
	}
	if is := create(t, c, "acme/ops", "x", ""); is.GetNumber() != 1 {
		t.Fatalf("failed creates used numbers: got #%d", is.GetNumber())
	}
	if _, _, err := c.Issues.ListByRepo(ctx(t), "acme", "ops", nil); err != nil {
		t.Fatalf("list matched a get fault: %v", err)
	}
	_, _, err := c.Issues.Get(ctx(t), "acme", "ops", 1)
	asErrorResponse(t, err, 500)
	if _, _, err := c.Issues.Get(ctx(t), "acme", "ops", 1); err != nil {
		t.Fatal(err)
	}
	if srv.CallCount("create") != 3 || srv.CallCount("POST /repos/*/*/issues") != 3 ||
		srv.CallCount("get") != 2 || srv.CallCount("") != 6 {
		t.Fatalf("calls: %+v", srv.Calls())
	}
}

func TestLatency(t *testing.T) {
	srv, c := sandbox(t, githubemu.Options{})
	srv.SetLatency(func() time.Duration { return 60 * time.Millisecond })
	begin := time.Now()
	if _, _, err := c.Users.Get(ctx(t), ""); err != nil || time.Since(begin) < 60*time.Millisecond {
		t.Fatalf("took %v, err %v", time.Since(begin), err)
	}
	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := c.Issues.Create(short, "acme", "ops", &github.IssueRequest{Title: github.String("x")}); err == nil {
		t.Fatal("create outlived its context")
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.CallCount("create") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if calls := srv.Calls(); calls[len(calls)-1].Status != 499 || len(srv.Issues("")) != 0 {
		t.Fatalf("abandoned create: %+v, issues %v", calls, srv.Issues(""))
	}
}
