package slackemu

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/statefile"
)

// Channel is a snapshot of a conversation (public or private channel, DM or group DM).
type Channel struct {
	ID         string
	Name       string // empty for DMs and group DMs
	IsPrivate  bool
	IsIM       bool
	IsMpIM     bool
	IsArchived bool
	IsGeneral  bool
	Creator    string
	Created    time.Time
	Topic      string
	Purpose    string
	Members    []string
	Bookmarks  []Bookmark
	User       string // the other party of a DM
}

// Metadata is the message metadata of chat.postMessage (event_type + event_payload).
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Reaction is one emoji reaction on a message and the users who added it.
type Reaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
}

// Message is a snapshot of a message in a channel (top-level or thread reply).
type Message struct {
	Channel        string
	TS             string
	ThreadTS       string // set on replies and on thread parents that have replies
	User           string
	BotID          string
	Subtype        string // "", "thread_broadcast", "tombstone", ...
	Text           string
	Blocks         json.RawMessage
	Attachments    json.RawMessage
	Metadata       *Metadata
	Pinned         bool
	Reactions      []Reaction
	Files          []string
	Edited         bool
	ReplyCount     int
	ReplyBroadcast bool
	UnfurlLinks    *bool
	UnfurlMedia    *bool
	Username       string
	IconEmoji      string
	IconURL        string

	replyUsers  []string
	latestReply string
	editedTS    string
	pinnedBy    string
	pinnedAt    time.Time
}

// Ephemeral is an ephemeral message shown to one user in one channel.
type Ephemeral struct {
	Channel     string
	User        string
	TS          string
	ThreadTS    string
	Text        string
	Blocks      json.RawMessage
	Attachments json.RawMessage
	Source      string // "chat.postEphemeral" or "response_url"
}

// Bookmark is a channel bookmark (bookmarks.add).
type Bookmark struct {
	ID        string
	ChannelID string
	Title     string
	Link      string
	Emoji     string
	Type      string
	Created   time.Time
	CreatedBy string
}

// View is a modal or App Home view opened, pushed, updated or published by the app.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	Hash            string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	UserID          string
	RootViewID      string
	PreviousViewID  string
	Title           json.RawMessage
	Submit          json.RawMessage
	Close           json.RawMessage
	Blocks          json.RawMessage
	State           slack.ViewState
	ClearOnClose    bool
	NotifyOnClose   bool
	Open            bool // false once submitted and closed, or cleared
	Created         time.Time
	Updated         time.Time
}

// File is an uploaded file with its content.
type File struct {
	ID             string
	Name           string
	Title          string
	Mimetype       string
	Filetype       string
	Size           int // the length announced in files.getUploadURLExternal
	Content        []byte
	User           string
	AltText        string
	Channels       []string
	InitialComment string
	ThreadTS       string
	Uploaded       bool // bytes received at the upload URL
	Completed      bool // files.completeUploadExternal called
	Created        time.Time
}

// ScheduledMessage is a message queued by chat.scheduleMessage. It is posted when
// the emulator's clock reaches PostAt (checked on every API call and inspection).
type ScheduledMessage struct {
	ID        string
	Channel   string
	PostAt    time.Time
	Text      string
	ThreadTS  string
	Blocks    json.RawMessage
	Metadata  *Metadata
	Created   time.Time
	Posted    bool
	MessageTS string // ts of the posted message once Posted
	Deleted   bool
}

// channel is the mutable state of one conversation.
type channel struct {
	id, name                             string
	private, im, mpim, archived, general bool
	creator                              string
	created                              time.Time
	topic, purpose                       textField
	members                              []string
	messages                             []*Message // ascending ts, replies included
	byTS                                 map[string]*Message
	bookmarks                            []*Bookmark
	imUser                               string
	previousNames                        []string
	changes                              *statefile.Pending // the workspace's
}

// textField is a channel topic or purpose.
type textField struct {
	value, creator string
	lastSet        time.Time
}

// trigger is a minted trigger_id.
type trigger struct {
	id       string
	user     string
	created  time.Time
	used     bool
	viewRoot string // root view of the modal the interaction came from
}

// workspace is the whole mutable state of the emulated workspace.
type workspace struct {
	users      []*User
	usersByID  map[string]*User
	channels   []*channel
	chByID     map[string]*channel
	views      []*View
	viewByID   map[string]*View
	files      []*File
	fileByID   map[string]*File
	scheduled  []*ScheduledMessage
	triggers   map[string]*trigger
	ephemerals []Ephemeral
	lastTS     int64 // microseconds of the last ts handed out
	seq        int
	idPrefix   string            // random, per workspace: keeps IDs apart across fresh sandboxes
	changes    statefile.Pending // the records the next commit writes to the state file
}

