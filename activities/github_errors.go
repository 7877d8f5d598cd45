package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/go-github/v60/github"
	"go.temporal.io/sdk/temporal"
)

// Application error types the GitHub activities return.
const (
	// ErrGitHubRateLimited is a primary or secondary rate limit (403 with
	// X-RateLimit-Remaining: 0, 403 secondary, or 429): retryable, with
	// NextRetryDelay set to when GitHub allows requests again.
	ErrGitHubRateLimited = "GitHubRateLimited"
	// ErrGitHubConfig is a problem only the configuration fixes (a bad
	// github.token, an unknown github.repo, a token without access): not
	// retryable.
	ErrGitHubConfig = "GitHubConfig"
	// ErrGitHubRejected is any other request GitHub refuses (4xx): not
	// retryable.
	ErrGitHubRejected = "GitHubRejected"
	// ErrGitHubUnavailable is a transient failure (5xx, network): retryable.
	ErrGitHubUnavailable = "GitHubUnavailable"
)

// defaultRateLimitWait is how long to wait on a rate limit that says nothing
// about when it ends.
const defaultRateLimitWait = time.Minute

// githubError turns an error of GitHub operation op into a Temporal
// application error that says what to do.
func (g *GitHub) githubError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if wait, ok := rateLimitWait(err); ok {
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("GitHub rate limit hit while trying to %s in %s; retrying in %s", op, g.repo, wait.Round(time.Second)),
			ErrGitHubRateLimited, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: wait})
	}
	status := statusOf(err)
	var msg, typ string
	switch {
	case status == http.StatusUnauthorized:
		msg, typ = fmt.Sprintf("GitHub rejected the token (401) trying to %s in %s: check github.token", op, g.repo), ErrGitHubConfig
	case status == http.StatusNotFound:
		msg, typ = fmt.Sprintf("GitHub can't find the repository %s (404) trying to %s: check github.repo (github.security_repo for a security incident), and that github.token can see it", g.repo, op), ErrGitHubConfig
	case status == http.StatusForbidden:
		msg, typ = fmt.Sprintf("github.token may not %s in %s (403): give it write access to issues (classic token: repo scope)", op, g.repo), ErrGitHubConfig
	case status >= 400 && status < 500:
		msg, typ = fmt.Sprintf("GitHub refused to %s in %s (%d): %v", op, g.repo, status, err), ErrGitHubRejected
	default:
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("GitHub failed to %s in %s: %v", op, g.repo, err),
			ErrGitHubUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	}
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{Cause: err, NonRetryable: true})
}

// rateLimitWait reports whether err is a rate limit and how long until it
// lifts. go-github v60 recognises 403s only, so 429s are read here.
func rateLimitWait(err error) (time.Duration, bool) {
	var primary *github.RateLimitError
	if errors.As(err, &primary) {
		return untilReset(primary.Rate.Reset.Time), true
	}
	var secondary *github.AbuseRateLimitError
	if errors.As(err, &secondary) {
		if secondary.RetryAfter != nil && *secondary.RetryAfter > 0 {
			return *secondary.RetryAfter, true
		}
		return defaultRateLimitWait, true
	}
	var resp *github.ErrorResponse
	if !errors.As(err, &resp) || resp.Response == nil {
		return 0, false
	}
	h := resp.Response.Header
	limited := resp.Response.StatusCode == http.StatusTooManyRequests ||
		resp.Response.StatusCode == http.StatusForbidden && (h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0")
	if !limited {
		return 0, false
	}
	if secs, err := strconv.Atoi(h.Get("Retry-After")); err == nil && secs >= 0 {
		return max(time.Duration(secs)*time.Second, time.Second), true
	}
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && reset > 0 {
		return untilReset(time.Unix(reset, 0)), true
	}
	return defaultRateLimitWait, true
}

// untilReset is the wait until a rate-limit window resets, plus a second for
// clock skew.
func untilReset(reset time.Time) time.Duration {
	if reset.IsZero() {
		return defaultRateLimitWait
	}
	return max(time.Until(reset)+time.Second, time.Second)
}

// statusOf returns the HTTP status of a GitHub API error, 0 for other errors.
func statusOf(err error) int {
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		return resp.Response.StatusCode
	}
	return 0
}
