package githubemu

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// markdown renders issue and comment bodies as GitHub does: GitHub Flavored
// Markdown (tables, task lists, strikethrough, autolinks). Bodies are
// untrusted, so raw HTML never passes: comments such as incidentflow's
// <!-- incidentflow:… --> markers are dropped, as GitHub hides them, and
// any other tag is shown as the text that was typed. goldmark's safe mode
// also drops javascript: and other dangerous link targets.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(untrustedHTML{}, 100))),
)

// renderMarkdown returns body rendered for the page. goldmark escapes the
// text and untrustedHTML the raw HTML, so the result is safe to insert.
func renderMarkdown(body string) template.HTML {
	var b bytes.Buffer
	_ = markdown.Convert([]byte(body), &b) // fails only when the writer does; a bytes.Buffer doesn't
	return template.HTML(b.String())
}

// untrustedHTML renders the raw HTML of a Markdown body: HTML comments not
// at all, anything else escaped, so it shows as typed.
type untrustedHTML struct{}

// RegisterFuncs takes over goldmark's renderers of raw HTML.
func (untrustedHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindRawHTML, renderRawHTML)
}

// renderHTMLBlock renders a block of raw HTML as an escaped paragraph, or
// nothing for a comment.
func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if !entering || n.HTMLBlockType == ast.HTMLBlockType2 {
		return ast.WalkContinue, nil
	}
	var text bytes.Buffer
	for i := range n.Lines().Len() {
		line := n.Lines().At(i)
		text.Write(line.Value(source))
	}
	if n.HasClosure() {
		text.Write(n.ClosureLine.Value(source))
	}
	_, _ = w.WriteString(`<p class="raw">`)
	template.HTMLEscape(w, bytes.TrimRight(text.Bytes(), "\n"))
	_, _ = w.WriteString("</p>\n")
	return ast.WalkContinue, nil
}

// renderRawHTML renders an inline tag escaped, or nothing for a comment.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	var text bytes.Buffer
	for i := range n.Segments.Len() {
		seg := n.Segments.At(i)
		text.Write(seg.Value(source))
	}
	if !bytes.HasPrefix(text.Bytes(), []byte("<!--")) {
		template.HTMLEscape(w, text.Bytes())
	}
	return ast.WalkSkipChildren, nil
}