// newWorkspace builds the seeded workspace: users, #general and #incidents.
func newWorkspace(users []User, now time.Time) *workspace {
	w := &workspace{
		usersByID: map[string]*User{},
		chByID:    map[string]*channel{},
		viewByID:  map[string]*View{},
		fileByID:  map[string]*File{},
		triggers:  map[string]*trigger{},
		idPrefix:  newIDPrefix(),
	}
	hasBot := false
	for _, u := range users {
		u := u
		if u.ID == BotUserID {
			hasBot = true
		}
		w.users = append(w.users, &u)
		w.usersByID[u.ID] = &u
	}
	if !hasBot {
		b := BotUser()
		w.users = append(w.users, &b)
		w.usersByID[b.ID] = &b
	}
	var everyone []string
	for _, u := range w.users {
		everyone = append(everyone, u.ID)
	}
	created := now.Add(-30 * 24 * time.Hour)
	gen := w.addChannel(GeneralChannelID, "general", false, UserAlice, created, everyone)
	gen.general = true
	gen.purpose = textField{value: "Company-wide announcements and work-based matters", creator: UserAlice, lastSet: created}
	var responders []string
	for _, id := range []string{UserAlice, UserBob, UserCarol, UserDave, UserGrace, BotUserID} {
		if w.usersByID[id] != nil {
			responders = append(responders, id)
		}
	}
	inc := w.addChannel(IncidentsChannelID, "incidents", false, UserAlice, created, responders)
	inc.topic = textField{value: "Incidents are declared and announced here", creator: UserAlice, lastSet: created}
	inc.purpose = textField{value: "Declarations, status and resolutions of incidents", creator: UserAlice, lastSet: created}
	w.changes.Clear() // the seed is written whole
	return w
}

// addChannel registers a new channel.
func (w *workspace) addChannel(id, name string, private bool, creator string, created time.Time, members []string) *channel {
	ch := &channel{id: id, name: name, private: private, creator: creator, created: created,
		members: append([]string(nil), members...), byTS: map[string]*Message{}, changes: &w.changes}
	w.channels = append(w.channels, ch)
	w.chByID[id] = ch
	ch.changed()
	return ch
}

// putUser adds u, or replaces the user with its ID.
func (w *workspace) putUser(u User) {
	if old := w.usersByID[u.ID]; old != nil {
		*old = u
		return
	}
	w.users = append(w.users, &u)
	w.usersByID[u.ID] = &u
}

// putView adds v, or replaces the view with its ID.
func (w *workspace) putView(v *View) {
	if old := w.viewByID[v.ID]; old != nil {
		*old = *v
		return
	}
	w.views = append(w.views, v)
	w.viewByID[v.ID] = v
}

// putFile adds f, or replaces the file with its ID.
func (w *workspace) putFile(f *File) {
	if old := w.fileByID[f.ID]; old != nil {
		*old = *f
		return
	}
	w.files = append(w.files, f)
	w.fileByID[f.ID] = f
}

// newID returns a fresh ID with the given prefix, shaped like Slack's: the
// prefix, "0", the workspace's random ID prefix and a counter, e.g.
// "C0K7QZ0001A" for a channel. The seeded IDs (C0GENERAL, U0ALICE, ...) are
// shorter, so they never collide with minted ones.
func (w *workspace) newID(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s0%s%05X", prefix, w.idPrefix, w.seq)
}

// idAlphabet is the upper-case base32 alphabet Slack IDs are drawn from.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newIDPrefix returns four random characters of idAlphabet (about a million
// choices), so two fresh sandboxes rarely mint the same channel or view IDs.
func newIDPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// nextTS returns a unique, increasing message timestamp ("1700000000.000100").
func (w *workspace) nextTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= w.lastTS {
		us = w.lastTS + 1
	}
	w.lastTS = us
	return formatTS(us)
}

// formatTS formats microseconds since the epoch as a Slack ts.
func formatTS(us int64) string {
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// parseTS parses a Slack ts ("1700000000.000100", "1700000000") into microseconds.
func parseTS(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return 0, false
	}
	var us int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		frac += strings.Repeat("0", 6-len(frac))
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		us = f
	}
	return s*1e6 + us, true
}

