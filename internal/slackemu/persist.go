package slackemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

// stateFormat names the layout of the state file; a file with another
// format is refused (and moved aside) rather than half understood.
const stateFormat = "incidentflow-slack-sandbox/1"

// savedState is the snapshot of the state file: the workspace without what
// is only meaningful to a running process (triggers, response URLs,
// rate-limit windows, faults, the call log, Socket Mode connections, the
// Events API queue and its records, the page's results). The journal beside
// it holds the changes made since, record by record (persist_journal.go).
type savedState struct {
	Format     string             `json:"format"`
	SavedAt    time.Time          `json:"saved_at"`
	IDPrefix   string             `json:"id_prefix"`
	Seq        int                `json:"seq"`
	LastTS     int64              `json:"last_ts"`
	Users      []User             `json:"users"`
	Channels   []savedChannel     `json:"channels"`
	Views      []savedView        `json:"views"`
	Files      []File             `json:"files"`
	Scheduled  []ScheduledMessage `json:"scheduled"`
	Ephemerals []Ephemeral        `json:"ephemerals"`
}

// savedChannel is a channel in the state file, its messages included.
type savedChannel struct {
	ID            string         `json:"id"`
	Name          string         `json:"name,omitempty"`
	Private       bool           `json:"private,omitempty"`
	IM            bool           `json:"im,omitempty"`
	MpIM          bool           `json:"mpim,omitempty"`
	Archived      bool           `json:"archived,omitempty"`
	General       bool           `json:"general,omitempty"`
	Creator       string         `json:"creator"`
	Created       time.Time      `json:"created"`
	Topic         savedText      `json:"topic"`
	Purpose       savedText      `json:"purpose"`
	Members       []string       `json:"members"`
	Bookmarks     []Bookmark     `json:"bookmarks,omitempty"`
	IMUser        string         `json:"im_user,omitempty"`
	PreviousNames []string       `json:"previous_names,omitempty"`
	Messages      []savedMessage `json:"messages,omitempty"` // not in a channel record of the journal
}

// savedText is a topic or purpose in the state file.
type savedText struct {
	Value   string    `json:"value,omitempty"`
	Creator string    `json:"creator,omitempty"`
	LastSet time.Time `json:"last_set"`
}

// savedMessage is a message with the bookkeeping Message keeps private.
type savedMessage struct {
	Message
	ReplyUsers  []string  `json:"reply_users,omitempty"`
	LatestReply string    `json:"latest_reply,omitempty"`
	EditedTS    string    `json:"edited_ts,omitempty"`
	PinnedBy    string    `json:"pinned_by,omitempty"`
	PinnedAt    time.Time `json:"pinned_at"`
}

// savedView is a view whose state (the last submitted values) is kept as
// raw JSON and read leniently, so a slack-go upgrade that changes
// BlockAction cannot make the whole file unreadable.
type savedView struct {
	View
	State json.RawMessage `json:"State,omitempty"`
}

// saveChannel returns the header of ch as the state file keeps it: all but
// its messages.
func saveChannel(ch *channel) savedChannel {
	sc := savedChannel{ID: ch.id, Name: ch.name, Private: ch.private, IM: ch.im, MpIM: ch.mpim,
		Archived: ch.archived, General: ch.general, Creator: ch.creator, Created: ch.created,
		Topic:   savedText{Value: ch.topic.value, Creator: ch.topic.creator, LastSet: ch.topic.lastSet},
		Purpose: savedText{Value: ch.purpose.value, Creator: ch.purpose.creator, LastSet: ch.purpose.lastSet},
		Members: ch.members, IMUser: ch.imUser, PreviousNames: ch.previousNames}
	for _, b := range ch.bookmarks {
		sc.Bookmarks = append(sc.Bookmarks, *b)
	}
	return sc
}

// restore sets the header of ch from sc (its ID stays).
func (ch *channel) restore(sc savedChannel) {
	ch.name, ch.private, ch.creator, ch.created = sc.Name, sc.Private, sc.Creator, sc.Created
	ch.members = append([]string(nil), sc.Members...)
	ch.im, ch.mpim, ch.archived, ch.general, ch.imUser = sc.IM, sc.MpIM, sc.Archived, sc.General, sc.IMUser
	ch.topic = textField{value: sc.Topic.Value, creator: sc.Topic.Creator, lastSet: sc.Topic.LastSet}
	ch.purpose = textField{value: sc.Purpose.Value, creator: sc.Purpose.Creator, lastSet: sc.Purpose.LastSet}
	ch.previousNames = sc.PreviousNames
	ch.bookmarks = nil
	for i := range sc.Bookmarks {
		ch.bookmarks = append(ch.bookmarks, &sc.Bookmarks[i])
	}
}

// saveMessage returns m as the state file keeps it.
func saveMessage(m *Message) savedMessage {
	return savedMessage{Message: *m, ReplyUsers: m.replyUsers, LatestReply: m.latestReply, EditedTS: m.editedTS,
		PinnedBy: m.pinnedBy, PinnedAt: m.pinnedAt}
}

