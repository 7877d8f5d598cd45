package pagerdutyemu

import (
	"encoding/json"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// maxEmuBody bounds the body of a POST or PUT to /_emu/.
const maxEmuBody = 1 << 20

// State is the answer of GET /_emu/state.
type State struct {
	Events     []Event    `json:"events"`
	Alerts     []Alert    `json:"alerts"`
	OnCalls    []OnCall   `json:"oncalls"`
	Deliveries []Delivery `json:"deliveries"`
	Fixtures   Fixtures   `json:"fixtures"`
	Webhook    string     `json:"webhook_url,omitempty"`
}

// State returns the whole state, as GET /_emu/state answers it.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Events: append([]Event{}, s.events...), Alerts: []Alert{}, OnCalls: s.onCallsLocked(),
		Deliveries: append([]Delivery{}, s.deliveries...), Fixtures: *s.fixtures.clone(), Webhook: s.webhookURL}
	if st.OnCalls == nil {
		st.OnCalls = []OnCall{}
	}
	for _, a := range s.alerts {
		st.Alerts = append(st.Alerts, *a)
	}
	return st
}

// actRequest is the body of POST /_emu/acknowledge and /_emu/resolve.
type actRequest struct {
	DedupKey string `json:"dedup_key"`
	By       string `json:"by"`
}

// failRequest is the body of POST /_emu/fail.
type failRequest struct {
	Match      string  `json:"match"`
	Status     int     `json:"status"`
	Count      int     `json:"count"`
	RetryAfter float64 `json:"retry_after"` // seconds
	After      bool    `json:"after"`
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case p == "/" && get:
		s.renderIndex(w)
	case p == "/_emu/state" && get:
		writeJSON(w, http.StatusOK, s.State())
	case p == "/_emu/reset" && post:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case (p == "/_emu/acknowledge" || p == "/_emu/resolve") && post:
		var req actRequest
		form, ok := readEmuBody(w, r, &req)
		if !ok {
			return
		}
		var err error
		if p == "/_emu/resolve" {
			err = s.Resolve(req.DedupKey, req.By)
		} else {
			err = s.Acknowledge(req.DedupKey, req.By)
		}
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusConflict)
		case form:
			http.Redirect(w, r, "/", http.StatusSeeOther)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	case p == "/_emu/fixtures" && get:
		writeJSON(w, http.StatusOK, s.Fixtures())
	case p == "/_emu/fixtures" && (r.Method == http.MethodPut || post):
		var f Fixtures
		if _, ok := readEmuBody(w, r, &f); !ok {
			return
		}
		if err := s.SetFixtures(f); err != nil {
			http.Error(w, "fixtures refused: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case p == "/_emu/fail" && post:
		var f failRequest
		if _, ok := readEmuBody(w, r, &f); !ok {
			return
		}
		if f.Status < 400 || f.Status > 599 || f.Count < 1 {
			http.Error(w, "a fault needs a status between 400 and 599 and a count of at least 1", http.StatusBadRequest)
			return
		}
		s.addFault(&fault{match: f.Match, status: f.Status, left: f.Count, after: f.After,
			retryAfter: time.Duration(f.RetryAfter * float64(time.Second))})
		w.WriteHeader(http.StatusNoContent)
	case p == "/_emu/revoke" && post:
		var req struct {
			Token string `json:"token"`
		}
		if _, ok := readEmuBody(w, r, &req); !ok {
			return
		}
		s.RevokeToken(req.Token)
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/incidents/") && get:
		s.renderIncident(w, strings.TrimPrefix(p, "/incidents/"))
	default:
		http.Error(w, "not found: see GET / for what the PagerDuty sandbox serves", http.StatusNotFound)
	}
}

// readEmuBody reads a JSON or form body into v; it answers the error
// itself and reports whether the body was a form.
func readEmuBody(w http.ResponseWriter, r *http.Request, v any) (form, ok bool) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, maxEmuBody)
	if ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
			return true, false
		}
		if a, isAct := v.(*actRequest); isAct {
			a.DedupKey, a.By = r.PostForm.Get("dedup_key"), r.PostForm.Get("by")
			return true, true
		}
		http.Error(w, "send JSON", http.StatusUnsupportedMediaType)
		return true, false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return false, false
	}
	if err := json.Unmarshal(body, v); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return false, false
	}
	return false, true
}

