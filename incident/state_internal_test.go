package incident

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestEncodedSizeBoundsTheJSON checks Compact's count of the bytes an
// update or a timeline entry takes against encoding/json itself: never
// less, and hardly more.
func TestEncodedSizeBoundsTheJSON(t *testing.T) {
	texts := map[string]string{
		"empty":        "",
		"plain":        "replicas are 80% caught up; next step is to fail over",
		"html":         "<!channel> & <@U0BOB> > all",
		"quotes":       `say "hi" \ there`,
		"controls":     "tab\there\nnew line\r\b\f\x00\x1f\x7f",
		"unicode":      "é — ✓ 🙂 日本語 \u2028\u2029",
		"invalid utf8": "bad \xff\xfe bytes \xe2\x82",
		"long":         strings.Repeat("<é🙂\n", 1000),
	}
	times := []time.Time{{}, time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 10, 15, 0, 123456789, time.FixedZone("", -7*3600-30*60))}
	for name, text := range texts {
		for _, at := range times {
			for _, v := range []interface{ encodedSize() int }{
				StatusUpdate{At: at, Author: "U0BOB", Status: Investigating, Text: text, NextUpdateBy: at},
				StatusUpdate{At: at, Author: text, Status: Status(text), Text: text},
				TimelineEntry{At: at, Actor: "U0BOB", Kind: EntryUpdate, Text: text},
				TimelineEntry{At: at, Kind: text, Text: text},
				TimelineEntry{At: at, Actor: "U0BOB", Kind: EntryMessage, Text: text, Message: &MarkedMessage{
					Channel: "C0WAR", TS: text, Permalink: text, Files: []FileLink{{Name: text, URL: text}, {}},
					Marks: []Mark{{By: text, Via: ViaReaction}, {}}, Edited: true, Deleted: true}},
			} {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				actual := len(b) + 1 // and a comma
				if got := v.encodedSize(); got < actual || got > actual+48 {
					t.Errorf("%s at %v: encodedSize %d for %d bytes of JSON: %s", name, at, got, actual, b)
				}
			}
		}
	}
}
