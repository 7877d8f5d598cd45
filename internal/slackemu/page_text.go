package slackemu

import (
	"encoding/json"
	"strings"
)

// seg is a piece of message text on the page: plain text (perhaps bold,
// italic, struck or code), a link, or a mention. The template escapes all
// of it.
type seg struct {
	Text    string
	URL     string // http(s) or mailto links only
	Mention bool
	Style   string // "", "b", "i", "s" or "code"
}

// mrkdwnEntities are the three escapes Slack's mrkdwn uses.
var mrkdwnEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// mrkdwnLocked splits mrkdwn into segments the way a Slack client shows
// them: <@U…> as @name, <#C…|name> as #name, <!channel> as @channel,
// <https://…|label> as a link. Anything else in angle brackets stays as
// typed (s.mu held, for the names).
func (s *Server) mrkdwnLocked(text string) []seg {
	var out []seg
	plain := func(t string) {
		if t != "" {
			out = append(out, styled(emojis.Replace(mrkdwnEntities.Replace(t)))...)
		}
	}
	for text != "" {
		i := strings.IndexByte(text, '<')
		if i < 0 {
			plain(text)
			break
		}
		j := strings.IndexByte(text[i:], '>')
		if j < 0 {
			plain(text)
			break
		}
		plain(text[:i])
		token := text[i+1 : i+j]
		if sg, ok := s.tokenLocked(token); ok {
			out = append(out, sg)
		} else {
			plain(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
	return out
}

// tokenLocked renders the inside of <…>; ok is false for text that is no
// Slack token.
func (s *Server) tokenLocked(token string) (seg, bool) {
	ref, label, _ := strings.Cut(token, "|")
	label = mrkdwnEntities.Replace(label)
	switch {
	case strings.HasPrefix(ref, "@"):
		id := ref[1:]
		if label == "" {
			label = id
			if u := s.st.usersByID[id]; u != nil {
				label = u.Name
			}
		}
		return seg{Text: "@" + label, Mention: true}, true
	case strings.HasPrefix(ref, "#"):
		id := ref[1:]
		if label == "" {
			label = id
			if ch := s.st.chByID[id]; ch != nil && ch.name != "" {
				label = ch.name
			}
		}
		return seg{Text: "#" + label, Mention: true}, true
	case strings.HasPrefix(ref, "!"):
		if label != "" {
			return seg{Text: label, Mention: true}, true
		}
		name, _, _ := strings.Cut(ref[1:], "^")
		return seg{Text: "@" + name, Mention: true}, true
	case strings.HasPrefix(ref, "http://"), strings.HasPrefix(ref, "https://"), strings.HasPrefix(ref, "mailto:"):
		url := mrkdwnEntities.Replace(ref)
		if label == "" {
			label = url
		}
		return seg{Text: label, URL: url}, true
	}
	return seg{}, false
}

// styleMarks maps mrkdwn's markers to segment styles.
var styleMarks = map[byte]string{'*': "b", '_': "i", '~': "s", '`': "code"}

// styled splits plain text on mrkdwn's *bold*, _italic_, ~strike~ and
// `code`. As in Slack, a marker only opens after a space or punctuation (so
// snake_case stays as typed) and the span stays on one line.
func styled(t string) []seg {
	var out []seg
	start := 0
	for i := 0; i < len(t); i++ {
		style, ok := styleMarks[t[i]]
		if !ok || (i > 0 && isWordByte(t[i-1])) || i+1 >= len(t) || t[i+1] == ' ' {
			continue
		}
		j := strings.IndexByte(t[i+1:], t[i])
		if j <= 0 || strings.ContainsRune(t[i+1:i+1+j], '\n') || t[i+j] == ' ' {
			continue
		}
		end := i + 1 + j
		if end+1 < len(t) && isWordByte(t[end+1]) {
			continue
		}
		if i > start {
			out = append(out, seg{Text: t[start:i]})
		}
		out = append(out, seg{Text: t[i+1 : end], Style: style})
		start, i = end+1, end
	}
	if start < len(t) {
		out = append(out, seg{Text: t[start:]})
	}
	return out
}

// isWordByte reports whether b is part of a word (a marker next to one is
// just a character).
func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// emojis turns the shortcodes incidentflow posts into the emoji a Slack
// client shows; others stay as typed.
var emojis = strings.NewReplacer(
	":white_check_mark:", "✅", ":rotating_light:", "🚨", ":sos:", "🆘", ":warning:", "⚠️",
	":calendar:", "📆", ":alarm_clock:", "⏰", ":stopwatch:", "⏱️", ":memo:", "📝", ":checkered_flag:", "🏁",
	":wrench:", "🔧", ":tada:", "🎉", ":spiral_note_pad:", "🗒️", ":no_entry_sign:", "🚫", ":lock:", "🔒",
	":hourglass:", "⌛", ":construction:", "🚧", ":clipboard:", "📋", ":bust_in_silhouette:", "👤",
	":arrows_counterclockwise:", "🔄", ":pushpin:", "📌", ":fire:", "🔥", ":eyes:", "👀", ":x:", "❌",
	":heavy_check_mark:", "✔️", ":large_green_circle:", "🟢", ":large_yellow_circle:", "🟡", ":red_circle:", "🔴",
)

// pageButton is a button of a message, clickable on the page: its form
// carries everything ClickButton needs.
type pageButton struct {
	ActionID, Text, Style  string
	Channel, TS, As, Token string
	Disabled               bool // ephemeral messages are not stored: nothing to click on
}

// pageBlock is a block of a message on the page: text or a row of buttons.
type pageBlock struct {
	Header  bool
	Segs    []seg
	Buttons []pageButton
	Divider bool
}

// messageBlocksLocked renders message blocks: the texts of header, section
// and context blocks, and the buttons of actions blocks and section
// accessories (s.mu held).
func (s *Server) messageBlocksLocked(raw []blockJSON, at pageButton) []pageBlock {
	var out []pageBlock
	button := func(e *elementJSON) (pageButton, bool) {
		if e == nil || e.Type != "button" || e.ActionID == "" {
			return pageButton{}, false
		}
		b := at
		b.ActionID, b.Text, b.Style = e.ActionID, textPtr(e.Text), e.Style
		return b, true
	}
	for _, b := range raw {
		switch b.Type {
		case "divider":
			out = append(out, pageBlock{Divider: true})
		case "actions":
			var pb pageBlock
			for _, el := range b.Elements {
				var e elementJSON
				if json.Unmarshal(el, &e) == nil {
					if btn, ok := button(&e); ok {
						pb.Buttons = append(pb.Buttons, btn)
					}
				}
			}
			if len(pb.Buttons) > 0 {
				out = append(out, pb)
			}
		default:
			pb := pageBlock{Header: b.Type == "header"}
			if t := blockText(b); t != "" {
				pb.Segs = s.mrkdwnLocked(t)
			}
			if btn, ok := button(b.Accessory); ok {
				pb.Buttons = append(pb.Buttons, btn)
			}
			if len(pb.Segs) > 0 || len(pb.Buttons) > 0 {
				out = append(out, pb)
			}
		}
	}
	return out
}
