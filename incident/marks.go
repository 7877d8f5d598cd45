package incident

import "time"

// EntryMessage is the kind of a timeline entry that is a war-room message
// a responder marked for the timeline (TimelineEntry.Message says which).
// Its At is when the message was posted, its Actor the message's author and
// its Text the message's text (at most MaxMarkedText characters).
const EntryMessage = "message"

// Bounds of what marking keeps, so that no mark can grow the incident's
// state without limit.
const (
	// MaxMarkedText is how many bytes of a marked message's text the
	// timeline keeps, cut on a character boundary with Truncate (as many
	// characters of ASCII text; Slack's own messages may be 40,000).
	MaxMarkedText = 2000
	// MaxMarkedMessages is how many marked messages one incident keeps; a
	// mark beyond them is refused with a sentence saying so.
	MaxMarkedMessages = 200
	// MaxMarkFiles is how many of a marked message's files are linked.
	MaxMarkFiles = 10
	// MaxMarksPerMessage is how many marks (person and way) one message
	// keeps; a new mark beyond them is refused with a sentence, so that
	// every mark on the message is one the entry goes with.
	MaxMarksPerMessage = 20
	// MaxMarkedBytes bounds the JSON size of all marked-message entries
	// together (encoded as the data converter writes them, escapes
	// included); a mark that would pass it is refused with a sentence.
	// Compact never drops a marked message, so this is what they add to
	// the state an incident carries at worst.
	MaxMarkedBytes = 256 << 10
)

// MarkAction is what a MessageMark does.
type MarkAction string

// Mark actions.
const (
	// MarkAdd marks a message (a reaction, a pin, the message shortcut).
	MarkAdd MarkAction = "add"
	// MarkRemove takes one mark back (the reaction or the pin removed);
	// the entry goes when no mark is left.
	MarkRemove MarkAction = "remove"
	// MarkEdit follows an edit of a marked message (message_changed).
	MarkEdit MarkAction = "edit"
	// MarkDelete follows the deletion of a marked message
	// (message_deleted): the entry stays, marked deleted.
	MarkDelete MarkAction = "delete"
)

// MarkVia is how a person marked a message.
type MarkVia string

// Ways to mark.
const (
	ViaReaction MarkVia = "reaction"
	ViaPin      MarkVia = "pin"
	ViaShortcut MarkVia = "shortcut"
)

// MessageMark is one change to the marks on a war-room message: what the
// Slack front door makes of a reaction_added / reaction_removed /
// pin_added / pin_removed / message_changed / message_deleted event or of
// the "Add to incident timeline" message shortcut.
type MessageMark struct {
	Action MarkAction `json:"action"`
	// Channel and TS identify the message (TS is Slack's message ts,
	// "1700000000.000100").
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	// By is who added or took back the mark (add, remove); empty for edit
	// and delete.
	By  string  `json:"by,omitempty"`
	Via MarkVia `json:"via,omitempty"`
	// The message as Slack has it now: for an add its author, text, the
	// time it was posted (from its ts), its permalink and its files; for an
	// edit its text and files (all of them: none means it has none now),
	// as the message_changed event gives them. An edit keeps the entry's
	// author, time and permalink: the Slack front door sends no permalink
	// with an edit.
	Author    string     `json:"author,omitempty"`
	Text      string     `json:"text,omitempty"`
	PostedAt  time.Time  `json:"posted_at,omitzero"`
	Permalink string     `json:"permalink,omitempty"`
	Files     []FileLink `json:"files,omitempty"`
}

// FileLink is a file or image of a marked message, kept as a link.
type FileLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// MarkedMessage is what a timeline entry of kind EntryMessage keeps of its
// message besides the author, time and text.
type MarkedMessage struct {
	Channel   string     `json:"channel"`
	TS        string     `json:"ts"`
	Permalink string     `json:"permalink,omitempty"`
	Files     []FileLink `json:"files,omitempty"`
	// Marks are who marked it and how; the entry goes with the last one.
	Marks []Mark `json:"marks"`
	// Edited is set once the message was edited after it was marked (the
	// entry's text is the latest); Deleted once it was deleted in Slack.
	Edited  bool `json:"edited,omitempty"`
	Deleted bool `json:"deleted,omitempty"`
}

// Mark is one person's mark on a message.
type Mark struct {
	By  string  `json:"by"`
	Via MarkVia `json:"via"`
}

// MarkOutcome is what applying a MessageMark did.
type MarkOutcome string

// Mark outcomes.
const (
	// MarkAdded: the message is now in the timeline.
	MarkAdded MarkOutcome = "added"
	// MarkAlready: it was in the timeline already; this mark was added to
	// it (or was there already).
	MarkAlready MarkOutcome = "already"
	// MarkRemoved: the last mark went, and the entry with it.
	MarkRemoved MarkOutcome = "removed"
	// MarkKept: this mark went, others keep the entry.
	MarkKept MarkOutcome = "kept"
	// MarkEdited, MarkDeleted: the entry follows the message.
	MarkEdited  MarkOutcome = "edited"
	MarkDeleted MarkOutcome = "deleted"
)

// stateNote is what follows a marked message's text wherever it is shown
// (mrkdwn and Markdown alike): that it was deleted in Slack, or edited
// since it was marked, or nothing.
func (m *MarkedMessage) stateNote() string {
	switch {
	case m.Deleted:
		return " _(deleted in Slack)_"
	case m.Edited:
		return " _(edited)_"
	}
	return ""
}
