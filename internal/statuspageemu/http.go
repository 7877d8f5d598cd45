package statuspageemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError answers Statuspage's {"error": "…"}.
func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// invalid answers 422 with Statuspage's {"error": ["…", …]}.
func invalid(w http.ResponseWriter, msgs []string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string][]string{"error": msgs})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimSuffix(r.URL.Path, ".json")
	switch {
	case p == "/" && r.Method == http.MethodGet:
		s.servePage(w)
		return
	case p == "/_emu/state" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.State())
		return
	case p == "/_emu/reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) < 4 || segs[0] != "v1" || segs[1] != "pages" {
		apiError(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	op, ok := operation(r.Method, segs[3:])
	if !ok {
		apiError(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.serveAPI(rec, r, op, segs[2], segs[3:])
	s.mu.Lock()
	s.calls = append(s.calls, Call{Op: op, Method: r.Method, Path: r.URL.Path, Status: rec.status})
	s.mu.Unlock()
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// operation names the API call of method on the path after the page ID.
func operation(method string, rest []string) (string, bool) {
	switch {
	case len(rest) == 1 && rest[0] == "components" && method == http.MethodGet:
		return "components", true
	case len(rest) == 1 && rest[0] == "incidents" && method == http.MethodPost:
		return "create", true
	case len(rest) == 1 && rest[0] == "incidents" && method == http.MethodGet:
		return "list", true
	case len(rest) == 2 && rest[0] == "incidents":
		switch method {
		case http.MethodGet:
			if isListName(rest[1]) {
				return "list", true
			}
			return "get", true
		case http.MethodPatch, http.MethodPut:
			return "update", true
		case http.MethodDelete:
			return "delete", true
		}
	}
	return "", false
}

func isListName(s string) bool {
	switch s {
	case "unresolved", "scheduled", "active_maintenance", "upcoming":
		return true
	}
	return false
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, op, pageID string, rest []string) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "OAuth ")
	if !ok {
		key = r.URL.Query().Get("api_key")
	}
	if key != s.opts.APIKey {
		apiError(w, http.StatusUnauthorized, "Could not authenticate")
		return
	}
	s.mu.Lock()
	f := s.takeFaultLocked(op)
	var wait time.Duration
	allowed := true
	if f == nil {
		wait, allowed = s.takeRateLocked(key, s.opts.Now())
	}
	s.mu.Unlock()
	switch {
	case f != nil && f.status == http.StatusTooManyRequests:
		tooMany(w, f.retryAfter)
		return
	case f != nil:
		apiError(w, f.status, http.StatusText(f.status))
		return
	case !allowed:
		tooMany(w, wait)
		return
	}
	if pageID != s.opts.PageID {
		apiError(w, http.StatusNotFound, "Couldn't find Page with 'id'="+pageID)
		return
	}
	var body map[string]json.RawMessage
	if op == "create" || op == "update" {
		var ok bool
		if body, ok = readBody(w, r); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case "components":
		writeJSON(w, http.StatusOK, s.components)
	case "list":
		which := ""
		if len(rest) == 2 {
			which = rest[1]
		}
		s.list(w, r, which)
	case "create":
		s.create(w, body)
	default:
		i := s.incidentIndexLocked(rest[1])
		if i < 0 {
			apiError(w, http.StatusNotFound, "Couldn't find Incident with 'id'="+rest[1])
			return
		}
		switch op {
		case "get":
			writeJSON(w, http.StatusOK, s.viewLocked(s.incidents[i]))
		case "delete":
			in := s.incidents[i]
			s.incidents = append(s.incidents[:i:i], s.incidents[i+1:]...)
			s.saveLocked()
			writeJSON(w, http.StatusOK, s.viewLocked(in))
		case "update":
			s.update(w, s.incidents[i], body)
		}
	}
}

func tooMany(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	apiError(w, http.StatusTooManyRequests, "Rate limit exceeded. Retry after the time in Retry-After.")
}

// readBody reads {"incident": {…}}; it answers 413 or 400 itself.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		apiError(w, http.StatusRequestEntityTooLarge, "request body is larger than "+strconv.Itoa(MaxBody)+" bytes")
		return nil, false
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "could not read the request body")
		return nil, false
	}
	fields, err := ParseIncidentBody(data)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	return fields, true
}

// ParseIncidentBody reads a create or update body, {"incident": {…}}, into
// the incident's fields, unparsed. It fails on a body that isn't a JSON
// object, or has no "incident" object, with Statuspage's words.
func ParseIncidentBody(data []byte) (map[string]json.RawMessage, error) {
	var outer map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&outer); err != nil || dec.More() {
		return nil, errors.New("the request body is not valid JSON")
	}
	raw, ok := outer["incident"]
	if !ok || string(raw) == "null" {
		return nil, errors.New("incident is missing")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, errors.New("incident must be an object")
	}
	return fields, nil
}
