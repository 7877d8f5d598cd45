package slackemu

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pageData is what the readable page shows.
type pageData struct {
	Team     string
	Now      string
	Channels []pageChannel
	Users    []User
	Views    []View
	Files    []File
}

// pageChannel is a channel on the page.
type pageChannel struct {
	Channel
	Kind     string
	Members  []string
	Messages []pageMessage
}

// pageMessage is a message on the page.
type pageMessage struct {
	Anchor    string
	Time      string
	TS        string
	Author    string
	Text      string
	Reply     bool
	Pinned    bool
	Event     string
	Reactions string
	Blocks    int
	Files     int
}

// pageTmpl renders the page; html/template escapes every value.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Slack sandbox — {{.Team}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#1d1c1d}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.meta{color:#616061;font-size:.9em}.msg{margin:.4em 0;padding:.3em .6em;border-left:3px solid #e8e8e8}
.reply{margin-left:2.5em}.pinned{border-left-color:#e8a723;background:#fef9ec}
.tag{font-size:.75em;background:#eee;border-radius:3px;padding:0 .4em;margin-left:.4em}
pre{white-space:pre-wrap;margin:.2em 0;font-family:inherit}table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left}
</style></head><body>
<h1>Slack sandbox — {{.Team}}</h1>
<p class="meta">State at {{.Now}} · <a href="/_emu/state">JSON</a></p>
{{range .Channels}}
<h2 id="{{.ID}}">{{if .Name}}#{{.Name}}{{else}}{{.Kind}} {{.ID}}{{end}} <span class="tag">{{.Kind}}</span>{{if .IsArchived}}<span class="tag">archived</span>{{end}}</h2>
<p class="meta">{{.ID}}{{if .Topic}} · Topic: {{.Topic}}{{end}}{{if .Purpose}} · Purpose: {{.Purpose}}{{end}}</p>
<p class="meta">Members: {{range $i, $m := .Members}}{{if $i}}, {{end}}{{$m}}{{end}}</p>
{{if .Bookmarks}}<p class="meta">Bookmarks: {{range $i, $b := .Bookmarks}}{{if $i}} · {{end}}<a href="{{$b.Link}}">{{$b.Title}}</a>{{end}}</p>{{end}}
{{range .Messages}}<div id="{{.Anchor}}" class="msg{{if .Reply}} reply{{end}}{{if .Pinned}} pinned{{end}}">
<span class="meta"><b>{{.Author}}</b> {{.Time}} <small>{{.TS}}</small>{{if .Pinned}}<span class="tag">📌 pinned</span>{{end}}{{if .Event}}<span class="tag">metadata: {{.Event}}</span>{{end}}{{if .Blocks}}<span class="tag">{{.Blocks}} blocks</span>{{end}}{{if .Files}}<span class="tag">{{.Files}} files</span>{{end}}</span>
<pre>{{.Text}}</pre>{{if .Reactions}}<span class="meta">{{.Reactions}}</span>{{end}}</div>
{{else}}<p class="meta">No messages.</p>{{end}}
{{end}}
<h2>Views</h2>
{{range .Views}}<p>{{.ID}} <span class="tag">{{.Type}}</span> callback_id={{.CallbackID}} user={{.UserID}} {{if .Open}}open{{else}}closed{{end}}</p>{{else}}<p class="meta">No views.</p>{{end}}
<h2>Files</h2>
{{range .Files}}<p>{{.ID}} {{.Name}} “{{.Title}}” ({{len .Content}} bytes) in {{range .Channels}}{{.}} {{end}}</p>{{else}}<p class="meta">No files.</p>{{end}}
<h2>Users</h2>
<table><tr><th>ID</th><th>Name</th><th>Real name</th><th>Email</th><th>Time zone</th></tr>
{{range .Users}}<tr><td>{{.ID}}</td><td>@{{.Name}}{{if .IsBot}} (bot){{end}}</td><td>{{.RealName}}</td><td>{{.Email}}</td><td>{{.TZ}}</td></tr>{{end}}
</table></body></html>
`))

// servePage handles GET /: the state as a page a person can read.
func (s *Server) servePage(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	now := s.now()
	s.deliverDueLocked(now)
	data := pageData{Team: TeamName, Now: now.UTC().Format(time.RFC1123)}
	name := func(id string) string {
		if u := s.st.usersByID[id]; u != nil {
			return "@" + u.Name
		}
		return id
	}
	for _, ch := range s.st.channels {
		pc := pageChannel{Channel: ch.snapshot(), Kind: "public"}
		switch {
		case ch.im:
			pc.Kind = "DM with " + name(ch.imUser)
		case ch.mpim:
			pc.Kind = "group DM"
		case ch.private:
			pc.Kind = "private"
		}
		for _, m := range ch.members {
			pc.Members = append(pc.Members, name(m))
		}
		for _, m := range ch.messages {
			pm := pageMessage{Anchor: "m-" + ch.id + "-" + m.TS, TS: m.TS, Author: name(m.User), Text: m.Text,
				Reply: m.ThreadTS != "" && m.ThreadTS != m.TS, Pinned: m.Pinned, Files: len(m.Files)}
			if us, ok := parseTS(m.TS); ok {
				pm.Time = time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05 MST")
			}
			if m.Metadata != nil {
				pm.Event = m.Metadata.EventType
			}
			if n := countBlocks(m.Blocks); n > 0 {
				pm.Blocks = n
			}
			var rs []string
			for _, r := range m.Reactions {
				rs = append(rs, ":"+r.Name+": "+itoa(len(r.Users)))
			}
			pm.Reactions = strings.Join(rs, "  ")
			pc.Messages = append(pc.Messages, pm)
		}
		data.Channels = append(data.Channels, pc)
	}
	for _, u := range s.st.users {
		data.Users = append(data.Users, *u)
	}
	for _, v := range s.st.views {
		data.Views = append(data.Views, copyView(v))
	}
	for _, f := range s.st.files {
		data.Files = append(data.Files, *f)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, data)
}

// servePermalink redirects a permalink to the message on the page.
func (s *Server) servePermalink(w http.ResponseWriter, r *http.Request) {
	ch, msg := r.PathValue("channel"), strings.TrimPrefix(r.PathValue("msg"), "p")
	ts := msg
	if len(msg) > 6 {
		ts = msg[:len(msg)-6] + "." + msg[len(msg)-6:]
	}
	http.Redirect(w, r, "/#m-"+ch+"-"+ts, http.StatusFound)
}

// countBlocks returns the number of blocks in a blocks array.
func countBlocks(raw json.RawMessage) int {
	var bs []json.RawMessage
	if json.Unmarshal(raw, &bs) != nil {
		return 0
	}
	return len(bs)
}

// itoa formats an int.
func itoa(n int) string { return strconv.Itoa(n) }
