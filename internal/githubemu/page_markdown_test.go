package githubemu_test

import (
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/incidentflow/incidentflow/internal/githubemu"
)

// parsePage fetches a sandbox page and parses it as a browser would.
func parsePage(t *testing.T, url string) *html.Node {
	t.Helper()
	status, body, _ := get(t, url)
	if status != 200 {
		t.Fatalf("GET %s: %d", url, status)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// textOf returns the text a person reads in n.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// An issue's body and comments show as rendered Markdown, the way GitHub
// shows them: headings, lists, task lists and tables are elements, the
// <!-- incidentflow:… --> markers are hidden, and the HTML a body carries
// (untrusted) is shown as typed, never run; dangerous links lose their
// target.
func TestIssuePageRendersMarkdown(t *testing.T) {
	_, c := sandbox(t, githubemu.Options{})
	body := "<!-- incidentflow:postmortem:inc-1 -->\n## Root cause\n\nA *bad* deploy of `checkout`.\n\n" +
		"<!-- incidentflow:section:actions -->\n- [ ] add an alert <!-- incidentflow:action:k1 -->\n- [x] roll back\n" +
		"<!-- incidentflow:end:actions -->\n\n| when | what |\n|---|---|\n| 10:00 | paged |\n\n" +
		"<script>alert(1)</script>\n\nsee <b onclick=\"x()\">this</b> and [the runbook](javascript:alert(2))\n"
	is := create(t, c, "acme/ops", "Postmortem", body)
	if _, _, err := c.Issues.CreateComment(ctx(t), "acme", "ops", is.GetNumber(), &github.IssueComment{Body: github.String("**Done** <!-- incidentflow:retro-done -->")}); err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, is.GetHTMLURL())

	bodies := findAll(doc, func(n *html.Node) bool { return strings.Contains(attr(n, "class"), "md") })
	if len(bodies) != 2 {
		t.Fatalf("%d rendered bodies on the page, want the issue's and its comment's", len(bodies))
	}
	if h := findAll(bodies[0], func(n *html.Node) bool { return n.DataAtom == atom.H2 }); len(h) != 1 || textOf(h[0]) != "Root cause" {
		t.Errorf("the heading is not an h2: %v", h)
	}
	boxes := findAll(bodies[0], func(n *html.Node) bool { return n.DataAtom == atom.Input && attr(n, "type") == "checkbox" })
	if len(boxes) != 2 {
		t.Errorf("%d task-list checkboxes, want 2", len(boxes))
	}
	if cells := findAll(bodies[0], func(n *html.Node) bool { return n.DataAtom == atom.Td }); len(cells) != 2 || textOf(cells[1]) != "paged" {
		t.Errorf("the table is not rendered: %d cells", len(cells))
	}
	if em := findAll(bodies[0], func(n *html.Node) bool { return n.DataAtom == atom.Em }); len(em) != 1 || textOf(em[0]) != "bad" {
		t.Errorf("*bad* is not emphasised")
	}
	if b := findAll(bodies[1], func(n *html.Node) bool { return n.DataAtom == atom.Strong }); len(b) != 1 || textOf(b[0]) != "Done" {
		t.Errorf("the comment's **Done** is not bold")
	}

	if n := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Script || attr(n, "onclick") != "" }); len(n) != 0 {
		t.Errorf("the body's HTML became elements: %v", n[0].Data)
	}
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		if strings.HasPrefix(strings.ToLower(attr(a, "href")), "javascript:") {
			t.Errorf("a javascript: link survived: %q", attr(a, "href"))
		}
	}
	text := textOf(bodies[0]) + textOf(bodies[1])
	for _, want := range []string{"<script>alert(1)</script>", `<b onclick="x()">this</b>`, "add an alert", "the runbook"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page doesn't show %q as text; it shows:\n%s", want, text)
		}
	}
	for d := range doc.Descendants() {
		if strings.Contains(d.Data, "incidentflow:") {
			t.Errorf("a marker is on the page (node type %d): %q", d.Type, d.Data)
		}
	}
}
