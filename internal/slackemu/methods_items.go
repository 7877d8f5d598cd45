package slackemu

import (
	"net/url"
	"strings"
)

// pinTarget resolves the message of pins.add/pins.remove.
func (s *Server) pinTarget(rq *apiRequest) (*channel, *Message, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, nil, err
	}
	ts := rq.p.str("timestamp")
	if ts == "" {
		if rq.p.has("file") || rq.p.has("file_comment") {
			return nil, nil, errCode("not_pinnable")
		}
		return nil, nil, errCode("no_item_specified")
	}
	if _, ok := parseTS(ts); !ok {
		return nil, nil, errCode("bad_timestamp")
	}
	if ch.archived {
		return nil, nil, errCode("is_archived")
	}
	if !ch.isMember(BotUserID) {
		return nil, nil, errCode("not_in_channel")
	}
	m := ch.byTS[ts]
	if m == nil {
		return nil, nil, errCode("message_not_found")
	}
	return ch, m, nil
}

// pinsAdd is pins.add (messages only; tombstones are not pinnable).
func pinsAdd(s *Server, rq *apiRequest) (obj, error) {
	ch, m, err := s.pinTarget(rq)
	if err != nil {
		return nil, err
	}
	_, err = s.pinLocked(ch, m, BotUserID)
	return obj{}, err
}

// pinLocked pins m to ch for user and emits pin_added (s.mu held); it
// returns the event's delivery, nil when none was queued.
func (s *Server) pinLocked(ch *channel, m *Message, user string) (*eventJob, error) {
	if m.Subtype == "tombstone" {
		return nil, errCode("not_pinnable")
	}
	if m.Pinned {
		return nil, errCode("already_pinned")
	}
	if pinCount(ch) >= maxPins {
		return nil, errCode("too_many_pins")
	}
	m.Pinned, m.pinnedBy, m.pinnedAt = true, user, s.now()
	ch.changedMessage(m)
	return s.emitLocked(ch.id, s.pinEvent("pin_added", ch, m, user)), nil
}

// pinsRemove is pins.remove.
func pinsRemove(s *Server, rq *apiRequest) (obj, error) {
	ch, m, err := s.pinTarget(rq)
	if err != nil {
		return nil, err
	}
	_, err = s.unpinLocked(ch, m, BotUserID)
	return obj{}, err
}

// unpinLocked unpins m for user and emits pin_removed (s.mu held); it
// returns the event's delivery, nil when none was queued.
func (s *Server) unpinLocked(ch *channel, m *Message, user string) (*eventJob, error) {
	if !m.Pinned {
		return nil, errCode("no_pin")
	}
	m.Pinned = false
	ch.changedMessage(m)
	return s.emitLocked(ch.id, s.pinEvent("pin_removed", ch, m, user)), nil
}

// pinCount returns how many messages of ch are pinned.
func pinCount(ch *channel) int {
	n := 0
	for _, x := range ch.messages {
		if x.Pinned {
			n++
		}
	}
	return n
}

// pinsList is pins.list.
func pinsList(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, err
	}
	items := []obj{}
	for i := len(ch.messages) - 1; i >= 0; i-- {
		m := ch.messages[i]
		if !m.Pinned {
			continue
		}
		items = append(items, obj{"type": "message", "channel": ch.id, "created": unix(m.pinnedAt),
			"created_by": m.pinnedBy, "message": s.messageJSON(m, true)})
	}
	return obj{"items": items}, nil
}

// bookmarksAdd is bookmarks.add (type "link" only).
func bookmarksAdd(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.writableChannel(rq.p.str("channel_id"))
	if err != nil {
		return nil, err
	}
	title, typ, link := rq.p.str("title"), rq.p.str("type"), strings.TrimSpace(rq.p.str("link"))
	if title == "" || typ == "" {
		return nil, errMessages("invalid_arguments", "title and type are required")
	}
	if typ != "link" {
		return nil, errCode("invalid_bookmark_type")
	}
	u, perr := url.Parse(link)
	if link == "" || perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errCode("invalid_link")
	}
	b := &Bookmark{ID: s.st.newID("Bk"), ChannelID: ch.id, Title: title, Link: link, Emoji: rq.p.str("emoji"),
		Type: typ, Created: s.now(), CreatedBy: BotUserID}
	ch.bookmarks = append(ch.bookmarks, b)
	ch.changed()
	return obj{"bookmark": bookmarkJSON(b)}, nil
}

