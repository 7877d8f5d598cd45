package slackemu

import (
	"context"
	"strings"
	"unicode/utf8"
)

// A person reacting, pinning, editing and deleting in Slack. Each method
// changes the state as the Web API would for that user, then delivers the
// event to the app (when a front door or Socket Mode connection is set) and
// waits for its answer, retries included (so it must not be called from the
// app's event handler, which the queue is waiting on: use the Web API there);
// bad input answers Slack's error codes (the error's text is the code).

// React adds userID's reaction name (":pushpin:" or "pushpin") to the message
// (channelID, ts) and delivers reaction_added.
func (s *Server) React(ctx context.Context, channelID, ts, userID, name string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		n, err := reactionName(name)
		if err != nil {
			return nil, err
		}
		return s.reactLocked(ch, m, userID, n)
	})
}

// Unreact removes userID's reaction name from the message and delivers reaction_removed.
func (s *Server) Unreact(ctx context.Context, channelID, ts, userID, name string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		n, err := reactionName(name)
		if err != nil {
			return nil, err
		}
		return s.unreactLocked(ch, m, userID, n)
	})
}

// PinAs pins the message as userID (a member of the channel) and delivers pin_added.
func (s *Server) PinAs(ctx context.Context, channelID, ts, userID string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		if !ch.isMember(userID) {
			return nil, errCode("not_in_channel")
		}
		return s.pinLocked(ch, m, userID)
	})
}

// UnpinAs unpins the message as userID (a member of the channel) and delivers pin_removed.
func (s *Server) UnpinAs(ctx context.Context, channelID, ts, userID string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		if !ch.isMember(userID) {
			return nil, errCode("not_in_channel")
		}
		return s.unpinLocked(ch, m, userID)
	})
}

// EditAs replaces the text of userID's own message (others answer
// cant_update_message) and delivers message_changed.
func (s *Server) EditAs(ctx context.Context, channelID, ts, userID, text string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		switch {
		case !m.writtenBy(userID):
			return nil, errCode("cant_update_message")
		case strings.TrimSpace(text) == "":
			return nil, errCode("no_text")
		case utf8.RuneCountInString(text) > maxMessageText:
			return nil, errCode("msg_too_long")
		}
		return s.editLocked(ch, m, func() { m.Text, m.Blocks = text, nil }), nil
	})
}

// DeleteAs deletes userID's own message (others answer cant_delete_message)
// and delivers message_deleted; a thread parent with replies leaves a tombstone.
func (s *Server) DeleteAs(ctx context.Context, channelID, ts, userID string) error {
	return s.actAs(ctx, channelID, ts, userID, func(ch *channel, m *Message) (*eventJob, error) {
		if !m.writtenBy(userID) {
			return nil, errCode("cant_delete_message")
		}
		return s.deleteLocked(ch, m), nil
	})
}

// actAs resolves what userID acts on, applies act under s.mu and waits for
// the delivery of the event it queued. The user must exist; the channel must
// exist, be visible to the user (private conversations to members only) and
// not be archived; the message must exist.
func (s *Server) actAs(ctx context.Context, channelID, ts, userID string, act func(*channel, *Message) (*eventJob, error)) error {
	s.mu.Lock()
	job, err := func() (*eventJob, error) {
		if u := s.st.usersByID[userID]; u == nil {
			return nil, errCode("user_not_found")
		}
		ch := s.st.chByID[channelID]
		if ch == nil || ((ch.private || ch.mpim || ch.im) && !ch.isMember(userID)) {
			return nil, errCode("channel_not_found")
		}
		if ch.archived {
			return nil, errCode("is_archived")
		}
		m := ch.byTS[ts]
		if m == nil || m.Subtype == "tombstone" {
			return nil, errCode("message_not_found")
		}
		return act(ch, m)
	}()
	if cerr := s.commitLocked(); err == nil {
		err = cerr
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.waitEvent(ctx, job)
}

// reactionName checks an emoji name as reactions.add does.
func reactionName(name string) (string, error) {
	n := strings.Trim(name, ":")
	if n == "" || strings.ContainsAny(n, " :") {
		return "", errCode("invalid_name")
	}
	return n, nil
}

// writtenBy reports whether userID wrote m as a person (not through an
// app), so that they may edit and delete it.
func (m *Message) writtenBy(userID string) bool { return m.User == userID && m.BotID == "" }
