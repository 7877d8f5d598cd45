package slackemu

import (
	"fmt"
	"net/http"
	"strings"
)

// Channels returns every conversation, in creation order.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyAll(s.st.channels, (*channel).snapshot)
}

// Channel returns the conversation with the given ID.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.st.chByID[id]
	if ch == nil {
		return Channel{}, false
	}
	return ch.snapshot(), true
}

// ChannelByName returns the channel with the given name (archived ones included).
func (s *Server) ChannelByName(name string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelByName(strings.TrimPrefix(name, "#"))
	if ch == nil {
		return Channel{}, false
	}
	return ch.snapshot(), true
}

// Messages returns the messages of a channel, thread replies included, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverDueLocked(s.now())
	ch := s.st.chByID[channelID]
	if ch == nil {
		return nil
	}
	return copyAll(ch.messages, copyMessage)
}

// Ephemerals returns the ephemeral messages shown in channelID to userID; an
// empty argument matches any channel or user.
func (s *Server) Ephemerals(channelID, userID string) []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ephemeral
	for _, e := range s.st.ephemerals {
		if (channelID == "" || e.Channel == channelID) && (userID == "" || e.User == userID) {
			e.Blocks, e.Attachments = cloneRaw(e.Blocks), cloneRaw(e.Attachments)
			out = append(out, e)
		}
	}
	return out
}

// Views returns every view (modals and App Home), in creation order.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyAll(s.st.views, copyView)
}

// View returns the view with the given ID.
func (s *Server) View(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.viewByID[id]
	if v == nil {
		return View{}, false
	}
	return copyView(v), true
}

// Files returns every file, with its content, in creation order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyAll(s.st.files, func(f *File) File {
		c := *f
		c.Content = append([]byte(nil), f.Content...)
		c.Channels = append([]string(nil), f.Channels...)
		return c
	})
}

// ScheduledMessages returns every scheduled message (posted, deleted and pending).
func (s *Server) ScheduledMessages() []ScheduledMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverDueLocked(s.now())
	return copyAll(s.st.scheduled, func(sm *ScheduledMessage) ScheduledMessage {
		c := *sm
		c.Blocks = cloneRaw(sm.Blocks)
		return c
	})
}

// Users returns the members of the workspace.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyAll(s.st.users, func(u *User) User { return *u })
}

// copyAll returns what copyOne makes of each item of list, in order (an
// empty list, not nil, when list is empty).
func copyAll[T, C any](list []T, copyOne func(T) C) []C {
	out := make([]C, 0, len(list))
	for _, v := range list {
		out = append(out, copyOne(v))
	}
	return out
}

// Calls returns the log of Web API calls, oldest first (the most recent 100,000).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many calls of method the emulator received (any outcome).
func (s *Server) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callCounts[method]
}

// AddUser adds (or replaces) a workspace member. If the state file cannot
// be written, the user is written with the next change that can.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.putUser(u)
	s.st.changedUser(u.ID)
	_ = s.commitLocked()
}

// CreateChannel creates a channel directly (no API call, no rate limit), e.g. as
// a fixture. The first member is its creator; the bot is a member only if listed.
func (s *Server) CreateChannel(name string, private bool, members ...string) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := validateChannelName(name); err != nil {
		return Channel{}, err
	}
	if s.channelByName(name) != nil {
		return Channel{}, errCode("name_taken")
	}
	creator := UserAlice
	for _, m := range members {
		if s.st.usersByID[m] == nil {
			return Channel{}, errCode("user_not_found")
		}
	}
	if len(members) > 0 {
		creator = members[0]
	}
	ch := s.st.addChannel(s.st.newID("C"), name, private, creator, s.now(), members)
	if err := s.commitLocked(); err != nil {
		return Channel{}, err
	}
	return ch.snapshot(), nil
}

