package activities

import (
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"

	"github.com/incidentflow/incidentflow/internal/metrics"
)

// Application error types the Slack activities return.
const (
	// ErrSlackRateLimited is a 429 from Slack (or the client-side limiter
	// being full): retryable, with NextRetryDelay set to Slack's Retry-After.
	ErrSlackRateLimited = "SlackRateLimited"
	// ErrSlackRejected is an error Slack will repeat on every retry (a bad
	// token, a missing channel, an archived channel): not retryable.
	ErrSlackRejected = "SlackRejected"
	// ErrSlackUnavailable is a transient Slack or network failure: retryable.
	ErrSlackUnavailable = "SlackUnavailable"
)

// transientSlackErrors are the error codes Slack documents as worth
// retrying; every other code is a client error that retrying won't fix.
var transientSlackErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true, "team_added_to_org": true,
}

// slackAdvice tells a responder what to do about the permanent errors they
// are likely to meet.
var slackAdvice = map[string]string{
	"channel_not_found":   "Slack can't find the channel: check the channel name in the configuration, or invite @incidentflow to it",
	"not_in_channel":      "the incidentflow bot isn't in the channel: invite @incidentflow to it",
	"is_archived":         "the channel is archived: unarchive it or change the configuration",
	"invalid_auth":        "Slack rejected the bot token: check slack.bot_token",
	"not_authed":          "no Slack bot token was sent: set slack.bot_token",
	"token_revoked":       "the Slack bot token was revoked: reinstall the app and update slack.bot_token",
	"account_inactive":    "the Slack bot token belongs to a deactivated app: reinstall the app",
	"missing_scope":       "the Slack app lacks a permission: add the scope and reinstall the app",
	"user_not_found":      "Slack has no such user: check the user ID or email in the configuration",
	"users_not_found":     "Slack has no such user: check the user ID or email in the configuration",
	"user_not_in_channel": "the user isn't in that channel",
	"restricted_action":   "the workspace's settings forbid this action for the bot: ask a Slack admin",
}

// slackError turns an error of Slack method into a Temporal application
// error: rate limits retry after Retry-After, transient failures retry, and
// everything else stops retrying with a sentence a responder can act on.
// It counts the error in incidentflow_slack_rate_limited_total or
// incidentflow_slack_api_errors_total.
func slackError(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	limited := errors.As(err, &rl)
	metrics.SlackError(method, slackCode(err), limited)
	if limited {
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("Slack rate-limited %s; retrying in %s", method, rl.RetryAfter),
			ErrSlackRateLimited, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: rl.RetryAfter})
	}
	code := slackCode(err)
	if code == "" || transientSlackErrors[code] {
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("Slack %s failed: %v", method, err),
			ErrSlackUnavailable, temporal.ApplicationErrorOptions{Cause: err})
	}
	advice, ok := slackAdvice[code]
	if !ok {
		advice = "Slack refused the request"
	}
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("%s (Slack %s: %s)", advice, method, code),
		ErrSlackRejected, temporal.ApplicationErrorOptions{Cause: err, NonRetryable: true})
}

// slackCode returns the error code of a Slack API error, "" for any other
// error (network, HTTP status).
func slackCode(err error) string {
	var resp slack.SlackErrorResponse
	if errors.As(err, &resp) {
		return resp.Err
	}
	return ""
}