func (s *Server) renderIndex(w http.ResponseWriter) {
	st := s.State()
	// Newest first for people.
	for i, j := 0, len(st.Alerts)-1; i < j; i, j = i+1, j-1 {
		st.Alerts[i], st.Alerts[j] = st.Alerts[j], st.Alerts[i]
	}
	if n := len(st.Events); n > 50 {
		st.Events = st.Events[n-50:]
	}
	for i, j := 0, len(st.Events)-1; i < j; i, j = i+1, j-1 {
		st.Events[i], st.Events[j] = st.Events[j], st.Events[i]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexPage.Execute(w, st)
}

func (s *Server) renderIncident(w http.ResponseWriter, id string) {
	for _, a := range s.Alerts() {
		if a.ID == id {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = incidentPage.Execute(w, a)
			return
		}
	}
	http.Error(w, "no such PagerDuty incident", http.StatusNotFound)
}

const pageStyle = `<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:75em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.triggered{color:#c0392b;font-weight:bold}.acknowledged{color:#b7791f;font-weight:bold}.resolved{color:#2f855a}
form{display:inline}button{margin-right:.3em}code{background:#f4f4f4;padding:0 .2em}</style>`

var funcs = template.FuncMap{"when": func(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}}

var indexPage = template.Must(template.New("index").Funcs(funcs).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>PagerDuty sandbox</title>` + pageStyle + `</head>
<body><h1>PagerDuty sandbox</h1>
<p>Pages sent through the emulated Events API v2, who is on call, and the webhooks sent back.
Machine-readable: <a href="/_emu/state">/_emu/state</a>. Webhooks go to {{if .Webhook}}<code>{{.Webhook}}</code>{{else}}nobody (no subscriber set){{end}}.</p>
<h2>Alerts</h2>
{{if .Alerts}}<table><tr><th>#</th><th>Summary</th><th>Status</th><th>Severity</th><th>Dedup key</th><th>Opened</th><th>Acknowledged</th><th>Resolved</th><th></th></tr>
{{range .Alerts}}<tr><td><a href="/incidents/{{.ID}}">#{{.Number}}</a></td><td>{{.Summary}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.Severity}}</td>
<td><code>{{.DedupKey}}</code>{{if .Deduplicated}} ({{.Deduplicated}} deduplicated){{end}}</td><td>{{when .CreatedAt}}</td>
<td>{{when .AcknowledgedAt}}{{if .AcknowledgedBy}} by {{.AcknowledgedBy}}{{end}}</td><td>{{when .ResolvedAt}}{{if .ResolvedBy}} by {{.ResolvedBy}}{{end}}</td>
<td>{{if eq .Status "triggered"}}<form method="post" action="/_emu/acknowledge"><input type="hidden" name="dedup_key" value="{{.DedupKey}}">
<input name="by" placeholder="as (e.g. Dave Diaz)" size="14"><button>Acknowledge</button></form>{{end}}
{{if ne .Status "resolved"}}<form method="post" action="/_emu/resolve"><input type="hidden" name="dedup_key" value="{{.DedupKey}}">
<input name="by" placeholder="as (e.g. Dave Diaz)" size="14"><button>Resolve</button></form>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No pages yet.</p>{{end}}
<h2>On call now</h2>
{{if .OnCalls}}<table><tr><th>Escalation policy</th><th>Level</th><th>Person</th><th>Email</th><th>Through</th></tr>
{{range .OnCalls}}<tr><td><code>{{.EscalationPolicy}}</code></td><td>{{.Level}}</td><td>{{.UserName}}</td><td>{{.Email}}</td><td>{{if .Schedule}}schedule <code>{{.Schedule}}</code>{{else}}named directly{{end}}</td></tr>
{{end}}</table>{{else}}<p>Nobody is on call.</p>{{end}}
<p>Escalation policies: {{range $i, $p := .Fixtures.EscalationPolicies}}{{if $i}}, {{end}}<code>{{$p.ID}}</code> {{$p.Name}}{{if not $p.Rules}} (no schedule or person){{end}}{{end}}.</p>
<h2>Recent events</h2>
{{if .Events}}<table><tr><th>Received</th><th>Action</th><th>Dedup key</th><th>Outcome</th></tr>
{{range .Events}}<tr><td>{{when .ReceivedAt}}</td><td>{{.EventAction}}</td><td><code>{{.DedupKey}}</code></td><td>{{.Outcome}}</td></tr>
{{end}}</table>{{else}}<p>No events yet.</p>{{end}}
<h2>Webhooks sent</h2>
{{if .Deliveries}}<table><tr><th>Event</th><th>Dedup key</th><th>Attempts</th><th>Result</th></tr>
{{range .Deliveries}}<tr><td>{{.EventType}}</td><td><code>{{.DedupKey}}</code></td><td>{{.Attempts}}</td><td>{{if .Delivered}}delivered ({{.Status}}){{else if .Done}}failed: {{.Error}}{{else}}sending…{{if .Error}} ({{.Error}}){{end}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>No webhooks yet.</p>{{end}}
</body></html>`))

var incidentPage = template.Must(template.New("incident").Funcs(funcs).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>#{{.Number}} {{.Summary}} · PagerDuty sandbox</title>` + pageStyle + `</head>
<body><p><a href="/">All alerts</a></p><h1>#{{.Number}} {{.Summary}}</h1>
<p class="{{.Status}}">{{.Status}}</p>
<table><tr><th>Service</th><td>{{.Service}}</td></tr><tr><th>Severity</th><td>{{.Severity}}</td></tr><tr><th>Source</th><td>{{.Source}}</td></tr>
<tr><th>Dedup key</th><td><code>{{.DedupKey}}</code></td></tr><tr><th>Opened</th><td>{{when .CreatedAt}}</td></tr>
<tr><th>Acknowledged</th><td>{{when .AcknowledgedAt}} {{.AcknowledgedBy}}</td></tr><tr><th>Resolved</th><td>{{when .ResolvedAt}} {{.ResolvedBy}}</td></tr></table>
</body></html>`))
