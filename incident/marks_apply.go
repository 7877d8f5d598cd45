package incident

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CheckMark says, with a sentence a responder understands, why m can't be
// applied to the incident, or returns nil. It refuses a message outside
// the war room, a malformed one, a mark beyond MaxMarkedMessages,
// MaxMarksPerMessage or MaxMarkedBytes, a removal of a mark nobody holds, and an edit or a
// deletion that changes nothing on the timeline (of a message that isn't
// marked, or that leaves its entry as it is), so that the Slack front door
// can send every war-room edit without writing history for it.
func (inc *Incident) CheckMark(m MessageMark) error {
	switch {
	case inc.ChannelID == "":
		return fmt.Errorf("incident %s has no war room yet: mark its messages once it is open", inc.Declaration.ID)
	case m.Channel != inc.ChannelID:
		return fmt.Errorf("only messages in the war room of incident %s (#%s) can go on its timeline", inc.Declaration.ID, inc.ChannelName)
	}
	if _, ok := tsTime(m.TS); !ok {
		return fmt.Errorf("%q is not a Slack message timestamp such as 1700000000.000100", m.TS)
	}
	i := inc.markedIndex(m.Channel, m.TS)
	var old *TimelineEntry
	if i >= 0 {
		old = &inc.Timeline[i]
	}
	switch m.Action {
	case MarkAdd, MarkRemove:
		if err := checkMarker(m); err != nil {
			return err
		}
	case MarkEdit, MarkDelete:
	default:
		return fmt.Errorf("unknown mark action %q: use add, remove, edit or delete", m.Action)
	}
	if old == nil && m.Action != MarkAdd {
		return fmt.Errorf("this message isn't on the timeline of incident %s", inc.Declaration.ID)
	}
	if m.Action == MarkAdd && old == nil && inc.markedCount() >= MaxMarkedMessages {
		return fmt.Errorf("the timeline already holds %d marked messages, the most one incident keeps: unmark one to make room", MaxMarkedMessages)
	}
	if m.Action == MarkAdd && old != nil && len(old.Message.Marks) >= MaxMarksPerMessage &&
		!slices.Contains(old.Message.Marks, Mark{By: m.By, Via: m.Via}) {
		return fmt.Errorf("this message already has %d marks, the most one message keeps: it stays on the timeline of incident %s while any of them remains", MaxMarksPerMessage, inc.Declaration.ID)
	}
	next, out := markEntry(old, m)
	switch out {
	case MarkRemoved, MarkKept:
		if !slices.Contains(old.Message.Marks, Mark{By: m.By, Via: m.Via}) {
			return fmt.Errorf("%s didn't mark this message by %s, so there is no such mark to take back", m.By, m.Via)
		}
		return nil
	case MarkEdited, MarkDeleted:
		if next.Text == old.Text && next.Message.Deleted == old.Message.Deleted && slices.Equal(next.Message.Files, old.Message.Files) {
			return fmt.Errorf("the marked message is already on the timeline as it is now")
		}
	}
	size := inc.markedBytes() + next.encodedSize()
	if old != nil {
		size -= old.encodedSize()
	}
	if size > MaxMarkedBytes {
		return fmt.Errorf("the timeline already holds %d marked messages, as much text as one incident keeps: unmark one to make room", inc.markedCount())
	}
	return nil
}

// checkMarker checks who marks (or unmarks) a message, and how.
func checkMarker(m MessageMark) error {
	if strings.TrimSpace(m.By) == "" {
		return fmt.Errorf("say who marks the message")
	}
	switch m.Via {
	case ViaReaction, ViaPin, ViaShortcut:
		return nil
	}
	return fmt.Errorf("unknown way to mark a message %q: use reaction, pin or shortcut", m.Via)
}

