package slackdoor

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentflow/incidentflow/incident"
)

func TestParseEvent(t *testing.T) {
	callback := func(event string) string {
		return `{"type":"event_callback","event_id":"Ev1","event":` + event + `}`
	}
	tests := []struct {
		name, body string
		want       eventTask
	}{
		{"challenge", `{"type":"url_verification","challenge":"abc"}`, eventTask{Challenge: "abc"}},
		{"mention", callback(`{"type":"app_mention","user":"U0ALICE","channel":"C1"}`),
			eventTask{EventID: "Ev1", Mention: &mention{Channel: "C1", User: "U0ALICE"}}},
		{"reaction with a skin tone", callback(`{"type":"reaction_added","user":"U0ALICE","reaction":"pushpin::skin-tone-2","item":{"type":"message","channel":"C1","ts":"1700000000.000100"}}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkAdd, Channel: "C1", TS: "1700000000.000100", By: "U0ALICE", Via: incident.ViaReaction}}},
		{"edit", callback(`{"type":"message","subtype":"message_changed","channel":"G1","message":{"ts":"1700000000.000100","user":"U0BOB","text":"a &lt;b&gt;"},"previous_message":{"text":"a"}}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkEdit, Channel: "G1", TS: "1700000000.000100", Author: "U0BOB", Text: "a <b>",
				PostedAt: time.Unix(1700000000, 100000).UTC()}}},
		{"delete", callback(`{"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1700000000.000100"}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkDelete, Channel: "C1", TS: "1700000000.000100"}}},
		{"another bot's edit", callback(`{"type":"message","subtype":"message_changed","channel":"C1","message":{"subtype":"bot_message","ts":"1700000000.000100","bot_id":"B1","text":"resolved"},"previous_message":{"bot_id":"B1","text":"firing"}}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkEdit, Channel: "C1", TS: "1700000000.000100", Text: "resolved",
				PostedAt: time.Unix(1700000000, 100000).UTC()}}},
		{"an app bot's edit: who posted it, for the door", callback(`{"type":"message","subtype":"message_changed","channel":"C1","message":{"ts":"1700000000.000100","user":"U0BOT","bot_id":"B1","text":"y"}}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkEdit, Channel: "C1", TS: "1700000000.000100", Author: "U0BOT", Text: "y",
				PostedAt: time.Unix(1700000000, 100000).UTC()}}},
		{"a bot's message deleted", callback(`{"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1700000000.000100","previous_message":{"bot_id":"B1","text":"x"}}`),
			eventTask{EventID: "Ev1", Mark: &incident.MessageMark{Action: incident.MarkDelete, Channel: "C1", TS: "1700000000.000100"}}},
	}
	for _, tt := range tests {
		got := parseEvent([]byte(tt.body), "pushpin")
		if !sameTask(got, tt.want) {
			t.Errorf("%s: %+v (mark %+v), want %+v (mark %+v)", tt.name, got, got.Mark, tt.want, tt.want.Mark)
		}
	}

	ignored := map[string]string{
		"garbage":             `{"type":`,
		"no event":            `{"type":"event_callback","event_id":"Ev1"}`,
		"another reaction":    callback(`{"type":"reaction_added","user":"U0ALICE","reaction":"eyes","item":{"type":"message","channel":"C1","ts":"1700000000.000100"}}`),
		"reaction on file":    callback(`{"type":"reaction_added","user":"U0ALICE","reaction":"pushpin","item":{"type":"file","file":"F1"}}`),
		"new message":         callback(`{"type":"message","channel":"C1","user":"U0BOB","ts":"1700000000.000100","text":"hi"}`),
		"a bot's new message": callback(`{"type":"message","subtype":"bot_message","channel":"C1","bot_id":"B1","ts":"1700000000.000100","text":"x"}`),
		"edit of nothing":     callback(`{"type":"message","subtype":"message_changed","channel":"C1"}`),
		"unfurl":              callback(`{"type":"message","subtype":"message_changed","channel":"C1","message":{"ts":"1700000000.000100","user":"U0BOB","text":"x"},"previous_message":{"text":"x"}}`),
		"direct message":      callback(`{"type":"message","subtype":"message_deleted","channel":"D1","deleted_ts":"1700000000.000100"}`),
		"bad ts":              callback(`{"type":"pin_added","user":"U0ALICE","channel_id":"C1","item":{"type":"message","message":{"ts":"yesterday"}}}`),
		"no user":             callback(`{"type":"pin_removed","channel_id":"C1","item":{"type":"message","message":{"ts":"1700000000.000100"}}}`),
		"wrong field types":   callback(`{"type":"reaction_added","user":{"id":"U0ALICE"}}`),
		"no event_id":         `{"type":"event_callback","event":{"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1700000000.000100"}}`,
		"too large":           `{"type":"url_verification","challenge":"` + strings.Repeat("a", MaxBodyBytes) + `"}`,
	}
	for name, body := range ignored {
		if got := parseEvent([]byte(body), "pushpin"); got.Ignored == "" || got.Mark != nil || got.Mention != nil || got.Challenge != "" {
			t.Errorf("%s: %+v, want it ignored", name, got)
		}
	}
}

// sameTask compares tasks by value, marks and mentions included.
func sameTask(a, b eventTask) bool {
	if (a.Mark == nil) != (b.Mark == nil) || (a.Mention == nil) != (b.Mention == nil) {
		return false
	}
	if a.Mark != nil && !sameMark(*a.Mark, *b.Mark) || a.Mention != nil && *a.Mention != *b.Mention {
		return false
	}
	return a.Challenge == b.Challenge && a.EventID == b.EventID && a.Ignored == b.Ignored
}

func sameMark(a, b incident.MessageMark) bool {
	return a.Action == b.Action && a.Channel == b.Channel && a.TS == b.TS && a.By == b.By && a.Via == b.Via &&
		a.Author == b.Author && a.Text == b.Text && a.PostedAt.Equal(b.PostedAt) && a.Permalink == b.Permalink && len(a.Files) == len(b.Files)
}

// FuzzParseEvent: whatever the body, parseEvent doesn't panic, and what it
// asks for is well formed: one thing to do, or a reason to do nothing.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"type":"url_verification","challenge":"abc"}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"reaction_added","user":"U0ALICE","reaction":"pushpin","item":{"type":"message","channel":"C1","ts":"1700000000.000100"}}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"pin_added","user":"U0ALICE","channel_id":"C1","item":{"type":"message","message":{"ts":"1700000000.000100"}}}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","subtype":"message_changed","channel":"C1","message":{"ts":"1700000000.000100","user":"U0BOB","text":"<!channel> x","files":[{"name":"a","permalink":"https://x"}]}}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1700000000.000100"}}`))
	f.Add([]byte(`{"type":"event_callback","event":null}`))
	f.Add([]byte("\x00garbage"))
	f.Fuzz(func(t *testing.T, body []byte) {
		task := parseEvent(body, "pushpin")
		n := 0
		for _, set := range []bool{task.Challenge != "", task.Mention != nil, task.Mark != nil, task.Ignored != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%q: %+v: want exactly one of challenge, mention, mark, ignored", body, task)
		}
		if m := task.Mark; m != nil {
			if !isChannelID(m.Channel) || tsTime(m.TS).IsZero() || !incident.IsPlainID(task.EventID) ||
				len([]rune(m.Text)) > incident.MaxMarkedText || len(m.Files) > incident.MaxMarkFiles {
				t.Fatalf("%q: malformed mark %+v", body, m)
			}
		}
	})
}
