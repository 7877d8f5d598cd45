package githubemu

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// stateIssue is one entry of GET /_emu/state; the first seven fields are the
// shape DESIGN.md fixes.
type stateIssue struct {
	Repo        string         `json:"repo"`
	Number      int            `json:"number"`
	Title       string         `json:"title"`
	Body        string         `json:"body"`
	Labels      []string       `json:"labels"`
	Assignees   []string       `json:"assignees"`
	State       string         `json:"state"`
	StateReason string         `json:"state_reason"`
	HTMLURL     string         `json:"html_url"`
	Comments    []stateComment `json:"comments"`
}

type stateComment struct {
	User string `json:"user"`
	Body string `json:"body"`
}

// servePage answers the routes meant for people and test harnesses; it
// reports false for everything else, which is API.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, p string, segs []string) bool {
	web := "http://" + r.Host
	if r.TLS != nil {
		web = "https://" + r.Host
	}
	switch {
	case p == "/" && r.Method == http.MethodGet:
		s.mu.Lock()
		data := struct{ Repos []pageRepo }{s.pageReposLocked(web)}
		s.mu.Unlock()
		render(w, http.StatusOK, indexPage, data)
	case p == "/_emu/state" && r.Method == http.MethodGet:
		s.mu.Lock()
		issues := s.snapshotLocked("", web)
		s.mu.Unlock()
		out := make([]stateIssue, 0, len(issues))
		for _, is := range issues {
			si := stateIssue{Repo: is.Repo, Number: is.Number, Title: is.Title, Body: is.Body,
				Labels: is.Labels, Assignees: is.Assignees, State: is.State,
				StateReason: is.StateReason, HTMLURL: is.HTMLURL, Comments: []stateComment{}}
			for _, c := range is.Comments {
				si.Comments = append(si.Comments, stateComment{User: c.User, Body: c.Body})
			}
			out = append(out, si)
		}
		writeJSON(w, http.StatusOK, map[string]any{"issues": out})
	case p == "/_emu/reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case len(segs) == 4 && segs[2] == "issues" && r.Method == http.MethodGet &&
		segs[0] != "repos" && !strings.HasPrefix(segs[0], "_"):
		n, _ := strconv.Atoi(segs[3])
		is, ok := s.Issue(segs[0]+"/"+segs[1], n)
		if !ok {
			http.Error(w, "no such issue", http.StatusNotFound)
			return true
		}
		render(w, http.StatusOK, issuePage, is)
	default:
		return false
	}
	return true
}

type pageRepo struct {
	Name   string
	Issues []Issue
}

func (s *Server) pageReposLocked(web string) []pageRepo {
	var out []pageRepo
	for _, is := range s.snapshotLocked("", web) {
		if len(out) == 0 || out[len(out)-1].Name != is.Repo {
			out = append(out, pageRepo{Name: is.Repo})
		}
		out[len(out)-1].Issues = append(out[len(out)-1].Issues, is)
	}
	for _, name := range s.opts.Repos {
		if r := s.repos[strings.ToLower(name)]; r != nil && len(r.issues) == 0 {
			out = append(out, pageRepo{Name: r.fullName()})
		}
	}
	return out
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

const pageStyle = `<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.label{background:#eee;border-radius:1em;padding:0 .5em;margin-right:.3em}.closed{color:#8250df}.open{color:#1a7f37}
.md{border:1px solid #d0d7de;border-radius:6px;padding:0 1em;margin:1em 0}.md pre,.md code{background:#f6f8fa;border-radius:4px}
.md pre{padding:1em;overflow:auto}.md code{padding:.1em .3em}.md pre code{padding:0}.md .raw{white-space:pre-wrap;color:#57606a}
.md table{width:auto}.md td,.md th{border:1px solid #d0d7de}</style>`

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>GitHub sandbox</title>` + pageStyle + `</head>
<body><h1>GitHub sandbox</h1>
<p>Issues created through the emulated GitHub API. Machine-readable: <a href="/_emu/state">/_emu/state</a>.</p>
{{range .Repos}}<h2>{{.Name}}</h2>
{{if .Issues}}<table><tr><th>#</th><th>Title</th><th>State</th><th>Labels</th><th>Assignees</th><th>Comments</th><th>Opened by</th></tr>
{{range .Issues}}<tr><td><a href="/{{.Repo}}/issues/{{.Number}}">#{{.Number}}</a></td><td>{{.Title}}</td>
<td class="{{.State}}">{{.State}}{{if .StateReason}} ({{.StateReason}}){{end}}</td>
<td>{{range .Labels}}<span class="label">{{.}}</span>{{end}}</td><td>{{range $i, $a := .Assignees}}{{if $i}}, {{end}}{{$a}}{{end}}</td>
<td>{{len .Comments}}</td><td>{{.User}}</td></tr>
{{end}}</table>{{else}}<p>No issues yet.</p>{{end}}
{{else}}<p>No issues yet.</p>{{end}}
</body></html>`))

var issuePage = template.Must(template.New("issue").Funcs(template.FuncMap{"markdown": renderMarkdown}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} · {{.Repo}}#{{.Number}}</title>` + pageStyle + `</head>
<body><p><a href="/">All issues</a></p>
<h1>{{.Title}} <small>{{.Repo}}#{{.Number}}</small></h1>
<p class="{{.State}}">{{.State}}{{if .StateReason}} ({{.StateReason}}){{end}} · opened by {{.User}} {{.CreatedAt.UTC.Format "2006-01-02 15:04 MST"}}{{if .ClosedBy}} · closed by {{.ClosedBy}}{{end}}</p>
<p>{{range .Labels}}<span class="label">{{.}}</span>{{end}}{{if .Assignees}} Assignees: {{range $i, $a := .Assignees}}{{if $i}}, {{end}}{{$a}}{{end}}{{end}}</p>
<div class="md">{{markdown .Body}}</div>
{{range .Comments}}<h3>{{.User}} commented {{.CreatedAt.UTC.Format "2006-01-02 15:04 MST"}}</h3><div class="md">{{markdown .Body}}</div>
{{end}}</body></html>`))
