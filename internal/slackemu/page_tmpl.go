package slackemu

import "html/template"

// pageTmpl renders the page; html/template escapes every value, so user
// text (titles, topics, messages) can never become markup.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Channel}}{{.Label}} · {{end}}Slack sandbox</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1c1d}
header{background:#3f0e40;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header a{color:#fff}header select{font:inherit}
.layout{display:grid;grid-template-columns:15em minmax(0,1fr) 22em;min-height:calc(100vh - 3em)}
aside{background:#f8f8f8;border-left:1px solid #e8e8e8;padding:.6em .8em;font-size:.85em;overflow:auto}aside h3{margin:.2em 0 .4em;font-size:1em}
aside ol{list-style:none;margin:0;padding:0}aside li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:.15em 0;border-bottom:1px solid #eee}
nav{background:#f4ede4;padding:.8em;overflow:auto}nav a{display:block;color:#1d1c1d;text-decoration:none;padding:.1em .4em;border-radius:4px}
nav a.cur{background:#1164a3;color:#fff}nav .n{float:right;opacity:.6;font-size:.85em}nav .arch{opacity:.5}
main{padding:0 1.5em 2em;max-width:60em}
h2{margin:.6em 0 .1em}.meta{color:#616061;font-size:.9em;margin:.2em 0}
.msg{margin:.3em 0;padding:.3em .6em;border-left:3px solid #e8e8e8}.msg.pinned{border-left-color:#e8a723;background:#fef9ec}
.msg.eph{border-left-color:#1164a3;background:#f1f7fc}.replies{margin-left:2em}
.body{white-space:pre-wrap}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 .15em}
.tag{font-size:.75em;background:#eee;border-radius:3px;padding:0 .4em;margin-left:.4em;color:#444}
form.inline,form.btn{display:inline}form.btn button{margin:.2em .3em .2em 0}
button{font:inherit;padding:.2em .8em;border:1px solid #bbb;border-radius:4px;background:#fff;cursor:pointer}
button.primary{background:#007a5a;color:#fff;border-color:#007a5a}button.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
.panel{border:1px solid #ddd;border-radius:8px;padding:.6em 1em;margin:1em 0;background:#fafafa}
.modal{border:2px solid #1164a3;border-radius:8px;padding:.8em 1em;margin:1em 0;background:#fff;box-shadow:0 4px 14px #0002}
.modal label.f{display:block;font-weight:600;margin-top:.6em}.modal input[type=text],.modal textarea,.modal select{width:100%;box-sizing:border-box;font:inherit;padding:.3em}
.modal textarea{min-height:5em}.opt{display:block;font-weight:normal}
.err{color:#e01e5a;margin:.2em 0}code{background:#f3f3f3;border:1px solid #e3e3e3;border-radius:3px;padding:0 .2em;color:#c01343}.ok{color:#007a5a}.warn{background:#fff4e5;border:1px solid #e8a723;padding:.5em 1em;border-radius:6px}
#composer{display:flex;gap:.4em;flex-wrap:wrap}#composer input[name=text]{flex:1;min-width:14em;font:inherit;padding:.3em}
#mentions{flex-basis:100%;display:flex;flex-wrap:wrap;gap:.3em}#mentions[hidden]{display:none}#mentions button{font-size:.9em}
.acts{font-size:.85em;opacity:.8}.acts:hover{opacity:1}.acts details.edit{display:inline-block}.acts textarea{display:block;width:30em;min-height:3em;font:inherit}
button.reaction{border-radius:1em;padding:0 .6em}button.reaction.mine{background:#e8f5fa;border-color:#1264a3}.reactions .who{font-size:.85em;color:#616061;margin-right:.6em}
table{border-collapse:collapse}td,th{padding:.15em .8em;text-align:left}details{margin:1em 0}
</style></head><body>
<header><b>Slack sandbox</b><span>{{.Team}}</span>
<form class="inline" method="get" action="/">You are
<select name="as" onchange="this.form.submit()">{{range .People}}<option value="{{.ID}}"{{if eq .ID $.As}} selected{{end}}>@{{.Name}} — {{.RealName}}</option>{{end}}</select>
<input type="hidden" name="channel" value="{{.ChannelID}}"><noscript><button>Switch</button></noscript></form>
<span class="meta" style="color:#ddd">{{.Now}} · <a href="/_emu/state">state as JSON</a></span></header>
<div class="layout"><nav>
{{range .Nav}}<a href="/?channel={{.ID}}&amp;as={{$.As}}" class="{{if .Current}}cur{{end}}{{if .Archived}} arch{{end}}" title="{{.Kind}} {{.ID}}">{{.Label}}<span class="n">{{.Count}}</span></a>
{{end}}</nav>
<main>
{{if not .FrontDoor}}<p class="warn">No app is connected to this sandbox: slash commands, buttons and modals need one (<code>incidentflow dev</code> connects its front door).</p>{{end}}
{{if .Missing}}<p class="warn">There is no channel {{.Missing}}.</p>{{end}}
{{range .Modals}}<form class="modal" id="modal" method="post" action="/_emu/act/submit">
<input type="hidden" name="csrf" value="{{$.Token}}"><input type="hidden" name="as" value="{{$.As}}"><input type="hidden" name="channel" value="{{$.ChannelID}}">
<input type="hidden" name="view" value="{{.ViewID}}"><input type="hidden" name="hash" value="{{.Hash}}">
<h3 style="margin:.2em 0">{{.Title}} <span class="tag">modal {{.ViewID}}{{if .Depth}}, on top of {{.Depth}} more{{end}}</span></h3>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
{{range .Items}}{{if eq .Kind "header"}}<h4>{{template "segs" .Text}}</h4>{{else if eq .Kind "divider"}}<hr>{{else if eq .Kind "input"}}{{with .Field}}
<label class="f" for="{{.Name}}">{{.Label}}{{if .Optional}} <small>(optional)</small>{{end}}</label>
{{if eq .Control "textarea"}}<textarea id="{{.Name}}" name="{{.Name}}" placeholder="{{.Placeholder}}"{{if .MaxLength}} maxlength="{{.MaxLength}}"{{end}}>{{.Value}}</textarea>
{{else if eq .Control "select"}}<select id="{{.Name}}" name="{{.Name}}"><option value="">{{if .Placeholder}}{{.Placeholder}}{{else}}Choose…{{end}}</option>{{range .Options}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Text}}</option>{{end}}</select>
{{else if eq .Control "multiselect"}}<select id="{{.Name}}" name="{{.Name}}" multiple size="4">{{range .Options}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Text}}</option>{{end}}</select>
{{else if eq .Control "checkboxes"}}{{$n := .Name}}{{range .Options}}<label class="opt"><input type="checkbox" name="{{$n}}" value="{{.Value}}"{{if .Selected}} checked{{end}}> {{template "segs" .Segs}}{{if .Description}} <span class="meta">— {{.Description}}</span>{{end}}</label>{{end}}
{{else if eq .Control "radio"}}{{$n := .Name}}{{range .Options}}<label class="opt"><input type="radio" name="{{$n}}" value="{{.Value}}"{{if .Selected}} checked{{end}}> {{template "segs" .Segs}}{{if .Description}} <span class="meta">— {{.Description}}</span>{{end}}</label>{{end}}
{{else}}<input type="text" id="{{.Name}}" name="{{.Name}}" value="{{.Value}}" placeholder="{{if eq .Control "date"}}YYYY-MM-DD{{else if eq .Control "time"}}HH:MM{{else}}{{.Placeholder}}{{end}}"{{if .MaxLength}} maxlength="{{.MaxLength}}"{{end}}>
{{end}}{{if .Hint}}<div class="meta">{{.Hint}}</div>{{end}}{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
{{end}}{{else}}<p class="body">{{template "segs" .Text}}</p>{{end}}{{end}}
<p><button class="primary">{{.Submit}}</button> <button formaction="/_emu/act/close" formnovalidate>{{.Close}}</button></p>
</form>{{end}}
{{with .Channel}}<h2 id="channel">{{.Label}}<span class="tag">{{.Kind}}</span>{{if .IsArchived}}<span class="tag">archived</span>{{end}}</h2>
<p class="meta">{{.ID}}{{if .Topic}} · Topic: {{template "segs" .TopicSegs}}{{end}}{{if .Purpose}} · Purpose: {{template "segs" .PurposeSegs}}{{end}}</p>
<p class="meta">Members ({{len .Members}}): {{range $i, $m := .Members}}{{if $i}}, {{end}}{{$m}}{{end}}</p>
{{if .Bookmarks}}<p class="meta">Bookmarks: {{range $i, $b := .Bookmarks}}{{if $i}} · {{end}}<a href="{{$b.Link}}">{{$b.Title}}</a>{{end}}</p>{{end}}
{{if .Pins}}<p class="meta">📌 Pinned: {{range $i, $p := .Pins}}{{if $i}} · {{end}}<a href="#{{$p.Anchor}}">{{$p.Author}} {{$p.Time}}</a>{{end}}</p>{{end}}
{{range .Messages}}{{template "msg" .}}{{if .Replies}}<div class="replies">{{range .Replies}}{{template "msg" .}}{{end}}</div>{{end}}
{{else}}<p class="meta">No messages yet.</p>{{end}}{{end}}
<form id="composer" class="panel" method="post" action="/_emu/act/command">
<input type="hidden" name="csrf" value="{{.Token}}">
<select name="user" title="who types it">{{range .People}}<option value="{{.ID}}"{{if eq .ID $.As}} selected{{end}}>@{{.Name}}</option>{{end}}</select>
<select name="channel" title="where">{{range .Targets}}<option value="{{.ID}}"{{if eq .ID $.ChannelID}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<select name="command"><option>/incident</option><option>/closeincident</option></select>
<input name="text" placeholder="declare Checkout is down · lead @… · help · list … or a message to send" autocomplete="off">
<button class="primary">Run a slash command</button> <button id="say" formaction="/_emu/act/post">Send as a message</button>
<div id="mentions" role="listbox" aria-label="mention someone" hidden>{{range .Users}}<button type="button" role="option" data-mention="<@{{.ID}}|{{.Name}}>" data-match="{{.Name}} {{.RealName}}">@{{.Name}} — {{.RealName}}</button>{{end}}</div></form>
<details><summary>Views ({{len .Views}}), files ({{len .Files}}) and users ({{len .Users}})</summary>
<h3>Views</h3>{{range .Views}}<p>{{.ID}} <span class="tag">{{.Type}}</span> callback_id={{.CallbackID}} user={{.UserID}} {{if .Open}}open{{else}}closed{{end}}</p>{{else}}<p class="meta">No views.</p>{{end}}
<h3>Files</h3>{{range .Files}}<p>{{.ID}} {{.Name}} “{{.Title}}” ({{len .Content}} bytes) in {{range .Channels}}{{.}} {{end}}</p>{{else}}<p class="meta">No files.</p>{{end}}
<h3>Users</h3><table><tr><th>ID</th><th>Name</th><th>Real name</th><th>Email</th><th>Time zone</th></tr>
{{range .Users}}<tr><td>{{.ID}}</td><td>@{{.Name}}{{if .IsBot}} (bot){{end}}</td><td>{{.RealName}}</td><td>{{.Email}}</td><td>{{.TZ}}</td></tr>{{end}}</table>
</details></main>
<aside id="play"><h3>Activity of {{.AsName}}</h3><ol>{{range .Results}}<li class="{{if .Failed}}err{{else}}ok{{end}}" title="{{.What}} → {{.Outcome}}"><small>{{.At}}</small> {{.What}} → {{.Outcome}}</li>
{{else}}<li class="meta">Nothing yet: what you run, click or submit shows here, one line each; the app's answers appear in the channel.</li>{{end}}</ol></aside></div>
<script>
// The @ picker: typing @ and a few letters in the composer lists the
// matching members; picking one puts in the mention as Slack's client sends
// it, <@U…|name>.
(function () {
  var input = document.querySelector("#composer input[name=text]"), list = document.getElementById("mentions");
  if (!input || !list) { return; }
  function token() {
    var m = /(^|\s)@([^\s@<>]*)$/.exec(input.value.slice(0, input.selectionStart));
    return m ? {start: input.selectionStart - m[2].length - 1, query: m[2].toLowerCase()} : null;
  }
  function refresh() {
    var t = token(), shown = 0;
    list.querySelectorAll("button").forEach(function (b) {
      var ok = t !== null && b.dataset.match.toLowerCase().split(" ").some(function (w) { return w.indexOf(t.query) === 0; });
      b.hidden = !ok;
      if (ok) { shown++; }
    });
    list.hidden = shown === 0;
  }
  input.addEventListener("input", refresh);
  input.addEventListener("click", refresh);
  list.addEventListener("click", function (e) {
    var b = e.target.closest("button"), t = token();
    if (!b || !t) { return; }
    var end = input.selectionStart, mention = b.dataset.mention + " ";
    input.value = input.value.slice(0, t.start) + mention + input.value.slice(end);
    input.focus();
    input.setSelectionRange(t.start + mention.length, t.start + mention.length);
    refresh();
  });
})();
// Refresh every few seconds, unless someone is typing or a modal is open.
setInterval(function () {
  var a = document.activeElement, t = document.querySelector("#composer input[name=text]");
  if (document.hidden || document.querySelector("form.modal") || (t && t.value) ||
      (a && ["INPUT", "SELECT", "TEXTAREA"].indexOf(a.tagName) >= 0)) { return; }
  location.reload();
}, 4000);
</script>
</body></html>
{{define "segs"}}{{range .}}{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else if .Mention}}<span class="mention">{{.Text}}</span>{{else if eq .Style "b"}}<b>{{.Text}}</b>{{else if eq .Style "i"}}<i>{{.Text}}</i>{{else if eq .Style "s"}}<s>{{.Text}}</s>{{else if eq .Style "code"}}<code>{{.Text}}</code>{{else}}{{.Text}}{{end}}{{end}}{{end}}
{{define "msg"}}<div id="{{.Anchor}}" class="msg{{if .Pinned}} pinned{{end}}{{if .Ephemeral}} eph{{end}}">
<span class="meta"><b>{{.Author}}</b> {{.Time}}{{if .Ephemeral}}<span class="tag">only visible to you</span>{{end}}{{if .Pinned}}<span class="tag">📌 pinned</span>{{end}}{{if .Edited}}<span class="tag">edited</span>{{end}}{{if .Broadcast}}<span class="tag">also sent to the channel</span>{{end}}{{if .Event}}<span class="tag">metadata: {{.Event}}</span>{{end}}</span>
{{if not .HideText}}<div class="body">{{template "segs" .Text}}</div>{{end}}
{{range .Blocks}}{{if .Divider}}<hr>{{end}}{{if .Segs}}<div class="body">{{if .Header}}<b>{{template "segs" .Segs}}</b>{{else}}{{template "segs" .Segs}}{{end}}</div>{{end}}
{{range .Buttons}}<form class="btn" method="post" action="/_emu/act/click"><input type="hidden" name="csrf" value="{{.Token}}"><input type="hidden" name="as" value="{{.As}}"><input type="hidden" name="channel" value="{{.Channel}}"><input type="hidden" name="ts" value="{{.TS}}"><input type="hidden" name="action" value="{{.ActionID}}"><input type="hidden" name="label" value="{{.Text}}"><button class="{{.Style}}"{{if .Disabled}} disabled{{end}}>{{.Text}}</button></form>{{end}}{{end}}
{{if .Files}}<div class="meta">📎 {{range .Files}}{{.}} {{end}}</div>{{end}}{{$c := .Controls}}{{if .Reactions}}<div class="meta reactions">{{range .Reactions}}{{if $c}}<form class="btn" method="post" action="/_emu/act/message">{{template "act" $c}}<input type="hidden" name="op" value="{{if .Mine}}unreact{{else}}react{{end}}"><input type="hidden" name="name" value="{{.Name}}"><button class="reaction{{if .Mine}} mine{{end}}" title="{{.Who}}{{if .Mine}} (click to remove yours){{end}}"{{if $c.Disabled}} disabled{{end}}>{{.Label}}</button></form>{{else}}<span title="{{.Who}}">{{.Label}}</span> {{end}}<span class="who">{{.Who}}</span> {{end}}</div>{{end}}
{{with .Controls}}<div class="acts">
<form class="btn" method="post" action="/_emu/act/message">{{template "act" .}}<input type="hidden" name="op" value="{{if .TimelineOn}}unreact{{else}}react{{end}}"><input type="hidden" name="name" value="pushpin"><button class="timeline"{{if .Disabled}} disabled{{end}}>{{if .TimelineOn}}Remove 📌{{else}}React 📌{{end}}</button></form>
<form class="btn" method="post" action="/_emu/act/message">{{template "act" .}}<input type="hidden" name="op" value="{{if $.Pinned}}unpin{{else}}pin{{end}}"><button class="pin"{{if .Disabled}} disabled{{end}}>{{if $.Pinned}}Unpin{{else}}Pin{{end}}</button></form>
{{range .Shortcuts}}<form class="btn" method="post" action="/_emu/act/message">{{template "act" $c}}<input type="hidden" name="op" value="shortcut"><input type="hidden" name="callback" value="{{.CallbackID}}"><input type="hidden" name="label" value="{{.Name}}"><button class="shortcut" title="message shortcut {{.CallbackID}}"{{if $c.Disabled}} disabled{{end}}>⋯ {{.Name}}</button></form>{{end}}
{{if .Own}}<details class="edit"><summary>Edit</summary><form method="post" action="/_emu/act/message">{{template "act" .}}<input type="hidden" name="op" value="edit"><textarea name="text">{{.Text}}</textarea><button class="primary"{{if .Disabled}} disabled{{end}}>Save</button></form></details>
<form class="btn" method="post" action="/_emu/act/message">{{template "act" .}}<input type="hidden" name="op" value="delete"><button class="danger delete"{{if .Disabled}} disabled{{end}}>Delete</button></form>{{end}}
</div>{{end}}
</div>{{end}}
{{define "act"}}<input type="hidden" name="csrf" value="{{.Token}}"><input type="hidden" name="as" value="{{.As}}"><input type="hidden" name="channel" value="{{.Channel}}"><input type="hidden" name="ts" value="{{.TS}}">{{end}}
`))
