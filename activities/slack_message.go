package activities

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/incident"
)

// Slack's limits on a message, in characters (runes), the unit Slack
// counts in.
const (
	// maxSectionText is the most text Slack takes in one section block.
	maxSectionText = 3000
	// maxMessageText is the most of a message's text (its fallback beside
	// the blocks) that Slack keeps.
	maxMessageText = 40000
	// maxMessageBlocks is the most blocks Slack takes in one message.
	maxMessageBlocks = 50
)

// maxEntityName is the longest name of a character reference ("amp" in
// "&amp;") that cut keeps whole.
const maxEntityName = 8

// message renders the text and buttons of a message incidentflow posts,
// updates or shows to one person: the fallback text (cut to Slack's 40,000
// characters), the same text as sections of at most 3,000 characters each
// (see sectionTexts), both cleaned of control and bidi characters, and the
// buttons under them, all within Slack's 50 blocks. Every message the Slack
// activities send is built here.
func message(text string, buttons []Button) []slack.MsgOption {
	text = incident.Clean(text)
	maxSections := maxMessageBlocks
	if len(buttons) > 0 {
		maxSections--
	}
	var blocks []slack.Block
	for _, t := range sectionTexts(text, maxSections) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, t, false, false), nil, nil))
	}
	if len(buttons) > 0 {
		elems := make([]slack.BlockElement, len(buttons))
		for i, b := range buttons {
			btn := slack.NewButtonBlockElement(b.ActionID, b.Value, slack.NewTextBlockObject(slack.PlainTextType, incident.Clean(b.Text), false, false))
			btn.Style = slack.Style(b.Style)
			elems[i] = btn
		}
		blocks = append(blocks, slack.NewActionBlock("incident_actions", elems...))
	}
	return []slack.MsgOption{slack.MsgOptionText(shorten(text, maxMessageText), false), slack.MsgOptionBlocks(blocks...)}
}

// sectionTexts splits text into the texts of at most max sections of at
// most maxSectionText characters each, cutting where cut does and leaving
// out blank parts (Slack refuses a section without text). When text needs
// more sections than max, the last one is shortened and ends with "…".
func sectionTexts(text string, max int) []string {
	var out []string
	for strings.TrimSpace(text) != "" {
		if len(out) == max-1 {
			return append(out, shorten(text, maxSectionText))
		}
		head, rest := cut(text, maxSectionText)
		if strings.TrimSpace(head) != "" {
			out = append(out, head)
		}
		text = rest
	}
	return out
}

// shorten cuts s to at most n characters where cut does, ending with "…"
// when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head, _ := cut(s, n-1)
	return head + "…"
}

// cut splits s into a head of at most n characters and the rest: at the
// last line break that leaves the head within n characters, else at the
// last space or tab, else between two characters, and never inside a Slack
// entity (<@U123>, <#C123|name>, <https://…|label>, &amp;) unless one
// entity alone fills the first n characters. The line break, space or tab
// cut at belongs to neither part. A head never ends inside a multibyte
// character. When s has at most n characters, it is all head.
func cut(s string, n int) (head, rest string) {
	// The byte offsets of the last line break, space and character
	// boundary outside an entity (0: none yet), and of the n-th character.
	var line, space, edge, hard int
	entity, chars := 0, 0 // where the entity being read ends; characters read
	for i, r := range s {
		if chars == n {
			hard = i
		} else if chars > n {
			break
		}
		chars++
		if i < entity {
			continue
		}
		edge = i
		switch r {
		case '\n':
			line = i
		case ' ', '\t':
			space = i
		}
		entity = entityEnd(s, i)
	}
	switch {
	case chars <= n:
		return s, ""
	case line > 0:
		return s[:line], s[line+1:]
	case space > 0:
		return s[:space], s[space+1:]
	case edge > 0:
		return s[:edge], s[edge:]
	}
	return s[:hard], s[hard:]
}

// entityEnd returns the byte offset just past the Slack entity that starts
// at s[i]: a "<…>" on one line, or a character reference such as "&amp;" or
// "&#39;". It returns i when no entity starts there.
func entityEnd(s string, i int) int {
	switch s[i] {
	case '<':
		if j := strings.IndexAny(s[i+1:], "<>\n"); j >= 0 && s[i+1+j] == '>' {
			return i + j + 2
		}
	case '&':
		for j := i + 1; j < len(s) && j <= i+1+maxEntityName; j++ {
			c := s[j]
			if c == ';' && j > i+1 {
				return j + 1
			}
			if !(c == '#' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				break
			}
		}
	}
	return i
}
