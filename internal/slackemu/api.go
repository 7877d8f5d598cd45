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
		"reactions.get":                reactionsGet,
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

// apiAnswer is the HTTP answer of one call, built before it is written so the
// call is in the log by the time the client reads the answer.
type apiAnswer struct {
	status int
	header http.Header
	body   []byte
	code   string // Slack error code, "" on success
}

// serveAPI handles POST/GET /api/{method}.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	start := s.now()
	a := s.handleAPI(r, method)
	s.recordCall(Call{Method: method, Start: start, End: s.now(), Status: a.status, Error: a.code})
	if a.status == statusClientGone {
		return
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// statusClientGone marks a call whose client went away (nginx's 499).
const statusClientGone = 499

// handleAPI runs one call and returns its answer.
func (s *Server) handleAPI(r *http.Request, method string) *apiAnswer {
	h, ok := apiMethods[method]
	if !ok {
		return errAnswer(errCode("unknown_method"))
	}
	p, perr := parseParams(r)
	if perr != "" {
		return errAnswer(errCode(perr))
	}
	if e := s.checkToken(method, requestToken(r, p)); e != nil {
		return errAnswer(e)
	}

	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency != nil && !s.sleep(r.Context().Done(), latency(method)) {
		return &apiAnswer{status: statusClientGone, code: "client_gone"}
	}
	s.mu.Lock()
	f := s.takeFault(method) // at most one fault per call
	s.mu.Unlock()
	if f != nil {
		switch f.kind {
		case faultError:
			return errAnswer(errCode(f.code))
		case faultHTTP:
			a := &apiAnswer{status: f.status, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
				body: []byte(fmt.Sprintf("slackemu: injected HTTP %d\n", f.status))}
			if f.status == http.StatusTooManyRequests {
				a.header.Set("Retry-After", "1")
			}
			return a
		case faultHang:
			if !s.sleep(r.Context().Done(), f.d) {
				return &apiAnswer{status: statusClientGone, code: "client_gone"}
			}
		}
	}

	rq := &apiRequest{method: method, p: p, base: s.baseURL(r), r: r}
	s.mu.Lock()
	now := s.now()
	if s.rateLimits {
		if ok, wait := s.limits.allow(method, rateKeyChannel(method, p), now); !ok {
			s.mu.Unlock()
			a := jsonAnswer(http.StatusTooManyRequests, obj{"ok": false, "error": "ratelimited"})
			a.header.Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			a.code = "ratelimited"
			return a
		}
	}
	s.deliverDueLocked(now)
	res, err := h(s, rq)
	var a *apiAnswer
	var hook *afterHook
	switch cerr := s.commitLocked(); {
	case cerr != nil:
		a = jsonAnswer(http.StatusInternalServerError, obj{"ok": false, "error": "fatal_error",
			"response_metadata": obj{"messages": []string{commitFailure(cerr)}}})
		a.code = "fatal_error"
	case err != nil:
		a = errAnswer(err)
	default:
		if res == nil {
			res = obj{}
		}
		res["ok"] = true
		a = jsonAnswer(http.StatusOK, res)
		hook = s.takeHookLocked(method)
	}
	s.mu.Unlock()
	if hook != nil && !s.runHook(hook, r.Context().Done()) {
		return &apiAnswer{status: statusClientGone, code: "answer_withheld"}
	}
	return a
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
func rateKeyChannel(method string, p params) string {
	if method != "chat.postMessage" {
		return ""
	}
	return strings.TrimPrefix(p.str("channel"), "#")
}

// errAnswer builds a Slack error answer (HTTP 200, ok:false).
func errAnswer(err error) *apiAnswer {
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
	a := jsonAnswer(http.StatusOK, body)
	a.code = e.code
	return a
}

// jsonAnswer builds a JSON answer.
func jsonAnswer(status int, v any) *apiAnswer {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error":"internal_error"}`)
	}
	return &apiAnswer{status: status, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		body: append(b, '\n')}
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
