package incident_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incidentflow/incidentflow/incident"
)

func TestCleanRemovesWhatHidesOrReordersText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Checkout down", "Checkout down"},
		{"line one\nline two\tindented", "line one\nline two\tindented"},
		{"nul\x00here", "nulhere"},
		{"\x1b[31mred\x1b[0m", "[31mred[0m"},
		{"crlf\r\n", "crlf\n"},
		{"del\x7f c1\u0085\u009b", "del c1"},
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069isolates", "isolates"},
		{"marks\u200e\u200f\u061c", "marks"},
		{"\ufeffbom", "bom"},
		{"bad \xff\xfe utf8", "bad \ufffd\ufffd utf8"},
		{"cut \xe2\x80", "cut \ufffd\ufffd"},
		{"kept: é 日本 👩‍🚒 \u200d \u2028 \ufffd", "kept: é 日本 👩‍🚒 \u200d \u2028 \ufffd"},
	} {
		if got := incident.Clean(tc.in); got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanLeavesCleanTextAsItIs(t *testing.T) {
	s := strings.Repeat("a clean status update\n", 100)
	if n := testing.AllocsPerRun(10, func() { _ = incident.Clean(s) }); n != 0 {
		t.Errorf("Clean allocated %v times for clean text", n)
	}
}

// forbidden reports whether r must not survive Clean.
func forbidden(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r >= 0x7f && r <= 0x9f,
		r >= 0x202a && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r == 0x200e || r == 0x200f || r == 0x061c || r == 0xfeff
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x00b\u202ec\x1b[31m\n", "\xff\xfe\xe2\x80", "\u200f\ufeff\u0085\t\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := incident.Clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q: not valid UTF-8", s, got)
		}
		if utf8.RuneCountInString(got) > utf8.RuneCountInString(s) {
			t.Fatalf("Clean(%q) = %q: more characters than it was given", s, got)
		}
		if again := incident.Clean(got); again != got {
			t.Fatalf("Clean is not idempotent: %q → %q → %q", s, got, again)
		}
		if i := strings.IndexFunc(got, forbidden); i >= 0 {
			t.Fatalf("Clean(%q) = %q keeps %U", s, got, []rune(got[i:])[0])
		}
		if utf8.ValidString(s) && strings.IndexFunc(s, forbidden) < 0 && got != s {
			t.Fatalf("Clean changed clean text %q into %q", s, got)
		}
	})
}
