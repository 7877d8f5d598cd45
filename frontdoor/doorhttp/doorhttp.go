// Package doorhttp holds what the front doors do alike with a request:
// check its bearer token, read its body within a bound, and answer in one
// short plain-text line.
package doorhttp

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/incidentflow/incidentflow/incident"
)

// ReadBody returns r's body, or the status and error to answer: 413 when
// it is over max bytes, 400 when it cannot be read whole.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, int, error) {
	tooBig := fmt.Errorf("the body is over %d bytes", max)
	if r.ContentLength > max {
		return nil, http.StatusRequestEntityTooLarge, tooBig
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooBig
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("the body could not be read: %w", err)
	}
	return body, 0, nil
}

// MaxReply bounds the length of an answer Reply writes.
const MaxReply = 400

// Reply writes msg as a plain-text answer of one line (its line breaks
// and runs of spaces made single spaces), cut to MaxReply characters.
func Reply(w http.ResponseWriter, status int, msg string) {
	// http.Error sets a plain-text type and nosniff, and adds the newline.
	http.Error(w, incident.Truncate(strings.Join(strings.Fields(msg), " "), MaxReply), status)
}

// Bearer is the token of an Authorization header written "Bearer <token>",
// or "" when header carries none.
func Bearer(header string) string {
	scheme, token, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Token is the SHA-256 digest of a secret token: comparing digests in
// constant time leaks neither the token nor its length.
type Token [sha256.Size]byte

// NewToken is the digest of secret.
func NewToken(secret string) Token { return sha256.Sum256([]byte(secret)) }

// Matches reports whether token is the secret t was made from.
func (t Token) Matches(token string) bool {
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], t[:]) == 1
}
