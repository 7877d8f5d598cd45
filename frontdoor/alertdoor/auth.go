package alertdoor

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/incidentflow/incidentflow/alert"
)

// tokens holds the SHA-256 of each source's token: comparing digests in
// constant time leaks neither the token nor its length.
type tokens map[alert.Source][sha256.Size]byte

func newTokens(sources map[string]string) (tokens, error) {
	t := make(tokens, len(sources))
	for name, token := range sources {
		src := alert.Source(name)
		if !src.Known() {
			return nil, fmt.Errorf("alertdoor: %w", alert.UnknownSourceError(name))
		}
		if token != "" {
			t[src] = sha256.Sum256([]byte(token))
		}
	}
	return t, nil
}

// check returns why the Authorization header does not authenticate src,
// or nil. A source with no token is refused with 401 (not 404): the route
// is part of the fixed API, and the sender's operator needs to read that a
// token is what is missing.
func (t tokens) check(src alert.Source, header string) error {
	want, ok := t[src]
	if !ok {
		return fmt.Errorf("alert source %s is not configured: set alerts.sources.%s.token", src, src)
	}
	scheme, token, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New("missing bearer token: send Authorization: Bearer <alerts.sources." + string(src) + ".token>")
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return fmt.Errorf("wrong token for alert source %s", src)
	}
	return nil
}