// ApplyMark applies m, which CheckMark accepted, to the timeline and says
// what it did. A new marked message becomes an EntryMessage entry at the
// time it was posted (the timeline stays in time order), its author as the
// actor, its text cut to MaxMarkedText bytes, at most MaxMarkFiles files.
// A person marking the same message the same way twice is one mark; the
// entry goes with its last mark. An edit carries the message as it is now:
// it replaces the text and the files (an edit without files leaves none)
// and sets Edited, and keeps what an edit doesn't change, the permalink,
// the author and the time posted, whatever m says of them. A deletion sets
// Deleted and keeps the last text.
func (inc *Incident) ApplyMark(m MessageMark) MarkOutcome {
	i := inc.markedIndex(m.Channel, m.TS)
	if i < 0 {
		if m.Action != MarkAdd {
			return MarkRemoved // nothing marked: nothing to take back or follow
		}
		e, out := markEntry(nil, m)
		at := len(inc.Timeline)
		for at > 0 && inc.Timeline[at-1].At.After(e.At) {
			at--
		}
		inc.Timeline = slices.Insert(inc.Timeline, at, e)
		return out
	}
	e, out := markEntry(&inc.Timeline[i], m)
	if out == MarkRemoved {
		inc.Timeline = slices.Delete(inc.Timeline, i, i+1)
	} else {
		inc.Timeline[i] = e
	}
	return out
}

// markEntry returns the entry of the message m is about once m is applied
// to it (old is the entry now, nil when the message isn't marked), and
// what applying m does. It changes nothing of old.
func markEntry(old *TimelineEntry, m MessageMark) (TimelineEntry, MarkOutcome) {
	if old == nil {
		e := TimelineEntry{At: m.Posted(), Actor: m.Author, Kind: EntryMessage, Text: Truncate(m.Text, MaxMarkedText),
			Message: &MarkedMessage{Channel: m.Channel, TS: m.TS, Permalink: m.Permalink, Files: fileLinks(m.Files),
				Marks: []Mark{{By: m.By, Via: m.Via}}}}
		return e, MarkAdded
	}
	e := *old
	msg := *old.Message
	msg.Marks = slices.Clone(msg.Marks)
	e.Message = &msg
	mark := Mark{By: m.By, Via: m.Via}
	switch m.Action {
	case MarkAdd:
		if !slices.Contains(msg.Marks, mark) {
			msg.Marks = append(msg.Marks, mark)
		}
		return e, MarkAlready
	case MarkRemove:
		msg.Marks = slices.DeleteFunc(msg.Marks, func(k Mark) bool { return k == mark })
		if len(msg.Marks) == 0 {
			return e, MarkRemoved
		}
		return e, MarkKept
	case MarkEdit:
		if text := Truncate(m.Text, MaxMarkedText); text != e.Text || !slices.Equal(fileLinks(m.Files), msg.Files) {
			e.Text, msg.Files, msg.Edited = text, fileLinks(m.Files), true
		}
		return e, MarkEdited
	default:
		msg.Deleted = true
		return e, MarkDeleted
	}
}

// Posted is when the message m is about was posted: its PostedAt, or else
// the time its ts stands for.
func (m MessageMark) Posted() time.Time {
	if !m.PostedAt.IsZero() {
		return m.PostedAt
	}
	at, _ := tsTime(m.TS)
	return at
}

// IsMarked reports whether message ts of channel is on the timeline.
func (inc *Incident) IsMarked(channel, ts string) bool { return inc.markedIndex(channel, ts) >= 0 }

// fileLinks are the first MaxMarkFiles of files, copied.
func fileLinks(files []FileLink) []FileLink {
	return slices.Clone(files[:min(len(files), MaxMarkFiles)])
}

// markedIndex is the index in the timeline of the entry of message ts in
// channel, or -1 when it isn't marked.
func (inc *Incident) markedIndex(channel, ts string) int {
	return slices.IndexFunc(inc.Timeline, func(e TimelineEntry) bool {
		return e.Message != nil && e.Message.Channel == channel && e.Message.TS == ts
	})
}

// markedCount counts the marked messages on the timeline.
func (inc *Incident) markedCount() int {
	n := 0
	for _, e := range inc.Timeline {
		if e.Message != nil {
			n++
		}
	}
	return n
}

// markedBytes bounds from above the JSON size of the marked messages'
// entries together.
func (inc *Incident) markedBytes() int {
	n := 0
	for _, e := range inc.Timeline {
		if e.Message != nil {
			n += e.encodedSize()
		}
	}
	return n
}

// tsTime is the time a Slack message timestamp ("1700000000.000100":
// seconds and microseconds since 1970) stands for, and whether ts is one.
func tsTime(ts string) (time.Time, bool) {
	sec, frac, ok := strings.Cut(ts, ".")
	if !ok || !allDigits(sec) || !allDigits(frac) || len(sec) > 12 || len(frac) > 9 {
		return time.Time{}, false
	}
	s, _ := strconv.ParseInt(sec, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	return time.Unix(s, f).UTC(), true
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
