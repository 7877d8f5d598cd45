package incident

import (
	"strings"
	"unicode/utf8"
)

// Clean returns s fit to show to people: valid UTF-8 (each invalid byte
// becomes U+FFFD) without the characters that are invisible yet change how
// the text around them is shown or handled:
//
//   - the C0 controls other than newline and tab (NUL, ESC of terminal
//     colour codes, carriage return, ...), DEL and the C1 controls
//     (U+0080–U+009F);
//   - every bidirectional formatting character: the embeddings and
//     overrides (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks
//     (U+200E LRM, U+200F RLM, U+061C ALM);
//   - U+FEFF, the byte-order mark.
//
// The marks go too, although they only nudge where neutral characters such
// as punctuation sit: one rule, "no invisible character that reorders
// text", is easier to check than a list of harmless exceptions, and what
// is lost is at worst a misplaced full stop in mixed-direction text.
//
// Clean never adds a character: its result has at most as many runes as s
// (utf8.RuneCountInString counts an invalid byte as one), though U+FFFD
// takes three bytes where an invalid byte took one, so a caller bounding
// bytes cleans before it cuts. Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	for i, r := range s {
		if r == utf8.RuneError || hidden(r) {
			return cleanFrom(s, i)
		}
	}
	return s
}

// cleanFrom is Clean of s whose first i bytes are clean already.
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !hidden(r) {
			b.WriteRune(r) // an invalid byte ranges as utf8.RuneError, written as U+FFFD
		}
	}
	return b.String()
}

// hidden reports whether Clean removes r.
func hidden(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r < 0x7f:
		return false
	case r <= 0x9f: // DEL and the C1 controls
		return true
	}
	switch r {
	case '\u061c', '\u200e', '\u200f', '\ufeff':
		return true
	}
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}
