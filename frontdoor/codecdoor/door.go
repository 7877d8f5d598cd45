// Package codecdoor is the front door's codec server: POST /codec/decode
// and POST /codec/encode in the protocol of Temporal's remote codec, which
// the Temporal Web UI ("codec server") and the temporal CLI
// (--codec-endpoint) speak. A request carries a JSON object of payloads,
// {"payloads": [{"metadata": {...}, "data": "<base64>"}]}; the answer is
// the same payloads decoded or encoded by the payload codec.
//
// Decoding reveals incident text, so every request must carry the bearer
// token temporal.codec.token (without one configured, every request is
// refused with 403), browsers may call it only from the configured origins
// (CORS), and bodies are bounded. Each answered request is logged.
package codecdoor

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/incidentflow/incidentflow/frontdoor/doorhttp"
	"github.com/incidentflow/incidentflow/incident"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

// DefaultMaxBody bounds a request body when Options.MaxBody is 0: room
// for a page of history's payloads, each under Temporal's 2 MB limit.
const DefaultMaxBody = 4 << 20

// allowHeaders are the request headers a browser may send: those the
// Temporal Web UI sends to a codec server.
const allowHeaders = "Authorization, Authorization-Extras, Content-Type, X-Namespace"

// Options configure a Door.
type Options struct {
	// Codec encodes and decodes the payloads (required).
	Codec converter.PayloadCodec
	// Token is the bearer token every request must carry; empty refuses
	// every request with 403.
	Token string
	// Origins may call the endpoints from a browser (scheme://host[:port]).
	Origins []string
	// MaxBody bounds a request body in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// Logger gets one line per request; nil logs nothing.
	Logger *slog.Logger
}

// Door serves the codec endpoints.
type Door struct {
	codec   converter.PayloadCodec
	token   *doorhttp.Token
	origins []string
	maxBody int64
	log     *slog.Logger
}

// New returns a Door, or an error when o has no codec.
func New(o Options) (*Door, error) {
	if o.Codec == nil {
		return nil, errors.New("codecdoor: Options.Codec is nil: there is nothing to decode with")
	}
	d := &Door{codec: o.Codec, origins: o.Origins, maxBody: o.MaxBody, log: o.Logger}
	if o.Token != "" {
		token := doorhttp.NewToken(o.Token)
		d.token = &token
	}
	if d.maxBody <= 0 {
		d.maxBody = DefaultMaxBody
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}

// Decode serves POST /codec/decode: the payloads, decrypted.
func (d *Door) Decode() http.Handler { return d.handler("decode", d.codec.Decode) }

// Encode serves POST /codec/encode: the payloads, encrypted.
func (d *Door) Encode() http.Handler { return d.handler("encode", d.codec.Encode) }

// Preflight answers a browser's CORS preflight (OPTIONS) of either
// endpoint: allowed for the configured origins, 403 for any other.
func (d *Door) Preflight() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			w.Header().Set("Allow", "OPTIONS, POST")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if !d.allowCORS(w, origin) {
			d.refuse(w, r, "preflight", http.StatusForbidden, originRefused(origin))
			return
		}
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", allowHeaders)
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}

// handler serves one endpoint: check the origin and the token, read the
// bounded body, parse it, run op, answer the payloads.
func (d *Door) handler(name string, op func([]*commonpb.Payload) ([]*commonpb.Payload, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !d.allowCORS(w, origin) {
			d.refuse(w, r, name, http.StatusForbidden, originRefused(origin))
			return
		}
		if status, err := d.authenticate(r.Header.Get("Authorization")); err != nil {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="incidentflow codec"`)
			}
			d.refuse(w, r, name, status, err)
			return
		}
		body, status, err := doorhttp.ReadBody(w, r, d.maxBody)
		if err != nil {
			d.refuse(w, r, name, status, err)
			return
		}
		payloads, err := parseRequest(body)
		if err != nil {
			d.refuse(w, r, name, http.StatusBadRequest, err)
			return
		}
		out, err := op(payloads)
		if err != nil {
			d.refuse(w, r, name, http.StatusBadRequest, fmt.Errorf("cannot %s the payloads: %w", name, err))
			return
		}
		resp, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
		if err != nil {
			d.refuse(w, r, name, http.StatusInternalServerError, fmt.Errorf("cannot write the %sd payloads as JSON: %w", name, err))
			return
		}
		d.log.Info("codec request answered", "op", name, "payloads", len(out), "remote", r.RemoteAddr, "namespace", r.Header.Get("X-Namespace"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(resp)
	})
}

// parseRequest reads a codec request body: a JSON object of payloads,
// {"payloads": [...]}, as Temporal's remote codec sends it. An error says
// what is wrong in one line.
func parseRequest(body []byte) ([]*commonpb.Payload, error) {
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(body, &ps); err != nil {
		return nil, fmt.Errorf(`the body is not a JSON object of payloads ({"payloads": [{"metadata": {...}, "data": "<base64>"}]}): %v`, err)
	}
	return ps.GetPayloads(), nil
}

// allowCORS reports whether origin may call the endpoints, and if so lets
// the browser read the answer.
func (d *Door) allowCORS(w http.ResponseWriter, origin string) bool {
	w.Header().Add("Vary", "Origin")
	if !slices.Contains(d.origins, origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	return true
}

func originRefused(origin string) error {
	return fmt.Errorf("origin %q may not call the codec endpoints: add it to temporal.codec.cors_origins", incident.Truncate(origin, 100))
}

// authenticate returns the status and error to answer unless header
// carries the token.
func (d *Door) authenticate(header string) (int, error) {
	if d.token == nil {
		return http.StatusForbidden, errors.New("the codec endpoints are closed: temporal.codec.token is not set on this server")
	}
	token := doorhttp.Bearer(header)
	if token == "" {
		return http.StatusUnauthorized, errors.New("missing bearer token: send Authorization: Bearer <temporal.codec.token>")
	}
	if !d.token.Matches(token) {
		return http.StatusUnauthorized, errors.New("wrong bearer token for the codec endpoints")
	}
	return 0, nil
}

// refuse logs and answers a refusal in one plain-text line.
func (d *Door) refuse(w http.ResponseWriter, r *http.Request, op string, status int, err error) {
	d.log.Warn("codec request refused", "op", op, "status", status, "reason", err.Error(), "remote", r.RemoteAddr)
	doorhttp.Reply(w, status, err.Error())
}
