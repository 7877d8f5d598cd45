package statuspageemu

import (
	"html/template"
	"net/http"
	"time"
)

// State is the whole emulated page, as GET /_emu/state answers it.
type State struct {
	PageID     string          `json:"page_id"`
	Incidents  []StateIncident `json:"incidents"`
	Components []Component     `json:"components"`
}

// StateIncident is one incident of State: the fields the shared contract
// fixes (id, name, status, body, impact, components, updates) and its
// schedule and metadata.
type StateIncident struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Body is the latest update's body.
	Body           string                    `json:"body"`
	Impact         string                    `json:"impact"`
	Components     []Component               `json:"components"`
	Updates        []StateUpdate             `json:"updates"`
	Scheduled      bool                      `json:"scheduled"`
	ScheduledFor   *time.Time                `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time                `json:"scheduled_until,omitempty"`
	Metadata       map[string]map[string]any `json:"metadata"`
	Shortlink      string                    `json:"shortlink"`
}

// StateUpdate is one incident update, oldest first in State.
type StateUpdate struct {
	Status    string    `json:"status"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// State returns the whole page: incidents oldest first, each with its
// updates oldest first.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{PageID: s.opts.PageID, Incidents: []StateIncident{}, Components: append([]Component{}, s.components...)}
	for _, in := range s.incidents {
		v := s.viewLocked(in)
		si := StateIncident{ID: v.ID, Name: v.Name, Status: v.Status, Impact: v.Impact, Components: v.Components,
			Updates: []StateUpdate{}, Scheduled: v.Scheduled(), ScheduledFor: v.ScheduledFor,
			ScheduledUntil: v.ScheduledUntil, Metadata: v.Metadata, Shortlink: v.Shortlink}
		for i := len(v.IncidentUpdates) - 1; i >= 0; i-- {
			u := v.IncidentUpdates[i]
			si.Updates = append(si.Updates, StateUpdate{Status: u.Status, Body: u.Body, CreatedAt: u.CreatedAt})
			if u.Body != "" {
				si.Body = u.Body
			}
		}
		st.Incidents = append(st.Incidents, si)
	}
	return st
}

// Incident returns the incident with Statuspage ID id as the API shows it.
func (s *Server) Incident(id string) (Incident, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.incidentIndexLocked(id); i >= 0 {
		return s.viewLocked(s.incidents[i]), true
	}
	return Incident{}, false
}

// ComponentStatus returns the current status of component id.
func (s *Server) ComponentStatus(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.componentIndexLocked(id); i >= 0 {
		return s.components[i].Status, true
	}
	return "", false
}

// servePage renders the page as its readers would see it: the components
// and their statuses, the open incidents and maintenance, then the past.
func (s *Server) servePage(w http.ResponseWriter) {
	st := s.State()
	data := struct {
		Name string
		State
		Open, Past []StateIncident
	}{Name: s.opts.PageName, State: st}
	for i := len(st.Incidents) - 1; i >= 0; i-- {
		in := st.Incidents[i]
		switch in.Status {
		case "resolved", "postmortem", "completed":
			data.Past = append(data.Past, in)
		default:
			data.Open = append(data.Open, in)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, data)
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("Jan 2, 15:04 MST") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format("Jan 2, 15:04 MST")
	},
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Name}} — Statuspage sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}
.c{display:flex;justify-content:space-between;border:1px solid #ddd;padding:.5rem .8rem;margin:-1px 0 0}
.operational{color:#2a8a3e}.degraded_performance{color:#b7950b}.partial_outage{color:#d35400}
.major_outage{color:#c0392b}.under_maintenance{color:#2471a3}
.inc{border-left:4px solid #888;padding:.2rem .8rem;margin:1rem 0}.u{margin:.4rem 0}
small{color:#666}
</style></head><body>
<h1>{{.Name}}</h1>
<p><small>Statuspage sandbox · page {{.PageID}} · <a href="/_emu/state">/_emu/state</a></small></p>
<h2>Components</h2>
{{range .Components}}<div class="c"><span>{{.Name}} <small>{{.ID}}</small></span><span class="{{.Status}}">{{.Status}}</span></div>
{{else}}<p>No components.</p>{{end}}
<h2>Now</h2>
{{range .Open}}{{template "inc" .}}{{else}}<p>All systems operational; no maintenance scheduled.</p>{{end}}
<h2>Past</h2>
{{range .Past}}{{template "inc" .}}{{else}}<p>Nothing yet.</p>{{end}}
</body></html>
{{define "inc"}}<div class="inc"><h3>{{.Name}} <small>{{.Status}} · impact {{.Impact}} · {{.ID}}</small></h3>
{{if .Scheduled}}<p><small>Scheduled {{whenp .ScheduledFor}} to {{whenp .ScheduledUntil}}</small></p>{{end}}
{{range .Components}}<small class="{{.Status}}">{{.Name}}: {{.Status}}</small> {{end}}
{{range .Updates}}<div class="u"><b>{{.Status}}</b> — {{.Body}} <small>{{when .CreatedAt}}</small></div>{{end}}
</div>{{end}}`))
