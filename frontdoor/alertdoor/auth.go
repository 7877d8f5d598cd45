package alertdoor

import (
	"errors"
	"fmt"

	"github.com/incidentflow/incidentflow/alert"
	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
)

// tokens holds the digest of each source's token.
type tokens map[alert.Source]doorhttp.Token

func newTokens(sources map[string]string) (tokens, error) {
	t := make(tokens, len(sources))
	for name, token := range sources {
		src := alert.Source(name)
		if !src.Known() {
			return nil, fmt.Errorf("alertdoor: %w", alert.UnknownSourceError(name))
		}
		if token != "" {
			t[src] = doorhttp.NewToken(token)
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
	token := doorhttp.Bearer(header)
	if token == "" {
		return errors.New("missing bearer token: send Authorization: Bearer <alerts.sources." + string(src) + ".token>")
	}
	if !want.Matches(token) {
		return fmt.Errorf("wrong token for alert source %s", src)
	}
	return nil
}