// isMember reports whether user is a member of ch.
func (ch *channel) isMember(user string) bool {
	for _, m := range ch.members {
		if m == user {
			return true
		}
	}
	return false
}

// removeMember removes user from ch.
func (ch *channel) removeMember(user string) {
	out := ch.members[:0]
	for _, m := range ch.members {
		if m != user {
			out = append(out, m)
		}
	}
	ch.members = out
	ch.changed()
}

// addMessage appends m (whose ts is the newest) and maintains thread counters.
func (ch *channel) addMessage(m *Message) {
	m.Channel = ch.id
	ch.messages = append(ch.messages, m)
	ch.byTS[m.TS] = m
	ch.changedMessage(m)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if parent := ch.byTS[m.ThreadTS]; parent != nil {
			parent.ThreadTS = parent.TS
			parent.ReplyCount++
			parent.latestReply = m.TS
			if !contains(parent.replyUsers, m.User) {
				parent.replyUsers = append(parent.replyUsers, m.User)
			}
			ch.changedMessage(parent)
		}
	}
}

// putMessage adds m in ts order, or replaces the message with its ts.
func (ch *channel) putMessage(m *Message) {
	if old := ch.byTS[m.TS]; old != nil {
		*old = *m
		return
	}
	us, _ := parseTS(m.TS)
	i := len(ch.messages)
	for i > 0 {
		if prev, _ := parseTS(ch.messages[i-1].TS); prev < us {
			break
		}
		i--
	}
	ch.messages = append(ch.messages, nil)
	copy(ch.messages[i+1:], ch.messages[i:])
	ch.messages[i] = m
	ch.byTS[m.TS] = m
}

// deleteMessage removes m from ch, leaving a tombstone when it has replies.
func (ch *channel) deleteMessage(m *Message) {
	ch.changedMessage(m)
	if m.ThreadTS == m.TS && m.ReplyCount > 0 {
		m.Subtype = "tombstone"
		m.Text = "This message was deleted."
		m.Blocks, m.Attachments, m.Metadata, m.Files, m.Reactions = nil, nil, nil, nil, nil
		m.Pinned = false
		return
	}
	ch.removeMessage(m.TS)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if parent := ch.byTS[m.ThreadTS]; parent != nil && parent.ReplyCount > 0 {
			parent.ReplyCount--
			ch.changedMessage(parent)
		}
	}
}

// removeMessage removes the message with ts from ch, if there is one.
func (ch *channel) removeMessage(ts string) {
	m := ch.byTS[ts]
	if m == nil {
		return
	}
	out := ch.messages[:0]
	for _, x := range ch.messages {
		if x != m {
			out = append(out, x)
		}
	}
	ch.messages = out
	delete(ch.byTS, ts)
}

// snapshot returns a deep copy of ch as a Channel.
func (ch *channel) snapshot() Channel {
	c := Channel{ID: ch.id, Name: ch.name, IsPrivate: ch.private, IsIM: ch.im, IsMpIM: ch.mpim,
		IsArchived: ch.archived, IsGeneral: ch.general, Creator: ch.creator, Created: ch.created,
		Topic: ch.topic.value, Purpose: ch.purpose.value, Members: append([]string{}, ch.members...), User: ch.imUser}
	c.Bookmarks = []Bookmark{}
	for _, b := range ch.bookmarks {
		c.Bookmarks = append(c.Bookmarks, *b)
	}
	return c
}

// copyMessage returns a deep copy of m.
func copyMessage(m *Message) Message {
	c := *m
	c.Blocks = cloneRaw(m.Blocks)
	c.Attachments = cloneRaw(m.Attachments)
	if m.Metadata != nil {
		md := *m.Metadata
		c.Metadata = &md
	}
	c.Reactions = nil
	for _, r := range m.Reactions {
		c.Reactions = append(c.Reactions, Reaction{Name: r.Name, Users: append([]string(nil), r.Users...)})
	}
	c.Files = append([]string(nil), m.Files...)
	c.replyUsers = append([]string(nil), m.replyUsers...)
	return c
}

// copyView returns a deep copy of v.
func copyView(v *View) View {
	c := *v
	c.Title, c.Submit, c.Close, c.Blocks = cloneRaw(v.Title), cloneRaw(v.Submit), cloneRaw(v.Close), cloneRaw(v.Blocks)
	c.State = slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for b, acts := range v.State.Values {
		m := map[string]slack.BlockAction{}
		for a, ba := range acts {
			m[a] = ba
		}
		c.State.Values[b] = m
	}
	return c
}

// cloneRaw copies a json.RawMessage.
func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
