package slackdoor

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// MaxBodyBytes is the largest request body the HTTP door reads (1 MiB);
// larger bodies get 413 and are never parsed.
const MaxBodyBytes = 1 << 20

// errTooLarge marks a body over MaxBodyBytes.
var errTooLarge = errors.New("request body is larger than 1 MiB")

// verifyRequest reads r's body and checks Slack's signature over it: the
// headers must be present, the timestamp within 5 minutes of now, and the
// HMAC-SHA256 of the signing secret over "v0:<timestamp>:<body>" must match.
// It returns the body, or the HTTP status to answer with and why.
func verifyRequest(r *http.Request, secret string) ([]byte, int, error) {
	if secret == "" {
		return nil, http.StatusServiceUnavailable, errors.New("slack.signing_secret is not set, so no Slack request can be verified; set it or use Socket Mode (slack.app_token)")
	}
	sv, err := slack.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		return nil, http.StatusUnauthorized, fmt.Errorf("bad Slack signature headers: %w", err)
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge, errTooLarge
	}
	if _, err := sv.Write(body); err != nil {
		return nil, http.StatusUnauthorized, err
	}
	if err := sv.Ensure(); err != nil {
		return nil, http.StatusUnauthorized, fmt.Errorf("the Slack signature doesn't match the body (wrong signing secret?): %w", err)
	}
	return body, http.StatusOK, nil
}
