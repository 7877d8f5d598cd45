package topology

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// maxBody bounds what the balancer reads of a request: Slack's requests
// are far smaller, and the front doors refuse much less.
const maxBody = 1 << 20

// errTooLarge is a request body over maxBody.
var errTooLarge = errors.New("the request body is over 1 MiB")

// readBody reads r's body whole, refusing one over maxBody.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	defer r.Body.Close()
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = errTooLarge
	}
	return b, err
}

func withBody(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return r2
}