// restoreMessage rebuilds a message of channelID from the state file.
func restoreMessage(channelID string, sm savedMessage) *Message {
	m := sm.Message
	m.Channel = channelID
	m.replyUsers, m.latestReply, m.editedTS = sm.ReplyUsers, sm.LatestReply, sm.EditedTS
	m.pinnedBy, m.pinnedAt = sm.PinnedBy, sm.PinnedAt
	return &m
}

// saveView returns v as the state file keeps it.
func saveView(v *View) savedView {
	sv := savedView{View: *v}
	if len(v.State.Values) > 0 {
		sv.State, _ = json.Marshal(v.State)
	}
	return sv
}

// restoreView rebuilds a view from the state file.
func restoreView(sv savedView) *View {
	v := sv.View
	v.State = slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	if len(sv.State) > 0 {
		var state slack.ViewState
		if json.Unmarshal(sv.State, &state) == nil && state.Values != nil {
			v.State = state // the last submitted values; losing them is harmless
		}
	}
	return &v
}

// encodeState returns the state file contents for w (s.mu held).
func encodeState(w *workspace, now time.Time) ([]byte, error) {
	st := savedState{Format: stateFormat, SavedAt: now.UTC(), IDPrefix: w.idPrefix, Seq: w.seq, LastTS: w.lastTS,
		Users: []User{}, Channels: []savedChannel{}, Views: []savedView{}, Files: []File{},
		Scheduled: []ScheduledMessage{}, Ephemerals: append([]Ephemeral{}, w.ephemerals...)}
	for _, u := range w.users {
		st.Users = append(st.Users, *u)
	}
	for _, ch := range w.channels {
		sc := saveChannel(ch)
		for _, m := range ch.messages {
			sc.Messages = append(sc.Messages, saveMessage(m))
		}
		st.Channels = append(st.Channels, sc)
	}
	for _, v := range w.views {
		st.Views = append(st.Views, saveView(v))
	}
	for _, f := range w.files {
		st.Files = append(st.Files, *f)
	}
	for _, sm := range w.scheduled {
		st.Scheduled = append(st.Scheduled, *sm)
	}
	return json.MarshalIndent(st, "", " ")
}

// decodeState rebuilds a workspace from a state file. Users of seed missing
// from the file (e.g. added to Options.Users since) are added; the bot user is
// always present.
func decodeState(data []byte, seed []User) (*workspace, error) {
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("not a state file: %w", err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("format %q, want %q", st.Format, stateFormat)
	}
	w := &workspace{usersByID: map[string]*User{}, chByID: map[string]*channel{}, viewByID: map[string]*View{},
		fileByID: map[string]*File{}, triggers: map[string]*trigger{}, lastTS: st.LastTS, seq: st.Seq,
		idPrefix: st.IDPrefix, ephemerals: st.Ephemerals}
	if w.idPrefix == "" {
		w.idPrefix = newIDPrefix()
	}
	addUser := func(u User) error {
		if u.ID == "" {
			return errors.New("a user without an ID")
		}
		if w.usersByID[u.ID] != nil {
			return nil
		}
		w.users = append(w.users, &u)
		w.usersByID[u.ID] = &u
		return nil
	}
	for _, u := range st.Users {
		if err := addUser(u); err != nil {
			return nil, err
		}
	}
	for _, u := range append(seed, BotUser()) {
		_ = addUser(u)
	}
	for _, sc := range st.Channels {
		if sc.ID == "" || w.chByID[sc.ID] != nil {
			return nil, fmt.Errorf("channel ID %q missing or repeated", sc.ID)
		}
		ch := w.addChannel(sc.ID, sc.Name, sc.Private, sc.Creator, sc.Created, sc.Members)
		ch.restore(sc)
		for _, sm := range sc.Messages {
			if _, ok := parseTS(sm.TS); !ok || ch.byTS[sm.TS] != nil {
				return nil, fmt.Errorf("message ts %q in %s invalid or repeated", sm.TS, sc.ID)
			}
			m := restoreMessage(ch.id, sm)
			ch.messages = append(ch.messages, m)
			ch.byTS[m.TS] = m
		}
	}
	for _, sv := range st.Views {
		if sv.ID == "" || w.viewByID[sv.ID] != nil {
			return nil, fmt.Errorf("view ID %q missing or repeated", sv.ID)
		}
		v := restoreView(sv)
		w.views = append(w.views, v)
		w.viewByID[v.ID] = v
	}
	for i := range st.Files {
		f := &st.Files[i]
		if f.ID == "" || w.fileByID[f.ID] != nil {
			return nil, fmt.Errorf("file ID %q missing or repeated", f.ID)
		}
		w.files = append(w.files, f)
		w.fileByID[f.ID] = f
	}
	for i := range st.Scheduled {
		w.scheduled = append(w.scheduled, &st.Scheduled[i])
	}
	w.changes.Clear() // what was read is on disk
	return w, nil
}
