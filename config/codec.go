package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/incidentflow/incidentflow/internal/payloadcodec"
)

// minCodecToken is the shortest temporal.codec.token accepted: it guards
// every incident's text.
const minCodecToken = 16

// TemporalCodec configures the payload codec (package payloadcodec), which
// encrypts incident text before it reaches Temporal, and the codec-server
// endpoints of the front door, through which the Temporal Web UI and CLI
// decrypt it for the operators allowed to read it. With no key, payloads
// stay in plain text and the endpoints do not exist.
type TemporalCodec struct {
	// Keys are written "<key-id>:<base64 of 32 bytes>". The first encrypts;
	// every one decrypts, so older keys stay listed until nothing they
	// encrypted is still retained.
	Keys []string `mapstructure:"keys"`
	// Token is the bearer token POST /codec/decode and /codec/encode
	// require; while it is empty they answer 403.
	Token string `mapstructure:"token"`
	// CORSOrigins are the origins (scheme://host[:port]) whose pages may
	// call the codec endpoints; empty means the origin of
	// temporal.web_ui_url.
	CORSOrigins []string `mapstructure:"cors_origins"`
}

// On reports whether a key is set, so payloads are encrypted.
func (c TemporalCodec) On() bool {
	for _, k := range c.Keys {
		if strings.TrimSpace(k) != "" {
			return true
		}
	}
	return false
}

// Codec is the codec of Keys, with which every client of Temporal
// (worker, front door, CLI) encrypts payloads; nil, payloads in plain
// text, when no key is set.
func (c TemporalCodec) Codec() (*payloadcodec.Codec, error) {
	if !c.On() {
		return nil, nil
	}
	codec, err := payloadcodec.New(c.Keys)
	if err != nil {
		return nil, fmt.Errorf("temporal.codec.keys: %w", err)
	}
	return codec, nil
}

// CodecOrigins are the origins allowed to call the codec endpoints from a
// browser: temporal.codec.cors_origins, or else the origin of
// temporal.web_ui_url (none when that is empty).
func (t Temporal) CodecOrigins() []string {
	var out []string
	for _, o := range t.Codec.CORSOrigins {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	if len(out) > 0 || t.WebUIURL == "" {
		return out
	}
	u, err := url.Parse(t.WebUIURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// problems checks temporal.codec: one problem per bad key (bad base64,
// wrong length, duplicate or empty ID), a weak token, an origin that is
// not one. No message repeats a key or the token.
func (c TemporalCodec) problems() Problems {
	var ps Problems
	_, errs := payloadcodec.ParseKeys(c.Keys)
	for _, err := range errs {
		var ke *payloadcodec.KeyError
		if errors.As(err, &ke) {
			ps = append(ps, Problem{Key: fmt.Sprintf("temporal.codec.keys[%d]", ke.Index), Message: ke.Err.Error()})
		}
	}
	if t := c.Token; t != "" && (len(t) < minCodecToken || hasSpace(t)) {
		ps = append(ps, Problem{Key: "temporal.codec.token", Message: fmt.Sprintf(
			"must be at least %d characters without spaces (make one with: openssl rand -base64 32)", minCodecToken)})
	}
	for i, o := range c.CORSOrigins {
		if o = strings.TrimSpace(o); o != "" && !isOrigin(o) {
			ps = append(ps, Problem{Key: fmt.Sprintf("temporal.codec.cors_origins[%d]", i), Value: o,
				Allowed: "an origin written scheme://host[:port] with no path, e.g. https://temporal.example.com"})
		}
	}
	return ps
}

// isOrigin reports whether s is an http(s) origin as browsers send it.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "#")
}
