package slackemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// obj is a JSON object in a response.
type obj = map[string]any

// apiRequest is one Web API call being handled.
type apiRequest struct {
	method string
	p      params
	base   string // base URL for links in the response
	r      *http.Request
}

// apiError is a Slack error answer: {"ok":false,"error":code, ...extra}.
type apiError struct {
	code  string
	extra obj
}

// Error implements error.
func (e *apiError) Error() string { return e.code }

// errCode returns a Slack error.
func errCode(code string) error { return &apiError{code: code} }

// errWith returns a Slack error with extra fields (e.g. response_metadata).
func errWith(code string, extra obj) error { return &apiError{code: code, extra: extra} }

// errMessages returns a Slack error with response_metadata.messages.
func errMessages(code string, msgs ...string) error {
	return errWith(code, obj{"response_metadata": obj{"messages": msgs}})
}

// handlerFunc handles one Web API method with s.mu held.
type handlerFunc func(s *Server, rq *apiRequest) (obj, error)

// apiMethods maps Web API method names to their handlers.
var apiMethods map[string]handlerFunc

func init() {
	apiMethods = map[string]handlerFunc{
		"api.test":                     apiTest,
		"auth.test":                    authTest,
		"users.info":                   usersInfo,
		"users.list":                   usersList,
		"users.lookupByEmail":          usersLookupByEmail,
		"usergroups.list":              usergroupsList,
		"conversations.create":         conversationsCreate,
		"conversations.info":           conversationsInfo,
		"conversations.invite":         conversationsInvite,
		"conversations.kick":           conversationsKick,
		"conversations.setTopic":       conversationsSetTopic,
		"conversations.setPurpose":     conversationsSetPurpose,
		"conversations.archive":        conversationsArchive,
		"conversations.unarchive":      conversationsUnarchive,
		"conversations.rename":         conversationsRename,
		"conversations.history":        conversationsHistory,
		"conversations.replies":        conversationsReplies,
		"conversations.members":        conversationsMembers,
		"conversations.list":           conversationsList,
		"conversations.join":           conversationsJoin,
		"conversations.open":           conversationsOpen,
		"chat.postMessage":             chatPostMessage,
		"chat.postEphemeral":           chatPostEphemeral,
		"chat.update":                  chatUpdate,
		"chat.delete":                  chatDelete,
		"chat.scheduleMessage":         chatScheduleMessage,
		"chat.scheduledMessages.list":  chatScheduledMessagesList,
		"chat.deleteScheduledMessage":  chatDeleteScheduledMessage,
		"chat.getPermalink":            chatGetPermalink,
		"pins.add":                     pinsAdd,
		"pins.remove":                  pinsRemove,
		"pins.list":                    pinsList,
		"bookmarks.add":                bookmarksAdd,
		"bookmarks.list":               bookmarksList,
		"bookmarks.remove":             bookmarksRemove,
		"reactions.add":                reactionsAdd,
		"reactions.remove":             reactionsRemove,
		"views.open":                   viewsOpen,
		"views.push":                   viewsPush,
		"views.update":                 viewsUpdate,
		"views.publish":                viewsPublish,
		"files.getUploadURLExternal":   filesGetUploadURLExternal,
		"files.completeUploadExternal": filesCompleteUploadExternal,
		"files.info":                   filesInfo,
		"apps.connections.open":        appsConnectionsOpen,
	}
}

// Methods returns the names of the Web API methods the emulator implements.
func Methods() []string {
	out := make([]string, 0, len(apiMethods))
	for m := range apiMethods {
		out = append(out, m)
	}
	return out
}

// serveAPI handles POST/GET /api/{method}.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	start := s.now()
	status, code := s.handleAPI(w, r, method)
	s.recordCall(Call{Method: method, Start: start, End: s.now(), Status: status, Error: code})
}

