package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// call is one request to the Slack emulator as its door saw it: a Web API
// call (Method set) or a post to a response_url (Method "response_url").
// Start and End bracket the emulator's handling, its injected latency
// included.
type call struct {
	Method string
	Start  time.Time
	End    time.Time
	Status int    // HTTP status of the answer
	Error  string // Slack error code ("ratelimited" for a 429), "" when ok

	FromDoor  bool   // made by the front door (its Slack client), not the worker
	Via       string // the worker that made it, when it called through viaPrefix
	Channel   string // the channel argument (an ID or a name)
	Name      string // conversations.create: the name asked for
	Text      string // the text argument (purpose, topic, message), cut short
	ThreadTS  string
	Incident  string // message metadata: incident_id
	Key       string // message metadata: key
	Trigger   string // views.open: trigger_id
	ViewID    string // views.open: the ID of the view opened
	CreatedID string // conversations.create: the ID of the channel created
	PostedTS  string // chat.postMessage: the ts of the message posted
}

// callLog records every request to the Slack emulator. It sits in front of
// the emulator's handler, so it sees arguments and answers the emulator's
// own call log doesn't keep (channels, message metadata, IDs created).
type callLog struct {
	next http.Handler

	mu    sync.Mutex
	calls []call
	views map[string]string // trigger_id → view ID
	ids   map[string]string // war-room purpose (the title) → incident ID
}

// newCallLog wraps the emulator handler next.
func newCallLog(next http.Handler) *callLog {
	return &callLog{next: next, views: map[string]string{}, ids: map[string]string{}}
}

// doorPrefix is where the front door's Slack client sends its Web API
// calls: the emulator's /api/, marked.
const doorPrefix = "/frontdoor/api/"

// viaPrefix lets a worker process name itself in its calls: its Slack API
// URL is the emulator's /via/<name>/api/.
const viaPrefix = "/via/"

// maxText bounds the text kept per call.
const maxText = 200

// ServeHTTP records the request and passes it on.
func (l *callLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var c call
	if rest, ok := strings.CutPrefix(r.URL.Path, doorPrefix); ok {
		// The front door's Slack client: tell its calls apart, then serve
		// them as any other.
		c.FromDoor = true
		r.URL.Path = "/api/" + rest
		r.URL.RawPath = ""
	} else if rest, ok := strings.CutPrefix(r.URL.Path, viaPrefix); ok {
		name, path, _ := strings.Cut(rest, "/")
		c.Via = name
		r.URL.Path = "/" + path
		r.URL.RawPath = ""
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/_emu/response/"):
		c.Method = "response_url"
	default:
		l.next.ServeHTTP(w, r)
		return
	}
	args := readArgs(r)
	c.Channel = firstOf(args.get("channel"), args.get("channel_id"))
	c.Name = args.get("name")
	c.Text = cut(firstOf(args.get("text"), args.get("topic"), args.get("purpose")), maxText)
	c.ThreadTS = args.get("thread_ts")
	c.Trigger = args.get("trigger_id")
	if md := args.get("metadata"); md != "" {
		var m struct {
			EventPayload map[string]any `json:"event_payload"`
		}
		if json.Unmarshal([]byte(md), &m) == nil {
			c.Incident, _ = m.EventPayload["incident_id"].(string)
			c.Key, _ = m.EventPayload["key"].(string)
		}
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	c.Start = time.Now()
	l.next.ServeHTTP(rec, r)
	c.End = time.Now()
	c.Status = rec.status
	if !rec.wrote {
		// The emulator answers nothing to a client that went away (a
		// killed worker) and applies nothing either.
		c.Status, c.Error = 499, "client_gone"
	}
	var ans struct {
		OK      bool   `json:"ok"`
		Error   string `json:"error"`
		TS      string `json:"ts"`
		Channel any    `json:"channel"`
		View    struct {
			ID string `json:"id"`
		} `json:"view"`
	}
	if json.Unmarshal(rec.body.Bytes(), &ans) == nil {
		c.Error = ans.Error
		c.ViewID = ans.View.ID
		c.PostedTS = ans.TS
		if ch, ok := ans.Channel.(map[string]any); ok && c.Method == "conversations.create" {
			c.CreatedID, _ = ch["id"].(string)
		}
	}
	if c.Status == http.StatusTooManyRequests {
		c.Error = "ratelimited"
	}
	l.mu.Lock()
	l.calls = append(l.calls, c)
	if c.Trigger != "" && c.ViewID != "" {
		l.views[c.Trigger] = c.ViewID
	}
	if c.Method == "conversations.setPurpose" && c.Error == "" {
		if i := strings.LastIndex(c.Text, purposeMarker); i >= 0 {
			l.ids[c.Text[:i]] = c.Text[i+len(purposeMarker):]
		}
	}
	l.mu.Unlock()
}

// notices returns the calls in which the front door told a user something
// after answering Slack: posts to a response_url, and messages its own Slack
// client sent. In a declaration that goes well there are none (the modal
// just closes; the declarer's acknowledgement comes from the worker), so
// each one is an error that reached a user.
func notices(calls []call) []call {
	var out []call
	for _, c := range calls {
		if c.Method == "response_url" || c.FromDoor && strings.HasPrefix(c.Method, "chat.") {
			out = append(out, c)
		}
	}
	return out
}

// quoteNotices quotes in fig's notes the first few things the front door
// told users (see notices).
func (f *figure) quoteNotices(told []call) {
	for _, c := range told[:min(len(told), 3)] {
		f.note("told a user: %s", c.Text)
	}
}

// Calls returns a copy of the calls recorded so far.
func (l *callLog) Calls() []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]call(nil), l.calls...)
}

// View returns the ID of the view opened with triggerID, if one was.
func (l *callLog) View(triggerID string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, ok := l.views[triggerID]
	return id, ok
}

// Incident waits until a war room whose purpose is title gets its
// purpose set, and returns the incident ID the purpose names. The bench
// gives every incident a unique title and no summary, so the purpose is
// the title.
func (l *callLog) Incident(ctx context.Context, title string) (string, error) {
	for {
		l.mu.Lock()
		id, ok := l.ids[title]
		l.mu.Unlock()
		if ok {
			return id, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no war room was opened for %q: %w", title, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Reset forgets every call recorded so far (views opened are kept).
func (l *callLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

// recorder keeps a copy of the answer.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool // an answer was written
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status, r.wrote = status, true
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if r.body.Len() < 1<<16 {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// args are the arguments of a request: a form, or a JSON object.
type args struct {
	form url.Values
	js   map[string]json.RawMessage
}

func (a args) get(k string) string {
	if v := a.form.Get(k); v != "" {
		return v
	}
	raw, ok := a.js[k]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// readArgs reads the request's arguments and puts the body back for the
// emulator.
func readArgs(r *http.Request) args {
	a := args{form: url.Values{}}
	for k, v := range r.URL.Query() {
		a.form[k] = v
	}
	if r.Body == nil {
		return a
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return a
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) == 0 {
		return a
	}
	if ct == "application/json" {
		_ = json.Unmarshal(body, &a.js)
		return a
	}
	if vals, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range vals {
			a.form[k] = append(a.form[k], v...)
		}
	}
	return a
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