// bookmarksList is bookmarks.list.
func bookmarksList(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.findChannel(rq.p.str("channel_id"))
	if err != nil {
		return nil, err
	}
	out := []obj{}
	for _, b := range ch.bookmarks {
		out = append(out, bookmarkJSON(b))
	}
	return obj{"bookmarks": out}, nil
}

// bookmarksRemove is bookmarks.remove.
func bookmarksRemove(s *Server, rq *apiRequest) (obj, error) {
	ch, err := s.writableChannel(rq.p.str("channel_id"))
	if err != nil {
		return nil, err
	}
	id := rq.p.str("bookmark_id")
	for i, b := range ch.bookmarks {
		if b.ID == id {
			ch.bookmarks = append(ch.bookmarks[:i], ch.bookmarks[i+1:]...)
			ch.changed()
			return obj{}, nil
		}
	}
	return nil, errCode("not_found")
}

// reactionTarget resolves the message and emoji name of reactions.add/remove/get.
func (s *Server) reactionTarget(rq *apiRequest) (*channel, *Message, string, error) {
	name, err := reactionName(rq.p.str("name"))
	if err != nil && rq.method != "reactions.get" {
		return nil, nil, "", err
	}
	if rq.p.str("timestamp") == "" || rq.p.str("channel") == "" {
		return nil, nil, "", errCode("no_item_specified")
	}
	ch, err := s.findChannel(rq.p.str("channel"))
	if err != nil {
		return nil, nil, "", err
	}
	if ch.archived && rq.method != "reactions.get" {
		return nil, nil, "", errCode("is_archived")
	}
	m := ch.byTS[rq.p.str("timestamp")]
	if m == nil || m.Subtype == "tombstone" {
		return nil, nil, "", errCode("message_not_found")
	}
	return ch, m, name, nil
}

// reactionsAdd is reactions.add (by the bot user).
func reactionsAdd(s *Server, rq *apiRequest) (obj, error) {
	ch, m, name, err := s.reactionTarget(rq)
	if err != nil {
		return nil, err
	}
	_, err = s.reactLocked(ch, m, BotUserID, name)
	return obj{}, err
}

// reactLocked adds user's reaction name to m and emits reaction_added
// (s.mu held); it returns the event's delivery, nil when none was queued.
func (s *Server) reactLocked(ch *channel, m *Message, user, name string) (*eventJob, error) {
	i := reactionIndex(m, name)
	switch {
	case i >= 0 && contains(m.Reactions[i].Users, user):
		return nil, errCode("already_reacted")
	case i >= 0:
		m.Reactions[i].Users = append(m.Reactions[i].Users, user)
	case len(m.Reactions) >= 50:
		return nil, errCode("too_many_reactions")
	default:
		m.Reactions = append(m.Reactions, Reaction{Name: name, Users: []string{user}})
	}
	ch.changedMessage(m)
	return s.emitLocked(ch.id, reactionEvent("reaction_added", m, user, name)), nil
}

// reactionsRemove is reactions.remove.
func reactionsRemove(s *Server, rq *apiRequest) (obj, error) {
	ch, m, name, err := s.reactionTarget(rq)
	if err != nil {
		return nil, err
	}
	_, err = s.unreactLocked(ch, m, BotUserID, name)
	return obj{}, err
}

// unreactLocked removes user's reaction name from m and emits
// reaction_removed (s.mu held); it returns the event's delivery, nil when
// none was queued.
func (s *Server) unreactLocked(ch *channel, m *Message, user, name string) (*eventJob, error) {
	i := reactionIndex(m, name)
	if i < 0 || !contains(m.Reactions[i].Users, user) {
		return nil, errCode("no_reaction")
	}
	var users []string
	for _, u := range m.Reactions[i].Users {
		if u != user {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		m.Reactions = append(m.Reactions[:i], m.Reactions[i+1:]...)
	} else {
		m.Reactions[i].Users = users
	}
	ch.changedMessage(m)
	return s.emitLocked(ch.id, reactionEvent("reaction_removed", m, user, name)), nil
}

// reactionIndex returns the index of reaction name on m, or -1.
func reactionIndex(m *Message, name string) int {
	for i, r := range m.Reactions {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// reactionsGet is reactions.get: the message with its reactions.
func reactionsGet(s *Server, rq *apiRequest) (obj, error) {
	ch, m, _, err := s.reactionTarget(rq)
	if err != nil {
		return nil, err
	}
	return obj{"type": "message", "channel": ch.id, "message": s.messageJSON(m, true)}, nil
}
