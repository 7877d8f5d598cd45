package slackemu_test

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

// parsed is the page as a browser builds it.
func parsed(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// elements returns the elements under n that match.
func elements(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// byID returns the element with id under n, or fails the test.
func byID(t *testing.T, n *html.Node, id string) *html.Node {
	t.Helper()
	found := elements(n, func(e *html.Node) bool { return attrOf(e, "id") == id })
	if len(found) != 1 {
		t.Fatalf("%d elements with id %q on the page", len(found), id)
	}
	return found[0]
}

// within reports whether n is inside an element of kind a.
func within(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textIn returns the text a person reads in n.
func textIn(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// The activity log is a side panel beside the channel, one line per action
// (newest first), and the app's private answers show once, in the channel,
// not again in the log.
func TestPageActivityPanel(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	door := httptest.NewServer(&playApp{t: t, api: client(srv)})
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	b := &browser{t: t, base: srv.URL()}
	b.get("")
	run := func(text string) *html.Node {
		return parsed(t, b.post("/_emu/act/command", url.Values{"user": {slackemu.UserBob},
			"channel": {slackemu.IncidentsChannelID}, "command": {"/incident"}, "text": {text}}))
	}
	run("help")
	doc := run("list")

	panel := byID(t, doc, "play")
	if panel.DataAtom != atom.Aside {
		t.Errorf("the activity log is a <%s>, want a side panel <aside>", panel.Data)
	}
	if within(panel, atom.Main) {
		t.Fatal("the activity log is inside the channel's column")
	}
	lines := elements(panel, func(n *html.Node) bool { return n.DataAtom == atom.Li })
	if len(lines) != 2 {
		t.Fatalf("%d lines in the activity panel, want one per command (2)", len(lines))
	}
	for i, want := range []string{"/incident list", "/incident help"} {
		text := textIn(lines[i])
		if !strings.Contains(text, want) || !strings.Contains(text, "only you can see it") {
			t.Errorf("line %d = %q, want the command %q and what came of it", i, text, want)
		}
		if blocks := elements(lines[i], func(n *html.Node) bool { return n.DataAtom == atom.Div || n.DataAtom == atom.P }); len(blocks) > 0 {
			t.Errorf("line %d holds blocks: not one line", i)
		}
	}
	answers := elements(doc, func(n *html.Node) bool { return strings.Contains(attrOf(n, "class"), "eph") })
	if len(answers) != 2 {
		t.Errorf("%d private answers on the page, want each of the 2 once", len(answers))
	}
	for _, a := range answers {
		if !strings.Contains(textIn(a), "Try the help") {
			t.Errorf("a private answer reads %q", textIn(a))
		}
		if !within(a, atom.Main) {
			t.Error("a private answer is not in the channel's column")
		}
	}
}

// The composer's @ picker offers every member and puts in the mention as
// Slack's client sends it, <@U…|name>; what is typed by hand is sent as
// Slack sends it too, & < > as entities (a hand-typed <@…> is text).
func TestPageMentionPicker(t *testing.T) {
	srv := slackemu.NewTestServer(t, slackemu.Options{})
	app := &playApp{t: t, api: client(srv)}
	door := httptest.NewServer(app)
	t.Cleanup(door.Close)
	srv.SetFrontDoor(door.URL, secret)
	b := &browser{t: t, base: srv.URL()}
	doc := parsed(t, b.get(""))

	picker := byID(t, doc, "mentions")
	var offered []string
	for _, btn := range elements(picker, func(n *html.Node) bool { return n.DataAtom == atom.Button }) {
		offered = append(offered, attrOf(btn, "data-mention"))
	}
	for _, u := range srv.Users() {
		if want := "<@" + u.ID + "|" + u.Name + ">"; !slices.Contains(offered, want) {
			t.Errorf("the @ picker doesn't offer %s (it offers %v)", want, offered)
		}
	}
	if picker.Parent == nil || attrOf(picker.Parent, "id") != "composer" {
		t.Error("the @ picker is not part of the composer")
	}

	typed := "lead <@U0BOB|bob> & <b> <@U0NOBODY|x>"
	b.post("/_emu/act/command", url.Values{"user": {slackemu.UserAlice}, "channel": {slackemu.IncidentsChannelID},
		"command": {"/incident"}, "text": {typed}})
	app.mu.Lock()
	got := app.commands
	app.mu.Unlock()
	if want := "lead <@U0BOB|bob> &amp; &lt;b&gt; &lt;@U0NOBODY|x&gt;"; len(got) != 1 || got[0] != want {
		t.Errorf("the app got %q, want %q", got, want)
	}
	b.post("/_emu/act/post", url.Values{"user": {slackemu.UserAlice}, "channel": {slackemu.IncidentsChannelID}, "text": {"ping <@U0CAROL|carol> <i>"}})
	msgs := srv.Messages(slackemu.IncidentsChannelID)
	if last := msgs[len(msgs)-1].Text; last != "ping <@U0CAROL|carol> &lt;i&gt;" {
		t.Errorf("the message was stored as %q", last)
	}
}