// handleAPI runs one call and writes the answer; it returns the HTTP status and
// the Slack error code ("" on success).
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request, method string) (int, string) {
	h, ok := apiMethods[method]
	if !ok {
		return writeErr(w, errCode("unknown_method"))
	}
	p, perr := parseParams(r)
	if perr != "" {
		return writeErr(w, errCode(perr))
	}
	if e := s.checkToken(method, requestToken(r, p)); e != nil {
		return writeErr(w, e)
	}

	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency != nil && !s.sleep(r.Context().Done(), latency(method)) {
		return 499, "client_gone"
	}
	for {
		s.mu.Lock()
		f := s.takeFault(method)
		s.mu.Unlock()
		if f == nil || f.kind != faultHang {
			if f != nil && f.kind == faultError {
				return writeErr(w, errCode(f.code))
			}
			if f != nil && f.kind == faultHTTP {
				if f.status == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", "1")
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(f.status)
				fmt.Fprintf(w, "slackemu: injected HTTP %d\n", f.status)
				return f.status, ""
			}
			break
		}
		if !s.sleep(r.Context().Done(), f.d) {
			return 499, "client_gone"
		}
	}

	rq := &apiRequest{method: method, p: p, base: s.baseURL(r), r: r}
	s.mu.Lock()
	now := s.now()
	if s.rateLimits {
		if ok, wait := s.limits.allow(method, s.rateKeyChannel(method, p), now); !ok {
			s.mu.Unlock()
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			writeJSON(w, http.StatusTooManyRequests, obj{"ok": false, "error": "ratelimited"})
			return http.StatusTooManyRequests, "ratelimited"
		}
	}
	s.deliverDueLocked(now)
	res, err := h(s, rq)
	s.mu.Unlock()
	if err != nil {
		return writeErr(w, err)
	}
	if res == nil {
		res = obj{}
	}
	res["ok"] = true
	writeJSON(w, http.StatusOK, res)
	return http.StatusOK, ""
}

// checkToken validates the token of a call.
func (s *Server) checkToken(method, token string) error {
	if token == "" {
		return errCode("not_authed")
	}
	if method == "apps.connections.open" {
		if token == s.opts.AppToken {
			return nil
		}
		if token == s.opts.BotToken {
			return errCode("not_allowed_token_type")
		}
		return errCode("invalid_auth")
	}
	if token == s.opts.BotToken {
		return nil
	}
	if token == s.opts.AppToken {
		return errCode("not_allowed_token_type")
	}
	return errCode("invalid_auth")
}

// rateKeyChannel returns the channel chat.postMessage is limited on.
func (s *Server) rateKeyChannel(method string, p params) string {
	if method != "chat.postMessage" {
		return ""
	}
	return strings.TrimPrefix(p.str("channel"), "#")
}

// writeErr writes a Slack error answer (HTTP 200, ok:false).
func writeErr(w http.ResponseWriter, err error) (int, string) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{code: "internal_error"}
	}
	body := obj{}
	for k, v := range e.extra {
		body[k] = v
	}
	body["ok"] = false
	body["error"] = e.code
	writeJSON(w, http.StatusOK, body)
	return http.StatusOK, e.code
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Call is one Web API call as the emulator saw it.
type Call struct {
	Method string
	Start  time.Time // by the emulator's clock
	End    time.Time
	Status int    // HTTP status of the answer
	Error  string // Slack error code, "ratelimited", or "" when ok
}

// maxCalls bounds the call log; older entries are dropped (CallCount keeps counting).
const maxCalls = 100000

// recordCall appends c to the call log.
func (s *Server) recordCall(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) >= maxCalls {
		s.calls = append([]Call(nil), s.calls[len(s.calls)/2:]...)
	}
	s.calls = append(s.calls, c)
	s.callCounts[c.Method]++
}

// apiTest is api.test: it echoes its arguments.
func apiTest(_ *Server, rq *apiRequest) (obj, error) {
	if e := rq.p.str("error"); e != "" {
		return nil, errCode(e)
	}
	args := obj{}
	for k := range rq.p.form {
		if k != "token" {
			args[k] = rq.p.str(k)
		}
	}
	return obj{"args": args}, nil
}
