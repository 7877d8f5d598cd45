package githubemu

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/incidentflow/incidentflow/internal/pause"
)

const docsRoot = "https://docs.github.com/rest"

// req is one API request on its way through the emulator.
type req struct {
	w       *statusWriter
	r       *http.Request
	path    string   // without /api/v3 prefix and trailing slash
	segs    []string // path split on "/"
	op      string
	login   string
	webBase string // scheme://host
	apiBase string // webBase plus the /api/v3 prefix, if the client used it
	handle  func(*Server, *req)
}

// statusWriter holds the answer to a request until what the request changed
// is on disk (see send).
type statusWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// send writes the answer held, or, when commitErr says the change it
// reports could not be written, a 500 that says so instead.
func (w *statusWriter) send(commitErr error) {
	switch {
	case commitErr != nil:
		w.Header().Del("Location")
		writeError(w.ResponseWriter, http.StatusInternalServerError, commitFailure(commitErr), docsRoot)
	case w.status != 499: // nobody to answer
		w.ResponseWriter.WriteHeader(cmp.Or(w.status, http.StatusOK))
		_, _ = w.ResponseWriter.Write(w.body.Bytes())
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p, prefix := r.URL.Path, ""
	if p == "/api/v3" || strings.HasPrefix(p, "/api/v3/") {
		prefix, p = "/api/v3", strings.TrimPrefix(p, "/api/v3")
	}
	if p = strings.TrimSuffix(p, "/"); p == "" {
		p = "/"
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if prefix == "" && s.servePage(w, r, p, segs) {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	x := &req{w: &statusWriter{ResponseWriter: w}, r: r, path: p, segs: segs,
		webBase: scheme + "://" + r.Host}
	x.apiBase = x.webBase + prefix
	x.op, x.handle = route(r.Method, segs)
	arrived := s.now()
	s.serveAPI(x)
	s.mu.Lock()
	err := s.commitLocked()
	status := cmp.Or(x.w.status, http.StatusOK)
	if err != nil {
		status = http.StatusInternalServerError
	}
	s.calls = append(s.calls, Call{Time: arrived, Method: r.Method, Path: p,
		Query: r.URL.RawQuery, Op: x.op, Login: x.login, Status: status})
	s.mu.Unlock()
	x.w.send(err)
}

func (s *Server) serveAPI(x *req) {
	// Read the whole body first: only then does net/http notice a client that
	// hangs up, which the latency wait relies on.
	body, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, 8<<20))
	if err != nil {
		writeError(x.w, http.StatusRequestEntityTooLarge, "Request body too large", docsRoot)
		return
	}
	x.r.Body = io.NopCloser(bytes.NewReader(body))
	if !s.delay(x) {
		x.w.status = 499
		return
	}
	h := x.w.Header()
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", "EMU:"+strconv.FormatInt(s.now().UnixNano(), 36))
	login, ok := s.authenticate(x.r)
	s.mu.Lock()
	if !ok {
		s.bucketLocked("", "core").setHeaders(h, "core")
		s.mu.Unlock()
		writeError(x.w, http.StatusUnauthorized, "Bad credentials", docsRoot)
		return
	}
	x.login = login
	h.Set("X-OAuth-Scopes", "repo")
	h.Set("X-Accepted-OAuth-Scopes", "repo")
	resource := resourceFor(x.op)
	b := s.bucketLocked(login, resource)
	if f := s.takeFaultLocked(x.r.Method, x.path, x.op); f != nil {
		b.setHeaders(h, resource)
		s.mu.Unlock()
		writeFault(x.w, f)
		return
	}
	if x.op != "rate_limit" && !b.take(s.now()) {
		b.setHeaders(h, resource)
		s.mu.Unlock()
		writeError(x.w, http.StatusForbidden, "API rate limit exceeded for user "+login+".",
			docsRoot+"/overview/rate-limits-for-the-rest-api#about-primary-rate-limits")
		return
	}
	b.setHeaders(h, resource)
	s.mu.Unlock()
	x.handle(s, x)
}

// delay applies the configured latency; it reports false if the client gave
// up while waiting.
func (s *Server) delay(x *req) bool {
	s.mu.Lock()
	f := s.latency
	s.mu.Unlock()
	if f == nil {
		return true
	}
	return pause.For(f(), x.r.Context().Done(), nil)
}

// authenticate reads "Authorization: Bearer T" or "Authorization: token T".
func (s *Server) authenticate(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !(strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "token")) {
		return "", false
	}
	login, ok := s.opts.Tokens[strings.TrimSpace(tok)]
	return login, ok
}

func writeFault(w http.ResponseWriter, f *fault) {
	if !f.secondary {
		writeError(w, f.status, http.StatusText(f.status), docsRoot)
		return
	}
	secs := int64((f.retryAfter + time.Second - 1) / time.Second)
	if secs < 0 {
		secs = 0
	}
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeError(w, f.status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		docsRoot+"/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
}

// fieldError is one entry of a 422 answer's "errors".
type fieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Value    any    `json:"value,omitempty"`
	Message  string `json:"message,omitempty"`
}

type errorBody struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url,omitempty"`
	Status           string       `json:"status"`
}

func writeError(w http.ResponseWriter, status int, msg, doc string, errs ...fieldError) {
	writeJSON(w, status, errorBody{Message: msg, Errors: errs, DocumentationURL: doc,
		Status: strconv.Itoa(status)})
}

func writeValidation(w http.ResponseWriter, doc string, errs []fieldError) {
	writeError(w, http.StatusUnprocessableEntity, "Validation Failed", doc, errs...)
}

func notFound(w http.ResponseWriter, doc string) {
	writeError(w, http.StatusNotFound, "Not Found", doc)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeBody decodes a JSON request body into v, answering 400 like GitHub
// when it is not JSON. An empty body leaves v alone.
func decodeBody(x *req, v any) bool {
	dec := json.NewDecoder(x.r.Body)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeError(x.w, http.StatusBadRequest, "Problems parsing JSON", docsRoot)
		return false
	}
	return true
}
