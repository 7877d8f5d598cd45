package slackemu

import "encoding/json"

// The inner events, shaped as https://api.slack.com/events documents them.
// Each builder runs under s.mu while emitLocked encodes the event.

// channelType names a conversation as message events do.
func channelType(ch *channel) string {
	switch {
	case ch.im:
		return "im"
	case ch.mpim:
		return "mpim"
	case ch.private:
		return "group"
	}
	return "channel"
}

// reactionEvent builds reaction_added or reaction_removed: user's reaction
// name on m.
func reactionEvent(typ string, m *Message, user, name string) func(string) obj {
	return func(eventTS string) obj {
		return obj{"type": typ, "user": user, "reaction": name, "item_user": m.User,
			"item": obj{"type": "message", "channel": m.Channel, "ts": m.TS}, "event_ts": eventTS}
	}
}

// pinEvent builds pin_added or pin_removed: user pinned or unpinned m in ch.
func (s *Server) pinEvent(typ string, ch *channel, m *Message, user string) func(string) obj {
	return func(eventTS string) obj {
		n := pinCount(ch)
		o := obj{"type": typ, "user": user, "channel_id": ch.id, "item_user": m.User, "pin_count": n,
			"item": obj{"type": "message", "channel": ch.id, "created": unix(m.pinnedAt), "created_by": m.pinnedBy,
				"message": s.messageJSON(m, true)},
			"pinned_info": obj{"channel": ch.id, "pinned_by": m.pinnedBy, "pinned_ts": unix(m.pinnedAt)},
			"event_ts":    eventTS}
		if typ == "pin_removed" {
			o["has_pins"] = n > 0
		}
		return o
	}
}

// messageEvent builds the message event of a new message m in ch; its
// event_ts is its ts, as in Slack.
func (s *Server) messageEvent(ch *channel, m *Message) func(string) obj {
	return func(string) obj {
		o := s.messageJSON(m, false)
		o["channel"], o["channel_type"], o["event_ts"] = ch.id, channelType(ch), m.TS
		return o
	}
}

// frozenMessageJSON encodes m now, for the previous_message of an edit or a
// deletion (s.mu held).
func (s *Server) frozenMessageJSON(m *Message) json.RawMessage {
	b, _ := json.Marshal(s.messageJSON(m, false))
	return b
}

// messageChangedEvent builds the message_changed event of m, edited in ch;
// prev is m before the edit (frozenMessageJSON). Its ts is the edit's.
func (s *Server) messageChangedEvent(ch *channel, m *Message, prev json.RawMessage) func(string) obj {
	return func(string) obj {
		return obj{"type": "message", "subtype": "message_changed", "hidden": true, "channel": ch.id,
			"channel_type": channelType(ch), "ts": m.editedTS, "event_ts": m.editedTS,
			"message": s.messageJSON(m, false), "previous_message": prev}
	}
}

// messageDeletedEvent builds the message_deleted event of the message whose
// ts was deletedTS in ch; prev is the message before (frozenMessageJSON).
func messageDeletedEvent(ch *channel, deletedTS string, prev json.RawMessage) func(string) obj {
	return func(eventTS string) obj {
		return obj{"type": "message", "subtype": "message_deleted", "hidden": true, "channel": ch.id,
			"channel_type": channelType(ch), "ts": eventTS, "deleted_ts": deletedTS, "event_ts": eventTS,
			"previous_message": prev}
	}
}

// editLocked changes m with apply, marks it edited and queues
// message_changed with the message as it was (s.mu held). The message is
// encoded as it was only when an app will hear of it.
func (s *Server) editLocked(ch *channel, m *Message, apply func()) *eventJob {
	var prev json.RawMessage
	if s.eventsOnLocked() {
		prev = s.frozenMessageJSON(m)
	}
	apply()
	m.Edited, m.editedTS = true, s.st.nextTS(s.now())
	ch.changedMessage(m)
	return s.emitLocked(ch.id, s.messageChangedEvent(ch, m, prev))
}

// deleteLocked deletes m (a thread parent with replies leaves a tombstone)
// and queues message_deleted with the message as it was (s.mu held).
func (s *Server) deleteLocked(ch *channel, m *Message) *eventJob {
	var prev json.RawMessage
	if s.eventsOnLocked() {
		prev = s.frozenMessageJSON(m)
	}
	ch.deleteMessage(m)
	return s.emitLocked(ch.id, messageDeletedEvent(ch, m.TS, prev))
}