// PostAs posts a message written by a person (not the bot) into a channel,
// e.g. a message to click shortcuts on or to read back with conversations.history.
// threadTS may be empty. The message event is queued for the app, not waited for.
func (s *Server) PostAs(channelID, userID, text, threadTS string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.st.chByID[channelID]
	if ch == nil {
		return Message{}, fmt.Errorf("slackemu: unknown channel %q", channelID)
	}
	if s.st.usersByID[userID] == nil {
		return Message{}, fmt.Errorf("slackemu: unknown user %q", userID)
	}
	m := &Message{TS: s.st.nextTS(s.now()), User: userID, Text: text}
	m.ThreadTS = threadRoot(ch, threadTS)
	ch.addMessage(m)
	if err := s.commitLocked(); err != nil {
		return Message{}, err
	}
	s.emitLocked(ch.id, s.messageEvent(ch, m))
	return copyMessage(m), nil
}

// State is the whole state of the emulator as GET /_emu/state returns it. The
// shape of channels is fixed by DESIGN.md.
type State struct {
	Channels []StateChannel `json:"channels"`
	Users    []User         `json:"users"`
	Views    []StateView    `json:"views"`
	Files    []StateFile    `json:"files"`
}

// StateChannel is a channel in State.
type StateChannel struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	IsPrivate  bool            `json:"is_private"`
	IsArchived bool            `json:"is_archived"`
	IsIM       bool            `json:"is_im,omitempty"`
	Topic      string          `json:"topic"`
	Purpose    string          `json:"purpose"`
	Members    []string        `json:"members"`
	Bookmarks  []StateBookmark `json:"bookmarks"`
	Messages   []StateMessage  `json:"messages"`
}

// StateBookmark is a bookmark in State.
type StateBookmark struct {
	Title string `json:"title"`
	Link  string `json:"link"`
}

// StateMessage is a message in State (thread replies carry thread_ts).
type StateMessage struct {
	TS        string     `json:"ts"`
	User      string     `json:"user"`
	Text      string     `json:"text"`
	Pinned    bool       `json:"pinned"`
	Metadata  *Metadata  `json:"metadata"`
	ThreadTS  string     `json:"thread_ts,omitempty"`
	Reactions []Reaction `json:"reactions,omitempty"`
}

// StateView is a view in State.
type StateView struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	CallbackID string `json:"callback_id"`
	User       string `json:"user"`
	Open       bool   `json:"open"`
}

// StateFile is a file in State (without its content).
type StateFile struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Size     int      `json:"size"`
	Channels []string `json:"channels"`
}

// Snapshot returns the state served at GET /_emu/state.
func (s *Server) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverDueLocked(s.now())
	st := State{Channels: []StateChannel{}, Users: []User{}, Views: []StateView{}, Files: []StateFile{}}
	for _, ch := range s.st.channels {
		sc := StateChannel{ID: ch.id, Name: ch.name, IsPrivate: ch.private || ch.mpim || ch.im, IsArchived: ch.archived,
			IsIM: ch.im, Topic: ch.topic.value, Purpose: ch.purpose.value, Members: append([]string{}, ch.members...),
			Bookmarks: []StateBookmark{}, Messages: []StateMessage{}}
		for _, b := range ch.bookmarks {
			sc.Bookmarks = append(sc.Bookmarks, StateBookmark{Title: b.Title, Link: b.Link})
		}
		for _, m := range ch.messages {
			sm := StateMessage{TS: m.TS, User: m.User, Text: m.Text, Pinned: m.Pinned, Metadata: m.Metadata,
				Reactions: copyMessage(m).Reactions}
			if m.ThreadTS != m.TS {
				sm.ThreadTS = m.ThreadTS
			}
			sc.Messages = append(sc.Messages, sm)
		}
		st.Channels = append(st.Channels, sc)
	}
	for _, u := range s.st.users {
		st.Users = append(st.Users, *u)
	}
	for _, v := range s.st.views {
		st.Views = append(st.Views, StateView{ID: v.ID, Type: v.Type, CallbackID: v.CallbackID, User: v.UserID, Open: v.Open})
	}
	for _, f := range s.st.files {
		st.Files = append(st.Files, StateFile{ID: f.ID, Name: f.Name, Title: f.Title, Size: len(f.Content),
			Channels: append([]string{}, f.Channels...)})
	}
	return st
}

// serveState handles GET /_emu/state.
func (s *Server) serveState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Snapshot())
}
