package slackemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxAPIBody bounds a Web API request body (views may be up to 250 KB of JSON).
const maxAPIBody = 4 << 20

// params are the arguments of a Web API call, from the query string and from a
// form-encoded, multipart or JSON body.
type params struct {
	form url.Values
	js   map[string]json.RawMessage
}

// parseParams reads the arguments of r. The error is a Slack error code.
func parseParams(r *http.Request) (params, string) {
	p := params{form: url.Values{}}
	for k, v := range r.URL.Query() {
		p.form[k] = v
	}
	if r.Body == nil {
		return p, ""
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxAPIBody); err != nil {
			return p, "invalid_form_data"
		}
		for k, v := range r.MultipartForm.Value {
			p.form[k] = append(p.form[k], v...)
		}
		return p, ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAPIBody+1))
	if err != nil {
		return p, "request_timeout"
	}
	if len(body) > maxAPIBody {
		return p, "request_too_large"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, ""
	}
	if ct == "application/json" {
		if err := json.Unmarshal(body, &p.js); err != nil {
			return p, "invalid_json"
		}
		return p, ""
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return p, "invalid_form_data"
	}
	for k, v := range vals {
		p.form[k] = append(p.form[k], v...)
	}
	return p, ""
}

// has reports whether the argument was given.
func (p params) has(k string) bool {
	if _, ok := p.form[k]; ok {
		return true
	}
	_, ok := p.js[k]
	return ok
}

// str returns an argument as a string: JSON strings are unquoted, other JSON
// values are returned as their JSON text, null is "".
func (p params) str(k string) string {
	if v, ok := p.form[k]; ok && len(v) > 0 {
		return v[0]
	}
	raw, ok := p.js[k]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return ""
	}
	return string(raw)
}

// jsonArg returns an argument that holds JSON (blocks, view, metadata): from a
// form it is the field's text; from a JSON body it is either the embedded value
// or, when the value is a JSON string, that string's content.
func (p params) jsonArg(k string) json.RawMessage {
	if v, ok := p.form[k]; ok && len(v) > 0 {
		return json.RawMessage(v[0])
	}
	raw, ok := p.js[k]
	if !ok {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return json.RawMessage(s)
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	return raw
}

// boolean reads "true"/"1"/true as true.
func (p params) boolean(k string) bool {
	v := strings.ToLower(strings.TrimSpace(p.str(k)))
	return v == "true" || v == "1" || v == "yes"
}

// optBool returns a pointer to the boolean argument, or nil when absent.
func (p params) optBool(k string) *bool {
	if !p.has(k) {
		return nil
	}
	b := p.boolean(k)
	return &b
}

// integer reads an integer argument, or def when absent or malformed.
func (p params) integer(k string, def int) int {
	v := strings.TrimSpace(p.str(k))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// list reads a comma-separated list (or a JSON array of strings).
func (p params) list(k string) []string {
	if raw, ok := p.js[k]; ok {
		var arr []string
		if err := json.Unmarshal(raw, &arr); err == nil {
			return arr
		}
	}
	var out []string
	for _, part := range strings.Split(p.str(k), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// token returns the token of a request: the Authorization bearer, else the
// `token` argument.
func requestToken(r *http.Request, p params) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
	}
	return p.str("token")
}
